import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The user and group `nobody`, that file modes apply to (they do not apply to root). */
export const NOBODY = { uid: 65534, gid: 65534 } as const;

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * True when this process runs as root and so can start processes as {@link NOBODY}, and `nobody`
 * can read this package (its checkout may sit below a folder only root may enter).
 */
export const canSwitchUser =
  typeof process.getuid === 'function' &&
  process.getuid() === 0 &&
  spawnSync(
    process.execPath,
    ['-e', 'require("node:fs").accessSync(process.argv[1], 4)', `${packageRoot}package.json`],
    {
      ...NOBODY,
      stdio: 'ignore',
    },
  ).status === 0;

/** Lets every user enter `dir` and the folders above it up to `root` (a temp folder is 0700). */
export function makeTraversable(dir: string, root: string): void {
  for (let current = dir; ; current = dirname(current)) {
    chmodSync(current, 0o755);
    if (current === root || dirname(current) === current) return;
  }
}

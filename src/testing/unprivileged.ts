import { chmodSync } from 'node:fs';
import { dirname } from 'node:path';

/** The user and group `nobody`, that file modes apply to (they do not apply to root). */
export const NOBODY = { uid: 65534, gid: 65534 } as const;

/** True when this process runs as root and so can start processes as {@link NOBODY}. */
export const canSwitchUser = typeof process.getuid === 'function' && process.getuid() === 0;

/** Lets every user enter `dir` and the folders above it up to `root` (a temp folder is 0700). */
export function makeTraversable(dir: string, root: string): void {
  for (let current = dir; ; current = dirname(current)) {
    chmodSync(current, 0o755);
    if (current === root || dirname(current) === current) return;
  }
}

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Builds `dist/` once before the suite: tests that spawn processes run the built package.
 * A failed build is reported, not thrown, so that unit tests still run; the tests that need
 * `dist/` then fail on their own, and `npm run build` in CI fails the run anyway.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const result = spawnSync(
    process.execPath,
    [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    process.stderr.write(
      `warning: building dist/ failed; tests that spawn the built package will fail.\n${result.stdout}${result.stderr}\n`,
    );
  }
}

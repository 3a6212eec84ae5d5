import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Builds `dist/` and the web UI (`dist/ui/`) once before the suite: tests that spawn processes
 * run the built package, and the browser tests load the UI the server serves.
 * A failed build is reported, not thrown, so that unit tests still run; the tests that need
 * `dist/` then fail on their own, and `npm run build` in CI fails the run anyway.
 */
export default function setup(): void {
  ensureChromium();
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
  // The web UI's browser tests load dist/ui, which the server serves.
  const ui = spawnSync(
    process.execPath,
    [`${root}node_modules/vite/bin/vite.js`, 'build', '--config', 'ui/vite.config.ts', '--logLevel', 'warn'],
    // The production build, as `npm run build` makes it (vitest sets NODE_ENV=test, which would
    // give React's development build: double renders and double requests under StrictMode).
    { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_ENV: 'production' } },
  );
  if (ui.status !== 0) {
    process.stderr.write(
      `warning: building dist/ui failed; the web UI's browser tests will fail.\n${ui.stdout}${ui.stderr}\n`,
    );
  }
}

/**
 * The browser tests drive Debian's Chromium at /usr/bin/chromium (or CHROMIUM_PATH). On a
 * machine without it, as root with apt-get (a fresh Debian machine, CI), it is installed here,
 * as .ci/run does; elsewhere the browser tests fail saying how to install it.
 */
function ensureChromium(): void {
  if (process.env.CHROMIUM_PATH !== undefined || existsSync('/usr/bin/chromium')) return;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) return;
  process.stderr.write('installing Chromium for the browser tests: apt-get install -y chromium\n');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env });
}

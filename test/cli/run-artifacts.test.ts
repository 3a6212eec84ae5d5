import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Run } from '../../src/entities/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines, startAgentrack, within, writeAgentConfig, type CliResult } from './helpers.js';

const STARTED = /^agentrack: \S+ \(([0-9a-f]{32})\) started in \S+$/m;

/** A command that writes `files` (path → content) below the folder `out`, then runs `then` (JavaScript). */
function writer(files: Record<string, string>, then = ''): string[] {
  const script = `
    const { mkdirSync, writeFileSync } = require('node:fs');
    const { dirname, join } = require('node:path');
    for (const [path, content] of Object.entries(${JSON.stringify(files)})) {
      mkdirSync(dirname(join('out', path)), { recursive: true });
      writeFileSync(join('out', path), content);
    }
    ${then}`;
  return [process.execPath, '-e', script];
}

describe('agentrack run --artifacts DIR', () => {
  let dir: ReturnType<typeof tempDir>;
  let client: TrackingClient;
  let folder = 0;
  /** A fresh project folder (so that `out` starts empty) with its agent's configuration. */
  const project = () =>
    writeAgentConfig(dir.path, `p${++folder}`, {
      agent: 'artifacts_agent',
      trackingUri: `sqlite:///${join(dir.path, 'runs.db')}`,
    });

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-run-artifacts-');
    client = await TrackingClient.open(`sqlite:///${join(dir.path, 'runs.db')}`);
  });
  afterAll(async () => {
    await client.close();
    dir.remove();
  });

  async function startedRun(result: CliResult): Promise<Run> {
    const match = STARTED.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    return client.getRun(match![1]!);
  }

  it("logs what the command left in DIR as the run's artifacts before the run ends", async () => {
    const result = agentrack(
      [
        'run',
        'eval',
        '--artifacts',
        'out',
        '--',
        ...writer({ 'eval_results/summary.md': '# ok\n', 'predictions.jsonl': '{"id": 1}\n' }),
      ],
      { cwd: project() },
    );
    expect(result.code, result.stderr).toBe(0);
    const run = await startedRun(result);
    expect(run.info.status).toBe('FINISHED');
    expect(lines(result.stderr).slice(1, 3)).toEqual([
      "agentrack: logged 2 files (15 B) from out as the run's artifacts",
      `agentrack: ${run.info.run_name} ended FINISHED`,
    ]);
    expect(await client.listArtifacts(run.info.run_id)).toEqual([
      { path: 'eval_results', is_dir: true },
      { path: 'predictions.jsonl', is_dir: false, file_size: 10 },
    ]);
    const local = await client.downloadArtifacts(run.info.run_id, 'eval_results/summary.md', dir.path);
    expect(readFileSync(local, 'utf8')).toBe('# ok\n');
  });

  it('logs them too when the command fails, and the run still fails by the command', async () => {
    const result = agentrack(
      ['run', 'dev', '--artifacts', 'out', '--', ...writer({ 'crash.log': 'boom\n' }, 'process.exit(4);')],
      { cwd: project() },
    );
    expect(result.code).toBe(4);
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
    expect(result.stderr).toContain("agentrack: logged 1 file (5 B) from out as the run's artifacts\n");
    expect(await client.listArtifacts(run.info.run_id)).toEqual([
      { path: 'crash.log', is_dir: false, file_size: 5 },
    ]);
  });

  it('logs them when agentrack is interrupted, before it ends the run KILLED', async () => {
    const cli = startAgentrack(
      [
        'run',
        'dev',
        '--artifacts',
        'out',
        '--',
        ...writer(
          { 'checkpoint.txt': 'step 3\n' },
          "process.stderr.write('wrote checkpoint\\n'); setTimeout(() => {}, 60000);",
        ),
      ],
      { cwd: project() },
    );
    await within(cli.waitForStderr('wrote checkpoint'), 60_000, 'the command wrote its checkpoint');
    cli.kill('SIGTERM');
    const result = await within(cli.done, 60_000, 'agentrack ended');
    expect(result.code, result.stderr).toBe(143);
    const run = await startedRun(result);
    expect(run.info.status).toBe('KILLED');
    const notes = lines(result.stderr);
    const logged = notes.indexOf("agentrack: logged 1 file (7 B) from out as the run's artifacts");
    expect(logged, result.stderr).toBeGreaterThan(0);
    expect(notes.indexOf(`agentrack: ${run.info.run_name} ended KILLED`)).toBeGreaterThan(logged);
    expect(await client.listArtifacts(run.info.run_id)).toEqual([
      { path: 'checkpoint.txt', is_dir: false, file_size: 7 },
    ]);
  });

  it('warns about a missing DIR without failing the run', async () => {
    const result = agentrack(
      ['run', 'dev', '--artifacts', 'never-written', '--', process.execPath, '-e', ''],
      {
        cwd: project(),
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const run = await startedRun(result);
    expect(run.info.status).toBe('FINISHED');
    expect(result.stderr).toContain(
      'agentrack: warning: --artifacts never-written: no such folder; no artifacts logged\n',
    );
    expect(await client.listArtifacts(run.info.run_id)).toEqual([]);
  });

  it('logs nothing for a command that never started', async () => {
    const result = agentrack(['run', 'dev', '--artifacts', 'out', '--', 'agentrack-no-such-command'], {
      cwd: project(),
    });
    expect(result.code).toBe(127);
    expect(result.stderr).not.toContain('--artifacts');
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
  });

  it('keeps them in --artifacts-destination instead of the folder beside the database', async () => {
    const destination = join(dir.path, 'elsewhere');
    const result = agentrack(
      [
        'run',
        'dev',
        '--artifacts-destination',
        destination,
        '--artifacts',
        'out',
        '--',
        ...writer({ 'model.txt': 'weights\n' }),
      ],
      { cwd: project() },
    );
    expect(result.code, result.stderr).toBe(0);
    const run = await startedRun(result);
    const { experiment_id: experimentId, run_id: runId } = run.info;
    expect(readFileSync(join(destination, experimentId, runId, 'artifacts', 'model.txt'), 'utf8')).toBe(
      'weights\n',
    );
    expect(existsSync(join(dir.path, 'runs-artifacts', experimentId, runId))).toBe(false);
  });
});

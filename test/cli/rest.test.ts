import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, bin, child } from './helpers.js';

// The CLI and the lifecycle, unchanged, against an agentrack server over MLflow's REST API.
describe('the CLI over an agentrack server', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: ChildProcess;
  let url = '';

  beforeAll(async () => {
    dir = tempDir();
    server = spawn(
      process.execPath,
      [
        bin,
        'server',
        '--port',
        '0',
        '--log-level',
        'silent',
        '--backend-store-uri',
        `sqlite:///${join(dir.path, 'served.db')}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    server.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    while (!/listening on (http:\/\/\S+)/.test(stderr))
      await new Promise((resolve) => setTimeout(resolve, 50));
    url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1] ?? '';
  });
  afterAll(async () => {
    const exited = once(server, 'exit');
    server.kill('SIGTERM');
    await exited;
    dir.remove();
  });

  it('initializes, runs dev/eval/deploy with commands logging into their runs, lists and audits', async () => {
    const cwd = join(dir.path, 'project');
    const cli = (args: string[]) => agentrack(['--tracking-uri', url, ...args], { cwd: dir.path });
    expect(
      agentrack(
        [
          '--tracking-uri',
          url,
          'init',
          '--agent',
          'rest_agent',
          '--config',
          join(cwd, 'agentrack.config.json'),
        ],
        { cwd: dir.path },
      ).code,
    ).toBe(0);
    const config = ['--config', join(cwd, 'agentrack.config.json')];

    const dev = cli([
      ...config,
      'run',
      'dev',
      '--',
      'node',
      child,
      'env',
      'metric',
      'loss=0.5',
      'mlflow',
      'recall=0.25',
    ]);
    expect(dev.stderr).toMatch(/ended FINISHED/);
    expect(dev.code).toBe(0);
    expect(JSON.parse(dev.stdout)).toMatchObject({ AGENTRACK_TRACKING_URI: url, MLFLOW_TRACKING_URI: url });

    const evaluation = cli([
      ...config,
      'run',
      'eval',
      '--threshold',
      'accuracy >= 0.9',
      '--',
      'node',
      child,
      'metric',
      'accuracy=0.95',
    ]);
    expect(evaluation.code).toBe(0);
    expect(evaluation.stderr).toContain('gate: passed; deployment candidate: yes');
    const deploy = cli([
      ...config,
      'run',
      'deploy',
      '--model-version',
      '1',
      '--',
      'node',
      child,
      'exit',
      '0',
    ]);
    expect(deploy.code).toBe(0);
    expect(deploy.stderr).toMatch(/model version 1, promoted from eval_pre_deploy_/);

    const runs = cli([...config, 'runs', '--json']);
    expect(runs.code).toBe(0);
    expect((JSON.parse(runs.stdout) as unknown[]).length).toBe(3);
    const audit = cli([...config, 'audit']);
    expect(audit.stdout).toContain('PASS: all 6 checks passed, 3 runs audited');
    expect(audit.code).toBe(0);

    const client = await TrackingClient.open(url, { env: {} });
    try {
      const experiment = await client.getExperimentByName('/Shared/rest_agent/development');
      const [run] = (await client.searchRuns({ experimentIds: [experiment!.experiment_id] })).items;
      expect(run?.data.metrics?.map((m) => m.key).sort()).toEqual(['loss', 'recall']);
    } finally {
      await client.close();
    }
  });
});

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/entities/index.js';
import { TrackingClient } from '../../src/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import {
  agentrack,
  agentrackInProcess,
  child,
  ESC,
  lines,
  startAgentrack,
  writeAgentConfig,
  type CliResult,
} from './helpers.js';

const STARTED =
  /^agentrack: ((?:dev|eval_pre_deploy|deploy)_\d{8}_\d{6}(?:_\d+)?) \(([0-9a-f]{32})\) started in (\S+)$/m;

function tags(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

describe('agentrack run', () => {
  let dir: ReturnType<typeof tempDir>;
  let uri: string;
  let client: TrackingClient;
  /** A folder with the configuration of its own agent, all agents in one database. */
  const agentFolder = (agent: string, thresholds: string[] = []) =>
    writeAgentConfig(dir.path, agent, { agent, trackingUri: uri, version: '2.1.0', thresholds });

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-run-');
    uri = `sqlite:///${join(dir.path, 'runs.db')}`;
    client = await TrackingClient.open(uri);
  });
  afterAll(async () => {
    await client.close();
    dir.remove();
  });

  /** The run a CLI invocation started, read from the database. */
  async function startedRun(result: CliResult): Promise<Run> {
    const match = STARTED.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    return client.getRun(match![2]!);
  }

  it('runs the command in a development run it can log into, and finishes the run', async () => {
    const cwd = agentFolder('dev_agent');
    const result = agentrack(
      [
        '--tracking-uri',
        'sqlite:///../runs.db',
        'run',
        'dev',
        '--tag',
        'team=core',
        '--tag',
        'query=a=b',
        '--',
        'node',
        child,
        'env',
        'metric',
        'accuracy=0.75',
        'mlflow',
        'recall=0.5',
      ],
      { cwd, env: { MLFLOW_TRACKING_URI: 'http://mlflow.invalid', MLFLOW_EXPERIMENT_NAME: 'other' } },
    );
    expect(result.code).toBe(0);
    const run = await startedRun(result);
    const [name, , experimentPath] = STARTED.exec(result.stderr)!.slice(1);
    expect(name).toBe(run.info.run_name);
    expect(experimentPath).toBe('/Shared/dev_agent/development');
    expect(lines(result.stderr).at(-1)).toBe(`agentrack: ${run.info.run_name} ended FINISHED`);

    expect(JSON.parse(result.stdout)).toEqual({
      AGENTRACK_TRACKING_URI: `sqlite:///${join(dir.path, 'runs.db')}`,
      MLFLOW_RUN_ID: run.info.run_id,
      MLFLOW_EXPERIMENT_ID: run.info.experiment_id,
      // The embedded store, served to the command on a free loopback port while it runs.
      MLFLOW_TRACKING_URI: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      MLFLOW_EXPERIMENT_NAME: null,
    });
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.metrics).toContainEqual(expect.objectContaining({ key: 'accuracy', value: 0.75 }));
    // Logged the way MLflow's Python client logs, through that server.
    expect(run.data.metrics).toContainEqual(expect.objectContaining({ key: 'recall', value: 0.5 }));
    expect(tags(run)).toMatchObject({
      agent_name: 'dev_agent',
      run_type: 'development',
      environment: 'dev',
      version: '2.1.0',
      team: 'core',
      query: 'a=b',
    });
  });

  it("passes on the command's exit code and fails the run", async () => {
    const cwd = agentFolder('failing_agent');
    const result = agentrack(['run', 'dev', '--', 'node', child, 'exit', '7'], { cwd });
    expect(result.code).toBe(7);
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
    expect(tags(run)['agentrack.error']).toBe('command exited with code 7');
    expect(lines(result.stderr).at(-1)).toBe(`agentrack: ${run.info.run_name} ended FAILED`);
  });

  it('exits 3 when the evaluation gate fails, and the run is no candidate', async () => {
    const cwd = agentFolder('gate_agent', ['latency_ms <= 500']);
    const result = agentrack(
      ['run', 'eval', '--threshold', 'accuracy >= 0.9', '--', 'node', child, 'metric', 'accuracy=0.8'],
      { cwd },
    );
    expect(result.code).toBe(3);
    const run = await startedRun(result);
    expect(run.info.status).toBe('FINISHED');
    expect(tags(run)).toMatchObject({ deployment_candidate: 'false', 'agentrack.gate': 'failed' });
    expect(result.stderr).not.toContain(ESC);
    const summary = lines(result.stderr).slice(2);
    expect(summary).toEqual([
      'METRIC      OBSERVED  COMPARATOR  THRESHOLD  RESULT',
      'latency_ms  missing   <=          500        fail',
      'accuracy    0.8       >=          0.9        fail',
      'gate: failed; deployment candidate: no',
      'agentrack: exit 3: the evaluation gate failed',
    ]);
  });

  it("exits with the command's code, not 3, when an evaluation command fails", async () => {
    const cwd = agentFolder('eval_fail_agent');
    const result = agentrack(
      [
        'run',
        'eval',
        '--threshold',
        'accuracy >= 0.5',
        '--',
        'node',
        child,
        'metric',
        'accuracy=0.8',
        'exit',
        '5',
      ],
      { cwd },
    );
    expect(result.code).toBe(5);
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
    expect(tags(run).deployment_candidate).toBe('false');
    expect(result.stderr).toContain('gate: passed; deployment candidate: no');
  });

  it('promotes a passing evaluation run to a deployment, and refuses one that did not pass', async () => {
    const cwd = agentFolder('promote_agent');
    const refused = agentrack(['run', 'deploy', '--model-version', '1', '--', 'node', child, 'env'], { cwd });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(lines(refused.stderr)).toEqual([
      "error: Refusing to deploy: the agent 'promote_agent' has no finished evaluation run that passed its gate. Run an evaluation that meets its thresholds first, or force the deployment. (INVALID_STATE)",
    ]);

    const passed = agentrack(
      ['run', 'eval', '--threshold', 'accuracy >= 0.9', '--', 'node', child, 'metric', 'accuracy=0.95'],
      { cwd },
    );
    expect(passed.code).toBe(0);
    expect(passed.stderr).toContain('accuracy  0.95      >=          0.9        pass');
    expect(passed.stderr).toContain('gate: passed; deployment candidate: yes');
    const evaluation = await startedRun(passed);
    expect(tags(evaluation).deployment_candidate).toBe('true');

    const failed = agentrack(
      ['run', 'eval', '--threshold', 'accuracy >= 0.9', '--', 'node', child, 'metric', 'accuracy=0.1'],
      { cwd },
    );
    expect(failed.code).toBe(3);
    const failedRun = await startedRun(failed);
    const fromFailed = agentrack(
      ['run', 'deploy', '--model-version', '1', '--from', failedRun.info.run_id, '--', 'node', child, 'env'],
      { cwd },
    );
    expect(fromFailed.code).toBe(1);
    expect(fromFailed.stdout).toBe('');
    expect(fromFailed.stderr).toMatch(
      /^error: Refusing to deploy: run eval_pre_deploy_\S+ \([0-9a-f]{32}\) is not a deployment candidate \(gate failed\)/,
    );

    const deployed = agentrack(['run', 'deploy', '--model-version', '4', '--', 'node', child], { cwd });
    expect(deployed.code).toBe(0);
    expect(deployed.stderr).toContain(
      `agentrack: model version 4, promoted from ${evaluation.info.run_name} (${evaluation.info.run_id})`,
    );
    const deployment = await startedRun(deployed);
    expect(deployment.info.status).toBe('FINISHED');
    expect(tags(deployment)).toMatchObject({
      run_type: 'deployment',
      model_version: '4',
      deployment_status: 'success',
      'agentrack.source_run_id': evaluation.info.run_id,
    });
    expect(tags(deployment)['agentrack.forced']).toBeUndefined();
  });

  it('deploys without a passing evaluation run with --force, tagged as forced', async () => {
    const cwd = agentFolder('forced_agent');
    const result = agentrack(
      ['run', 'deploy', '--model-version', '2', '--force', '--', 'node', child, 'exit', '1'],
      {
        cwd,
      },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('agentrack: model version 2, forced (no passing evaluation run)');
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
    expect(tags(run)).toMatchObject({
      'agentrack.forced': 'true',
      model_version: '2',
      deployment_status: 'failed',
    });
  });

  it('fails the run and exits 128 + N when signal N ends the command', async () => {
    const cwd = agentFolder('crash_agent');
    const result = agentrack(['run', 'dev', '--', 'node', child, 'kill', 'SIGKILL'], { cwd });
    expect(result.code).toBe(137);
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
    expect(tags(run)['agentrack.error']).toBe('command was ended by SIGKILL');
  });

  it('ends the run KILLED and exits 143 on SIGTERM, 130 on SIGINT, passing the signal on', async () => {
    const cwd = agentFolder('signal_agent');
    const started = Date.now();
    const outcomes = await Promise.all(
      (['SIGTERM', 'SIGINT'] as const).map(async (signal) => {
        // The command would sleep far longer than the test waits: only the passed-on signal ends it.
        const cli = startAgentrack(['run', 'dev', '--', 'node', child, 'sleep', '60000'], { cwd });
        await cli.waitForStderr(' started in ');
        cli.kill(signal);
        return { signal, result: await cli.done };
      }),
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    for (const { signal, result } of outcomes) {
      expect(result.code, result.stderr).toBe(signal === 'SIGTERM' ? 143 : 130);
      const run = await startedRun(result);
      expect(run.info.status).toBe('KILLED');
      expect(tags(run)['agentrack.error']).toMatch(new RegExp(`^interrupted by ${signal}`));
      expect(lines(result.stderr).at(-1)).toBe(`agentrack: ${run.info.run_name} ended KILLED`);
    }
  });

  it('exits 127 when the command is not found, and fails the run', async () => {
    const cwd = agentFolder('missing_agent');
    const result = agentrack(['run', 'dev', '--', 'no-such-command-agentrack-test', '--flag'], { cwd });
    expect(result.code).toBe(127);
    expect(lines(result.stderr).at(-1)).toBe('error: command not found: no-such-command-agentrack-test');
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
    expect(tags(run)['agentrack.error']).toBe('command not found: no-such-command-agentrack-test');
  });

  it('exits 126 when the command is not executable, without an MLflow error code', async () => {
    const cwd = agentFolder('not_executable_agent');
    const result = agentrack(['run', 'dev', '--', '/etc/passwd'], { cwd });
    expect(result.code).toBe(126);
    expect(lines(result.stderr).at(-1)).toBe('error: permission denied: /etc/passwd');
    expect(result.stderr).not.toContain('RESOURCE_DOES_NOT_EXIST');
    const run = await startedRun(result);
    expect(run.info.status).toBe('FAILED');
    expect(tags(run)['agentrack.error']).toBe('permission denied: /etc/passwd');
  });

  it('colors the gate summary when stderr is a terminal, and not with --no-color', async () => {
    const cwd = agentFolder('color_agent');
    const config = join(cwd, 'agentrack.config.json');
    const args = [
      'run',
      'eval',
      '--threshold',
      'accuracy > 0.5',
      '--',
      'node',
      child,
      'metric',
      'accuracy=0.1',
    ];
    const colored = await agentrackInProcess(['--config', config, ...args], { tty: true });
    expect(colored.code).toBe(3);
    expect(colored.stderr).toContain(`gate: ${ESC}31mfailed${ESC}0m; deployment candidate: no`);
    expect(colored.stderr).toContain(`accuracy  0.1       >           0.5        ${ESC}31mfail`);
    const plain = await agentrackInProcess(['--config', config, '--no-color', ...args], { tty: true });
    expect(plain.code).toBe(3);
    expect(plain.stderr).toContain('gate: failed; deployment candidate: no');
    expect(plain.stderr).not.toContain(ESC);
  });

  it('documents its exit codes, 3 among them', () => {
    const help = agentrack(['run', '--help'], { cwd: dir.path });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}3 +evaluation gate failed/m);
    expect(help.stdout).toMatch(/^ {2}127 |; 127 the command was not found/m);
  });

  it('exits 2 on misuse, in one line, before touching the database', async () => {
    const misuse: Array<[string[], string]> = [
      [['run', 'dev', '--threshold', 'accuracy >= 0.9', '--', 'x'], '--threshold applies to eval runs only'],
      [['run', 'eval', '--model-version', '1', '--', 'x'], '--model-version: for deploy runs only'],
      [['run', 'dev', '--from', 'abc', '--force', '--', 'x'], '--from, --force: for deploy runs only'],
      [['run', 'deploy', '--', 'x'], 'a deploy run needs --model-version <version>'],
      [['run', 'dev'], 'give the command to run after --, e.g. agentrack run dev -- python train.py'],
      [['run', 'train', '--', 'x'], "unknown run type 'train': use dev, eval or deploy"],
      [['run', 'dev', '--tag', 'novalue', '--', 'x'], "--tag 'novalue': write key=value"],
      [['run', 'dev', '--tag', '=v', '--', 'x'], "--tag '=v': write key=value"],
      [
        ['run', 'eval', '--threshold', 'accuracy = 0.9', '--', 'x'],
        "--threshold: '=' in 'accuracy = 0.9' is not a comparator; write '==' to test equality",
      ],
    ];
    for (const [args, message] of misuse) {
      // No configuration and a tracking URI that cannot open: usage is checked first.
      const result = await agentrackInProcess(['--tracking-uri', 'mysql://never', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`error: ${message} (INVALID_PARAMETER_VALUE)\n`);
      expect(result.stdout).toBe('');
    }
    const spawned = agentrack(['run', 'dev', '--threshold', 'a > 1', '--', 'x'], { cwd: dir.path });
    expect(spawned.code).toBe(2);
    expect(spawned.stderr).toBe('error: --threshold applies to eval runs only (INVALID_PARAMETER_VALUE)\n');
  });
});

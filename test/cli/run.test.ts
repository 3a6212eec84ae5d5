import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/entities/index.js';
import { TrackingClient } from '../../src/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import {
  agentrack,
  agentrackInProcess,
  bin,
  child,
  cleanEnv,
  ESC,
  lines,
  processRunning,
  startAgentrack,
  within,
  writeAgentConfig,
  type CliResult,
  type RunningCli,
} from './helpers.js';

const STARTED =
  /^agentrack: ((?:dev|eval_pre_deploy|deploy)_\d{8}_\d{6}(?:_\d+)?) \(([0-9a-f]{32})\) started in (\S+)$/m;

function tags(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

function metric(run: Run, key: string): number | undefined {
  return run.data.metrics?.find((m) => m.key === key)?.value;
}

/** `text` quoted for bash. */
function quoted(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

const hasPython = spawnSync('python3', ['--version']).status === 0;

/** Logs a metric over MLflow's REST API as the mlflow package would, with the standard library only. */
const PYTHON_LOG_METRIC = `
import json, os, sys, time, urllib.request
def log_metric(key, value):
    body = json.dumps({"run_id": os.environ["MLFLOW_RUN_ID"], "key": key, "value": value,
                       "timestamp": int(time.time() * 1000), "step": 0}).encode()
    request = urllib.request.Request(os.environ["MLFLOW_TRACKING_URI"] + "/api/2.0/mlflow/runs/log-metric",
                                     data=body, headers={"content-type": "application/json"})
    urllib.request.urlopen(request).read()
`;

/** A training script's shape: Ctrl-C raises KeyboardInterrupt, whose handler logs a final metric. */
const PYTHON_CLEANUP = `${PYTHON_LOG_METRIC}
try:
    sys.stderr.write("cli-child ready %d group %d session %d\\n" % (os.getpid(), os.getpgid(0), os.getsid(0)))
    sys.stderr.flush()
    time.sleep(60)
except KeyboardInterrupt:
    time.sleep(0.3)
    log_metric("final_loss", 0.25)
`;

/**
 * Runs argv[1:] on a new pseudo-terminal, as its session leader and foreground job: waits for the
 * command's "cli-child ready", types a line, waits for the command to echo it, types Ctrl-C and
 * reads to the end. Prints everything the terminal showed, then "exit N".
 */
const PTY_DRIVER = `
import os, pty, re, select, signal, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
def read_until(marker):
    global out
    deadline = time.time() + 15
    while marker is None or marker not in out:
        left = deadline - time.time()
        if left <= 0:
            raise SystemExit("timed out waiting for %r in %r" % (marker, out))
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                if marker is None:
                    return
                raise SystemExit("ended before %r in %r" % (marker, out))
            out += chunk
try:
    read_until(b"cli-child ready")
    os.write(fd, b"typed at the terminal\\n")
    read_until(b"read: typed at the terminal")
    os.write(fd, b"\\x03")
    read_until(None)
    status = os.waitpid(pid, 0)[1]
    sys.stdout.write(out.decode("utf8", "replace"))
    sys.stdout.write("\\nexit %d\\n" % os.waitstatus_to_exitcode(status))
finally:
    for group in [pid] + [int(p) for p in re.findall(rb"cli-child ready (\\d+)", out)]:
        try:
            os.killpg(group, signal.SIGKILL)
        except OSError:
            pass
`;

/**
 * Runs argv[1:] on a new pseudo-terminal, as its session leader, and hangs the terminal up (closes
 * its master side) once the command says "cli-child ready". Prints what the terminal showed, then
 * "exit N" (negative: the signal that ended the process).
 */
const PTY_HANGUP = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
deadline = time.time() + 15
while b"cli-child ready" not in out:
    if time.time() > deadline:
        raise SystemExit("timed out in %r" % out)
    if select.select([fd], [], [], 1)[0]:
        out += os.read(fd, 4096)
os.close(fd)
status = os.waitpid(pid, 0)[1]
sys.stdout.write(out.decode("utf8", "replace"))
sys.stdout.write("\\nexit %d\\n" % os.waitstatus_to_exitcode(status))
`;

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

  it('serves the artifacts of the embedded store, beside the database, to the command', async () => {
    const cwd = agentFolder('artifact_agent');
    // What mlflow.log_artifact does: read the run's artifact URI, then PUT the file's bytes.
    const upload = `
      const api = process.env.MLFLOW_TRACKING_URI + '/api/2.0';
      const got = await fetch(api + '/mlflow/runs/get?run_id=' + process.env.MLFLOW_RUN_ID);
      const uri = (await got.json()).run.info.artifact_uri;
      const path = uri.replace(/^mlflow-artifacts:\\/+/, '');
      const put = await fetch(api + '/mlflow-artifacts/artifacts/' + path + '/notes.txt', { method: 'PUT', body: 'hello' });
      if (put.status !== 200) { console.error('upload answered', put.status, await put.text()); process.exit(1); }
    `;
    const result = agentrack(['run', 'dev', '--', 'node', '--input-type=module', '-e', upload], { cwd });
    expect(result.stderr).not.toContain('upload answered');
    expect(result.code).toBe(0);
    const run = await startedRun(result);
    expect(run.info.artifact_uri).toBe(
      `mlflow-artifacts:/${run.info.experiment_id}/${run.info.run_id}/artifacts`,
    );
    const stored = join(
      dir.path,
      'runs-artifacts',
      run.info.experiment_id,
      run.info.run_id,
      'artifacts',
      'notes.txt',
    );
    expect(readFileSync(stored, 'utf8')).toBe('hello');
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

  describe('signals and process groups', () => {
    /** Processes (and the groups they lead) a test started: killed after it, whatever happened. */
    const started = new Set<number>();
    afterEach(() => {
      for (const pid of started) {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            // gone already
          }
        }
      }
      started.clear();
    });

    /** Starts agentrack as a shell starts a foreground job: leading a process group of its own. */
    function start(args: string[], cwd: string, env?: Record<string, string>): RunningCli {
      const cli = startAgentrack(args, { cwd, group: true, ...(env ? { env } : {}) });
      started.add(cli.pid);
      return cli;
    }

    /** Waits for the command's "cli-child ready <pid>" and returns that pid. */
    async function readyPid(cli: RunningCli): Promise<number> {
      await within(cli.waitForStderr('cli-child ready'), 20_000, 'the command starts');
      const pid = Number(/cli-child ready (\d+)/.exec(cli.stderr())![1]);
      started.add(pid);
      return pid;
    }

    const ended = (cli: RunningCli) => within(cli.done, 20_000, 'agentrack ends');

    /**
     * Runs `agentrack run dev -- node <child> <actions>` on a pseudo-terminal through a Python `driver`
     * (see {@link PTY_DRIVER}) and returns what the terminal showed, with plain newlines.
     */
    function onTerminal(driver: string, cwd: string, actions: string[]): string {
      const result = spawnSync(
        'python3',
        ['-c', driver, process.execPath, bin, 'run', 'dev', '--', 'node', child, ...actions],
        { cwd, encoding: 'utf8', env: cleanEnv(), timeout: 50_000 },
      );
      expect(result.status, result.stderr).toBe(0);
      return result.stdout.replaceAll('\r\n', '\n');
    }

    /** The heartbeat lines a `poll` command wrote: [outcome, time]. */
    function heartbeats(file: string): Array<[string, number]> {
      return lines(readFileSync(file, 'utf8')).map((line) => {
        const [outcome, time] = line.split(' ');
        return [outcome!, Number(time)];
      });
    }

    it("passes a terminal's Ctrl-C on to the command once, and lets its cleanup finish", async () => {
      const cwd = agentFolder('ctrl_c_agent');
      const cli = start(
        ['run', 'dev', '--', 'node', child, 'trap', 'SIGINT', '300', 'ready', 'sleep', '60000'],
        cwd,
      );
      const pid = await readyPid(cli);
      // In a process group and session of its own: no signal from agentrack's terminal reaches it directly.
      expect(cli.stderr()).toContain(`cli-child ready ${pid} group ${pid} session ${pid}\n`);
      // A terminal's Ctrl-C: SIGINT to every process of the foreground job's group.
      cli.killGroup('SIGINT');
      const result = await ended(cli);
      expect(result.code, result.stderr).toBe(130);
      const run = await startedRun(result);
      expect(run.info.status).toBe('KILLED');
      expect(tags(run)['agentrack.error']).toBe('interrupted by SIGINT');
      // Logged by the command's SIGINT handler, 300 ms after the first SIGINT: the count then.
      expect(metric(run, 'sigint_received')).toBe(1);
    });

    it.skipIf(!hasPython)(
      "lets a Python command's `except KeyboardInterrupt:` finish on Ctrl-C (skipped without python3)",
      async () => {
        const cwd = agentFolder('keyboard_interrupt_agent');
        const cli = start(['run', 'dev', '--', 'python3', '-c', PYTHON_CLEANUP], cwd);
        const pid = await readyPid(cli);
        expect(cli.stderr()).toContain(`cli-child ready ${pid} group ${pid} session ${pid}\n`);
        cli.killGroup('SIGINT');
        const result = await ended(cli);
        expect(result.code, result.stderr).toBe(130);
        expect(result.stderr).not.toContain('Traceback');
        const run = await startedRun(result);
        expect(run.info.status).toBe('KILLED');
        expect(metric(run, 'final_loss')).toBe(0.25);
      },
    );

    it.skipIf(!hasPython)(
      'on a terminal: the command reads the terminal and gets Ctrl-C once (skipped without python3)',
      async () => {
        const cwd = agentFolder('terminal_agent');
        const shown = onTerminal(PTY_DRIVER, cwd, [
          'trap',
          'SIGINT',
          '200',
          'ready',
          'read-line',
          'sleep',
          '60000',
        ]);
        // Its own session, so not the terminal's foreground job: it still reads and writes the terminal.
        expect(shown).toContain('read: typed at the terminal (stdin tty: true)');
        const [, pid, group, session] = /cli-child ready (\d+) group (\d+) session (\d+)/.exec(shown)!;
        expect([group, session]).toEqual([pid, pid]);
        expect(shown).toMatch(/\nexit 130\n$/);
        const run = await startedRun({ code: 130, stdout: '', stderr: shown });
        expect(run.info.status).toBe('KILLED');
        expect(metric(run, 'sigint_received')).toBe(1);
      },
    );

    it.skipIf(!hasPython)(
      'when the terminal hangs up: the command gets SIGHUP, the run ends KILLED (skipped without python3)',
      async () => {
        const cwd = agentFolder('hangup_agent');
        const shown = onTerminal(PTY_HANGUP, cwd, ['ready', 'sleep', '60000']);
        const pid = Number(/cli-child ready (\d+)/.exec(shown)![1]);
        started.add(pid);
        // Notes it can no longer write do not stop it: it ends the run, then dies of SIGHUP as a
        // shell's job does (not of an abort while restoring a terminal that is gone).
        expect(shown).toMatch(/\nexit -1\n$/);
        const run = await startedRun({ code: 129, stdout: '', stderr: shown });
        expect(run.info.status).toBe('KILLED');
        expect(tags(run)['agentrack.error']).toBe('interrupted by SIGHUP');
        expect(processRunning(pid)).toBe(false);
      },
    );

    it("ends the processes the command started too: SIGTERM goes to the command's process group", async () => {
      const cwd = agentFolder('group_agent');
      const script = `${quoted(process.execPath)} ${quoted(child)} ready sleep 60000; true`;
      const cli = start(['run', 'dev', '--', 'bash', '-c', script], cwd);
      const grandchild = await readyPid(cli);
      cli.kill('SIGTERM'); // agentrack's pid only
      const result = await ended(cli);
      expect(result.code, result.stderr).toBe(143);
      expect(processRunning(grandchild)).toBe(false);
      const run = await startedRun(result);
      expect(run.info.status).toBe('KILLED');
    });

    it('SIGKILLs a command that ignores SIGTERM after the grace period; its server serves it until then', async () => {
      const cwd = agentFolder('stubborn_agent');
      const log = join(dir.path, 'stubborn-heartbeats.log');
      const cli = start(
        ['run', 'dev', '--', 'node', child, 'ignore', 'SIGTERM', 'ready', 'poll', log, '20'],
        cwd,
        { AGENTRACK_KILL_AFTER: '1' },
      );
      const pid = await readyPid(cli);
      const signaled = Date.now();
      cli.kill('SIGTERM');
      const result = await ended(cli);
      expect(result.code, result.stderr).toBe(143);
      expect(result.stderr).toContain('SIGTERM passed on to the command; SIGKILL in 1 s if still running');
      expect(result.stderr).toContain("the command's processes still run 1 s after SIGTERM: SIGKILL");
      expect(processRunning(pid)).toBe(false);
      const run = await startedRun(result);
      expect(run.info.status).toBe('KILLED');
      expect(tags(run)['agentrack.error']).toBe('interrupted by SIGTERM');
      const beats = heartbeats(log);
      expect(beats.filter(([outcome]) => outcome !== 'ok')).toEqual([]);
      expect(beats.some(([, time]) => time > signaled + 500)).toBe(true);
    });

    it('SIGKILLs the command at once at a second signal', async () => {
      const cwd = agentFolder('impatient_agent');
      const cli = start(
        [
          'run',
          'dev',
          '--',
          'node',
          child,
          'ignore',
          'SIGINT',
          'ignore',
          'SIGTERM',
          'ready',
          'sleep',
          '60000',
        ],
        cwd,
        { AGENTRACK_KILL_AFTER: '60' },
      );
      const pid = await readyPid(cli);
      cli.kill('SIGINT');
      await within(cli.waitForStderr('SIGINT passed on to the command'), 10_000, 'the first signal');
      cli.kill('SIGTERM');
      // Far sooner than the 60 s grace period.
      const result = await within(cli.done, 15_000, 'agentrack ends at the second signal');
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).toContain("another signal (SIGTERM): SIGKILL to the command's processes");
      expect(processRunning(pid)).toBe(false);
      const run = await startedRun(result);
      expect(run.info.status).toBe('KILLED');
      expect(tags(run)['agentrack.error']).toBe('interrupted by SIGINT');
    });

    it('ends processes the command leaves running, and serves them until they are gone', async () => {
      const cwd = agentFolder('leftover_agent');
      const log = join(dir.path, 'leftover-heartbeats.log');
      const pidFile = join(dir.path, 'leftover.pid');
      // The leftover ignores SIGTERM; the command exits 0 as soon as it is running.
      const script = [
        `${quoted(process.execPath)} ${quoted(child)} ignore SIGTERM pidfile ${quoted(pidFile)} poll ${quoted(log)} 20 &`,
        `while [ ! -s ${quoted(pidFile)} ]; do sleep 0.02; done`,
        'exit 0',
      ].join('\n');
      const cli = start(['run', 'dev', '--kill-after', '2', '--', 'bash', '-c', script], cwd);
      const result = await ended(cli);
      const leftover = Number(readFileSync(pidFile, 'utf8'));
      started.add(leftover);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        'the command exited, leaving processes of its group running: SIGTERM to them; SIGKILL in 2 s if still running',
      );
      expect(processRunning(leftover)).toBe(false);
      const run = await startedRun(result);
      expect(run.info.status).toBe('FINISHED');
      const beats = heartbeats(log);
      expect(beats.filter(([outcome]) => outcome !== 'ok')).toEqual([]);
      // Served after the command itself had exited (right after the pid file).
      expect(beats.some(([, time]) => time > statSync(pidFile).mtimeMs + 500)).toBe(true);
    });

    it.each([
      ['SIGHUP', 129],
      ['SIGQUIT', 131],
    ] as const)('passes %s on too, ending the run KILLED with %i', async (signal, code) => {
      const cwd = agentFolder(`${signal.toLowerCase()}_agent`);
      const cli = start(
        ['run', 'dev', '--', 'node', child, 'trap', signal, '0', 'ready', 'sleep', '60000'],
        cwd,
      );
      await readyPid(cli);
      cli.kill(signal);
      const result = await ended(cli);
      expect(result.code, result.stderr).toBe(code);
      const run = await startedRun(result);
      expect(run.info.status).toBe('KILLED');
      expect(metric(run, `${signal.toLowerCase()}_received`)).toBe(1);
    });

    it("passes a terminal's SIGWINCH on, interrupting nothing", async () => {
      const cwd = agentFolder('resize_agent');
      const cli = start(
        ['run', 'dev', '--', 'node', child, 'trap', 'SIGWINCH', '0', 'ready', 'sleep', '60000'],
        cwd,
      );
      await readyPid(cli);
      cli.kill('SIGWINCH');
      const result = await ended(cli);
      expect(result.code, result.stderr).toBe(0);
      const run = await startedRun(result);
      expect(run.info.status).toBe('FINISHED');
      expect(metric(run, 'sigwinch_received')).toBe(1);
    });
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
    expect(help.stdout).toMatch(/^ {2}--kill-after <seconds> +seconds from a signal passed on/m);
    expect(help.stdout).toContain('$AGENTRACK_KILL_AFTER');
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
      [
        ['run', 'dev', '--kill-after', 'soon', '--', 'x'],
        "--kill-after 'soon': expected a number of seconds from 0 to 86400",
      ],
      [
        ['run', 'dev', '--kill-after', '-1', '--', 'x'],
        "--kill-after '-1': expected a number of seconds from 0 to 86400",
      ],
    ];
    for (const [args, message] of misuse) {
      // No configuration and a tracking URI that cannot open: usage is checked first.
      const result = await agentrackInProcess(['--tracking-uri', 'mysql://never', ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toBe(`error: ${message} (INVALID_PARAMETER_VALUE)\n`);
      expect(result.stdout).toBe('');
    }
    const fromEnv = await agentrackInProcess(['--tracking-uri', 'mysql://never', 'run', 'dev', '--', 'x'], {
      env: cleanEnv({ AGENTRACK_KILL_AFTER: '1e9' }),
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).toBe(
      "error: AGENTRACK_KILL_AFTER '1e9': expected a number of seconds from 0 to 86400 (INVALID_PARAMETER_VALUE)\n",
    );
    const spawned = agentrack(['run', 'dev', '--threshold', 'a > 1', '--', 'x'], { cwd: dir.path });
    expect(spawned.code).toBe(2);
    expect(spawned.stderr).toBe('error: --threshold applies to eval runs only (INVALID_PARAMETER_VALUE)\n');
  });
});

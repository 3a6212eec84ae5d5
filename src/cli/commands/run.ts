import type { Command } from 'commander';
import type { Threshold } from '../../lifecycle/agent-config.js';
import type { Agent, ScopedRunResult, StartRunOptions } from '../../lifecycle/agent.js';
import { TAGS, type RunType } from '../../lifecycle/conventions.js';
import { tagOf } from '../../lifecycle/queries.js';
import type { RunHandle } from '../../lifecycle/run-handle.js';
import { parseThreshold } from '../../lifecycle/thresholds.js';
import { isAgentrackError } from '../../errors.js';
import { collect, parseRunTypeArgument, parseTagOptions } from '../arguments.js';
import { CliError, usageError } from '../cli-error.js';
import { childEnv } from '../child-env.js';
import { startServer, type RunningServer } from '../../server/serve.js';
import { openStore } from '../../store/open-store.js';
import {
  canonicalTrackingUri,
  displayTrackingUri,
  isRemoteTrackingTarget,
  type TrackingTarget,
} from '../../store/tracking-uri.js';
import { openArtifactRepository } from '../../artifacts/artifact-registry.js';
import { openArtifactsDestination, type ArtifactsDestination } from '../artifacts-destination.js';
import type { CliContext } from '../context.js';
import { formatGateSummary } from '../output/gate-summary.js';
import { logArtifactsDir } from '../run-artifacts-dir.js';
import {
  DEFAULT_KILL_AFTER_SECONDS,
  SignalRelay,
  signalExitCode,
  spawnCommand,
  type CommandOutcome,
} from '../spawn-command.js';

/** Exit code of `agentrack run eval` when the command succeeded but the evaluation gate failed. */
export const GATE_FAILED_EXIT_CODE = 3;

/** Options of `agentrack run`, as commander parses them. */
export interface RunOptions {
  threshold: string[];
  modelVersion?: string;
  from?: string;
  force?: boolean;
  tag: string[];
  killAfter?: string;
  artifacts?: string;
  artifactsDestination?: string;
  register?: string;
}

/** What happened to the command, as the run records it. */
type Ending =
  | { kind: 'interrupted'; signal: NodeJS.Signals; started: boolean }
  | { kind: 'command'; outcome: CommandOutcome };

const EXAMPLE_COMMANDS: Readonly<Record<RunType, string>> = {
  development: 'python train.py',
  evaluation: 'python evaluate.py',
  deployment: './deploy.sh',
};

const NOT_STARTED_EXIT_CODES: Readonly<Record<string, number>> = { ENOENT: 127, EACCES: 126 };

/** The environment variable with the default of `--kill-after`. */
export const KILL_AFTER_ENV = 'AGENTRACK_KILL_AFTER';
const MAX_KILL_AFTER_SECONDS = 86_400;

/**
 * The grace period before SIGKILL, in seconds: `--kill-after`, else `$AGENTRACK_KILL_AFTER`,
 * else 10. A number from 0 to 86400 (a day); anything else is a usage error.
 */
export function killAfterSeconds(option: string | undefined, env: NodeJS.ProcessEnv): number {
  const fromEnv = env[KILL_AFTER_ENV];
  if (option === undefined && (fromEnv === undefined || fromEnv.trim() === '')) {
    return DEFAULT_KILL_AFTER_SECONDS;
  }
  const [text, source] =
    option !== undefined ? [option, '--kill-after'] : [fromEnv as string, KILL_AFTER_ENV];
  const seconds = Number(text);
  if (!/^\s*\d*\.?\d+\s*$/.test(text) || !(seconds <= MAX_KILL_AFTER_SECONDS)) {
    throw usageError(`${source} '${text}': expected a number of seconds from 0 to ${MAX_KILL_AFTER_SECONDS}`);
  }
  return seconds;
}

/** Checks the options against the run type and turns them into the Agent's start options. */
export function startOptions(runType: RunType, options: RunOptions): StartRunOptions {
  if (runType !== 'evaluation' && options.threshold.length > 0) {
    throw usageError('--threshold applies to eval runs only');
  }
  if (runType !== 'evaluation' && options.register !== undefined) {
    throw usageError('--register applies to eval runs only');
  }
  if (runType !== 'deployment') {
    const misplaced = [
      options.modelVersion !== undefined && '--model-version',
      options.from !== undefined && '--from',
      options.force === true && '--force',
    ].filter((o): o is string => o !== false);
    if (misplaced.length > 0) throw usageError(`${misplaced.join(', ')}: for deploy runs only`);
  } else if (options.modelVersion === undefined || options.modelVersion.trim() === '') {
    throw usageError('a deploy run needs --model-version <version>');
  }
  const thresholds: Threshold[] = options.threshold.map((text) => {
    try {
      return parseThreshold(text, '--threshold');
    } catch (error) {
      if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) throw usageError(error.message);
      throw error;
    }
  });
  const tags = parseTagOptions(options.tag);
  return {
    ...(Object.keys(tags).length > 0 ? { tags } : {}),
    ...(thresholds.length > 0 ? { thresholds } : {}),
    ...(options.modelVersion !== undefined ? { modelVersion: options.modelVersion } : {}),
    ...(options.from !== undefined ? { evaluationRunId: options.from } : {}),
    ...(options.force ? { force: true } : {}),
    ...(options.register !== undefined ? { register: { modelUri: options.register } } : {}),
  };
}

/**
 * `agentrack run <type> -- <command...>`: starts a run, runs the command in it and ends the
 * run by how the command ended. Resolves to the exit code: the command's when it failed
 * (128 + N when signal N ended it), 130/143 when agentrack was interrupted, 3 when an
 * evaluation gate failed, else 0.
 */
export async function runCommand(
  type: string,
  command: readonly string[],
  options: RunOptions,
  ctx: CliContext,
): Promise<number> {
  const runType = parseRunTypeArgument(type);
  const start = startOptions(runType, options);
  if (command.length === 0) {
    throw usageError(
      `give the command to run after --, e.g. agentrack run ${type} -- ${EXAMPLE_COMMANDS[runType]}`,
    );
  }
  if (options.artifactsDestination !== undefined) {
    await checkDestinationUri(options.artifactsDestination, ctx.env);
  }
  const relay = new SignalRelay({
    killAfterSeconds: killAfterSeconds(options.killAfter, ctx.env),
    note: (line) => ctx.io.stderr(`agentrack: ${line}\n`),
  });
  relay.install();
  try {
    return await ctx.withAgent(
      async ({ agent, target }) => {
        const early = relay.received;
        if (early !== undefined) return signalExitCode(early);
        const result = await scoped(agent, runType, start, async (handle) => {
          ctx.io.stderr(
            `agentrack: ${handle.runName} (${handle.runId}) started in ${agent.config.experiments[runType]}\n`,
          );
          if (runType === 'deployment') await describeSource(agent, handle, ctx);
          const ending = await execute(handle, command, relay, target, options.artifactsDestination, ctx);
          if (options.artifacts !== undefined && commandRan(ending)) {
            await logArtifactsDir(handle, options.artifacts, process.cwd(), (line) =>
              ctx.io.stderr(`agentrack: ${line}\n`),
            );
          }
          await endRun(handle, ending, command[0] as string);
          return ending;
        });
        return report(result, runType, command[0] as string, ctx);
      },
      {
        checkTarget: (target) => checkArtifactsDestination(target, options.artifactsDestination),
        ...(options.artifactsDestination !== undefined
          ? { artifactsDestination: options.artifactsDestination }
          : {}),
      },
    );
  } finally {
    relay.uninstall();
  }
}

/**
 * Refuses, before anything is written, a store whose artifacts have nowhere to go: a
 * PostgreSQL database has no folder beside it, so it needs `--artifacts-destination`; a
 * remote server keeps its own artifacts, so the option does not apply to it.
 */
function checkArtifactsDestination(target: TrackingTarget, destination: string | undefined): void {
  if (isRemoteTrackingTarget(target) && destination !== undefined) {
    throw usageError(
      `--artifacts-destination applies to a store agentrack opens itself (SQLite, PostgreSQL); ${displayTrackingUri(target)} keeps its own artifacts`,
    );
  }
  if (target.kind === 'postgres' && destination === undefined) {
    throw usageError(
      `${displayTrackingUri(target)} is a PostgreSQL database, which has no folder beside it for the run's artifacts: give --artifacts-destination <uri> (a folder, file: or s3: URI, the one its servers use)`,
    );
  }
}

/** A usage error when `--artifacts-destination` names nothing agentrack can keep artifacts in. */
async function checkDestinationUri(uri: string, env: NodeJS.ProcessEnv): Promise<void> {
  try {
    const repository = await openArtifactRepository(uri, { env });
    await repository.close();
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) {
      throw usageError(`--artifacts-destination: ${error.message}`);
    }
    throw error;
  }
}

/** Whether the command started, so that what it left behind belongs to the run. */
function commandRan(ending: Ending): boolean {
  return ending.kind === 'interrupted' ? ending.started : ending.outcome.kind !== 'not-started';
}

function scoped(
  agent: Agent,
  runType: RunType,
  options: StartRunOptions,
  fn: (handle: RunHandle) => Promise<Ending>,
): Promise<ScopedRunResult<Ending>> {
  if (runType === 'development') return agent.development(fn, options);
  if (runType === 'evaluation') return agent.evaluation(fn, options);
  return agent.deployment(fn, { ...options, modelVersion: options.modelVersion ?? '' });
}

async function describeSource(agent: Agent, handle: RunHandle, ctx: CliContext): Promise<void> {
  const run = await agent.client.getRun(handle.runId);
  const registered = agent.config.registeredModel;
  const model = `${tagOf(run, TAGS.modelVersion) ?? '?'}${registered !== undefined ? ` of '${registered}'` : ''}`;
  const sourceName = tagOf(run, TAGS.sourceRunName);
  const source = sourceName ? `${sourceName} (${tagOf(run, TAGS.sourceRunId) ?? '?'})` : undefined;
  const forced = tagOf(run, TAGS.forced) === 'true';
  ctx.io.stderr(
    forced
      ? `agentrack: model version ${model}, forced${source ? ` (from ${source}, which did not pass)` : ' (no passing evaluation run)'}\n`
      : `agentrack: model version ${model}, promoted from ${source ?? '?'}\n`,
  );
}

async function execute(
  handle: RunHandle,
  command: readonly string[],
  relay: SignalRelay,
  target: TrackingTarget,
  artifactsDestination: string | undefined,
  ctx: CliContext,
): Promise<Ending> {
  const before = relay.received;
  if (before !== undefined) return { kind: 'interrupted', signal: before, started: false };
  // MLflow's own client cannot open the embedded SQLite file or speak to PostgreSQL: serve the
  // store to the command over MLflow's REST API on a free loopback port for as long as any
  // process of the command runs, with its artifact service keeping `mlflow-artifacts:` files
  // in --artifacts-destination, by default beside a SQLite database.
  const loopback = isRemoteTrackingTarget(target)
    ? undefined
    : await startLoopbackServer(target, artifactsDestination, ctx);
  const server = loopback?.server;
  try {
    // A signal that came while the server started: the command never starts.
    const early = relay.received;
    if (early !== undefined) return { kind: 'interrupted', signal: early, started: false };
    const env = childEnv(ctx.env, {
      target,
      runId: handle.runId,
      experimentId: handle.experimentId,
      ...(server ? { mlflowTrackingUri: server.url } : {}),
    });
    const outcome = await spawnCommand(command, env, relay);
    const signal = relay.received;
    return signal !== undefined
      ? { kind: 'interrupted', signal, started: true }
      : { kind: 'command', outcome };
  } finally {
    await server?.close();
    await loopback?.destination.dispose();
  }
}

/**
 * The server `execute` gives the command: the store agentrack opened (SQLite or PostgreSQL)
 * and its artifacts destination (`--artifacts-destination`, else the folder beside a SQLite
 * database; {@link checkArtifactsDestination} made sure a PostgreSQL store comes with one).
 */
async function startLoopbackServer(
  target: TrackingTarget,
  artifactsDestination: string | undefined,
  ctx: CliContext,
): Promise<{ server: RunningServer; destination: ArtifactsDestination }> {
  const databasePath = target.kind === 'sqlite' ? target.path : ':memory:';
  const destination = await openArtifactsDestination(artifactsDestination, databasePath, ctx.env);
  try {
    const server = await startServer({
      // The database's own registry, as `agentrack server` serves it.
      store: await openStore(target, { registryUri: canonicalTrackingUri(target) }),
      host: '127.0.0.1',
      port: 0,
      logger: false,
      artifactDestination: destination.repository,
    });
    return { server, destination };
  } catch (error) {
    await destination.dispose();
    throw error;
  }
}

async function endRun(handle: RunHandle, ending: Ending, program: string): Promise<unknown> {
  if (ending.kind === 'interrupted') {
    const when = ending.started ? '' : ' before the command started';
    return handle.end('KILLED', `interrupted by ${ending.signal}${when}`);
  }
  const { outcome } = ending;
  if (outcome.kind === 'exited') {
    return outcome.code === 0
      ? handle.end('FINISHED')
      : handle.end('FAILED', `command exited with code ${outcome.code}`);
  }
  // A command that dies of a signal nobody sent through agentrack crashed or was killed from outside: a failure.
  if (outcome.kind === 'signaled') return handle.end('FAILED', `command was ended by ${outcome.signal}`);
  return handle.end('FAILED', notStartedMessage(outcome, program));
}

function notStartedMessage(
  outcome: Extract<CommandOutcome, { kind: 'not-started' }>,
  program: string,
): string {
  if (outcome.errorCode === 'ENOENT') return `command not found: ${program}`;
  if (outcome.errorCode === 'EACCES') return `permission denied: ${program}`;
  return `cannot run ${program}: ${outcome.message}`;
}

function report(result: ScopedRunResult<Ending>, runType: RunType, program: string, ctx: CliContext): number {
  const { io } = ctx;
  const paint = ctx.err;
  const ending = result.value;
  const shown =
    result.status === 'FINISHED'
      ? paint.green(result.status)
      : result.status === 'FAILED'
        ? paint.red(result.status)
        : paint.yellow(result.status);
  io.stderr(`agentrack: ${result.runName} ended ${shown}\n`);
  if (runType === 'evaluation' && result.gate) {
    io.stderr(formatGateSummary(result.gate, result.candidate === true, paint));
  }
  const registration = result.registration;
  if (registration?.version) {
    io.stderr(
      `agentrack: registered ${registration.modelUri} as version ${registration.version.version} of '${registration.registeredModel}'\n`,
    );
  } else if (registration?.skipped) {
    io.stderr(`agentrack: ${registration.skipped} (${registration.modelUri})\n`);
  }
  if (ending.kind === 'interrupted') return signalExitCode(ending.signal);
  const { outcome } = ending;
  if (outcome.kind === 'not-started') {
    const exitCode = NOT_STARTED_EXIT_CODES[outcome.errorCode] ?? 126;
    // Not an error of the tracking store: printed without an MLflow error code.
    throw new CliError(notStartedMessage(outcome, program), exitCode);
  }
  if (outcome.kind === 'signaled') return signalExitCode(outcome.signal);
  if (outcome.code !== 0) return outcome.code;
  if (runType === 'evaluation' && result.gate?.status === 'failed') {
    io.stderr(`agentrack: exit ${GATE_FAILED_EXIT_CODE}: the evaluation gate failed\n`);
    return GATE_FAILED_EXIT_CODE;
  }
  return 0;
}

const RUN_HELP = `
The command runs without a shell, in a process group (and session) of its own, with these
environment variables:
  AGENTRACK_TRACKING_URI  the tracking URI (absolute for a SQLite file)
  MLFLOW_RUN_ID           the run's id
  MLFLOW_EXPERIMENT_ID    the id of the run's experiment
  MLFLOW_TRACKING_URI     an MLflow server with the run: the tracking URI when it is http(s) or
                          databricks, else a short-lived agentrack server on a free loopback port
                          serving the store (SQLite or PostgreSQL) while any process of the
                          command runs, and its artifacts (mlflow.log_artifact) into
                          --artifacts-destination, by default <database>-artifacts beside a
                          SQLite database (a PostgreSQL store needs the option)

The run ends FINISHED when the command exits 0, FAILED otherwise (tag agentrack.error),
KILLED when agentrack receives SIGINT, SIGTERM, SIGHUP or SIGQUIT. With --artifacts DIR, the
files the command left below DIR are logged as the run's artifacts first, however it ended (a
missing DIR is a warning).

Signals: agentrack sends each of these signals, once, to the command's whole process group (a
terminal's Ctrl-C included; SIGWINCH too). If processes of the group still run --kill-after
seconds later (default 10, or $${KILL_AFTER_ENV}), or at a second signal, the group gets
SIGKILL. Processes the command leaves running when it exits get SIGTERM, then SIGKILL after
the same delay. agentrack and its loopback server end only when the whole group has. The
command uses the terminal through its standard streams; it has no controlling terminal
(it cannot open /dev/tty).

With registeredModel in the configuration, deploy runs need --model-version to be a READY
version of that registered model (else nothing is written and agentrack exits 1); a deploy run
that ends FINISHED moves the production alias (productionAlias, default production) to it and
tags the version agentrack.deployment_run_id and agentrack.evaluation_run_id. An eval run with
--register MODEL_URI registers MODEL_URI as the next version when its gate passes, tagged
agentrack.evaluation_run_id; when the gate fails nothing is registered. --register without a
registered model configured is refused before the run starts.

Exit codes:
  0    the command succeeded (and an eval run's gate did not fail)
  N    the command's own exit code when it failed (128 + S when signal S ended it)
  1    agentrack failed, e.g. a deployment refused for lack of a passing evaluation run
  2    wrong usage
  3    evaluation gate failed: the command succeeded, the run is not a deployment candidate
  126  the command could not be run; 127 the command was not found
  130  interrupted by SIGINT; 143 by SIGTERM (129 by SIGHUP, 131 by SIGQUIT)

Examples:
  agentrack run dev -- python train.py --epochs 3
  agentrack run eval --threshold 'accuracy >= 0.9' -- python evaluate.py
  agentrack run eval --artifacts out -- python evaluate.py --output-dir out
  agentrack run eval --register runs:/0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b/model -- python evaluate.py
  agentrack run deploy --model-version 3 -- ./deploy.sh
  agentrack --tracking-uri postgresql://agentrack@db/agentrack run dev \
    --artifacts-destination s3://team-artifacts/agentrack -- python train.py
`;

/** Adds `run` to the program. */
export function registerRunCommand(program: Command, ctx: CliContext): void {
  program
    .command('run')
    .description('run a command as a development, evaluation or deployment run')
    .argument('<type>', 'dev, eval or deploy')
    .argument('[command...]', 'the command to run, after --')
    .option('--threshold <expr>', "eval: a gate threshold, e.g. 'accuracy >= 0.9' (repeatable)", collect, [])
    .option('--model-version <version>', 'deploy: the model version deployed (required)')
    .option('--from <run-id>', 'deploy: the evaluation run to promote (default: the latest passing one)')
    .option('--force', 'deploy: deploy even without a passing evaluation run (tagged agentrack.forced)')
    .option(
      '--register <model-uri>',
      'eval: when the gate passes, register this model (runs:/<run_id>/<path>, models:/<model_id>, an artifact URI) as a new version of the registered model configured',
    )
    .option('--tag <key=value>', 'an extra tag on the run (repeatable)', collect, [])
    .option(
      '--artifacts <dir>',
      "when the command ends (however it ends), log the files it left in this folder as the run's artifacts",
    )
    .option(
      '--artifacts-destination <uri>',
      "where the run's artifacts go (a folder, file: or s3: URI): required on PostgreSQL, by default the folder beside a SQLite database",
    )
    .option(
      '--kill-after <seconds>',
      `seconds from a signal passed on to the command to SIGKILL for its processes (default: $${KILL_AFTER_ENV}, else ${DEFAULT_KILL_AFTER_SECONDS})`,
    )
    .addHelpText('after', RUN_HELP)
    .action(
      ctx.action((type: string, command: string[], options: RunOptions) =>
        runCommand(type, command, options, ctx),
      ),
    );
}

import { tableFile } from '../client/run-tables.js';
import { TrackingClient } from '../client/tracking-client.js';
import type { Run, RunStatus } from '../entities/index.js';
import { RUN_NAME_TAG } from '../entities/index.js';
import { invalidParameter, isAgentrackError } from '../errors.js';
import type { AgentConfig, AgentConfigInput, Threshold } from './agent-config.js';
import { withActiveRun } from './active-run.js';
import { audit, type AuditOptions, type AuditReport } from './audit.js';
import { loadConfig, resolveConfig } from './config.js';
import {
  REGISTRY_TAGS,
  RUN_TYPE_ALIASES,
  STANDARD_TAGS,
  TAGS,
  TYPE_TAGS,
  type DeploymentStatus,
  type RunType,
} from './conventions.js';
import { ensureExperiments, type EnsuredExperiment } from './experiments.js';
import { formatRunName } from './naming.js';
import {
  checkRegistration,
  deployableVersion,
  followProduction,
  readableRegistry,
  registerEvaluatedModel,
  tagDeployedVersion,
  type RegistrationOutcome,
} from './registry-binding.js';
import {
  promotionTags,
  resolvePromotionSource,
  setDeploymentStatus,
  statusTags,
  toDeploymentStatus,
  type PromotionOptions,
} from './promotion.js';
import {
  allRuns,
  currentDeployment,
  deploymentHistory,
  deploymentRecord,
  deploymentsOf,
  latestEvaluation,
  productionAt,
  type AllRunsOptions,
  type DeploymentRecord,
  type LifecycleContext,
} from './queries.js';
import { RunHandle, type GateOutcome } from './run-handle.js';
import { failedTracesTag, readRunTraces, scorerMetric, withScorerTraces } from './scorer-traces.js';
import {
  evaluateGate,
  gateTags,
  mergeThresholds,
  normalizeThresholds,
  type GateVerdict,
} from './thresholds.js';
import { createUniquelyNamedRun } from './unique-name.js';

/** Options of {@link Agent.open}. */
export interface AgentOptions {
  /** The configuration; default: `agentrack.config.json` found from `cwd` upwards. */
  config?: AgentConfigInput | AgentConfig;
  /** Where to look for `agentrack.config.json`; default the working directory. */
  cwd?: string;
  /** The client to use; default: one opened on the configuration's tracking URI. */
  client?: TrackingClient;
  /** The clock (epoch milliseconds), injectable for tests; default `Date.now`. */
  now?: () => number;
}

/** Options of {@link Agent.startRun}. */
export interface StartRunOptions {
  /** The caller's tags; they may not overwrite a tag the conventions set. */
  tags?: Record<string, string>;
  /** Evaluation runs: thresholds for this run, replacing the configuration's on the same metric. */
  thresholds?: ReadonlyArray<string | Threshold>;
  /**
   * Evaluation runs: also attach the gate's results, when the run ends, as the table artifact
   * of this name (`.json`, e.g. `agentrack/gate.json`): one row per threshold with `metric`,
   * `observed` (null when missing or NaN), `comparator`, `threshold`, `result` (`pass` or
   * `fail`) and `failed_traces` (on a scorer's aggregate such as `correctness/mean`: the ids
   * of the run's traces that failed the scorer; null otherwise), listed in `mlflow.loggedArtifacts` so that MLflow's UI shows it and
   * `mlflow.load_table` reads it.
   */
  gateTable?: string;
  /**
   * Evaluation runs: when the run ends a deployment candidate (its gate passed), register
   * `modelUri` (what it evaluated: `runs:/<run_id>/<path>`, `models:/<model_id>`, an artifact
   * URI) as a new version of the configured registered model, which is created when missing.
   * The version is tagged `agentrack.evaluation_run_id`, the run `agentrack.registered_model`
   * and `agentrack.registered_version`. Refused before the run starts when no registered
   * model is configured.
   */
  register?: { modelUri: string };
  /**
   * Deployment runs: the model version deployed (required). With a registered model
   * configured, it must be a READY version of it.
   */
  modelVersion?: string;
  /**
   * Deployment runs: the evaluation run to promote. Default: the one the registered version
   * is tagged with (`agentrack.evaluation_run_id`), else the latest passing candidate.
   */
  evaluationRunId?: string;
  /** Deployment runs: deploy without a passing evaluation run (tagged as forced). */
  force?: boolean;
}

/** What a scoped run returns: the callback's value and how the run ended. */
export interface ScopedRunResult<T> {
  value: T;
  runId: string;
  runName: string;
  status: RunStatus;
  /** Evaluation runs: the gate's verdict. */
  gate?: GateVerdict;
  /** Evaluation runs: whether the run became a deployment candidate. */
  candidate?: boolean;
  /** Evaluation runs with `register`: the version registered, or why nothing was. */
  registration?: RegistrationOutcome;
}

/** Options of {@link Agent.deploy}. */
export interface DeployOptions extends PromotionOptions {
  modelVersion: string;
  /** The status the deployment is recorded with; default `success`. */
  status?: DeploymentStatus;
  tags?: Record<string, string>;
}

/** Tags the conventions own: a caller can never set these. */
const PROTECTED_TAGS: ReadonlySet<string> = new Set([
  ...STANDARD_TAGS,
  ...Object.values(TYPE_TAGS).flat(),
  RUN_NAME_TAG,
]);

/** Accepts `dev`/`eval`/`deploy` as well as the full run-type names. */
export function toRunType(value: string): RunType {
  const runType = RUN_TYPE_ALIASES[value];
  if (!runType) {
    throw invalidParameter(
      `Unknown run type '${value}': use dev, eval or deploy (development, evaluation, deployment).`,
    );
  }
  return runType;
}

/**
 * One agent's three-experiment lifecycle: development, evaluation and deployment runs
 * named and tagged by the conventions, evaluation gates, promotion with lineage, queries
 * and the audit, over any tracking backend.
 *
 * @example
 * const agent = await Agent.open({ config: { agent: 'health_monitor_agent', version: '1.2.0' } });
 * const { candidate } = await agent.evaluation(async (run) => {
 *   await run.logMetrics({ accuracy: 0.93, latency_p95_ms: 640 });
 * }, { thresholds: ['accuracy >= 0.9', 'latency_p95_ms <= 800'] });
 * if (candidate) await agent.deploy({ modelVersion: '3' });
 * await agent.close();
 */
export class Agent {
  readonly config: AgentConfig;
  readonly client: TrackingClient;
  readonly #ownsClient: boolean;
  readonly #now: () => number;
  readonly #experimentIds = new Map<RunType, string>();
  readonly #context: LifecycleContext;

  private constructor(config: AgentConfig, client: TrackingClient, ownsClient: boolean, now: () => number) {
    this.config = config;
    this.client = client;
    this.#ownsClient = ownsClient;
    this.#now = now;
    this.#context = {
      client,
      config,
      experimentId: (runType) => this.experimentId(runType),
      findExperimentId: (runType) => this.#findExperimentId(runType),
      now: () => this.#now(),
    };
  }

  /** Opens an agent from its configuration (given, or `agentrack.config.json`) and a client. */
  static async open(options: AgentOptions = {}): Promise<Agent> {
    const config = await configOf(options);
    const client = options.client ?? (await TrackingClient.open(config.trackingUri));
    return new Agent(config, client, options.client === undefined, options.now ?? Date.now);
  }

  /** Creates (or restores) the three experiments; idempotent. */
  async ensureExperiments(): Promise<EnsuredExperiment[]> {
    const report = await ensureExperiments(this.client, this.config);
    for (const entry of report) this.#experimentIds.set(entry.runType, entry.experimentId);
    return report;
  }

  /** The id of a run type's experiment, creating the experiments on first use. */
  async experimentId(runType: RunType): Promise<string> {
    const found = await this.#findExperimentId(runType);
    if (found !== undefined) return found;
    await this.ensureExperiments();
    return this.#experimentIds.get(runType) as string;
  }

  /** The id of a run type's active experiment, without creating it. */
  async #findExperimentId(runType: RunType): Promise<string | undefined> {
    const cached = this.#experimentIds.get(runType);
    if (cached) return cached;
    const existing = await this.client.getExperimentByName(this.config.experiments[runType]);
    if (existing?.lifecycle_stage !== 'active') return undefined;
    this.#experimentIds.set(runType, existing.experiment_id);
    return existing.experiment_id;
  }

  /**
   * Starts a run of a type: named by the convention from the clock (`_2`, `_3`, ... on a
   * collision), tagged with the standard tags, the type's tags, the configured extra tags
   * and the caller's. End it with `handle.end()`, or use the scoped forms.
   */
  async startRun(type: RunType | string, options: StartRunOptions = {}): Promise<RunHandle> {
    const runType = toRunType(type);
    const callerTags = options.tags ?? {};
    for (const key of Object.keys(callerTags)) {
      if (PROTECTED_TAGS.has(key) || key.startsWith('agentrack.') || key in this.config.tags) {
        throw invalidParameter(
          `The tag '${key}' is set by agentrack's conventions or configuration; a caller cannot overwrite it.`,
        );
      }
    }
    let thresholds: readonly Threshold[] = [];
    let deploymentTags: Record<string, string> = {};
    if (runType === 'evaluation') {
      thresholds = mergeThresholds(
        this.config.thresholds,
        normalizeThresholds(options.thresholds ?? [], 'thresholds'),
      );
    } else if (options.thresholds !== undefined && options.thresholds.length > 0) {
      throw invalidParameter('Thresholds apply to evaluation runs only.');
    }
    let gateTable: string | undefined;
    if (options.gateTable !== undefined) {
      if (runType !== 'evaluation') throw invalidParameter('A gate table applies to evaluation runs only.');
      gateTable = tableFile(options.gateTable);
    }
    let register: string | undefined;
    if (options.register !== undefined) {
      if (runType !== 'evaluation') {
        throw invalidParameter('Registering a model applies to evaluation runs only.');
      }
      register = checkRegistration(this.config, (options.register as { modelUri?: unknown }).modelUri);
      // A registry that cannot be read now would fail the registration only after the whole evaluation.
      await readableRegistry(this.#context);
    }
    if (runType === 'deployment') {
      deploymentTags = await this.#deploymentStartTags(options);
    } else if (options.modelVersion !== undefined || options.evaluationRunId !== undefined || options.force) {
      throw invalidParameter(
        'A model version, a source evaluation run and force apply to deployment runs only.',
      );
    }
    const startTime = this.#now();
    const tags: Record<string, string> = {
      ...callerTags,
      ...this.config.tags,
      [TAGS.agentName]: this.config.agent,
      [TAGS.runType]: runType,
      [TAGS.environment]: this.config.environments[runType],
      [TAGS.version]: this.config.version,
      ...(runType === 'evaluation' ? { [TAGS.deploymentCandidate]: 'false' } : {}),
      ...deploymentTags,
    };
    const base = formatRunName(runType, new Date(startTime), this.config.timeZone);
    const run = await createUniquelyNamedRun(this.client, await this.experimentId(runType), base, {
      startTime,
      tags,
    });
    return new RunHandle({
      client: this.client,
      run,
      runType,
      protectedTags: PROTECTED_TAGS,
      now: () => this.#now(),
      finish: (handle, status, error) =>
        this.#finish(handle, status, error, { thresholds, gateTable, register }),
    });
  }

  /** Runs `fn` in a development run: FINISHED when it resolves, FAILED (error in a tag) when it throws. */
  development<T>(
    fn: (run: RunHandle) => Promise<T>,
    options: StartRunOptions = {},
  ): Promise<ScopedRunResult<T>> {
    return this.#scoped('development', fn, options);
  }

  /** Runs `fn` in an evaluation run, then applies the gate: the result says whether it became a candidate. */
  evaluation<T>(
    fn: (run: RunHandle) => Promise<T>,
    options: StartRunOptions = {},
  ): Promise<ScopedRunResult<T>> {
    return this.#scoped('evaluation', fn, options);
  }

  /** Runs `fn` in a deployment run of `modelVersion`: deployment_status success when it resolves, failed when it throws. */
  deployment<T>(
    fn: (run: RunHandle) => Promise<T>,
    options: StartRunOptions & { modelVersion: string },
  ): Promise<ScopedRunResult<T>> {
    return this.#scoped('deployment', fn, options);
  }

  /** Records a deployment of `modelVersion` promoted from a passing evaluation run (or forced), as a finished run. */
  async deploy(options: DeployOptions): Promise<DeploymentRecord> {
    const status = toDeploymentStatus(options.status ?? 'success');
    const handle = await this.startRun('deployment', options);
    await handle.end(status === 'success' ? 'FINISHED' : 'FAILED');
    if (status === 'rolled_back') return this.setDeploymentStatus(handle.runId, status);
    return deploymentRecord(await this.client.getRun(handle.runId));
  }

  /** Changes a deployment's status after the fact (a rollback), keeping its history. */
  setDeploymentStatus(
    runId: string,
    status: DeploymentStatus | string,
    options: { note?: string } = {},
  ): Promise<DeploymentRecord> {
    return setDeploymentStatus(this.#context, runId, status, options);
  }

  /** The latest evaluation run, or the latest that passed its gate (`candidatesOnly`). */
  latestEvaluation(options: { candidatesOnly?: boolean } = {}): Promise<Run | null> {
    return latestEvaluation(this.#context, options);
  }

  /** The deployment runs of a model version, newest first. */
  deploymentsOf(modelVersion: string): Promise<DeploymentRecord[]> {
    return deploymentsOf(this.#context, modelVersion);
  }

  /** The deployment in production now, or `null`. */
  currentDeployment(): Promise<DeploymentRecord | null> {
    return currentDeployment(this.#context);
  }

  /** The deployment that was in production at `time` (epoch ms or a Date), or `null`. */
  productionAt(time: number | Date): Promise<DeploymentRecord | null> {
    return productionAt(this.#context, typeof time === 'number' ? time : time.getTime());
  }

  /** Every deployment, newest first, with its status history. */
  deploymentHistory(): Promise<DeploymentRecord[]> {
    return deploymentHistory(this.#context);
  }

  /** Every run of the agent across its three experiments, in one search. */
  allRuns(options: AllRunsOptions = {}): Promise<Run[]> {
    return allRuns(this.#context, options);
  }

  /** Checks the validation checklist; see {@link audit}. */
  audit(options: AuditOptions = {}): Promise<AuditReport> {
    return audit(this.client, this.config, { now: () => this.#now(), ...options });
  }

  /** Closes the client if the agent opened it. */
  async close(): Promise<void> {
    if (this.#ownsClient) await this.client.close();
  }

  async #deploymentStartTags(options: StartRunOptions): Promise<Record<string, string>> {
    const given = options.modelVersion?.trim();
    if (!given)
      throw invalidParameter('A deployment run needs a model version (modelVersion / --model-version).');
    // The registry is checked first: a refused version leaves nothing behind, not even experiments.
    const registered = await deployableVersion(this.#context, given);
    const evaluationRunId =
      options.evaluationRunId ??
      registered?.tags?.find((t) => t.key === REGISTRY_TAGS.evaluationRunId)?.value;
    const source = await resolvePromotionSource(this.#context, {
      ...(evaluationRunId !== undefined ? { evaluationRunId } : {}),
      ...(options.force ? { force: true } : {}),
    });
    return { [TAGS.modelVersion]: registered?.version ?? given, ...promotionTags(source) };
  }

  async #scoped<T>(
    runType: RunType,
    fn: (run: RunHandle) => Promise<T>,
    options: StartRunOptions,
  ): Promise<ScopedRunResult<T>> {
    const handle = await this.startRun(runType, options);
    let value: T;
    try {
      value = await withActiveRun(handle, () => fn(handle));
    } catch (error) {
      if (handle.endStatus === undefined) await handle.end('FAILED', error);
      throw error;
    }
    if (handle.endStatus === undefined) await handle.end('FINISHED');
    const gate = handle.gate;
    return {
      value,
      runId: handle.runId,
      runName: handle.runName,
      status: handle.endStatus ?? 'FINISHED',
      ...(gate ? { gate: gate.verdict, candidate: gate.candidate } : {}),
      ...(gate?.registration ? { registration: gate.registration } : {}),
    };
  }

  async #finish(
    handle: RunHandle,
    status: RunStatus,
    error: unknown,
    { thresholds, gateTable, register }: FinishOptions,
  ): Promise<GateOutcome | undefined> {
    const tags: Record<string, string> = {};
    let gate: GateOutcome | undefined;
    let lateFailure: { error: unknown } | undefined;
    if (error !== undefined) tags[TAGS.error] = errorText(error);
    if (handle.runType === 'evaluation') {
      const run = await this.client.getRun(handle.runId);
      const latest = new Map((run.data.metrics ?? []).map((m) => [m.key, m.value]));
      const verdict = await this.#withScorerTraces(handle, evaluateGate(thresholds, latest)).catch(
        (failure: unknown) => {
          lateFailure ??= { error: failure };
          return evaluateGate(thresholds, latest);
        },
      );
      const candidate = status === 'FINISHED' && verdict.status === 'passed';
      Object.assign(tags, gateTags(verdict), failedTracesTag(verdict), {
        [TAGS.deploymentCandidate]: String(candidate),
      });
      gate = { verdict, candidate };
      if (register !== undefined) {
        const registration = await this.#register(handle, gate, register).catch((failure: unknown) => {
          lateFailure ??= { error: failure };
          return undefined;
        });
        if (registration?.version) {
          tags[TAGS.registeredModel] = registration.registeredModel;
          tags[TAGS.registeredVersion] = registration.version.version;
        }
        if (registration) gate.registration = registration;
      }
      if (gateTable !== undefined) {
        // The run still ends as it should when the table cannot be written; the caller hears of it after.
        await this.client
          .logTable(handle.runId, gateResultsTable(verdict), gateTable)
          .catch((failure: unknown) => {
            lateFailure ??= { error: failure };
          });
      }
    }
    if (handle.runType === 'deployment') {
      const deployed: DeploymentStatus = status === 'FINISHED' ? 'success' : 'failed';
      Object.assign(tags, statusTags([], { status: deployed, at: this.#now() }));
    }
    if (Object.keys(tags).length > 0) await this.client.logBatch(handle.runId, { tags });
    await this.client.setTerminated(handle.runId, status, this.#now());
    if (
      handle.runType === 'deployment' &&
      status === 'FINISHED' &&
      this.config.registeredModel !== undefined
    ) {
      // The run says success first; should the registry fail now, `setDeploymentStatus(run, 'success')` completes it.
      const record = deploymentRecord(await this.client.getRun(handle.runId));
      await tagDeployedVersion(this.#context, record);
      await followProduction(this.#context, {
        runId: handle.runId,
        event: 'deployed',
        wasInProduction: false,
        after: await currentDeployment(this.#context),
      });
    }
    if (lateFailure !== undefined) throw lateFailure.error;
    return gate;
  }

  /**
   * The verdict with, on each threshold on a scorer's aggregate (`correctness/mean`), the run's
   * traces that failed the scorer. Reads traces only when some threshold's metric has a `/`;
   * a server without MLflow's trace API leaves the verdict as it is.
   */
  async #withScorerTraces(handle: RunHandle, verdict: GateVerdict): Promise<GateVerdict> {
    if (!verdict.results.some((r) => scorerMetric(r.threshold.metric) !== undefined)) return verdict;
    try {
      const traces = await readRunTraces(this.client.traces, handle.experimentId, handle.runId);
      return withScorerTraces(verdict, traces, handle.runId);
    } catch (error) {
      if (isAgentrackError(error, 'ENDPOINT_NOT_FOUND') || isAgentrackError(error, 'NOT_IMPLEMENTED')) {
        return verdict;
      }
      throw error;
    }
  }

  /** Registers what a passing evaluation evaluated; registers nothing, and says why, when it did not pass. */
  async #register(handle: RunHandle, gate: GateOutcome, modelUri: string): Promise<RegistrationOutcome> {
    const registeredModel = this.config.registeredModel as string;
    if (!gate.candidate) {
      const why =
        handle.endStatus !== 'FINISHED'
          ? `the run ended ${handle.endStatus ?? '?'}`
          : gate.verdict.status === 'none'
            ? 'the run has no thresholds, so no gate passed'
            : 'the gate failed';
      return { registeredModel, modelUri, skipped: `${why}: nothing registered` };
    }
    const version = await registerEvaluatedModel(this.#context, handle.runId, modelUri);
    return { registeredModel, modelUri, version };
  }
}

/** What ending a run needs beyond its status: the evaluation's thresholds, gate table and model to register. */
interface FinishOptions {
  thresholds: readonly Threshold[];
  gateTable: string | undefined;
  register: string | undefined;
}

/**
 * A gate's checks as the columns of a table: one row per threshold; `failed_traces` lists the
 * ids of the traces that failed the scorer of a `<scorer>/<aggregate>` metric (null otherwise).
 */
function gateResultsTable(verdict: GateVerdict): Record<string, unknown[]> {
  const { results } = verdict;
  return {
    metric: results.map((r) => r.threshold.metric),
    observed: results.map((r) => (r.reason === undefined ? r.observed : null)),
    comparator: results.map((r) => r.threshold.comparator),
    threshold: results.map((r) => r.threshold.value),
    result: results.map((r) => (r.passed ? 'pass' : 'fail')),
    failed_traces: results.map((r) => r.traces?.failed.map((f) => f.trace_id) ?? null),
  };
}

async function configOf(options: AgentOptions): Promise<AgentConfig> {
  const given = options.config;
  if (given === undefined) {
    return loadConfig({
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
      missingHint:
        'run `agentrack init` to create one, or pass `config` (at least `{ agent }`) to Agent.open',
    });
  }
  if (Object.isFrozen(given) && 'basePath' in given && 'experiments' in given) return given as AgentConfig;
  return resolveConfig(given as AgentConfigInput);
}

/** An error's message as a tag value (MLflow caps tag values at 8000 characters). */
function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > 8000 ? `${text.slice(0, 7997)}...` : text;
}

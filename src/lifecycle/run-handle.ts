import type { LoadTableOptions, Table, TableInput } from '../client/run-tables.js';
import type { TrackingClient } from '../client/tracking-client.js';
import type { FileInfo, Metric, Param, Run, RunStatus, RunTag } from '../entities/index.js';
import { AgentrackError, invalidParameter } from '../errors.js';
import {
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
  validateMetric,
  validateParam,
  validateTag,
} from '../validation/index.js';
import { runBeforeEndHooks } from './active-run.js';
import type { RunType } from './conventions.js';
import type { RegistrationOutcome } from './registry-binding.js';
import type { GateVerdict } from './thresholds.js';

/** Options of {@link RunHandle.logMetric}. */
export interface MetricOptions {
  step?: number;
  /** Epoch milliseconds; defaults to now. */
  timestamp?: number;
}

/** An evaluation run's gate outcome: the verdict, and whether the run became a deployment candidate. */
export interface GateOutcome {
  verdict: GateVerdict;
  candidate: boolean;
  /** With `register`: the version the passing run registered, or why it registered nothing. */
  registration?: RegistrationOutcome;
}

/**
 * What ends a run: called once by {@link RunHandle.end}, after the last flush. It returns
 * the gate outcome of an evaluation run.
 */
export type RunFinisher = (
  handle: RunHandle,
  status: RunStatus,
  error?: unknown,
) => Promise<GateOutcome | undefined>;

/** Everything a {@link RunHandle} needs; the Agent builds it. */
export interface RunHandleInit {
  client: TrackingClient;
  run: Run;
  runType: RunType;
  /** Tag keys the caller may not set (the conventions own them). */
  protectedTags: ReadonlySet<string>;
  finish: RunFinisher;
  now: () => number;
}

/**
 * A run in progress. Metrics, params and tags are buffered and written in log-batch calls
 * within MLflow's limits (1000 metrics, 100 params, 100 tags, 1000 in all), so thousands
 * of metrics cost a handful of store calls. Each value is validated when it is logged, so
 * a bad key fails at the call that made it, not at a later flush.
 */
export class RunHandle {
  /** The run's id (32 hex characters). */
  readonly runId: string;
  /** The run's name, e.g. `eval_pre_deploy_20261126_101500`. */
  readonly runName: string;
  readonly experimentId: string;
  readonly runType: RunType;
  readonly #init: RunHandleInit;
  #metrics: Metric[] = [];
  #params = new Map<string, Param>();
  #tags = new Map<string, RunTag>();
  #status: RunStatus | undefined;
  #gate: GateOutcome | undefined;
  #storeCalls = 0;

  constructor(init: RunHandleInit) {
    this.#init = init;
    this.runId = init.run.info.run_id;
    this.runName = init.run.info.run_name;
    this.experimentId = init.run.info.experiment_id;
    this.runType = init.runType;
  }

  /** The status the run ended with, or `undefined` while it runs. */
  get endStatus(): RunStatus | undefined {
    return this.#status;
  }

  /** An evaluation run's gate outcome once it has ended; `undefined` before, and for other run types. */
  get gate(): GateOutcome | undefined {
    return this.#gate;
  }

  /** The client the run is written through (tracing writes the run's traces with it). */
  get client(): TrackingClient {
    return this.#init.client;
  }

  /** How many log-batch calls this handle has made (for diagnostics and tests). */
  get storeCalls(): number {
    return this.#storeCalls;
  }

  /** Logs one metric value (step 0 and now unless given). */
  async logMetric(key: string, value: number, options: MetricOptions = {}): Promise<void> {
    this.#assertRunning();
    this.#metrics.push(
      validateMetric({
        key,
        value,
        timestamp: options.timestamp ?? this.#init.now(),
        step: options.step ?? 0,
      }),
    );
    if (this.#metrics.length >= MAX_METRICS_PER_BATCH) await this.flush();
  }

  /** Logs several metrics at one step. */
  async logMetrics(values: Record<string, number>, options: MetricOptions = {}): Promise<void> {
    const timestamp = options.timestamp ?? this.#init.now();
    for (const [key, value] of Object.entries(values)) {
      await this.logMetric(key, value, { ...options, timestamp });
    }
  }

  /** Logs a param. Params are write-once: logging a key again with another value is refused. */
  async logParam(key: string, value: string | number | boolean): Promise<void> {
    this.#assertRunning();
    const param = validateParam({ key, value: String(value) });
    const pending = this.#params.get(param.key);
    if (pending && pending.value !== param.value) {
      throw invalidParameter(
        `Changing param values is not allowed. Param with key='${param.key}' was already logged with value='${pending.value}' for run ID='${this.runId}'. Attempted logging new value '${param.value}'.`,
      );
    }
    this.#params.set(param.key, param);
    if (this.#params.size >= MAX_PARAMS_PER_BATCH) await this.flush();
  }

  /** Logs several params. */
  async logParams(values: Record<string, string | number | boolean>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await this.logParam(key, value);
  }

  /** Sets a tag. The conventions' own tags (standard tags, `agentrack.*`, `mlflow.runName`) are refused. */
  async setTag(key: string, value: string): Promise<void> {
    this.#assertRunning();
    if (this.#init.protectedTags.has(key) || key.startsWith('agentrack.')) {
      throw invalidParameter(
        `The tag '${key}' is set by agentrack's conventions and cannot be changed on run '${this.runName}'.`,
      );
    }
    this.#setTag(key, value);
    if (this.#tags.size >= MAX_TAGS_PER_BATCH) await this.flush();
  }

  /** Sets several tags. */
  async setTags(values: Record<string, string>): Promise<void> {
    for (const [key, value] of Object.entries(values)) await this.setTag(key, value);
  }

  /**
   * Uploads a local file into the run's artifacts, as `<artifactPath>/<file name>`; see
   * {@link TrackingClient.logArtifact}. Artifacts are written at once, not buffered.
   */
  async logArtifact(localPath: string, artifactPath?: string): Promise<FileInfo> {
    this.#assertRunning();
    return this.#init.client.logArtifact(this.runId, localPath, artifactPath);
  }

  /** Uploads every file below a local folder into the run's artifacts; see {@link TrackingClient.logArtifacts}. */
  async logArtifacts(localDir: string, artifactPath?: string): Promise<FileInfo[]> {
    this.#assertRunning();
    return this.#init.client.logArtifacts(this.runId, localDir, artifactPath);
  }

  /** Writes text as an artifact file of the run, e.g. `notes/summary.md`. */
  async logText(text: string, artifactFile: string): Promise<FileInfo> {
    this.#assertRunning();
    return this.#init.client.logText(this.runId, text, artifactFile);
  }

  /** Writes a value as a JSON (or, for `.yaml` / `.yml`, YAML) artifact file of the run, as MLflow's `log_dict`. */
  async logDict(dictionary: unknown, artifactFile: string): Promise<FileInfo> {
    this.#assertRunning();
    return this.#init.client.logDict(this.runId, dictionary, artifactFile);
  }

  /**
   * Logs a table (columns or rows) as the run's artifact `artifactFile` (`.json`), appended to
   * what it holds, as MLflow's `log_table`: an evaluation run's per-example results, which
   * MLflow's UI shows and `mlflow.load_table` reads.
   *
   * @example await run.logTable({ question: ['is web-1 healthy?'], answer: ['critical'], score: [0.93] }, 'eval_results/table.json');
   */
  async logTable(data: TableInput, artifactFile: string): Promise<FileInfo> {
    this.#assertRunning();
    return this.#init.client.logTable(this.runId, data, artifactFile);
  }

  /** The run's table `artifactFile`, as MLflow's `load_table` reads it for this run. */
  async loadTable(artifactFile: string, options: Omit<LoadTableOptions, 'runIds'> = {}): Promise<Table> {
    return this.#init.client.loadTable(this.experimentId, artifactFile, { ...options, runIds: [this.runId] });
  }

  /** The files and folders directly in one of the run's artifact folders (the root by default). */
  async listArtifacts(path?: string): Promise<FileInfo[]> {
    return this.#init.client.listArtifacts(this.runId, path);
  }

  /** Downloads one of the run's artifact files or folders (everything by default) and resolves to its local path. */
  async downloadArtifacts(path?: string, dstDir?: string): Promise<string> {
    return this.#init.client.downloadArtifacts(this.runId, path, dstDir);
  }

  /** Writes everything buffered. */
  async flush(): Promise<void> {
    while (this.#metrics.length > 0 || this.#params.size > 0 || this.#tags.size > 0) {
      const params = takeFirst(this.#params, MAX_PARAMS_PER_BATCH);
      const tags = takeFirst(this.#tags, MAX_TAGS_PER_BATCH);
      const room = Math.min(MAX_METRICS_PER_BATCH, MAX_ENTITIES_PER_BATCH - params.length - tags.length);
      const metrics = this.#metrics.splice(0, room);
      this.#storeCalls++;
      await this.#init.client.logBatch(this.runId, { metrics, params, tags });
    }
  }

  /**
   * Ends the run: flushes, then lets the lifecycle finish it (the evaluation gate, the
   * deployment status) and records `status` (FINISHED unless given). Ending twice is refused.
   * Resolves to the gate outcome of an evaluation run (also kept in {@link gate}).
   */
  async end(status: RunStatus = 'FINISHED', error?: unknown): Promise<GateOutcome | undefined> {
    this.#assertRunning();
    this.#status = status;
    await this.flush();
    await runBeforeEndHooks(this);
    this.#gate = await this.#init.finish(this, status, error);
    return this.#gate;
  }

  /** Sets a tag the conventions own; for the lifecycle layer only. */
  _setConventionTag(key: string, value: string): void {
    this.#setTag(key, value);
  }

  #setTag(key: string, value: string): void {
    const tag = validateTag({ key, value });
    this.#tags.delete(tag.key);
    this.#tags.set(tag.key, tag);
  }

  #assertRunning(): void {
    if (this.#status !== undefined) {
      throw new AgentrackError(
        'INVALID_STATE',
        `The run '${this.runName}' has already ended (${this.#status}).`,
      );
    }
  }
}

function takeFirst<T>(map: Map<string, T>, count: number): T[] {
  const out: T[] = [];
  for (const [key, value] of map) {
    if (out.length >= count) break;
    out.push(value);
    map.delete(key);
  }
  return out;
}

import { userInfo } from 'node:os';
import {
  TRACE_DATA_FILE,
  type DatasetInput,
  type DatasetSummary,
  type Experiment,
  type FileInfo,
  type LoggedModel,
  type LoggedModelInput,
  type LoggedModelOutput,
  type LoggedModelStatus,
  type Metric,
  type MetricWithRunId,
  type Param,
  type Run,
  type RunInfo,
  type RunStatus,
  type RunTag,
  type ViewType,
} from '../entities/index.js';
import { openArtifactRepository } from '../artifacts/artifact-registry.js';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { AgentrackError, invalidParameter } from '../errors.js';
import { openStore, type OpenStoreOptions } from '../store/open-store.js';
import type {
  LoggedModelDatasetFilter,
  LoggedModelOrderBy,
  Page,
  TrackingStore,
} from '../store/tracking-store.js';
import type { TraceStore } from '../store/trace-store.js';
import type { RunArtifactListing } from './run-artifact-service.js';
import { resolveTrackingTarget, type TrackingTarget } from '../store/tracking-uri.js';
import { pagesOf } from './pages.js';
import { defaultProxiedArtifacts } from './proxied-artifacts.js';
import { RegistryClient } from './registry-client.js';
import { TraceClient } from './trace-client.js';
import { RunArtifacts, type RunArtifactsOptions } from './run-artifacts.js';
import { RunTables, type LoadTableOptions, type Table, type TableInput } from './run-tables.js';

/** Tags as a plain object (`{ team: 'core' }`) or as MLflow's list of pairs. */
export type TagsInput = Record<string, string> | readonly RunTag[];

/** Options of {@link TrackingClient.createExperiment}. */
export interface CreateExperimentOptions {
  artifactLocation?: string;
  tags?: TagsInput;
}

/** Options of {@link TrackingClient.searchExperiments}. */
export interface SearchExperimentsOptions {
  viewType?: ViewType;
  maxResults?: number;
  filter?: string;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** Options of {@link TrackingClient.createRun}. */
export interface CreateRunOptions {
  runName?: string;
  startTime?: number;
  tags?: TagsInput;
  /** Defaults to the operating-system user, as MLflow's client does. */
  userId?: string;
}

/** Options of {@link TrackingClient.updateRun}. */
export interface UpdateRunOptions {
  status?: RunStatus;
  name?: string;
  endTime?: number;
}

/** Options of {@link TrackingClient.logMetric}. */
export interface LogMetricOptions {
  /** Epoch milliseconds; defaults to now. */
  timestamp?: number;
  /** Defaults to 0. */
  step?: number;
  /** A logged model the value is also the metric of (MLflow 3), e.g. the model the run evaluated. */
  modelId?: string;
  /** The dataset the value was measured on, for the model's metric. */
  datasetName?: string;
  /** The digest of that dataset. */
  datasetDigest?: string;
}

/**
 * A metric for {@link TrackingClient.logBatch}; `timestamp` defaults to now and `step` to 0;
 * `modelId`, `datasetName` and `datasetDigest` as in {@link LogMetricOptions}.
 */
export interface MetricInput {
  key: string;
  value: number;
  timestamp?: number;
  step?: number;
  modelId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** Options of {@link TrackingClient.createLoggedModel}, as MLflow's `create_logged_model`. */
export interface CreateLoggedModelOptions {
  /** Default: a generated name, as MLflow gives one. */
  name?: string;
  /** E.g. `agent`. */
  modelType?: string;
  /** The run that produced the model. */
  sourceRunId?: string;
  params?: readonly Param[] | Record<string, string | number | boolean>;
  tags?: TagsInput;
}

/** A logged model's status when it is finalized: MLflow's client names (`READY`, `FAILED`) or the wire's. */
export type FinalLoggedModelStatus = 'READY' | 'FAILED' | LoggedModelStatus;

/** Arguments of {@link TrackingClient.searchLoggedModels}, as MLflow's `search_logged_models`. */
export interface SearchLoggedModelsOptions {
  experimentIds: readonly string[] | string;
  /** E.g. `metrics.accuracy > 0.9 AND tags.stage = 'candidate'` (see The search language). */
  filter?: string;
  /** The datasets metric clauses read: `[{ datasetName: 'golden', datasetDigest?: '...' }]`. */
  datasets?: readonly LoggedModelDatasetFilter[];
  /** Default 100. */
  maxResults?: number;
  /** E.g. `[{ fieldName: 'metrics.accuracy', ascending: false }]`; default newest first. */
  orderBy?: readonly LoggedModelOrderBy[];
  pageToken?: string;
}

/** Arguments of {@link TrackingClient.logBatch}. */
export interface LogBatchOptions {
  metrics?: readonly MetricInput[];
  params?: readonly Param[] | Record<string, string | number | boolean>;
  tags?: TagsInput;
}

/** Arguments of {@link TrackingClient.searchRuns}. */
export interface SearchRunsOptions {
  experimentIds: readonly string[] | string;
  filter?: string;
  runViewType?: ViewType;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** Options of {@link TrackingClient.getMetricHistoryBulk}. */
export interface MetricHistoryBulkOptions {
  /** The most values returned in all; default and upper bound 25,000. */
  maxResults?: number;
}

/** Options of {@link TrackingClient.getMetricHistoryBulkInterval}. */
export interface MetricHistoryBulkIntervalOptions {
  /** First step of the range (inclusive); give both steps or neither. */
  startStep?: number;
  /** Last step of the range (inclusive). */
  endStep?: number;
  /** How many steps to sample, 1 to 2,500 (default 2,500). */
  maxResults?: number;
}

/** Options of the {@link TrackingClient} constructor. */
export interface TrackingClientOptions {
  /** The clock (epoch milliseconds); default `Date.now`. */
  now?: () => number;
  /**
   * The repository that runs' `mlflow-artifacts:` artifact URIs point into (MLflow's proxied
   * artifacts): a tracking server's artifact service, or the folder an embedded store keeps
   * them in. Absent: such runs' artifacts are refused with INVALID_PARAMETER_VALUE. The client
   * never closes a repository given here. `file:` and `s3:` artifact URIs need none.
   */
  proxiedArtifacts?: ArtifactRepository;
  /** How runs' artifacts are reached, in full (over `proxiedArtifacts`): what {@link TrackingClient.open} sets up. */
  artifacts?: RunArtifactsOptions;
}

/** Options of {@link TrackingClient.open}: the store's, and where proxied artifacts are. */
export interface OpenTrackingClientOptions extends OpenStoreOptions {
  /**
   * The repository for `mlflow-artifacts:` URIs, instead of the default: on the embedded store
   * the folder beside the database (`./agentrack.db` keeps them in `./agentrack-artifacts`,
   * where `agentrack server` serves them from); over REST, the server's artifact service. The
   * client never closes a repository given here.
   */
  proxiedArtifacts?: ArtifactRepository;
  /**
   * Where `mlflow-artifacts:` URIs are kept when no `proxiedArtifacts` is given, as the
   * servers on the same database keep them (their `--artifacts-destination`): a folder, a
   * `file:` or an `s3://bucket/prefix` URI, opened by the client and closed with it. Default:
   * on an embedded database, the folder beside it; over REST, the server's artifact service.
   * A database that is not a file (PostgreSQL) has no default: give the servers' destination
   * here, or such artifacts are refused.
   */
  artifactsDestination?: string;
}

/**
 * The library API: the operations of MLflow's `MlflowClient`, in camelCase, over any
 * tracking store. Returned entities have MLflow's JSON shapes.
 *
 * @example
 * const client = await TrackingClient.open('sqlite:///agentrack.db');
 * const experimentId = await client.createExperiment('/Shared/my_agent/development');
 * const run = await client.createRun(experimentId, { runName: 'dev_20260101_120000' });
 * await client.logMetric(run.info.run_id, 'accuracy', 0.93);
 * await client.setTerminated(run.info.run_id);
 * await client.close();
 */
export class TrackingClient {
  /** The store this client talks to. */
  readonly store: TrackingStore;
  readonly #now: () => number;
  readonly #artifacts: RunArtifacts;
  readonly #tables: RunTables;
  #registry: RegistryClient | undefined;
  #traces: TraceClient | undefined;

  constructor(store: TrackingStore, options: TrackingClientOptions = {}) {
    this.store = store;
    this.#now = options.now ?? Date.now;
    this.#artifacts = new RunArtifacts(store, options.artifacts ?? { proxied: options.proxiedArtifacts });
    this.#tables = new RunTables(store, this.#artifacts);
  }

  /**
   * Opens a client on the tracking URI (or parsed target) given, else `AGENTRACK_TRACKING_URI`,
   * else `MLFLOW_TRACKING_URI`, else the embedded database `./agentrack.db` (see
   * {@link resolveTrackingTarget}). With `{ mode: 'read' }` an embedded database is only read: it
   * must exist, and nothing is created or changed.
   */
  static async open(
    uri?: string | TrackingTarget,
    options: OpenTrackingClientOptions = {},
  ): Promise<TrackingClient> {
    const target =
      typeof uri === 'object' ? uri : resolveTrackingTarget({ uri, env: options.env ?? process.env });
    const store = await openStore(target, options);
    let artifacts: RunArtifactsOptions;
    if (options.proxiedArtifacts !== undefined) {
      artifacts = { proxied: options.proxiedArtifacts };
    } else if (options.artifactsDestination !== undefined) {
      let repository: ArtifactRepository;
      try {
        repository = await openArtifactRepository(options.artifactsDestination, {
          env: options.env ?? process.env,
        });
      } catch (error) {
        await store.close();
        throw error;
      }
      artifacts = { proxied: repository, release: () => repository.close() };
    } else {
      artifacts = defaultProxiedArtifacts(target, options);
    }
    return new TrackingClient(store, {
      ...(options.now ? { now: options.now } : {}),
      artifacts: { ...artifacts, readOnly: options.mode === 'read' },
    });
  }

  /**
   * The model registry of the same store (registered models, versions, aliases, stages), as
   * a {@link RegistryClient}: the database's own on the embedded store, the server's over REST
   * (or the one a registry URI names); closing this client closes it too.
   *
   * @example
   * const version = await client.registry.createModelVersion('my_agent', `runs:/${runId}/model`, { runId });
   */
  get registry(): RegistryClient {
    this.#registry ??= new RegistryClient(this.store.registry);
    return this.#registry;
  }

  /**
   * MLflow 3's traces and assessments, in the same store. On the embedded store a trace's
   * `traces.json` is written through this client's artifact access (where its
   * `mlflow.artifactLocation` points), so MLflow's own client can read it through a server on the
   * same database; over REST the store uploads it.
   */
  get traces(): TraceClient {
    this.#traces ??= new TraceClient(
      traceStoreOf(this.store),
      this.store.kind === 'rest'
        ? {}
        : {
            uploadTraceData: (traceId, location, text) =>
              this.#artifacts.writeToLocation(`trace '${traceId}'`, location, TRACE_DATA_FILE, text),
          },
    );
    return this.#traces;
  }

  /** Creates an experiment and returns its id. */
  async createExperiment(name: string, options: CreateExperimentOptions = {}): Promise<string> {
    return this.store.createExperiment({
      name,
      ...(options.artifactLocation !== undefined ? { artifactLocation: options.artifactLocation } : {}),
      tags: toPairs(options.tags),
    });
  }

  /** The experiment with this id; RESOURCE_DOES_NOT_EXIST when there is none. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.store.getExperiment(experimentId);
  }

  /** The experiment with this name (active or deleted), or `null`. */
  async getExperimentByName(name: string): Promise<Experiment | null> {
    return this.store.getExperimentByName(name);
  }

  /** One page of experiments matching a filter such as `name LIKE '/Shared/%'`. */
  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<Page<Experiment>> {
    return this.store.searchExperiments(options);
  }

  /** Every page of an experiment search, fetched as the iteration goes. */
  async *searchExperimentsPages(
    options: Omit<SearchExperimentsOptions, 'pageToken'> = {},
  ): AsyncGenerator<Page<Experiment>> {
    yield* pagesOf((pageToken) =>
      this.store.searchExperiments({ ...options, ...(pageToken ? { pageToken } : {}) }),
    );
  }

  /** Renames an experiment. */
  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.store.renameExperiment(experimentId, newName);
  }

  /** Soft-deletes an experiment and its runs. */
  async deleteExperiment(experimentId: string): Promise<void> {
    return this.store.deleteExperiment(experimentId);
  }

  /** Restores a deleted experiment and its runs. */
  async restoreExperiment(experimentId: string): Promise<void> {
    return this.store.restoreExperiment(experimentId);
  }

  /** Sets (overwrites) an experiment tag. */
  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.store.setExperimentTag(experimentId, key, value);
  }

  /** Deletes an experiment tag. */
  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.store.deleteExperimentTag(experimentId, key);
  }

  /** Creates a run in RUNNING state. */
  async createRun(experimentId: string, options: CreateRunOptions = {}): Promise<Run> {
    return this.store.createRun({
      experimentId,
      userId: options.userId ?? currentUser(),
      startTime: options.startTime ?? this.#now(),
      tags: toPairs(options.tags),
      ...(options.runName !== undefined ? { runName: options.runName } : {}),
    });
  }

  /** The run with this id, with its latest metrics, params and tags. */
  async getRun(runId: string): Promise<Run> {
    return this.store.getRun(runId);
  }

  /** Updates a run's status, name or end time. */
  async updateRun(runId: string, options: UpdateRunOptions): Promise<RunInfo> {
    return this.store.updateRun(runId, {
      ...(options.status !== undefined ? { status: options.status } : {}),
      ...(options.name !== undefined ? { runName: options.name } : {}),
      ...(options.endTime !== undefined ? { endTime: options.endTime } : {}),
    });
  }

  /** Ends a run: status FINISHED unless given, end time now unless given. */
  async setTerminated(runId: string, status: RunStatus = 'FINISHED', endTime?: number): Promise<RunInfo> {
    return this.store.updateRun(runId, { status, endTime: endTime ?? this.#now() });
  }

  /** Soft-deletes a run. */
  async deleteRun(runId: string): Promise<void> {
    return this.store.deleteRun(runId);
  }

  /** Restores a deleted run. */
  async restoreRun(runId: string): Promise<void> {
    return this.store.restoreRun(runId);
  }

  /**
   * Appends one metric value. NaN and ±Infinity are accepted. With `modelId` the value is also
   * the logged model's metric (on `datasetName` / `datasetDigest` when given), as MLflow 3 logs it.
   */
  async logMetric(runId: string, key: string, value: number, options: LogMetricOptions = {}): Promise<void> {
    return this.store.logMetric(runId, toMetric({ key, value, ...options }, this.#now()));
  }

  /** Logs a param; params are write-once (the same value again is accepted). */
  async logParam(runId: string, key: string, value: string | number | boolean): Promise<void> {
    return this.store.logParam(runId, { key, value: String(value) });
  }

  /** Sets (overwrites) a run tag. */
  async setTag(runId: string, key: string, value: string): Promise<void> {
    return this.store.setTag(runId, { key, value });
  }

  /** Deletes a run tag. */
  async deleteTag(runId: string, key: string): Promise<void> {
    return this.store.deleteTag(runId, key);
  }

  /** Logs metrics, params and tags in one atomic call, within MLflow's batch limits. */
  async logBatch(runId: string, batch: LogBatchOptions): Promise<void> {
    const now = this.#now();
    return this.store.logBatch(runId, {
      metrics: (batch.metrics ?? []).map((m) => toMetric(m, now)),
      params: toParamPairs(batch.params),
      tags: toPairs(batch.tags),
    });
  }

  /**
   * Records datasets a run used, as MLflow's `log_inputs`; the run then lists them in
   * `inputs.dataset_inputs`, and `datasets.name`, `datasets.digest` and `datasets.context`
   * filters find it. Logging a dataset the run already has changes nothing.
   *
   * @example
   * await client.logInputs(runId, [{
   *   dataset: { name: 'golden_v2', digest: '5a1f0c2e', source_type: 'local', source: '{"uri": "data/golden.jsonl"}' },
   *   tags: [{ key: 'mlflow.data.context', value: 'eval' }],
   * }]);
   */
  async logInputs(
    runId: string,
    datasets: readonly DatasetInput[],
    models: readonly LoggedModelInput[] = [],
  ): Promise<void> {
    return this.store.logInputs(runId, models.length > 0 ? { datasets, models } : { datasets });
  }

  /** Every value ever logged for one metric of a run. */
  async getMetricHistory(runId: string, key: string): Promise<Metric[]> {
    const out: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.store.getMetricHistory(runId, key, {
        maxResults: 25_000,
        ...(pageToken ? { pageToken } : {}),
      });
      out.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return out;
  }

  /**
   * One metric's history in up to 100 runs, each value with its `run_id`: by run id, then
   * timestamp, step and value, at most 25,000 values in all (MLflow's `get-history-bulk`).
   *
   * @example
   * const points = await client.getMetricHistoryBulk([runA, runB], 'loss');
   */
  async getMetricHistoryBulk(
    runIds: readonly string[] | string,
    key: string,
    options: MetricHistoryBulkOptions = {},
  ): Promise<MetricWithRunId[]> {
    return this.store.getMetricHistoryBulk(toList(runIds, 'runIds', 'a run id'), key, options);
  }

  /**
   * One metric in up to 100 runs at a sample of steps, as MLflow's charts read it
   * (`get-history-bulk-interval`): up to `maxResults` steps spread evenly over the range (all
   * of them when there are fewer), each run's first and last step in the range always among
   * them; per run, in the order given, by step. Without a range: step 0 to the last step logged.
   *
   * @example
   * const sampled = await client.getMetricHistoryBulkInterval([runA, runB], 'loss', { maxResults: 320 });
   */
  async getMetricHistoryBulkInterval(
    runIds: readonly string[] | string,
    key: string,
    options: MetricHistoryBulkIntervalOptions = {},
  ): Promise<MetricWithRunId[]> {
    return this.store.getMetricHistoryBulkInterval(toList(runIds, 'runIds', 'a run id'), key, options);
  }

  /**
   * The datasets the runs of up to 20 experiments used: one summary per dataset and context
   * (`mlflow.data.context`, absent when the run logged none), at most 1,000 (MLflow's
   * `search-datasets`).
   */
  async searchDatasets(experimentIds: readonly string[] | string): Promise<DatasetSummary[]> {
    return this.store.searchDatasets(toList(experimentIds, 'experimentIds', 'an experiment id'));
  }

  /** How many active runs an experiment has (one count in the backend; NOT_IMPLEMENTED over REST). */
  countRuns(experimentId: string): Promise<number> {
    return this.store.countRuns(experimentId);
  }

  /**
   * One page of runs matching MLflow's filter language.
   *
   * @example
   * const { items } = await client.searchRuns({
   *   experimentIds: [id], filter: "tags.run_type = 'evaluation'", orderBy: ['start_time DESC'], maxResults: 1,
   * });
   */
  async searchRuns(options: SearchRunsOptions): Promise<Page<Run>> {
    return this.store.searchRuns({ ...options, experimentIds: toIds(options.experimentIds) });
  }

  /** Every page of a run search, fetched as the iteration goes. */
  async *searchRunsPages(options: Omit<SearchRunsOptions, 'pageToken'>): AsyncGenerator<Page<Run>> {
    const experimentIds = toIds(options.experimentIds);
    yield* pagesOf((pageToken) =>
      this.store.searchRuns({ ...options, experimentIds, ...(pageToken ? { pageToken } : {}) }),
    );
  }

  /** Every run of a search, one at a time, across pages. */
  async *iterateRuns(options: Omit<SearchRunsOptions, 'pageToken'>): AsyncGenerator<Run> {
    for await (const page of this.searchRunsPages(options)) yield* page.items;
  }

  /**
   * Uploads a local file into a run's artifacts, as `<artifactPath>/<file name>` (at the root
   * without `artifactPath`), as MLflow's `log_artifact`; a folder is refused (see
   * {@link logArtifacts}). Resolves to the file as the run lists it.
   *
   * @example await client.logArtifact(runId, 'out/report.md', 'reports');
   */
  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<FileInfo> {
    return this.#artifacts.logArtifact(runId, localPath, artifactPath);
  }

  /**
   * Uploads every file below a local folder into a run's artifacts, keeping the tree, below
   * `artifactPath` (the root without it), a few files at once, as MLflow's `log_artifacts`.
   * Resolves to the files uploaded.
   */
  async logArtifacts(runId: string, localDir: string, artifactPath?: string): Promise<FileInfo[]> {
    return this.#artifacts.logArtifacts(runId, localDir, artifactPath);
  }

  /** Writes text (UTF-8) as a run's artifact file, e.g. `notes/release.md`, as MLflow's `log_text`. */
  async logText(runId: string, text: string, artifactFile: string): Promise<FileInfo> {
    return this.#artifacts.logText(runId, text, artifactFile);
  }

  /**
   * Writes a value as a run's artifact file, as MLflow's `log_dict`: YAML for `.yaml` / `.yml`
   * (PyYAML's style, keys sorted), else JSON indented by two spaces (Python's `json.dumps`).
   *
   * @example await client.logDict(runId, { temperature: 0.2, tools: ['search'] }, 'config/agent.yaml');
   */
  async logDict(runId: string, dictionary: unknown, artifactFile: string): Promise<FileInfo> {
    return this.#artifacts.logDict(runId, dictionary, artifactFile);
  }

  /**
   * Logs a table as a run's artifact `artifactFile` (`.json`), as MLflow's `log_table`: columns
   * (`{ question: [...], score: [...] }`) or rows (`[{ question, score }]`), appended to the
   * rows already in that file, and listed in the run tag `mlflow.loggedArtifacts`, so that
   * MLflow's UI shows it and `mlflow.load_table` (or {@link loadTable}) reads it back.
   *
   * @example await client.logTable(runId, { question: ['is web-1 healthy?'], score: [0.93] }, 'eval_results/table.json');
   */
  async logTable(runId: string, data: TableInput, artifactFile: string): Promise<FileInfo> {
    return this.#tables.logTable(runId, data, artifactFile);
  }

  /**
   * The table `artifactFile` of the runs of an experiment that logged it (or of
   * `options.runIds`), joined, newest run first, as MLflow's `load_table`.
   */
  async loadTable(
    experimentId: string,
    artifactFile: string,
    options: LoadTableOptions = {},
  ): Promise<Table> {
    return this.#tables.loadTable(experimentId, artifactFile, options);
  }

  /**
   * The files and folders directly in a run's artifact folder (the root by default), in name
   * order, paths from the run's artifact root, as MLflow's `list_artifacts`.
   */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    return this.#artifacts.listArtifacts(runId, path);
  }

  /**
   * Downloads a run's artifact file or folder (everything by default) into `dstDir` (an
   * existing folder; a new temporary one without it), streamed to disk, and resolves to its
   * local path, `<dstDir>/<path>`, as MLflow's `download_artifacts`.
   *
   * @example const local = await client.downloadArtifacts(runId, 'eval_results', './downloads');
   */
  async downloadArtifacts(runId: string, path?: string, dstDir?: string): Promise<string> {
    return this.#artifacts.downloadArtifacts(runId, path, dstDir);
  }

  // ---------------------------------------------------------------- logged models (MLflow 3)

  /**
   * Creates a logged model in an experiment, as MLflow's `create_logged_model`: PENDING, with
   * the id `m-<32 hex>` and its files at `<experiment artifact location>/models/<id>/artifacts`.
   * Upload its files (e.g. {@link logModelArtifacts}), then {@link finalizeLoggedModel} it.
   *
   * @example
   * const model = await client.createLoggedModel(experimentId, { name: 'agent', modelType: 'agent', sourceRunId: runId });
   */
  async createLoggedModel(
    experimentId: string,
    options: CreateLoggedModelOptions = {},
  ): Promise<LoggedModel> {
    return this.store.createLoggedModel({
      experimentId,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.modelType !== undefined ? { modelType: options.modelType } : {}),
      ...(options.sourceRunId !== undefined ? { sourceRunId: options.sourceRunId } : {}),
      params: toParamPairs(options.params),
      tags: toPairs(options.tags),
    });
  }

  /** A logged model with its tags, params and metrics; RESOURCE_DOES_NOT_EXIST when unknown or deleted. */
  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    return this.store.getLoggedModel(modelId);
  }

  /** Deletes a logged model (it leaves searches; reads answer RESOURCE_DOES_NOT_EXIST). */
  async deleteLoggedModel(modelId: string): Promise<void> {
    return this.store.deleteLoggedModel(modelId);
  }

  /**
   * Sets a logged model's final status, `READY` once its files are uploaded (or `FAILED`), as
   * MLflow's `finalize_logged_model`, and resolves to the model.
   */
  async finalizeLoggedModel(modelId: string, status: FinalLoggedModelStatus = 'READY'): Promise<LoggedModel> {
    return this.store.finalizeLoggedModel(modelId, toFinalStatus(status));
  }

  /** Sets tags on a logged model (`{ key: value }` or pairs), overwriting a key's value. */
  async setLoggedModelTags(modelId: string, tags: TagsInput): Promise<void> {
    return this.store.setLoggedModelTags(modelId, toPairs(tags));
  }

  /** Deletes a logged model's tag; RESOURCE_DOES_NOT_EXIST when it has none of that key. */
  async deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    return this.store.deleteLoggedModelTag(modelId, key);
  }

  /** Logs params of a logged model, as MLflow's `log_model_params`; a param is written once. */
  async logModelParams(
    modelId: string,
    params: readonly Param[] | Record<string, string | number | boolean>,
  ): Promise<void> {
    return this.store.logLoggedModelParams(modelId, toParamPairs(params));
  }

  /**
   * Records logged models as outputs of a run, each at a step of the run, as MLflow's
   * `log_outputs`; `getRun` lists them in `outputs.model_outputs`.
   */
  async logOutputs(runId: string, models: readonly LoggedModelOutput[]): Promise<void> {
    return this.store.logOutputs(runId, models);
  }

  /**
   * One page of the logged models of some experiments, as MLflow's `search_logged_models`,
   * with its `nextPageToken`; by default the newest first.
   *
   * @example
   * await client.searchLoggedModels({ experimentIds: [id], filter: "metrics.accuracy > 0.9",
   *   orderBy: [{ fieldName: 'metrics.accuracy', ascending: false }] });
   */
  async searchLoggedModels(options: SearchLoggedModelsOptions): Promise<Page<LoggedModel>> {
    return this.store.searchLoggedModels({ ...options, experimentIds: toIds(options.experimentIds) });
  }

  /** Every page of a logged-model search, in order. */
  async *searchLoggedModelsPages(
    options: Omit<SearchLoggedModelsOptions, 'pageToken'>,
  ): AsyncGenerator<Page<LoggedModel>> {
    const experimentIds = toIds(options.experimentIds);
    yield* pagesOf((pageToken) =>
      this.store.searchLoggedModels({ ...options, experimentIds, ...(pageToken ? { pageToken } : {}) }),
    );
  }

  /** Every logged model of a search, one at a time, across pages. */
  async *iterateLoggedModels(
    options: Omit<SearchLoggedModelsOptions, 'pageToken'>,
  ): AsyncGenerator<LoggedModel> {
    for await (const page of this.searchLoggedModelsPages(options)) yield* page.items;
  }

  /** Uploads a local file into a logged model's files, as `<artifactPath>/<file name>`, as MLflow's `log_model_artifact`. */
  async logModelArtifact(modelId: string, localPath: string, artifactPath?: string): Promise<FileInfo> {
    return this.#artifacts.logModelArtifact(modelId, localPath, artifactPath);
  }

  /** Uploads a local folder's files into a logged model's files, keeping the tree, as MLflow's `log_model_artifacts`. */
  async logModelArtifacts(modelId: string, localDir: string, artifactPath?: string): Promise<FileInfo[]> {
    return this.#artifacts.logModelArtifacts(modelId, localDir, artifactPath);
  }

  /** The files and folders directly in a logged model's folder `path` (its root by default), with the model's root. */
  async listLoggedModelArtifacts(modelId: string, path?: string): Promise<RunArtifactListing> {
    return this.#artifacts.listLoggedModelArtifacts(modelId, path);
  }

  /**
   * Downloads a logged model's files (all of them by default, what `models:/<model_id>` loads)
   * into `dstDir` (a new temporary folder without it), and resolves to their local path.
   */
  async downloadLoggedModelArtifacts(modelId: string, path?: string, dstDir?: string): Promise<string> {
    return this.#artifacts.downloadLoggedModelArtifacts(modelId, path, dstDir);
  }

  /** Closes the store, and the artifact repositories the client opened. */
  async close(): Promise<void> {
    try {
      await this.#artifacts.close();
    } finally {
      await this.store.close();
    }
  }
}

/** The store's traces; a store that keeps none (before every backend has them) is NOT_IMPLEMENTED. */
function traceStoreOf(store: TrackingStore): TraceStore {
  const traces = (store as Partial<{ traces: TraceStore }>).traces;
  if (traces === undefined) {
    throw new AgentrackError('NOT_IMPLEMENTED', `The ${store.kind} tracking store keeps no traces.`);
  }
  return traces;
}

function toPairs(tags: TagsInput | undefined): RunTag[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return tags.map((t: RunTag) => ({ key: t.key, value: t.value }));
  return Object.entries(tags as Record<string, string>).map(([key, value]) => ({ key, value }));
}

function toParamPairs(params: LogBatchOptions['params']): Param[] {
  if (params === undefined) return [];
  if (Array.isArray(params)) return params.map((p: Param) => ({ key: p.key, value: p.value }));
  return Object.entries(params as Record<string, string | number | boolean>).map(([key, value]) => ({
    key,
    value: String(value),
  }));
}

function toMetric(m: MetricInput, now: number): Metric {
  const metric: Metric = { key: m.key, value: m.value, timestamp: m.timestamp ?? now, step: m.step ?? 0 };
  if (m.modelId !== undefined) metric.model_id = m.modelId;
  if (m.datasetName !== undefined) metric.dataset_name = m.datasetName;
  if (m.datasetDigest !== undefined) metric.dataset_digest = m.datasetDigest;
  return metric;
}

function toFinalStatus(status: FinalLoggedModelStatus): LoggedModelStatus {
  if (status === 'READY') return 'LOGGED_MODEL_READY';
  if (status === 'FAILED') return 'LOGGED_MODEL_UPLOAD_FAILED';
  return status;
}

function toIds(ids: readonly string[] | string): string[] {
  return toList(ids, 'experimentIds', 'an experiment id');
}

function toList(ids: readonly string[] | string, name: string, what: string): string[] {
  if (typeof ids === 'string') return [ids];
  if (!Array.isArray(ids)) throw invalidParameter(`'${name}' must be ${what} or a list of them.`);
  return [...ids];
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? '';
  }
}

import type {
  DatasetInput,
  DatasetSummary,
  Experiment,
  ExperimentTag,
  KeyValue,
  LoggedModel,
  LoggedModelInput,
  LoggedModelOutput,
  LoggedModelStatus,
  Metric,
  MetricWithRunId,
  Param,
  Run,
  RunInfo,
  RunStatus,
  RunTag,
  ViewType,
} from '../entities/index.js';
import type { ModelRegistryStore } from './model-registry-store.js';
import type { TraceStore } from './trace-store.js';

/** One page of results and the opaque token of the next page, if any. */
export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/** Arguments of {@link TrackingStore.createExperiment}. */
export interface CreateExperimentInput {
  name: string;
  artifactLocation?: string;
  tags?: ExperimentTag[];
}

/** Arguments of {@link TrackingStore.searchExperiments}. */
export interface SearchExperimentsInput {
  viewType?: ViewType;
  maxResults?: number;
  filter?: string;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** Arguments of {@link TrackingStore.createRun}. */
export interface CreateRunInput {
  experimentId: string;
  userId?: string;
  startTime?: number;
  tags?: RunTag[];
  runName?: string;
}

/** Arguments of {@link TrackingStore.updateRun}: only the given fields change. */
export interface UpdateRunInput {
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

/** Arguments of {@link TrackingStore.logBatch}. */
export interface LogBatchInput {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

/**
 * Arguments of {@link TrackingStore.logInputs}: the datasets a run used, with their input tags,
 * and the logged models it used.
 */
export interface LogInputsInput {
  datasets?: readonly DatasetInput[];
  models?: readonly LoggedModelInput[];
}

/** Arguments of {@link TrackingStore.searchRuns}. */
export interface SearchRunsInput {
  experimentIds: readonly string[];
  filter?: string;
  runViewType?: ViewType;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/** Arguments of {@link TrackingStore.getMetricHistory}. */
export interface MetricHistoryInput {
  maxResults?: number;
  pageToken?: string;
}

/** Arguments of {@link TrackingStore.getMetricHistoryBulk}. */
export interface MetricHistoryBulkInput {
  /** The most values returned in all; default and upper bound 25,000. */
  maxResults?: number;
}

/** Arguments of {@link TrackingStore.getMetricHistoryBulkInterval}. */
export interface MetricHistoryBulkIntervalInput {
  /** First step of the range (inclusive); given together with `endStep` or not at all. */
  startStep?: number;
  /** Last step of the range (inclusive). */
  endStep?: number;
  /** How many steps to sample, 1 to 2,500; default 2,500. */
  maxResults?: number;
}

/**
 * Arguments of {@link TrackingStore.createLoggedModel}, as MLflow's `CreateLoggedModel`: the
 * experiment is required; a model without a name gets a generated one.
 */
export interface CreateLoggedModelInput {
  experimentId: string;
  name?: string;
  modelType?: string;
  /** The run that produced the model; MLflow records it as given, without looking it up. */
  sourceRunId?: string;
  params?: readonly KeyValue[];
  tags?: readonly KeyValue[];
}

/** A dataset a logged-model search reads metrics of, as MLflow's `DatasetFilter`. */
export interface LoggedModelDatasetFilter {
  datasetName: string;
  datasetDigest?: string;
}

/** One sort key of a logged-model search, as MLflow's `OrderBy` (`metrics.accuracy`, `creation_time`, ...). */
export interface LoggedModelOrderBy {
  fieldName: string;
  ascending?: boolean;
  datasetName?: string;
  datasetDigest?: string;
}

/** Arguments of {@link TrackingStore.searchLoggedModels}. */
export interface SearchLoggedModelsInput {
  experimentIds: readonly string[];
  filter?: string;
  datasets?: readonly LoggedModelDatasetFilter[];
  maxResults?: number;
  orderBy?: readonly LoggedModelOrderBy[];
  pageToken?: string;
}

/**
 * The one interface every backend implements: SQLite, PostgreSQL, a remote MLflow server.
 *
 * Semantics follow MLflow's tracking store: ids are strings, times are epoch milliseconds,
 * every failure is an `AgentrackError` with MLflow's error code. Stores validate their
 * input themselves, so every surface built on them (library, server, CLI) gets the same rules.
 */
export interface TrackingStore {
  /** Which backend this is, for messages and diagnostics. */
  readonly kind: 'sqlite' | 'postgresql' | 'rest';
  /**
   * The model registry that goes with this store: the same database for the SQL stores, the
   * same server's registry API over REST (unless a registry URI names another). Closed with
   * the store.
   */
  readonly registry: ModelRegistryStore;
  /**
   * The traces and assessments of this store's experiments: the same database for the SQL
   * stores, the same server's trace API over REST (spans through its artifact service).
   */
  readonly traces: TraceStore;

  createExperiment(input: CreateExperimentInput): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  /** The experiment with that name, active or deleted, or `null`. */
  getExperimentByName(name: string): Promise<Experiment | null>;
  searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  createRun(input: CreateRunInput): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  logMetric(runId: string, metric: Metric): Promise<void>;
  logParam(runId: string, param: Param): Promise<void>;
  setTag(runId: string, tag: RunTag): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logBatch(runId: string, input: LogBatchInput): Promise<void>;
  /**
   * Records datasets a run used, as MLflow's `log_inputs`: a dataset is identified within the
   * run's experiment by (name, digest); logging one the run already has changes nothing.
   */
  logInputs(runId: string, input: LogInputsInput): Promise<void>;
  getMetricHistory(runId: string, metricKey: string, input?: MetricHistoryInput): Promise<Page<Metric>>;
  searchRuns(input: SearchRunsInput): Promise<Page<Run>>;
  /**
   * How many active (not deleted) runs an experiment has, counted by the backend in one query.
   * MLflow's REST API has no count: the REST store answers NOT_IMPLEMENTED.
   */
  countRuns(experimentId: string): Promise<number>;
  /**
   * One metric's history in up to 100 runs at once, as MLflow's `get-history-bulk`: ordered by
   * run id, then timestamp, step and value; at most `maxResults` values in all.
   */
  getMetricHistoryBulk(
    runIds: readonly string[],
    metricKey: string,
    input?: MetricHistoryBulkInput,
  ): Promise<MetricWithRunId[]>;
  /**
   * One metric's values in up to 100 runs at a sample of their steps, as MLflow's
   * `get-history-bulk-interval`: up to `maxResults` steps spread evenly over the range, always
   * including each run's first and last step in it; per run, in the order given, by step.
   */
  getMetricHistoryBulkInterval(
    runIds: readonly string[],
    metricKey: string,
    input?: MetricHistoryBulkIntervalInput,
  ): Promise<MetricWithRunId[]>;
  /**
   * The datasets the runs of up to 20 experiments used, as MLflow's `search-datasets`: one
   * summary per dataset and context, at most 1,000.
   */
  searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]>;
  /**
   * Links logged models to a run as its outputs, each at a step, as MLflow's `log_outputs`
   * (`runs/outputs`); `runs/get` then lists them in `outputs.model_outputs`. Linking a model
   * the run already has changes nothing.
   */
  logOutputs(runId: string, models: readonly LoggedModelOutput[]): Promise<void>;

  /**
   * Creates a logged model (MLflow 3's `create_logged_model`) in an active experiment, PENDING,
   * with the id `m-<32 hex digits>` and its artifacts at
   * `<experiment artifact location>/models/<model_id>/artifacts`.
   */
  createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel>;
  /** A logged model with its tags, params and metrics; RESOURCE_DOES_NOT_EXIST when unknown or deleted. */
  getLoggedModel(modelId: string): Promise<LoggedModel>;
  /** Soft-deletes a logged model: it leaves searches and reads as RESOURCE_DOES_NOT_EXIST. */
  deleteLoggedModel(modelId: string): Promise<void>;
  /** Sets a logged model's final status (`LOGGED_MODEL_READY` or `LOGGED_MODEL_UPLOAD_FAILED`), and answers the model. */
  finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel>;
  /** Sets tags on a logged model, overwriting a key's value; the last of a key given twice wins. */
  setLoggedModelTags(modelId: string, tags: readonly KeyValue[]): Promise<void>;
  /** Deletes a logged model's tag; RESOURCE_DOES_NOT_EXIST when it has no such tag. */
  deleteLoggedModelTag(modelId: string, key: string): Promise<void>;
  /** Logs params of a logged model; as a run's, a param is written once (the same value again is accepted). */
  logLoggedModelParams(modelId: string, params: readonly KeyValue[]): Promise<void>;
  /**
   * One page of the logged models of some experiments (MLflow 3's `logged-models/search`), with
   * MLflow's filter and order language for logged models; by default the newest first.
   */
  searchLoggedModels(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>>;

  /** Releases connections and files. Further calls fail with INVALID_STATE. */
  close(): Promise<void>;
}

/**
 * Permanent removal of what was deleted, for `agentrack gc` (MLflow's `_get_deleted_runs`,
 * `_hard_delete_run` and `_hard_delete_experiment`). Only a store that owns its database
 * offers it (the SQL stores): MLflow's REST API has no such operation, so it is no part of
 * {@link TrackingStore}, whose every operation works on every backend.
 */
export interface PermanentDeletion {
  /**
   * The ids of runs in the `deleted` stage; with `olderThanMs` above 0, only those deleted at
   * least that long ago (a run deleted by an older agentrack, without a deletion time, never is).
   */
  deletedRunIds(olderThanMs?: number): Promise<string[]>;
  /**
   * Removes a deleted run for good, in one transaction: its params, tags, metrics, latest
   * metrics and inputs (and the datasets only it used). An active run is INVALID_PARAMETER_VALUE.
   */
  hardDeleteRun(runId: string): Promise<void>;
  /**
   * Removes a deleted experiment for good, in one transaction, with its tags, its datasets and
   * every run still in it. An active experiment is INVALID_PARAMETER_VALUE.
   */
  hardDeleteExperiment(experimentId: string): Promise<void>;
}

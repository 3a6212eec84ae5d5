/**
 * MLflow's entities, in the exact JSON shapes MLflow's REST API returns (snake_case).
 *
 * Optional fields are absent rather than null, and empty lists are omitted, as MLflow's
 * protobuf JSON does: {@link toMlflowJson} of an entity is what MLflow's server would answer
 * (plain `JSON.stringify` would turn NaN and ±Infinity metric values into `null`).
 */

/** Lifecycle stages of experiments and runs. */
export const LIFECYCLE_STAGES = ['active', 'deleted'] as const;
/** `active` or `deleted`. */
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

/** Run statuses, as MLflow's `RunStatus`. */
export const RUN_STATUSES = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'] as const;
/** One of {@link RUN_STATUSES}. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Which lifecycle stages a search sees, as MLflow's `ViewType`. */
export const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'] as const;
/** One of {@link VIEW_TYPES}. */
export type ViewType = (typeof VIEW_TYPES)[number];

/** True when `value` is a run status. */
export function isRunStatus(value: unknown): value is RunStatus {
  return typeof value === 'string' && (RUN_STATUSES as readonly string[]).includes(value);
}

/** True when `value` is a view type. */
export function isViewType(value: unknown): value is ViewType {
  return typeof value === 'string' && (VIEW_TYPES as readonly string[]).includes(value);
}

/** A key/value pair: a tag or a param. */
export interface KeyValue {
  key: string;
  value: string;
}

/** A run tag. */
export type RunTag = KeyValue;
/** A run param. */
export type Param = KeyValue;
/** An experiment tag. */
export type ExperimentTag = KeyValue;

/**
 * One metric value. `value` is a number, or, as on MLflow's wire, the strings
 * `"NaN"`, `"Infinity"` and `"-Infinity"` once serialized; in memory it stays a JS number.
 * A metric logged with `model_id` (MLflow 3) is also the logged model's, on the dataset named
 * by `dataset_name` and `dataset_digest` when given; a run's metrics are read without them.
 */
export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  model_id?: string;
  dataset_name?: string;
  dataset_digest?: string;
}

/** An experiment, as MLflow's `Experiment` message. */
export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time: number;
  creation_time: number;
  tags?: ExperimentTag[];
}

/** A run's metadata, as MLflow's `RunInfo` message. */
export interface RunInfo {
  run_uuid: string;
  experiment_id: string;
  run_name: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
  run_id: string;
}

/** A run's data: latest metrics, params and tags. Empty lists are omitted. */
export interface RunData {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

/** A tag of a run input, as MLflow's `InputTag`: e.g. `mlflow.data.context` = `training`. */
export type InputTag = KeyValue;

/**
 * A dataset, as MLflow's `Dataset` message: identified within an experiment by `name` and
 * `digest`. `schema` and `profile` are absent when empty, as MLflow answers.
 */
export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** A dataset a run used, with the tags of that use, as MLflow's `DatasetInput`. Empty tags are omitted. */
export interface DatasetInput {
  tags?: InputTag[];
  dataset: Dataset;
}

/** A logged model a run used, as MLflow's `ModelInput`. */
export interface LoggedModelInput {
  model_id: string;
}

/** A logged model a run produced, at a step of the run, as MLflow's `ModelOutput`. */
export interface LoggedModelOutput {
  model_id: string;
  step: number;
}

/** A run's inputs, as MLflow's `RunInputs`: `{}` when the run has none. */
export interface RunInputs {
  dataset_inputs?: DatasetInput[];
  /** The logged models the run used; only a read of one run (`runs/get`) has them, as in MLflow. */
  model_inputs?: LoggedModelInput[];
}

/** A run's outputs, as MLflow's `RunOutputs`: `{}` when the run has none. */
export interface RunOutputs {
  model_outputs?: LoggedModelOutput[];
}

/**
 * A run, as MLflow's `Run` message. `outputs` is set by a read of one run (`runs/get`), as
 * MLflow sets it, and absent from searches and from the run `runs/create` answers with.
 */
export interface Run {
  info: RunInfo;
  data: RunData;
  inputs: RunInputs;
  outputs?: RunOutputs;
}

/**
 * A metric value and the run it was logged to, as MLflow's `MetricWithRunId`: what the bulk
 * metric history endpoints answer with, for charts over several runs.
 */
export interface MetricWithRunId extends Metric {
  run_id: string;
}

/**
 * A dataset the runs of an experiment used, as MLflow's `DatasetSummary`: one per dataset and
 * context (the `mlflow.data.context` tag of the use); `context` is absent for uses without one.
 */
export interface DatasetSummary {
  experiment_id: string;
  name: string;
  digest: string;
  context?: string;
}

/** Statuses of a logged model, as MLflow's `LoggedModelStatus` names them on the wire. */
export const LOGGED_MODEL_STATUSES = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
] as const;
/** One of {@link LOGGED_MODEL_STATUSES}. */
export type LoggedModelStatus = (typeof LOGGED_MODEL_STATUSES)[number];

/** True when `value` is one of {@link LOGGED_MODEL_STATUSES}. */
export function isLoggedModelStatus(value: unknown): value is LoggedModelStatus {
  return typeof value === 'string' && (LOGGED_MODEL_STATUSES as readonly string[]).includes(value);
}

/**
 * A logged model's status as MLflow's client shows it and as filters compare it (`status =
 * 'READY'`): the wire name without its prefix, `FAILED` for `LOGGED_MODEL_UPLOAD_FAILED`.
 *
 * @example loggedModelStatusName('LOGGED_MODEL_READY') // 'READY'
 */
export function loggedModelStatusName(status: LoggedModelStatus): string {
  switch (status) {
    case 'LOGGED_MODEL_PENDING':
      return 'PENDING';
    case 'LOGGED_MODEL_READY':
      return 'READY';
    case 'LOGGED_MODEL_UPLOAD_FAILED':
      return 'FAILED';
    default:
      return 'UNSPECIFIED';
  }
}

/** A metric of a logged model: a metric value with the run, model and dataset it was logged with. */
export interface LoggedModelMetric extends Metric {
  run_id?: string;
}

/**
 * A logged model's metadata, as MLflow's `LoggedModelInfo`. `model_type` and `source_run_id`
 * are always there (empty when not given), as MLflow's server answers; other empty fields are
 * absent.
 */
export interface LoggedModelInfo {
  model_id: string;
  experiment_id: string;
  name: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  artifact_uri: string;
  status: LoggedModelStatus;
  model_type?: string;
  source_run_id?: string;
  status_message?: string;
  tags?: KeyValue[];
  registrations?: { name: string; version: string }[];
}

/** A model logged in an experiment (MLflow 3's `LoggedModel`): its info, params and metrics. */
export interface LoggedModel {
  info: LoggedModelInfo;
  data: { params?: KeyValue[]; metrics?: LoggedModelMetric[] };
}

/**
 * A file or folder among a run's artifacts, as MLflow's `FileInfo`: `path` from the run's
 * artifact root (`configs/agent.json`), `file_size` (bytes) on files only.
 */
export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/**
 * The run tag listing the artifacts MLflow's UI shows specially: a JSON list of
 * `{"path", "type"}`, e.g. the tables `log_table` writes (type `table`).
 */
export const LOGGED_ARTIFACTS_TAG = 'mlflow.loggedArtifacts';

/** The tag MLflow mirrors a run's name into. */
export const RUN_NAME_TAG = 'mlflow.runName';
/** The tag MLflow records the user in. */
export const USER_TAG = 'mlflow.user';
/** The input tag saying what a run used a dataset for (`training`, `eval`, ...): `datasets.context` in filters. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** MLflow's JSON form of a metric value: numbers as numbers, NaN and ±Infinity as strings. */
export function metricValueToJson(value: number): number | string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return value;
}

/**
 * Serializes entities as MLflow's REST API does: like `JSON.stringify`, except that NaN and
 * ±Infinity become `"NaN"`, `"Infinity"` and `"-Infinity"` instead of `null`.
 *
 * @example toMlflowJson({ key: 'loss', value: NaN }) // '{"key":"loss","value":"NaN"}'
 */
export function toMlflowJson(value: unknown): string {
  // JSON.stringify writes a non-finite number as `null`: an answer without `null` holds none, and
  // needs no replacer (a call per value, which doubled the time of a 10,000-entry listing).
  const plain = JSON.stringify(value);
  if (plain === undefined || !plain.includes('null')) return plain;
  return JSON.stringify(value, nonFiniteAsString);
}

function nonFiniteAsString(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? metricValueToJson(v) : v;
}

export {
  MODEL_VERSION_STAGES,
  MODEL_VERSION_STATUSES,
  type ModelVersion,
  type ModelVersionStage,
  type ModelVersionStatus,
  type ModelVersionTag,
  type RegisteredModel,
  type RegisteredModelAlias,
  type RegisteredModelTag,
} from './model-registry.js';
export {
  ASSESSMENT_SOURCE_TYPES,
  SPAN_INPUTS_ATTRIBUTE,
  SPAN_OUTPUTS_ATTRIBUTE,
  SPAN_STATUS_CODES,
  SPAN_TYPE_ATTRIBUTE,
  TRACE_ARTIFACT_LOCATION_TAG,
  TRACE_DATA_FILE,
  TRACE_MODEL_ID_KEY,
  TRACE_NAME_TAG,
  TRACE_SOURCE_RUN_KEY,
  TRACE_STATES,
  isTraceState,
  type Assessment,
  type AssessmentError,
  type AssessmentSource,
  type AssessmentSourceType,
  type Expectation,
  type Feedback,
  type JsonValue,
  type Span,
  type SpanEvent,
  type SpanStatusCode,
  type Trace,
  type TraceInfo,
  type TraceLocation,
  type TraceState,
} from './traces.js';

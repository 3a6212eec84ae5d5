import {
  isRunStatus,
  LOGGED_MODEL_STATUSES,
  RUN_NAME_TAG,
  RUN_STATUSES,
  type Dataset,
  type DatasetInput,
  type DatasetSummary,
  type Experiment,
  type KeyValue,
  type LifecycleStage,
  type LoggedModel,
  type LoggedModelInfo,
  type LoggedModelMetric,
  type LoggedModelStatus,
  type Metric,
  MODEL_VERSION_STATUSES,
  type ModelVersion,
  type ModelVersionStatus,
  type RegisteredModel,
  type RegisteredModelAlias,
  type MetricWithRunId,
  type Run,
  type RunData,
  type RunInfo,
  type RunStatus,
} from '../../entities/index.js';
import { AgentrackError } from '../../errors.js';

// Readers of MLflow's proto-JSON into agentrack's entities, and the few writers a client needs.
// The readers accept what MLflow-compatible servers send in practice: int64 as numbers or
// strings, metric values as numbers or "NaN"/"Infinity"/"-Infinity", enums by name or number,
// empty lists and defaults left out.

type Json = Record<string, unknown>;

/** An `Experiment` message as agentrack's {@link Experiment}: tags omitted when there are none. */
export function experimentFromWire(value: unknown): Experiment {
  const raw = object(value, 'experiment');
  const experiment: Experiment = {
    experiment_id: text(raw.experiment_id),
    name: text(raw.name),
    artifact_location: text(raw.artifact_location),
    lifecycle_stage: stage(raw.lifecycle_stage),
    last_update_time: integer(raw.last_update_time),
    creation_time: integer(raw.creation_time),
  };
  const tags = pairs(raw.tags);
  if (tags.length > 0) experiment.tags = tags;
  return experiment;
}

/** A `Run` message as agentrack's {@link Run}: `info`, `data` and `inputs`, empty lists omitted. */
export function runFromWire(value: unknown): Run {
  const raw = object(value, 'run');
  const data = raw.data === undefined ? {} : object(raw.data, 'run data');
  const out: RunData = {};
  const metrics = list(data.metrics).map(metricFromWire);
  const params = pairs(data.params);
  const tags = pairs(data.tags);
  if (metrics.length > 0) out.metrics = metrics;
  if (params.length > 0) out.params = params;
  if (tags.length > 0) out.tags = tags;
  const info = runInfoFromWire(raw.info);
  // Servers from before run names kept the name only in its tag.
  if (info.run_name === '') info.run_name = tags.find((t) => t.key === RUN_NAME_TAG)?.value ?? '';
  const inputs = raw.inputs === undefined || raw.inputs === null ? {} : object(raw.inputs, 'run inputs');
  const datasetInputs = list(inputs.dataset_inputs).map(datasetInputFromWire);
  const modelInputs = list(inputs.model_inputs).map((item) => ({
    model_id: text(object(item, 'model input').model_id),
  }));
  const run: Run = {
    info,
    data: out,
    inputs: {
      ...(datasetInputs.length > 0 ? { dataset_inputs: datasetInputs } : {}),
      ...(modelInputs.length > 0 ? { model_inputs: modelInputs } : {}),
    },
  };
  // Present on a read of one run (MLflow's `runs/get`), absent from searches and creates.
  if (raw.outputs !== undefined && raw.outputs !== null) {
    const outputs = object(raw.outputs, 'run outputs');
    const models = list(outputs.model_outputs).map((item) => {
      const output = object(item, 'model output');
      return { model_id: text(output.model_id), step: integer(output.step) };
    });
    run.outputs = models.length > 0 ? { model_outputs: models } : {};
  }
  return run;
}

/** A `DatasetInput` message as agentrack's {@link DatasetInput}: empty tags, schema and profile omitted. */
export function datasetInputFromWire(value: unknown): DatasetInput {
  const raw = object(value, 'dataset input');
  const fields = object(raw.dataset ?? {}, 'dataset');
  const dataset: Dataset = {
    name: text(fields.name),
    digest: text(fields.digest),
    source_type: text(fields.source_type),
    source: text(fields.source),
  };
  const schema = text(fields.schema);
  const profile = text(fields.profile);
  if (schema !== '') dataset.schema = schema;
  if (profile !== '') dataset.profile = profile;
  const tags = pairs(raw.tags);
  return tags.length > 0 ? { tags, dataset } : { dataset };
}

/** A `RunInfo` message as agentrack's {@link RunInfo}, in MLflow's key order. */
export function runInfoFromWire(value: unknown): RunInfo {
  const raw = object(value, 'run info');
  const id = text(raw.run_id ?? raw.run_uuid);
  const info: Record<string, unknown> = {
    run_uuid: text(raw.run_uuid ?? raw.run_id),
    experiment_id: text(raw.experiment_id),
    run_name: text(raw.run_name),
    user_id: text(raw.user_id),
    status: status(raw.status),
    start_time: integer(raw.start_time),
  };
  if (raw.end_time !== undefined && raw.end_time !== null) info.end_time = integer(raw.end_time);
  info.artifact_uri = text(raw.artifact_uri);
  info.lifecycle_stage = stage(raw.lifecycle_stage);
  info.run_id = id;
  return info as unknown as RunInfo;
}

/** A `Metric` message as agentrack's {@link Metric}: `"NaN"`, `"Infinity"`, `"-Infinity"` back to numbers. */
export function metricFromWire(value: unknown): Metric {
  const raw = object(value, 'metric');
  return {
    key: text(raw.key),
    value: Number(raw.value ?? 0),
    timestamp: integer(raw.timestamp),
    step: integer(raw.step),
  };
}

/** A `MetricWithRunId` message (a bulk history value) as agentrack's {@link MetricWithRunId}. */
export function metricWithRunIdFromWire(value: unknown): MetricWithRunId {
  const raw = object(value, 'metric');
  return { ...metricFromWire(raw), run_id: text(raw.run_id) };
}

/** A `DatasetSummary` message as agentrack's {@link DatasetSummary}: an empty context omitted. */
export function datasetSummaryFromWire(value: unknown): DatasetSummary {
  const raw = object(value, 'dataset summary');
  const summary: DatasetSummary = {
    experiment_id: text(raw.experiment_id),
    name: text(raw.name),
    digest: text(raw.digest),
  };
  const context = text(raw.context);
  if (context !== '') summary.context = context;
  return summary;
}

/** A `LoggedModel` message as agentrack's {@link LoggedModel}: empty fields and lists omitted. */
export function loggedModelFromWire(value: unknown): LoggedModel {
  const raw = object(value, 'logged model');
  const fields = object(raw.info ?? {}, 'logged model info');
  const info: LoggedModelInfo = {
    model_id: text(fields.model_id),
    experiment_id: text(fields.experiment_id),
    name: text(fields.name),
    creation_timestamp_ms: integer(fields.creation_timestamp_ms),
    last_updated_timestamp_ms: integer(fields.last_updated_timestamp_ms),
    artifact_uri: text(fields.artifact_uri),
    status: loggedModelStatus(fields.status),
    // MLflow's server always answers these two, empty when the model has none.
    model_type: text(fields.model_type),
    source_run_id: text(fields.source_run_id),
  };
  const statusMessage = text(fields.status_message);
  if (statusMessage !== '') info.status_message = statusMessage;
  const tags = pairs(fields.tags);
  if (tags.length > 0) info.tags = tags;
  const registrations = list(fields.registrations).map((item) => {
    const registration = object(item, 'model registration');
    return { name: text(registration.name), version: text(registration.version) };
  });
  if (registrations.length > 0) info.registrations = registrations;
  const data = object(raw.data ?? {}, 'logged model data');
  const params = pairs(data.params);
  const metrics = list(data.metrics).map((item) => {
    const metric: LoggedModelMetric = metricFromWire(item);
    const extra = object(item, 'metric');
    for (const key of ['dataset_name', 'dataset_digest', 'model_id', 'run_id'] as const) {
      const field = text(extra[key]);
      if (field !== '') metric[key] = field;
    }
    return metric;
  });
  return {
    info,
    data: {
      ...(params.length > 0 ? { params } : {}),
      ...(metrics.length > 0 ? { metrics } : {}),
    },
  };
}

/**
 * A `RegisteredModel` message as agentrack's {@link RegisteredModel}: the fields the server
 * sent (optional ones left out when absent), versions as strings, empty lists omitted.
 */
export function registeredModelFromWire(value: unknown): RegisteredModel {
  const raw = object(value, 'registered model');
  const model: RegisteredModel = {
    name: text(raw.name),
    creation_timestamp: integer(raw.creation_timestamp),
    last_updated_timestamp: integer(raw.last_updated_timestamp),
  };
  if (present(raw.user_id)) model.user_id = text(raw.user_id);
  if (present(raw.description)) model.description = text(raw.description);
  const latest = list(raw.latest_versions).map(modelVersionFromWire);
  if (latest.length > 0) model.latest_versions = latest;
  const tags = pairs(raw.tags);
  if (tags.length > 0) model.tags = tags;
  const aliases = list(raw.aliases).map((item): RegisteredModelAlias => {
    const alias = object(item, 'registered model alias');
    return { alias: text(alias.alias), version: text(alias.version) };
  });
  if (aliases.length > 0) model.aliases = aliases;
  return model;
}

/**
 * A `ModelVersion` message as agentrack's {@link ModelVersion}: the version as a string, the
 * status by name (a number read as MLflow's `ModelVersionStatus`), absent strings empty and
 * optional ones left out, empty lists omitted.
 */
export function modelVersionFromWire(value: unknown): ModelVersion {
  const raw = object(value, 'model version');
  // In the order of MLflow's message, as its server answers.
  const version: Record<string, unknown> = {
    name: text(raw.name),
    version: text(raw.version),
    creation_timestamp: integer(raw.creation_timestamp),
    last_updated_timestamp: integer(raw.last_updated_timestamp),
  };
  if (present(raw.user_id)) version.user_id = text(raw.user_id);
  version.current_stage = present(raw.current_stage) ? text(raw.current_stage) : 'None';
  version.description = text(raw.description);
  version.source = text(raw.source);
  version.run_id = text(raw.run_id);
  version.status = modelVersionStatus(raw.status);
  if (present(raw.status_message)) version.status_message = text(raw.status_message);
  const tags = pairs(raw.tags);
  if (tags.length > 0) version.tags = tags;
  version.run_link = text(raw.run_link);
  const aliases = list(raw.aliases).map(text);
  if (aliases.length > 0) version.aliases = aliases;
  if (present(raw.model_id)) version.model_id = text(raw.model_id);
  return version as unknown as ModelVersion;
}

/** The list under `key`, or an empty list when the server left it out. */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function pairs(value: unknown): KeyValue[] {
  return list(value).map((item) => {
    const raw = object(item, 'tag or param');
    return { key: text(raw.key), value: text(raw.value) };
  });
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AgentrackError(
      'INTERNAL_ERROR',
      `Unexpected response from the tracking server: expected the ${what} as an object, got ${JSON.stringify(value) ?? 'nothing'}.`,
    );
  }
  return value as Json;
}

function text(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

function integer(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
}

function stage(value: unknown): LifecycleStage {
  return value === 'deleted' ? 'deleted' : 'active';
}

function status(value: unknown): RunStatus {
  if (isRunStatus(value)) return value;
  const n = Number(value);
  return (Number.isInteger(n) ? RUN_STATUSES[n - 1] : undefined) ?? (String(value) as RunStatus);
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

// Protobuf's default for an absent enum is its first value.
function modelVersionStatus(value: unknown): ModelVersionStatus {
  const byName = MODEL_VERSION_STATUSES.find((s) => s === value);
  if (byName) return byName;
  const n = Number(value);
  return (Number.isInteger(n) ? MODEL_VERSION_STATUSES[n - 1] : undefined) ?? MODEL_VERSION_STATUSES[0];
}

function loggedModelStatus(value: unknown): LoggedModelStatus {
  const n = Number(value);
  const byNumber =
    typeof value === 'number' || /^[0-9]+$/.test(String(value)) ? LOGGED_MODEL_STATUSES[n] : undefined;
  const byName = LOGGED_MODEL_STATUSES.find((s) => s === value);
  return byName ?? byNumber ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED';
}

/** Tags or params as MLflow's client sends them: `key` and `value` only; left out when there are none. */
export function keyValuesToWire(items: readonly KeyValue[] | undefined): KeyValue[] | undefined {
  return items && items.length > 0 ? items.map((item) => ({ key: item.key, value: item.value })) : undefined;
}

/** A string field every answer of `endpoint` has (an id sent as a string or a number). */
export function requiredText(body: Json, key: string, endpoint: string): string {
  const value = body[key];
  if ((typeof value !== 'string' && typeof value !== 'number') || value === '') {
    throw new AgentrackError(
      'INTERNAL_ERROR',
      `Unexpected response from ${endpoint}: no '${key}' in ${JSON.stringify(body)}.`,
    );
  }
  return String(value);
}

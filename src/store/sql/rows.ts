/**
 * Rows as the SQL store reads them, and their conversion to MLflow's entities. Shared by
 * every SQL backend; the column lists match `schema.ts`.
 */
import type { Dataset, LifecycleStage, Metric, Param, RunInfo, RunStatus } from '../../entities/index.js';
import { AgentrackError, invalidParameter, notFound } from '../../errors.js';

/** A row of `experiments`. */
export interface ExperimentRow {
  experiment_id: number | string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  creation_time: number | string;
  last_update_time: number | string;
  [column: string]: unknown;
}

/** A row of `runs` (the columns of {@link RUN_COLUMNS}). */
export interface RunRow {
  run_seq: number | string;
  run_uuid: string;
  experiment_id: number | string;
  name: string;
  user_id: string;
  status: RunStatus;
  start_time: number | string | null;
  end_time: number | string | null;
  lifecycle_stage: LifecycleStage;
  artifact_uri: string;
  [column: string]: unknown;
}

/** A row of `tags` or `params`. */
export interface KeyValueRow {
  run_seq: number | string;
  key: string;
  value: string;
  [column: string]: unknown;
}

/** A row of `metrics` or `latest_metrics`. */
export interface MetricRow {
  run_seq: number | string;
  key: string;
  value: number;
  timestamp: number | string;
  step: number | string;
  is_nan: number | boolean;
  [column: string]: unknown;
}

/** A row of `inputs` joined with its `datasets` row (the columns of {@link INPUT_COLUMNS}). */
export interface InputRow {
  run_seq: number | string;
  input_seq: number | string;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
  [column: string]: unknown;
}

/** A row of `input_tags`. */
export interface InputTagRow {
  input_seq: number | string;
  name: string;
  value: string;
  [column: string]: unknown;
}

/** The columns a read of runs' inputs selects, over `inputs AS i JOIN datasets AS d`. */
export const INPUT_COLUMNS =
  'i.run_seq, i.input_seq, d.name, d.digest, d.dataset_source_type, d.dataset_source, d.dataset_schema, d.dataset_profile';

/** The `runs` columns every run read selects. */
export const RUN_COLUMNS =
  'run_seq, run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri';
/** The `experiments` columns every experiment read selects. */
export const EXPERIMENT_COLUMNS =
  'experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time';

/** Rows per `IN (...)` list when loading the data of many runs at once. */
const IN_CHUNK = 500;

/** MLflow's rule for the latest value of a metric: the greatest (step, timestamp, value). */
export function isLater(a: Metric, b: Metric): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  return storedValue(a.value) > storedValue(b.value);
}

/** The value SQL compares: NaN is stored as 0 next to its `is_nan` flag. */
export function storedValue(value: number): number {
  return Number.isNaN(value) ? 0 : value;
}

/** A metric row as MLflow's Metric (NaN restored from `is_nan`). */
export function toMetric(row: MetricRow): Metric {
  return {
    key: row.key,
    value: Number(row.is_nan) ? Number.NaN : Number(row.value),
    timestamp: Number(row.timestamp),
    step: Number(row.step),
  };
}

/** An input row's dataset as MLflow's Dataset, in MLflow's key order; empty schema and profile left out. */
export function toDataset(row: InputRow): Dataset {
  const dataset: Dataset = {
    name: row.name,
    digest: row.digest,
    source_type: row.dataset_source_type,
    source: row.dataset_source,
  };
  if (row.dataset_schema) dataset.schema = row.dataset_schema;
  if (row.dataset_profile) dataset.profile = row.dataset_profile;
  return dataset;
}

/** A run row as MLflow's RunInfo, in MLflow's key order. */
export function toRunInfo(row: RunRow): RunInfo {
  const info: RunInfo = {
    run_uuid: row.run_uuid,
    experiment_id: String(row.experiment_id),
    run_name: row.name,
    user_id: row.user_id,
    status: row.status,
    start_time: Number(row.start_time ?? 0),
    artifact_uri: row.artifact_uri,
    lifecycle_stage: row.lifecycle_stage,
    run_id: row.run_uuid,
  };
  if (row.end_time !== null && row.end_time !== undefined) info.end_time = Number(row.end_time);
  // Keep MLflow's key order: end_time sits between start_time and artifact_uri.
  return reorder(info);
}

const RUN_INFO_KEYS = [
  'run_uuid',
  'experiment_id',
  'run_name',
  'user_id',
  'status',
  'start_time',
  'end_time',
  'artifact_uri',
  'lifecycle_stage',
  'run_id',
] as const;

function reorder(info: RunInfo): RunInfo {
  const out: Record<string, unknown> = {};
  for (const key of RUN_INFO_KEYS) if (info[key] !== undefined) out[key] = info[key];
  return out as unknown as RunInfo;
}

/** MLflow's error for a missing experiment id. */
export function experimentNotFound(id: string): AgentrackError {
  return notFound(`No Experiment with id=${id} exists`);
}

/** MLflow's error for a taken experiment name ("already exists"). */
export function experimentExists(name: string): AgentrackError {
  return new AgentrackError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.`);
}

/** `items` in slices small enough for one `IN (...)` list. */
export function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IN_CHUNK) out.push(items.slice(i, i + IN_CHUNK));
  return out;
}

/** Appends `value` to the list at `key`. */
export function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * MLflow's refusal to change a logged param: INVALID_PARAMETER_VALUE listing each param of
 * `params` whose value differs from the one in `existing` (`owner`: `run ID='...'`).
 */
export function refuseChangedParams(
  params: readonly Param[],
  existing: ReadonlyMap<string, string>,
  owner: string,
): void {
  const conflicts = params.filter((p) => existing.has(p.key) && existing.get(p.key) !== p.value);
  if (conflicts.length === 0) return;
  const described = conflicts
    .map((p) => `{'key': '${p.key}', 'old_value': '${existing.get(p.key)}', 'new_value': '${p.value}'}`)
    .join(', ');
  throw invalidParameter(
    `Changing param values is not allowed. Params were already logged='[${described}]' for ${owner}.`,
  );
}

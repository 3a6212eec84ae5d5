import type { Metric } from '../entities/index.js';
import { fail, invalidValue, jsonPath, missingValue, pyStr } from './_format.js';
import { limitedString } from './_value.js';
import { validateMetricKey } from './entity-key.js';
import { MAX_DATASET_DIGEST_LENGTH, MAX_DATASET_NAME_LENGTH, MAX_LOGGED_MODEL_ID_LENGTH } from './limits.js';

/** A metric as received, before validation: every field may be missing or of the wrong type. */
export interface MetricInput {
  key?: unknown;
  value?: unknown;
  timestamp?: unknown;
  step?: unknown;
  model_id?: unknown;
  dataset_name?: unknown;
  dataset_digest?: unknown;
}

// The MLflow 3 fields that also make a metric a logged model's, with their longest values.
const MODEL_FIELDS = [
  ['model_id', MAX_LOGGED_MODEL_ID_LENGTH],
  ['dataset_name', MAX_DATASET_NAME_LENGTH],
  ['dataset_digest', MAX_DATASET_DIGEST_LENGTH],
] as const;

/** Where an entity sits in its request, for messages: `metrics[2]` inside a log-batch. */
export interface EntityPathOptions {
  /** JSON path prefix of the entity's fields; empty (the default) for a single entity. */
  path?: string;
}

const INT64_LIMIT = 2 ** 63;

/** True for an integer within the signed 64-bit range (a protobuf `int64`). */
export function isInt64(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT;
}

/**
 * Checks one metric as MLflow's tracking store does and returns it. `value` must be a
 * number (NaN and ±Infinity allowed; booleans and numeric strings are not); `timestamp` a
 * non-negative integer in milliseconds; `step` an integer, 0 when absent.
 *
 * Stricter than MLflow, which accepts any number for `timestamp` and `step` (even NaN or
 * 1.5) and then stores a truncated or meaningless value: both must be 64-bit integers here.
 * `model_id`, `dataset_name` and `dataset_digest` (MLflow 3) are kept when they are non-empty
 * strings; whether the model exists is the store's check.
 *
 * @example validateMetric({ key: 'loss', value: NaN, timestamp: 1700000000000 })
 * // { key: 'loss', value: NaN, timestamp: 1700000000000, step: 0 }
 */
export function validateMetric(metric: MetricInput, options: EntityPathOptions = {}): Metric {
  const prefix = options.path ?? '';
  const key = validateMetricKey(metric.key, prefix);
  const { value, timestamp } = metric;
  const step = metric.step ?? 0;

  if (value === undefined || value === null) fail(missingValue(jsonPath(prefix, 'value')));
  if (typeof value !== 'number') {
    fail(
      invalidValue(
        jsonPath(prefix, 'value'),
        value,
        `(timestamp=${pyStr(timestamp)}). Please specify value as a valid double (64-bit floating point)`,
      ),
    );
  }
  if (timestamp === undefined || timestamp === null) fail(missingValue(jsonPath(prefix, 'timestamp')));
  if (!isInt64(timestamp) || timestamp < 0) {
    fail(
      invalidValue(
        jsonPath(prefix, 'timestamp'),
        timestamp,
        `metric '${key}' (value=${pyStr(value)}). Timestamp must be a nonnegative long (64-bit integer) `,
      ),
    );
  }
  if (!isInt64(step)) {
    fail(
      invalidValue(
        jsonPath(prefix, 'step'),
        step,
        `metric '${key}' (value=${pyStr(value)}). Step must be a valid long (64-bit integer).`,
      ),
    );
  }
  const checked: Metric = { key, value, timestamp, step };
  for (const [field, limit] of MODEL_FIELDS) {
    const text = limitedString({
      value: metric[field],
      path: jsonPath(prefix, field),
      label: jsonPath(prefix, field),
      limit,
      truncate: false,
    });
    if (text !== '') checked[field] = text;
  }
  return checked;
}

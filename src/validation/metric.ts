import type { Metric } from '../entities/index.js';
import { fail, invalidValue, jsonPath, missingValue, pyStr } from './_format.js';
import { validateMetricKey } from './entity-key.js';

/** A metric as received, before validation: every field may be missing or of the wrong type. */
export interface MetricInput {
  key?: unknown;
  value?: unknown;
  timestamp?: unknown;
  step?: unknown;
}

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
  return { key, value, timestamp, step };
}

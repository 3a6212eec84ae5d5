import { fail, invalidValue, missingValue, pyStr } from './_format.js';
import { BULK_HISTORY_MAX_RESULTS, MAX_RUNS_PER_BULK_HISTORY, MAX_SAMPLED_STEPS } from './limits.js';
import { isInt64 } from './metric.js';

// The interval endpoint's checks are MLflow's request-schema checks, whose messages end so.
const API_DOCS = ' See the API docs for more information about request parameters.';

/** A checked `get-history-bulk` request. */
export interface ValidMetricHistoryBulk {
  runIds: string[];
  metricKey: string;
  maxResults: number;
}

/** A checked `get-history-bulk-interval` request. */
export interface ValidMetricHistoryBulkInterval {
  runIds: string[];
  metricKey: string;
  /** The step range asked for; `undefined` for MLflow's default, from step 0 to the last step logged. */
  range: { start: number; end: number } | undefined;
  maxResults: number;
}

/**
 * Checks the run ids of a `get-history-bulk` request: 1 to {@link MAX_RUNS_PER_BULK_HISTORY}
 * strings. An id no run has is allowed (it has no values).
 */
export function validateBulkHistoryRunIds(runIds: unknown): string[] {
  if (!Array.isArray(runIds)) fail(invalidValue('run_id', runIds, 'Expected a list of run IDs.'));
  if (runIds.length === 0) fail('GetMetricHistoryBulk request must specify at least one run_id.');
  if (runIds.length > MAX_RUNS_PER_BULK_HISTORY) {
    fail(
      `GetMetricHistoryBulk request cannot specify more than ${MAX_RUNS_PER_BULK_HISTORY} run_ids. ` +
        `Received ${runIds.length} run_ids.`,
    );
  }
  return runIds.map((id: unknown, i) => {
    if (typeof id !== 'string') fail(invalidValue(`run_id[${i}]`, id));
    return id;
  });
}

/** Checks the metric key of a `get-history-bulk` request: required, and, as in MLflow, possibly empty. */
export function validateBulkHistoryMetricKey(metricKey: unknown): string {
  if (metricKey === undefined || metricKey === null) {
    fail('GetMetricHistoryBulk request must specify a metric_key.');
  }
  if (typeof metricKey !== 'string') fail(invalidValue('metric_key', metricKey));
  return metricKey;
}

/**
 * Checks a `get-history-bulk` request in MLflow's order: run ids, metric key, then
 * `max_results` (default {@link BULK_HISTORY_MAX_RESULTS}, larger values lowered to it; 0
 * answers nothing). MLflow fails with an internal error on a `max_results` that is no
 * integer and misreads a negative one: both are refused here.
 *
 * @example validateMetricHistoryBulk(['a', 'b'], 'loss', undefined) // { ..., maxResults: 25000 }
 */
export function validateMetricHistoryBulk(
  runIds: unknown,
  metricKey: unknown,
  maxResults: unknown,
): ValidMetricHistoryBulk {
  const ids = validateBulkHistoryRunIds(runIds);
  const key = validateBulkHistoryMetricKey(metricKey);
  if (maxResults === undefined || maxResults === null) {
    return { runIds: ids, metricKey: key, maxResults: BULK_HISTORY_MAX_RESULTS };
  }
  if (!isInt64(maxResults) || maxResults < 0) {
    fail(
      `Invalid value ${pyStr(maxResults)} for parameter 'max_results' supplied. It must be a non-negative integer`,
    );
  }
  return { runIds: ids, metricKey: key, maxResults: Math.min(maxResults, BULK_HISTORY_MAX_RESULTS) };
}

/**
 * Checks a `get-history-bulk-interval` request with MLflow's rules and messages: 1 to
 * {@link MAX_RUNS_PER_BULK_HISTORY} run ids, a metric key, integer steps given both or neither
 * with `start_step <= end_step`, and `max_results` from 1 to {@link MAX_SAMPLED_STEPS}
 * (default {@link MAX_SAMPLED_STEPS}).
 *
 * @example validateMetricHistoryBulkInterval(['a'], 'loss', { startStep: 0, endStep: 99 })
 */
export function validateMetricHistoryBulkInterval(
  runIds: unknown,
  metricKey: unknown,
  input: { startStep?: unknown; endStep?: unknown; maxResults?: unknown } = {},
): ValidMetricHistoryBulkInterval {
  if (runIds === undefined || runIds === null || (Array.isArray(runIds) && runIds.length === 0)) {
    fail(missingValue('run_ids') + API_DOCS);
  }
  if (!Array.isArray(runIds)) fail(invalidValue('run_ids', runIds, 'Expected a list of run IDs.') + API_DOCS);
  if (runIds.length > MAX_RUNS_PER_BULK_HISTORY) {
    fail(
      `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_PER_BULK_HISTORY} run_ids. ` +
        `Received ${runIds.length} run_ids.${API_DOCS}`,
    );
  }
  const ids = runIds.map((id: unknown, i) => {
    if (typeof id !== 'string') fail(invalidValue(`run_ids[${i}]`, id) + API_DOCS);
    return id;
  });
  if (metricKey === undefined || metricKey === null || metricKey === '') {
    fail(missingValue('metric_key') + API_DOCS);
  }
  if (typeof metricKey !== 'string') fail(invalidValue('metric_key', metricKey) + API_DOCS);
  const start = optionalStep(input.startStep, 'start_step');
  const end = optionalStep(input.endStep, 'end_step');
  let maxResults = MAX_SAMPLED_STEPS;
  if (input.maxResults !== undefined && input.maxResults !== null) {
    if (!isInt64(input.maxResults)) fail(invalidValue('max_results', input.maxResults) + API_DOCS);
    if (input.maxResults < 1 || input.maxResults > MAX_SAMPLED_STEPS) {
      fail(`max_results must be between 1 and ${MAX_SAMPLED_STEPS}.${API_DOCS}`);
    }
    maxResults = input.maxResults;
  }
  if ((start === undefined) !== (end === undefined)) {
    fail('If either start step or end step are specified, both must be specified.');
  }
  if (start !== undefined && end !== undefined && start > end) {
    fail(`end_step must be greater than start_step. Found start_step=${start} and end_step=${end}.`);
  }
  const range = start !== undefined && end !== undefined ? { start, end } : undefined;
  return { runIds: ids, metricKey, range, maxResults };
}

function optionalStep(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isInt64(value)) fail(invalidValue(path, value) + API_DOCS);
  return value;
}

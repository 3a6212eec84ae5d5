import { VIEW_TYPES, type ViewType } from '../entities/index.js';
import { fail, invalidValue, pyRepr, pyStr } from './_format.js';
import { SEARCH_MAX_RESULTS_DEFAULT, SEARCH_MAX_RESULTS_THRESHOLD } from './limits.js';

// Query strings carry numbers as text; protobuf and MLflow's `int(x)` accept both forms.
function intLike(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*[+-]?[0-9]+\s*$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function positiveInteger(value: unknown): number {
  const n = intLike(value);
  if (n === undefined || n < 1) {
    fail(`Invalid value ${pyStr(value)} for parameter 'max_results' supplied. It must be a positive integer`);
  }
  return n;
}

/**
 * Checks `max_results` of a run or experiment search: a positive integer (or its decimal
 * text) of at most {@link SEARCH_MAX_RESULTS_THRESHOLD}; absent means
 * {@link SEARCH_MAX_RESULTS_DEFAULT}.
 *
 * @example validateSearchMaxResults(undefined) // 1000
 */
export function validateSearchMaxResults(value: unknown): number {
  if (value === undefined || value === null) return SEARCH_MAX_RESULTS_DEFAULT;
  const n = positiveInteger(value);
  if (n > SEARCH_MAX_RESULTS_THRESHOLD) {
    fail(
      `Invalid value ${pyStr(value)} for parameter 'max_results' supplied. It must be at most ` +
        `${SEARCH_MAX_RESULTS_THRESHOLD}`,
    );
  }
  return n;
}

/** {@link validateSearchMaxResults} for run searches (MLflow applies one rule to both). */
export const validateSearchRunsMaxResults: (value: unknown) => number = validateSearchMaxResults;

/** {@link validateSearchMaxResults} for experiment searches. */
export const validateSearchExperimentsMaxResults: (value: unknown) => number = validateSearchMaxResults;

/**
 * Checks `max_results` of a metric history: a positive integer, or absent for the whole
 * history. MLflow sets no upper bound (its client reads pages of 25,000) and, by a defect,
 * answers an empty page to 0; 0 is rejected here.
 */
export function validateMetricHistoryMaxResults(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  return positiveInteger(value);
}

/**
 * Checks a view type (`view_type` of experiment searches, `run_view_type` of run searches):
 * one of {@link VIEW_TYPES}, in upper or lower case, or its protobuf number (1 to 3).
 * Absent means `ACTIVE_ONLY`.
 *
 * @example validateViewType('all', 'run_view_type') // 'ALL'
 */
export function validateViewType(value: unknown, path = 'view_type'): ViewType {
  if (value === undefined || value === null) return 'ACTIVE_ONLY';
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= VIEW_TYPES.length) {
    return VIEW_TYPES[value - 1] as ViewType;
  }
  const found = typeof value === 'string' ? VIEW_TYPES.find((v) => v === value.toUpperCase()) : undefined;
  if (found === undefined) {
    fail(invalidValue(path, value, `Valid view types are ${pyRepr([...VIEW_TYPES])}`));
  }
  return found;
}

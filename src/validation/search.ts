import { VIEW_TYPES, type ViewType } from '../entities/index.js';
import { fail, invalidValue, missingValue, pyRepr, pyStr } from './_format.js';
import { validateExperimentId } from './experiment.js';
import {
  MAX_EXPERIMENTS_PER_DATASET_SEARCH,
  SEARCH_LOGGED_MODELS_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_DEFAULT,
  SEARCH_MAX_RESULTS_THRESHOLD,
} from './limits.js';

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

/**
 * Checks the experiments of a `search-datasets` request: 1 to
 * {@link MAX_EXPERIMENTS_PER_DATASET_SEARCH} experiment ids, with MLflow's messages.
 *
 * @example validateSearchDatasetsExperimentIds(['1', '2']) // ['1', '2']
 */
export function validateSearchDatasetsExperimentIds(ids: unknown): string[] {
  if (!Array.isArray(ids)) fail(invalidValue('experiment_ids', ids, 'Expected a list of experiment IDs.'));
  if (ids.length === 0) fail('SearchDatasets request must specify at least one experiment_id.');
  if (ids.length > MAX_EXPERIMENTS_PER_DATASET_SEARCH) {
    fail(
      `SearchDatasets request cannot specify more than ${MAX_EXPERIMENTS_PER_DATASET_SEARCH} experiment_ids. ` +
        `Received ${ids.length} experiment_ids.`,
    );
  }
  return ids.map((id: unknown) => validateExperimentId(id));
}

/** A checked logged-model search (see {@link validateSearchLoggedModels}). */
export interface ValidLoggedModelSearch {
  experimentIds: string[];
  filter: string;
  datasets: { datasetName: string; datasetDigest?: string }[];
  maxResults: number;
  orderBy: { fieldName: string; ascending: boolean; datasetName?: string; datasetDigest?: string }[];
  pageToken: string;
}

/**
 * Checks a logged-model search as MLflow's handler and SQL store do before any query: a list
 * of experiment ids (ids that name no experiment match nothing), datasets that name their
 * dataset, sort keys that name their field, and `max_results` (0 or absent: 100). The filter
 * is only checked to be a string here.
 */
export function validateSearchLoggedModels(input: {
  experimentIds?: unknown;
  filter?: unknown;
  datasets?: unknown;
  maxResults?: unknown;
  orderBy?: unknown;
  pageToken?: unknown;
}): ValidLoggedModelSearch {
  const { experimentIds } = input;
  if (experimentIds === undefined || experimentIds === null) fail(missingValue('experiment_ids'));
  if (!Array.isArray(experimentIds)) {
    fail(invalidValue('experiment_ids', experimentIds, 'Expected a list of experiment IDs.'));
  }
  const ids = experimentIds.map((id: unknown, i) => text(id, `experiment_ids[${i}]`) ?? '');
  const datasets = list(input.datasets, 'datasets').map((item, i) => {
    const datasetName = text(item.datasetName, `datasets[${i}].dataset_name`);
    if (!datasetName) fail('`dataset_name` in the `datasets` clause must be specified.');
    const datasetDigest = text(item.datasetDigest, `datasets[${i}].dataset_digest`);
    return datasetDigest ? { datasetName, datasetDigest } : { datasetName };
  });
  const orderBy = list(input.orderBy, 'order_by').map((item, i) => {
    const fieldName = text(item.fieldName, `order_by[${i}].field_name`);
    if (!fieldName) fail(missingValue(`order_by[${i}].field_name`));
    if (item.ascending !== undefined && typeof item.ascending !== 'boolean') {
      fail(invalidValue(`order_by[${i}].ascending`, item.ascending));
    }
    const datasetName = text(item.datasetName, `order_by[${i}].dataset_name`);
    const datasetDigest = text(item.datasetDigest, `order_by[${i}].dataset_digest`);
    return {
      fieldName,
      ascending: item.ascending !== false,
      ...(datasetName ? { datasetName } : {}),
      ...(datasetDigest ? { datasetDigest } : {}),
    };
  });
  let maxResults = SEARCH_LOGGED_MODELS_MAX_RESULTS_DEFAULT;
  if (input.maxResults !== undefined && input.maxResults !== null && input.maxResults !== 0) {
    maxResults = positiveInteger(input.maxResults);
  }
  return {
    experimentIds: ids,
    filter: text(input.filter, 'filter') ?? '',
    datasets,
    maxResults,
    orderBy,
    pageToken: text(input.pageToken, 'page_token') ?? '',
  };
}

function text(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(invalidValue(path, value));
  return value;
}

function list(value: unknown, path: string): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(invalidValue(path, value));
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item))
      fail(invalidValue(`${path}[${i}]`, item));
    return item as Record<string, unknown>;
  });
}

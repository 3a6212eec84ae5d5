/**
 * The complete final ordering of a logged-model search and its sort keys (see `sort-key.ts`
 * for the shape of a key): the evaluator sorts by them, the SQL compiler selects and pages by
 * the same values.
 *
 * A metric term reads the model's latest value of the metric among those logged on the
 * term's dataset (any dataset when it names none): the greatest timestamp, then step; of
 * values logged at the same time and step, a number before NaN, then the greatest.
 */
import {
  loggedModelStatusName,
  type LoggedModel,
  type LoggedModelMetric,
  type LoggedModelStatus,
} from '../entities/index.js';
import { LOGGED_MODEL_ATTRIBUTES, type LoggedModelOrderBy } from './logged-model-ast.js';
import {
  BUCKET_MISSING,
  BUCKET_NAN,
  BUCKET_VALUE,
  encodeNumber,
  type OrderTerm,
  type SortKey,
  type SortKeyValue,
} from './sort-key.js';

/** One term of a logged-model ordering; a metric term reads the values of its dataset alone. */
export interface LoggedModelOrderTerm extends OrderTerm {
  readonly datasetName?: string | undefined;
  readonly datasetDigest?: string | undefined;
}

/**
 * How `status` orders: by MLflow's enum numbers (UNSPECIFIED, PENDING, READY, FAILED), as its
 * SQL store orders the integers it keeps.
 */
export const LOGGED_MODEL_STATUS_RANKS: Readonly<Record<string, number>> = {
  UNSPECIFIED: 0,
  PENDING: 1,
  READY: 2,
  FAILED: 3,
};

function attributeTerm(key: string, ascending: boolean): LoggedModelOrderTerm {
  const kind = key === 'status' || LOGGED_MODEL_ATTRIBUTES[key] === 'number' ? 'number' : 'string';
  return { entity: 'attribute', key, ascending, kind, nullable: false };
}

/**
 * The final ordering of a logged-model search: the caller's entries, then
 * `creation_timestamp DESC` unless ordered on (MLflow's default), then `model_id ASC` unless
 * ordered on, so that models created in the same millisecond have one order.
 */
export function loggedModelOrderTerms(orderBy: LoggedModelOrderBy): LoggedModelOrderTerm[] {
  const terms: LoggedModelOrderTerm[] = orderBy.map((clause) =>
    clause.entity === 'attribute'
      ? attributeTerm(clause.key, clause.ascending)
      : {
          entity: 'metric',
          key: clause.key,
          ascending: clause.ascending,
          kind: 'number',
          nullable: true,
          datasetName: clause.datasetName,
          datasetDigest: clause.datasetDigest,
        },
  );
  const has = (key: string) => terms.some((t) => t.entity === 'attribute' && t.key === key);
  if (!has('creation_timestamp')) terms.push(attributeTerm('creation_timestamp', false));
  if (!has('model_id')) terms.push(attributeTerm('model_id', true));
  return terms;
}

/**
 * A logged-model attribute by its canonical name, as filters compare it: `status` by the name
 * MLflow's client shows, an absent type or source run as the empty string.
 */
export function loggedModelAttribute(model: LoggedModel, key: string): string | number | undefined {
  const info = model.info;
  switch (key) {
    case 'model_id':
      return info.model_id;
    case 'name':
      return info.name;
    case 'model_type':
      return info.model_type ?? '';
    case 'source_run_id':
      return info.source_run_id ?? '';
    case 'status':
      return loggedModelStatusName(info.status);
    case 'creation_timestamp':
      return info.creation_timestamp_ms;
    case 'last_updated_timestamp':
      return info.last_updated_timestamp_ms;
    default:
      return undefined;
  }
}

/** True when a model's metric value was logged on the dataset `name` / `digest` (each only when given). */
export function onDataset(metric: LoggedModelMetric, name?: string, digest?: string): boolean {
  return (
    (name === undefined || (metric.dataset_name ?? '') === name) &&
    (digest === undefined || (metric.dataset_digest ?? '') === digest)
  );
}

/** Whether `a` is the later of two values of one metric, by the rule of this module. */
function isLaterValue(a: LoggedModelMetric, b: LoggedModelMetric): boolean {
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (a.step !== b.step) return a.step > b.step;
  const nanA = Number.isNaN(a.value);
  const nanB = Number.isNaN(b.value);
  if (nanA !== nanB) return nanB;
  return !nanA && a.value > b.value;
}

/** The latest value of metric `key` of the model on the dataset `name` / `digest`, or `undefined`. */
export function latestModelMetric(
  model: LoggedModel,
  key: string,
  name?: string,
  digest?: string,
): LoggedModelMetric | undefined {
  let latest: LoggedModelMetric | undefined;
  for (const metric of model.data.metrics ?? []) {
    if (metric.key !== key || !onDataset(metric, name, digest)) continue;
    if (latest === undefined || isLaterValue(metric, latest)) latest = metric;
  }
  return latest;
}

/** The rank `status` orders by (see {@link LOGGED_MODEL_STATUS_RANKS}). */
export function statusRank(status: LoggedModelStatus): number {
  return LOGGED_MODEL_STATUS_RANKS[loggedModelStatusName(status)] ?? 0;
}

function pair(value: string | number | undefined): [number, SortKeyValue] {
  if (value === undefined) return [BUCKET_MISSING, null];
  if (typeof value === 'number') {
    return Number.isNaN(value) ? [BUCKET_NAN, null] : [BUCKET_VALUE, encodeNumber(value)];
  }
  return [BUCKET_VALUE, value];
}

/** A logged model's sort key under `terms` (see {@link loggedModelOrderTerms}). */
export function loggedModelSortKey(terms: readonly LoggedModelOrderTerm[], model: LoggedModel): SortKey {
  return terms.flatMap((term) => {
    if (term.entity === 'metric') {
      return pair(latestModelMetric(model, term.key, term.datasetName, term.datasetDigest)?.value);
    }
    if (term.key === 'status') return pair(statusRank(model.info.status));
    return pair(loggedModelAttribute(model, term.key));
  });
}

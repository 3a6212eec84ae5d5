/**
 * The complete final ordering of a search, and sort keys: the per-row values that decide
 * it. The in-memory evaluator sorts by these keys; the SQL compiler selects the same keys
 * for every row and pages with them (keyset pagination).
 *
 * A sort key is a flat JSON array with two entries per ordering term: a bucket and a value.
 * The bucket is 0 when the row has a value, 1 when it is a NaN metric, 2 when it is missing
 * (no such metric, param or tag, or a NULL attribute); the value is the number or string
 * when the bucket is 0, else `null`. Buckets sort ascending whatever the direction, so NaN
 * and missing values come last both ways, as in MLflow. Infinite numbers are written
 * `"Infinity"` / `"-Infinity"`, as on MLflow's wire, so that keys survive JSON.
 */
import type { Experiment, Metric, ModelVersion, RegisteredModel, Run } from '../entities/index.js';
import {
  EXPERIMENT_ORDER_BY_ATTRIBUTES,
  MODEL_VERSION_ORDER_BY_ATTRIBUTES,
  REGISTERED_MODEL_ORDER_BY_ATTRIBUTES,
  RUN_ORDER_BY_ATTRIBUTES,
  type OrderBy,
} from './ast.js';
import { compareText } from './compare-text.js';

/** One value of a sort key. */
export type SortKeyValue = string | number | null;

/** A row's position in the final ordering: `[bucket, value]` per {@link OrderTerm}. */
export type SortKey = SortKeyValue[];

/** Bucket of a row that has a value for the term. */
export const BUCKET_VALUE = 0;
/** Bucket of a row whose metric is NaN. */
export const BUCKET_NAN = 1;
/** Bucket of a row without a value for the term. */
export const BUCKET_MISSING = 2;

/** One term of the final ordering: a user clause or an implicit tie-break. */
export interface OrderTerm {
  /** `metadata`: the trace search only. */
  readonly entity: 'metric' | 'param' | 'tag' | 'attribute' | 'metadata';
  /** Metric/param/tag key, or canonical attribute name. */
  readonly key: string;
  readonly ascending: boolean;
  /** Whether values compare as numbers or as strings (code point order). */
  readonly kind: 'number' | 'string';
  /** Whether a row can lack a value (bucket 1 or 2). */
  readonly nullable: boolean;
}

/** A run has no end time until it ends, hence no duration either. */
const NULLABLE_RUN_ATTRIBUTES = new Set(['end_time', 'duration']);

function runTerm(entity: OrderTerm['entity'], key: string, ascending: boolean): OrderTerm {
  if (entity === 'attribute') {
    return {
      entity,
      key,
      ascending,
      kind: RUN_ORDER_BY_ATTRIBUTES[key] === 'number' ? 'number' : 'string',
      nullable: NULLABLE_RUN_ATTRIBUTES.has(key),
    };
  }
  return { entity, key, ascending, kind: entity === 'metric' ? 'number' : 'string', nullable: true };
}

/**
 * The final ordering of a run search: the user's clauses, then `start_time DESC` unless
 * start_time was ordered on, then `run_id ASC` unless run_id was (MLflow's tie-breaks).
 */
export function runOrderTerms(orderBy: OrderBy): OrderTerm[] {
  const terms = orderBy.map((c) => runTerm(c.entity, c.key, c.ascending));
  const has = (key: string) => terms.some((t) => t.entity === 'attribute' && t.key === key);
  if (!has('start_time')) terms.push(runTerm('attribute', 'start_time', false));
  if (!has('run_id')) terms.push(runTerm('attribute', 'run_id', true));
  return terms;
}

/**
 * The final ordering of an experiment search: by default `creation_time DESC,
 * experiment_id ASC`; with user clauses, those then `experiment_id DESC` unless
 * experiment_id was ordered on (MLflow's tie-break). Repeated keys after the first are
 * dropped, as they cannot change the order.
 */
export function experimentOrderTerms(orderBy: OrderBy): OrderTerm[] {
  const term = (key: string, ascending: boolean): OrderTerm => ({
    entity: 'attribute',
    key,
    ascending,
    kind: EXPERIMENT_ORDER_BY_ATTRIBUTES[key] === 'string' ? 'string' : 'number',
    nullable: false,
  });
  if (orderBy.length === 0) return [term('creation_time', false), term('experiment_id', true)];
  const terms: OrderTerm[] = [];
  for (const clause of orderBy) {
    if (!terms.some((t) => t.key === clause.key)) terms.push(term(clause.key, clause.ascending));
  }
  if (!terms.some((t) => t.key === 'experiment_id')) terms.push(term('experiment_id', false));
  return terms;
}

function attributeTerm(
  attributes: Readonly<Record<string, string>>,
  key: string,
  ascending: boolean,
): OrderTerm {
  return {
    entity: 'attribute',
    key,
    ascending,
    kind: attributes[key] === 'string' ? 'string' : 'number',
    nullable: false,
  };
}

/**
 * The final ordering of a registered-model search: the user's clauses, then `name ASC` unless
 * name was ordered on (MLflow's tie-break; names are unique, so the order is total).
 */
export function registeredModelOrderTerms(orderBy: OrderBy): OrderTerm[] {
  const terms = orderBy.map((c) => attributeTerm(REGISTERED_MODEL_ORDER_BY_ATTRIBUTES, c.key, c.ascending));
  if (!terms.some((t) => t.key === 'name'))
    terms.push(attributeTerm(REGISTERED_MODEL_ORDER_BY_ATTRIBUTES, 'name', true));
  return terms;
}

/**
 * The final ordering of a model-version search: by default `last_updated_timestamp DESC, name
 * ASC, version_number DESC` (MLflow's); with user clauses, those then `name ASC` and
 * `version_number DESC` unless ordered on (a name and a number identify a version).
 */
export function modelVersionOrderTerms(orderBy: OrderBy): OrderTerm[] {
  const term = (key: string, ascending: boolean) =>
    attributeTerm(MODEL_VERSION_ORDER_BY_ATTRIBUTES, key, ascending);
  if (orderBy.length === 0) {
    return [term('last_updated_timestamp', false), term('name', true), term('version_number', false)];
  }
  const terms = orderBy.map((c) => term(c.key, c.ascending));
  if (!terms.some((t) => t.key === 'name')) terms.push(term('name', true));
  if (!terms.some((t) => t.key === 'version_number')) terms.push(term('version_number', false));
  return terms;
}

/** A number as it appears in a sort key (infinities as strings). */
export function encodeNumber(value: number): number | string {
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  // SQL stores -0 as 0; keys must agree.
  return value === 0 ? 0 : value;
}

/** The inverse of {@link encodeNumber}; `undefined` for anything else. */
export function decodeNumber(value: unknown): number | undefined {
  if (typeof value === 'number' && !Number.isNaN(value)) return value;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return undefined;
}

/** The entry with `key` in a run's metrics, params or tags. */
export function findByKey<T extends { key: string }>(
  list: readonly T[] | undefined,
  key: string,
): T | undefined {
  return list?.find((item) => item.key === key);
}

/**
 * A run attribute by its canonical name, or its `duration` (end minus start time, in ms);
 * `undefined` when absent.
 */
export function runAttribute(run: Run, key: string): string | number | undefined {
  const info = run.info;
  switch (key) {
    case 'run_id':
      return info.run_id ?? info.run_uuid;
    case 'run_name':
      return info.run_name;
    case 'user_id':
      return info.user_id;
    case 'status':
      return info.status;
    case 'artifact_uri':
      return info.artifact_uri;
    case 'start_time':
      return info.start_time ?? undefined;
    case 'end_time':
      return info.end_time ?? undefined;
    case 'duration':
      return info.end_time === undefined ? undefined : info.end_time - info.start_time;
    default:
      return undefined;
  }
}

/** An experiment attribute by name (`experiment_id` as a number, as SQL orders it). */
export function experimentAttribute(experiment: Experiment, key: string): string | number | undefined {
  switch (key) {
    case 'experiment_id':
      return Number(experiment.experiment_id);
    case 'name':
      return experiment.name;
    case 'creation_time':
      return experiment.creation_time ?? undefined;
    case 'last_update_time':
      return experiment.last_update_time ?? undefined;
    default:
      return undefined;
  }
}

/** A registered-model attribute by name; `undefined` for any other name. */
export function registeredModelAttribute(model: RegisteredModel, key: string): string | number | undefined {
  switch (key) {
    case 'name':
      return model.name;
    case 'creation_timestamp':
      return model.creation_timestamp;
    case 'last_updated_timestamp':
      return model.last_updated_timestamp;
    default:
      return undefined;
  }
}

/**
 * A model-version attribute by its search name: `name` is the registered model's,
 * `version_number` the version as a number, `source_path` the source; `undefined` when absent.
 */
export function modelVersionAttribute(version: ModelVersion, key: string): string | number | undefined {
  switch (key) {
    case 'name':
      return version.name;
    case 'version_number':
      return Number(version.version);
    case 'run_id':
      return version.run_id ?? undefined;
    case 'source_path':
      return version.source;
    case 'creation_timestamp':
      return version.creation_timestamp;
    case 'last_updated_timestamp':
      return version.last_updated_timestamp;
    default:
      return undefined;
  }
}

function pair(value: string | number | undefined | null): [number, SortKeyValue] {
  if (value === undefined || value === null) return [BUCKET_MISSING, null];
  if (typeof value === 'number') {
    return Number.isNaN(value) ? [BUCKET_NAN, null] : [BUCKET_VALUE, encodeNumber(value)];
  }
  return [BUCKET_VALUE, value];
}

/** A run's sort key under `terms` (see {@link runOrderTerms}). */
export function runSortKey(terms: readonly OrderTerm[], run: Run): SortKey {
  return terms.flatMap((term) => {
    switch (term.entity) {
      case 'metric':
        return pair(findByKey<Metric>(run.data.metrics, term.key)?.value);
      case 'param':
        return pair(findByKey(run.data.params, term.key)?.value);
      case 'tag':
        return pair(findByKey(run.data.tags, term.key)?.value);
      case 'attribute':
        return pair(runAttribute(run, term.key));
      default:
        return pair(undefined);
    }
  });
}

/** An experiment's sort key under `terms` (see {@link experimentOrderTerms}). */
export function experimentSortKey(terms: readonly OrderTerm[], experiment: Experiment): SortKey {
  return terms.flatMap((term) => pair(experimentAttribute(experiment, term.key)));
}

/** A registered model's sort key under `terms` (see {@link registeredModelOrderTerms}). */
export function registeredModelSortKey(terms: readonly OrderTerm[], model: RegisteredModel): SortKey {
  return terms.flatMap((term) => pair(registeredModelAttribute(model, term.key)));
}

/** A model version's sort key under `terms` (see {@link modelVersionOrderTerms}). */
export function modelVersionSortKey(terms: readonly OrderTerm[], version: ModelVersion): SortKey {
  return terms.flatMap((term) => pair(modelVersionAttribute(version, term.key)));
}

/** Orders two sort keys built from the same `terms`: negative when `a` comes first. */
export function compareSortKeys(
  terms: readonly OrderTerm[],
  a: readonly SortKeyValue[],
  b: readonly SortKeyValue[],
): number {
  for (let i = 0; i < terms.length; i += 1) {
    const term = terms[i] as OrderTerm;
    const bucketA = a[2 * i] as number;
    const bucketB = b[2 * i] as number;
    if (bucketA !== bucketB) return bucketA - bucketB;
    if (bucketA !== BUCKET_VALUE) continue;
    const va = a[2 * i + 1];
    const vb = b[2 * i + 1];
    let order: number;
    if (term.kind === 'number') {
      const x = decodeNumber(va) ?? 0;
      const y = decodeNumber(vb) ?? 0;
      order = x < y ? -1 : x > y ? 1 : 0;
    } else {
      order = compareText(String(va), String(vb));
    }
    if (order !== 0) return term.ascending ? order : -order;
  }
  return 0;
}

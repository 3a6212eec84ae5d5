import type { Metric, Param, RunTag } from '../entities/index.js';
import { fail, invalidValue, pyRepr } from './_format.js';
import {
  MAX_BATCH_REQUEST_BYTES,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
} from './limits.js';
import { validateMetric, type MetricInput } from './metric.js';
import { validateParam, type KeyValueInput } from './param.js';
import { validateTag } from './tag.js';

/** The three lists of a log-batch request; absent lists are empty. */
export interface BatchInput<M = unknown, KV = unknown> {
  metrics?: readonly M[] | undefined;
  params?: readonly KV[] | undefined;
  tags?: readonly KV[] | undefined;
}

/** A validated log-batch: metrics, params and tags as they are to be stored. */
export interface ValidBatch {
  metrics: Metric[];
  params: Param[];
  tags: RunTag[];
}

function checkCount(entityName: string, limit: number, count: number): void {
  if (count > limit) {
    fail(
      `A batch logging request can contain at most ${limit} ${entityName}. Got ${count} ${entityName}. ` +
        `Please split up ${entityName} across multiple requests and try again.`,
    );
  }
}

/**
 * Checks the sizes of a log-batch: at most 1000 metrics, 100 params, 100 tags, and 1000
 * entities in all.
 */
export function validateBatchLimits({ metrics = [], params = [], tags = [] }: BatchInput): void {
  checkCount('metrics', MAX_METRICS_PER_BATCH, metrics.length);
  checkCount('params', MAX_PARAMS_PER_BATCH, params.length);
  checkCount('tags', MAX_TAGS_PER_BATCH, tags.length);
  checkCount(
    'metrics, params, and tags',
    MAX_ENTITIES_PER_BATCH,
    metrics.length + params.length + tags.length,
  );
}

/**
 * Rejects a log-batch that holds one param key twice, even with the same value, as MLflow
 * does. (Re-logging a param the run already has, with its stored value, is allowed; that is
 * the store's check, not this one.)
 */
export function validateParamKeysUnique(params: readonly { key: string }[]): void {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const { key } of params) {
    if (seen.has(key)) duplicates.push(key);
    else seen.add(key);
  }
  if (duplicates.length > 0) {
    fail(
      `Duplicate parameter keys have been submitted: ${pyRepr(duplicates)}. Please ensure the request ` +
        'contains only one param value per param key.',
    );
  }
}

/** Checks the size in bytes of a log-batch request body (at most 1 MB). */
export function validateBatchRequestSize(bytes: number): void {
  if (bytes > MAX_BATCH_REQUEST_BYTES) {
    fail(
      `Batched logging API requests must be at most ${MAX_BATCH_REQUEST_BYTES} bytes, got a request of ` +
        `size ${bytes}.`,
    );
  }
}

function listOf<T>(name: string, list: readonly T[] | undefined): readonly T[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) fail(invalidValue(name, list, 'Expected a list.'));
  return list;
}

/**
 * Checks a whole log-batch in MLflow's order: every metric, param and tag (messages name
 * the entity, e.g. `metrics[2].value`), then the batch limits, then duplicate param keys.
 * Returns the batch as it is to be stored (long values truncated unless
 * `truncateLongValues` is `false`, missing steps set to 0).
 */
export function validateLogBatch(
  input: BatchInput<MetricInput, KeyValueInput>,
  options: { truncateLongValues?: boolean } = {},
): ValidBatch {
  const metrics = listOf('metrics', input.metrics).map((m, i) =>
    validateMetric(m, { path: `metrics[${i}]` }),
  );
  const params = listOf('params', input.params).map((p, i) =>
    validateParam(p, { ...options, path: `params[${i}]` }),
  );
  const tags = listOf('tags', input.tags).map((t, i) => validateTag(t, { ...options, path: `tags[${i}]` }));
  validateBatchLimits({ metrics, params, tags });
  validateParamKeysUnique(params);
  return { metrics, params, tags };
}

import { toMlflowJson, type Metric, type Param, type RunTag } from '../../entities/index.js';
import { invalidParameter } from '../../errors.js';
import {
  MAX_BATCH_REQUEST_BYTES,
  MAX_ENTITIES_PER_BATCH,
  MAX_METRICS_PER_BATCH,
  MAX_PARAMS_PER_BATCH,
  MAX_TAGS_PER_BATCH,
} from '../../validation/limits.js';

/** The most one log-batch request may carry. */
export interface BatchLimits {
  metrics: number;
  params: number;
  tags: number;
  /** Metrics, params and tags together. */
  entities: number;
  /** Size of the JSON body in bytes. */
  bytes: number;
}

/** MLflow's limits on one log-batch request. */
export const MLFLOW_BATCH_LIMITS: Readonly<BatchLimits> = Object.freeze({
  metrics: MAX_METRICS_PER_BATCH,
  params: MAX_PARAMS_PER_BATCH,
  tags: MAX_TAGS_PER_BATCH,
  entities: MAX_ENTITIES_PER_BATCH,
  bytes: MAX_BATCH_REQUEST_BYTES,
});

/** A metric as MLflow's client sends it in a log-batch: with its run's id. */
export interface WireBatchMetric extends Metric {
  run_id: string;
}

/** The JSON body of one `runs/log-batch` request, in MLflow's field order. */
export interface LogBatchBody {
  run_id: string;
  metrics?: WireBatchMetric[];
  params?: Param[];
  tags?: RunTag[];
}

const LISTS = ['params', 'tags', 'metrics'] as const;
type ListName = (typeof LISTS)[number];

interface Chunk {
  items: Record<ListName, unknown[]>;
  bytes: number;
  count: number;
}

/**
 * Splits a log-batch into request bodies that each stay within `limits`. Params go first,
 * then tags, then metrics, each request filled as far as the limits allow: a batch within the
 * limits is one request; otherwise every param is written before any tag or metric, so that a
 * refused param (the usual failure: a changed value) stops the batch before anything else is
 * written. An empty batch is one request too, which still checks that the run exists and is active.
 *
 * @example splitLogBatch('abc', { params: [{ key: 'lr', value: '0.1' }] }) // [{ run_id: 'abc', params: [...] }]
 */
export function splitLogBatch(
  runId: string,
  batch: { metrics?: readonly Metric[]; params?: readonly Param[]; tags?: readonly RunTag[] },
  limits: BatchLimits = MLFLOW_BATCH_LIMITS,
): LogBatchBody[] {
  const base = byteLength(toMlflowJson({ run_id: runId }));
  const fresh = (): Chunk => ({ items: { params: [], tags: [], metrics: [] }, bytes: base, count: 0 });
  const chunks: Chunk[] = [fresh()];
  const sources: Record<ListName, readonly unknown[]> = {
    params: (batch.params ?? []).map((p) => ({ key: p.key, value: p.value })),
    tags: (batch.tags ?? []).map((t) => ({ key: t.key, value: t.value })),
    metrics: (batch.metrics ?? []).map((m) => ({
      key: m.key,
      value: m.value,
      timestamp: m.timestamp,
      step: m.step,
      run_id: runId,
      // MLflow 3 sends the model and dataset a metric is also logged to, when it has them.
      ...(m.model_id !== undefined ? { model_id: m.model_id } : {}),
      ...(m.dataset_name !== undefined ? { dataset_name: m.dataset_name } : {}),
      ...(m.dataset_digest !== undefined ? { dataset_digest: m.dataset_digest } : {}),
    })),
  };
  for (const name of LISTS) {
    for (const item of sources[name]) {
      const size = byteLength(toMlflowJson(item));
      let chunk = chunks[chunks.length - 1] as Chunk;
      if (!fits(chunk, name, size, limits)) {
        chunk = fresh();
        chunks.push(chunk);
        if (!fits(chunk, name, size, limits)) {
          throw invalidParameter(
            `A single ${name.slice(0, -1)} of ${size} bytes does not fit in a log-batch request of at most ` +
              `${limits.bytes} bytes.`,
          );
        }
      }
      chunk.bytes += added(chunk, name, size);
      chunk.items[name].push(item);
      chunk.count++;
    }
  }
  return chunks.map((chunk) => {
    const body: LogBatchBody = { run_id: runId };
    if (chunk.items.metrics.length > 0) body.metrics = chunk.items.metrics as WireBatchMetric[];
    if (chunk.items.params.length > 0) body.params = chunk.items.params as Param[];
    if (chunk.items.tags.length > 0) body.tags = chunk.items.tags as RunTag[];
    return body;
  });
}

function fits(chunk: Chunk, name: ListName, size: number, limits: BatchLimits): boolean {
  return (
    chunk.items[name].length < limits[name] &&
    chunk.count < limits.entities &&
    chunk.bytes + added(chunk, name, size) <= limits.bytes
  );
}

/** Bytes an item adds to a body: the item, and a comma or the list's `,"name":[]`. */
function added(chunk: Chunk, name: ListName, size: number): number {
  return size + (chunk.items[name].length > 0 ? 1 : byteLength(`,"${name}":[]`));
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

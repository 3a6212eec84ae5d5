import type { DatasetInput, KeyValue } from '../../entities/index.js';
import { missingParameter, toText, wrongType } from './request-params.js';

/** A logged model used by a run, as MLflow's `ModelInput`. */
export interface ModelInput {
  model_id: string;
}

// The fields MLflow's proto marks `validate_required`; schema and profile are optional.
const REQUIRED_DATASET_FIELDS = ['name', 'digest', 'source_type', 'source'] as const;
const OPTIONAL_DATASET_FIELDS = ['schema', 'profile'] as const;

/**
 * Reads the `datasets` of a `runs/log-inputs` request with protobuf's JSON rules: each has a
 * `dataset` object with `name`, `digest`, `source_type` and `source`, and tags whose key and
 * value are both given; every field a string. Messages name the field, e.g.
 * `datasets[0].dataset.name`. Lengths are the store's rules.
 */
export function readDatasetInputs(items: readonly Record<string, unknown>[] = []): DatasetInput[] {
  return items.map((item, i) => {
    const path = `datasets[${i}]`;
    const dataset = item.dataset ?? undefined;
    if (dataset === undefined) throw missingParameter(`${path}.dataset`);
    if (typeof dataset !== 'object' || dataset === null || Array.isArray(dataset)) {
      throw wrongType(`${path}.dataset`, dataset);
    }
    const fields = dataset as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const field of REQUIRED_DATASET_FIELDS) {
      const value = toText(fields[field], `${path}.dataset.${field}`);
      if (!value) throw missingParameter(`${path}.dataset.${field}`);
      out[field] = value;
    }
    for (const field of OPTIONAL_DATASET_FIELDS) {
      const value = toText(fields[field], `${path}.dataset.${field}`);
      if (value !== undefined) out[field] = value;
    }
    const tags = readInputTags(item.tags, `${path}.tags`);
    return { tags, dataset: out as unknown as DatasetInput['dataset'] };
  });
}

/** Checks the `models` of a `runs/log-inputs` request: each names a `model_id`. */
export function readModelInputs(items: readonly Record<string, unknown>[] = []): ModelInput[] {
  return items.map((item, i) => {
    const path = `models[${i}].model_id`;
    const id = toText(item.model_id, path);
    if (!id) throw missingParameter(path);
    return { model_id: id };
  });
}

function readInputTags(tags: unknown, path: string): KeyValue[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw wrongType(path, tags);
  return tags.map((tag: unknown, i) => {
    const tagPath = `${path}[${i}]`;
    if (typeof tag !== 'object' || tag === null || Array.isArray(tag)) throw wrongType(tagPath, tag);
    const { key, value } = tag as Record<string, unknown>;
    const k = toText(key, `${tagPath}.key`);
    const v = toText(value, `${tagPath}.value`);
    if (!k) throw missingParameter(`${tagPath}.key`);
    if (v === undefined) throw missingParameter(`${tagPath}.value`);
    return { key: k, value: v };
  });
}

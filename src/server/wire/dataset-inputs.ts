import type { KeyValue } from '../../entities/index.js';
import { invalidParameter } from '../../errors.js';
import { missingParameter, toText, wrongType } from './request-params.js';

/** A dataset, as MLflow's `Dataset` message. */
export interface Dataset {
  name: string;
  digest: string;
  source_type: string;
  source: string;
  schema?: string;
  profile?: string;
}

/** A dataset used by a run, with its input tags (e.g. `mlflow.data.context`), as MLflow's `DatasetInput`. */
export interface DatasetInput {
  tags: KeyValue[];
  dataset: Dataset;
}

/** A logged model used by a run, as MLflow's `ModelInput`. */
export interface ModelInput {
  model_id: string;
}

// MLflow's limits on dataset fields and input tags (`mlflow/utils/validation.py`), in characters.
const DATASET_LIMITS: readonly (readonly [keyof Dataset, number, boolean])[] = [
  ['name', 500, true],
  ['digest', 36, true],
  ['source_type', Number.POSITIVE_INFINITY, true],
  ['source', 65_535, true],
  ['schema', 1_048_575, false],
  ['profile', 16_777_215, false],
];
const MAX_INPUT_TAG_KEY_LENGTH = 255;
const MAX_INPUT_TAG_VALUE_LENGTH = 500;

/**
 * Checks the `datasets` of a `runs/log-inputs` request with MLflow's rules: each has a
 * `dataset` with `name`, `digest`, `source_type` and `source`, within MLflow's lengths, and
 * tags whose key and value are both given. Messages name the field, e.g. `datasets[0].dataset.name`.
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
    for (const [field, limit, required] of DATASET_LIMITS) {
      const fieldPath = `${path}.dataset.${field}`;
      const value = toText(fields[field], fieldPath);
      if (value === undefined || (required && value === '')) {
        if (required) throw missingParameter(fieldPath);
        continue;
      }
      checkLength(fieldPath, value, limit);
      out[field] = value;
    }
    return { tags: readInputTags(item.tags, `${path}.tags`), dataset: out as unknown as Dataset };
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
    checkLength(`${tagPath}.key`, k, MAX_INPUT_TAG_KEY_LENGTH);
    checkLength(`${tagPath}.value`, v, MAX_INPUT_TAG_VALUE_LENGTH);
    return { key: k, value: v };
  });
}

function checkLength(path: string, value: string, limit: number): void {
  if (value.length > limit && [...value].length > limit) {
    throw invalidParameter(`'${path}' exceeds the maximum length of ${limit} characters`);
  }
}

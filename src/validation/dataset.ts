import type { Dataset, DatasetInput, InputTag } from '../entities/index.js';
import { codePointLength, exceedsMaximumLength, fail, invalidValue, missingValue } from './_format.js';
import {
  MAX_DATASET_DIGEST_LENGTH,
  MAX_DATASET_NAME_LENGTH,
  MAX_DATASET_PROFILE_LENGTH,
  MAX_DATASET_SCHEMA_LENGTH,
  MAX_DATASET_SOURCE_LENGTH,
  MAX_INPUT_TAG_KEY_LENGTH,
  MAX_INPUT_TAG_VALUE_LENGTH,
} from './limits.js';

/** A dataset input as received, before validation. */
export interface DatasetInputInput {
  tags?: unknown;
  dataset?: unknown;
}

// MLflow sets no limit on the source type.
const DATASET_FIELDS: readonly (readonly [keyof Dataset, number, boolean])[] = [
  ['name', MAX_DATASET_NAME_LENGTH, true],
  ['digest', MAX_DATASET_DIGEST_LENGTH, true],
  ['source_type', Number.POSITIVE_INFINITY, true],
  ['source', MAX_DATASET_SOURCE_LENGTH, true],
  ['schema', MAX_DATASET_SCHEMA_LENGTH, false],
  ['profile', MAX_DATASET_PROFILE_LENGTH, false],
];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(invalidValue(path, value, 'Expected a string.'));
  return value;
}

function checkLength(path: string, value: string, limit: number): void {
  if (value.length > limit && codePointLength(value) > limit) fail(exceedsMaximumLength(path, limit));
}

function validateDataset(value: unknown, path: string): Dataset {
  if (value === undefined || value === null) fail(missingValue(path));
  if (!isObject(value)) fail(invalidValue(path, value, 'Expected an object.'));
  const out: Record<string, string> = {};
  for (const [field, limit, required] of DATASET_FIELDS) {
    const fieldPath = `${path}.${field}`;
    const v = text(value[field], fieldPath);
    if (v === undefined || v === '') {
      // An empty schema or profile is no schema or profile: MLflow answers without them.
      if (required) fail(missingValue(fieldPath));
      continue;
    }
    checkLength(fieldPath, v, limit);
    out[field] = v;
  }
  return out as unknown as Dataset;
}

function validateInputTags(value: unknown, path: string): InputTag[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) fail(invalidValue(path, value, 'Expected a list.'));
  return value.map((tag: unknown, i) => {
    const tagPath = `${path}[${i}]`;
    if (!isObject(tag)) fail(invalidValue(tagPath, tag, 'Expected an object.'));
    const key = text(tag.key, `${tagPath}.key`);
    const v = text(tag.value, `${tagPath}.value`);
    if (!key) fail(missingValue(`${tagPath}.key`));
    if (v === undefined) fail(missingValue(`${tagPath}.value`));
    checkLength(`${tagPath}.key`, key, MAX_INPUT_TAG_KEY_LENGTH);
    checkLength(`${tagPath}.value`, v, MAX_INPUT_TAG_VALUE_LENGTH);
    return { key, value: v };
  });
}

/**
 * Checks the dataset inputs of a `log-inputs` call with MLflow's rules: each has a `dataset`
 * with a non-empty `name` (at most 500 characters), `digest` (36), `source_type` and
 * `source` (65,535), an optional `schema` (1,048,575) and `profile` (16,777,215), and
 * input tags whose key (255) and value (500) are given. Messages name the field, e.g.
 * `datasets[0].dataset.digest`. Returns the inputs as they are to be stored: empty tag lists
 * and empty schemas and profiles left out.
 *
 * @example
 * validateDatasetInputs([{ dataset: { name: 'train', digest: 'd41d8cd9', source_type: 'local', source: '/data' },
 *   tags: [{ key: 'mlflow.data.context', value: 'training' }] }])
 */
export function validateDatasetInputs(inputs: unknown, path = 'datasets'): DatasetInput[] {
  if (inputs === undefined || inputs === null) return [];
  if (!Array.isArray(inputs)) fail(invalidValue(path, inputs, 'Expected a list.'));
  return inputs.map((item: unknown, i) => {
    const itemPath = `${path}[${i}]`;
    if (!isObject(item)) fail(invalidValue(itemPath, item, 'Expected an object.'));
    const dataset = validateDataset(item.dataset, `${itemPath}.dataset`);
    const tags = validateInputTags(item.tags, `${itemPath}.tags`);
    return tags.length > 0 ? { tags, dataset } : { dataset };
  });
}

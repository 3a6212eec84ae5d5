import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { MAX_EXPERIMENT_TAG_VALUE_LENGTH, MAX_TAG_VALUE_LENGTH } from './limits.js';
import type { KeyValueInput } from './param.js';
import { validateExperimentTag, validateTag } from './tag.js';

describe('validateTag', () => {
  it.each<[string, KeyValueInput, string]>([
    ['a plain value', { key: 'run_type', value: 'development' }, 'development'],
    ['a system tag', { key: 'mlflow.runName', value: 'dev_1' }, 'dev_1'],
    ['an absent value as empty', { key: 'k' }, ''],
    ['a value at the limit', { key: 'k', value: 'v'.repeat(8000) }, 'v'.repeat(8000)],
  ])('accepts %s', (_name, input, value) => {
    expect(validateTag(input)).toEqual({ key: input.key, value });
  });

  it('truncates a long value to 8000 characters when asked to, as the MLflow server does', () => {
    expect(MAX_TAG_VALUE_LENGTH).toBe(8000);
    expect(
      validateTag({ key: 'k', value: 'v'.repeat(9000) }, { truncateLongValues: true }).value,
    ).toHaveLength(8000);
  });

  it.each<[string, KeyValueInput, string, string]>([
    [
      'a long value',
      { key: 'k', value: 'v'.repeat(8001) },
      '',
      "'value' exceeds the maximum length of 8000 characters",
    ],
    [
      'a long value in a batch',
      { key: 'k', value: 'v'.repeat(8001) },
      'tags[0]',
      "'tags[0].value' exceeds the maximum length of 8000 characters",
    ],
    [
      'a long key',
      { key: 'k'.repeat(251), value: 'v' },
      '',
      "'key' exceeds the maximum length of 250 characters",
    ],
    [
      'a bad key',
      { key: 'bad key!', value: 'v' },
      '',
      `Invalid value "bad key!" for parameter 'key' supplied`,
    ],
    [
      'an absent key in a batch',
      { value: 'v' },
      'tags[3]',
      "Missing value for required parameter 'tags[3].key'.",
    ],
    ['a number value', { key: 'k', value: 1 }, '', `Invalid value 1 for parameter 'value' supplied`],
  ])('rejects %s', (_name, input, path, fragment) => {
    expect(rejection(() => validateTag(input, { path, truncateLongValues: false }))).toContain(fragment);
  });
});

describe('validateExperimentTag', () => {
  it('accepts a value of 5000 characters', () => {
    expect(MAX_EXPERIMENT_TAG_VALUE_LENGTH).toBe(5000);
    expect(validateExperimentTag({ key: 'team', value: 'v'.repeat(5000) }).value).toHaveLength(5000);
  });

  it.each<[string, KeyValueInput, string]>([
    [
      'a long value, never truncated',
      { key: 'k', value: 'v'.repeat(5001) },
      "'value' exceeds the maximum length of 5000 characters",
    ],
    [
      'a long key',
      { key: 'k'.repeat(251), value: 'v' },
      "'key' exceeds the maximum length of 250 characters",
    ],
    ['a bad key', { key: 'a/../b', value: 'v' }, "This name would resolve to 'b'"],
    ['an absent key', { value: 'v' }, "Missing value for required parameter 'key'."],
  ])('rejects %s', (_name, input, fragment) => {
    expect(rejection(() => validateExperimentTag(input))).toContain(fragment);
  });
});

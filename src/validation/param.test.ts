import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { MAX_PARAM_VALUE_LENGTH } from './limits.js';
import { validateParam, type KeyValueInput } from './param.js';

describe('validateParam', () => {
  it.each<[string, KeyValueInput, string]>([
    ['a plain value', { key: 'lr', value: '0.01' }, '0.01'],
    ['an empty value', { key: 'lr', value: '' }, ''],
    ['an absent value as empty', { key: 'lr' }, ''],
    ['a value at the limit', { key: 'p', value: 'v'.repeat(6000) }, 'v'.repeat(6000)],
  ])('accepts %s', (_name, input, value) => {
    expect(validateParam(input)).toEqual({ key: input.key, value });
  });

  it('truncates a long value to 6000 characters when asked to, as the MLflow server does', () => {
    expect(MAX_PARAM_VALUE_LENGTH).toBe(6000);
    const truncate = { truncateLongValues: true };
    expect(validateParam({ key: 'p', value: 'v'.repeat(6001) }, truncate).value).toBe('v'.repeat(6000));
    expect(validateParam({ key: 'p', value: '𝒜'.repeat(6001) }, truncate).value).toBe('𝒜'.repeat(6000));
  });

  it.each<[string, KeyValueInput, string]>([
    [
      'a long value when truncation is off',
      { key: 'p', value: 'v'.repeat(6001) },
      "'Param value' exceeds the maximum length of 6000 characters",
    ],
    [
      'a number value',
      { key: 'p', value: 5 },
      `Invalid value 5 for parameter 'value' supplied: Expected a string.`,
    ],
    ['a bad key', { key: 'p p!', value: 'v' }, `Invalid value "p p!" for parameter 'key' supplied`],
    ['an empty key', { key: '', value: 'v' }, "Missing value for required parameter 'key'."],
    [
      'a long key',
      { key: 'k'.repeat(251), value: 'v' },
      "'Param key' exceeds the maximum length of 250 characters",
    ],
  ])('rejects %s', (_name, input, fragment) => {
    expect(rejection(() => validateParam(input, { truncateLongValues: false }))).toContain(fragment);
  });

  it('names the param inside a batch', () => {
    expect(rejection(() => validateParam({ key: 'x!', value: 'v' }, { path: 'params[1]' }))).toContain(
      "parameter 'params[1].key' supplied",
    );
    expect(rejection(() => validateParam({ key: 'x', value: 1 }, { path: 'params[1]' }))).toContain(
      "parameter 'params[1].value' supplied",
    );
  });
});

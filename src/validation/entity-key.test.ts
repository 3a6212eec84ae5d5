import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import {
  BAD_KEY_CHARACTERS_MESSAGE,
  validateExperimentTagKey,
  validateMetricKey,
  validateParamKey,
  validateTagKey,
} from './entity-key.js';

const ACCEPTED = [
  'loss',
  'eval/accuracy',
  'a b',
  'ns:metric',
  'a-b_c.d',
  '.hidden',
  'über',
  '数字',
  'x'.repeat(250),
  '𝒜'.repeat(250),
];

const REJECTED: [string, unknown, string][] = [
  ['empty', '', "Missing value for required parameter 'key'."],
  ['undefined', undefined, "Missing value for required parameter 'key'."],
  ['null', null, "Missing value for required parameter 'key'."],
  ['not a string', 5, `Invalid value 5 for parameter 'key' supplied: A key name must be a string.`],
  [
    'bad key!',
    'bad key!',
    `Invalid value "bad key!" for parameter 'key' supplied: ${BAD_KEY_CHARACTERS_MESSAGE}`,
  ],
  ['emoji', 'loss😀', BAD_KEY_CHARACTERS_MESSAGE],
  ['trailing newline', 'abc\n', BAD_KEY_CHARACTERS_MESSAGE],
  [
    'a/../b',
    'a/../b',
    "must not resolve to other names when treated as such. This name would resolve to 'b'",
  ],
  ['/abs', '/abs', "This name would resolve to '/abs'"],
  ['a//b', 'a//b', "This name would resolve to 'a/b'"],
  ['a/', 'a/', "This name would resolve to 'a'"],
  ['./a', './a', "This name would resolve to 'a'"],
  ['.', '.', "This name would resolve to '.'"],
  ['..', '..', "This name would resolve to '..'"],
  ['../a', '../a', "This name would resolve to '../a'"],
  ['251 chars', 'x'.repeat(251), "'Param key' exceeds the maximum length of 250 characters"],
  ['251 astral chars', '𝒜'.repeat(251), "'Param key' exceeds the maximum length of 250 characters"],
];

describe('validateParamKey', () => {
  it.each(ACCEPTED)('accepts %j', (key) => {
    expect(validateParamKey(key)).toBe(key);
  });
  it.each(REJECTED)('rejects %s', (_name, key, fragment) => {
    expect(rejection(() => validateParamKey(key))).toContain(fragment);
  });
  it('names the entity inside a batch', () => {
    expect(rejection(() => validateParamKey('bad!', 'params[4]'))).toContain(
      `Invalid value "bad!" for parameter 'params[4].key' supplied`,
    );
    expect(rejection(() => validateParamKey('', 'params[4]'))).toBe(
      "Missing value for required parameter 'params[4].key'.",
    );
  });
});

describe('validateTagKey', () => {
  it('keeps the message MLflow 3.3 answers to a bad tag key', () => {
    // Recorded from MLflow's server (runs/set-tag with key "bad key!").
    expect(rejection(() => validateTagKey('bad key!'))).toBe(
      'Invalid value "bad key!" for parameter \'key\' supplied: Names may only contain alphanumerics, ' +
        'underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).',
    );
  });
  it.each([
    ['', "'key' exceeds the maximum length of 250 characters"],
    ['tags[1]', "'tags[1].key' exceeds the maximum length of 250 characters"],
  ])('names a too-long key with prefix %j', (prefix, message) => {
    expect(rejection(() => validateTagKey('k'.repeat(251), prefix))).toBe(message);
  });
  it('accepts MLflow system tag keys', () => {
    expect(validateTagKey('mlflow.runName')).toBe('mlflow.runName');
  });
});

describe('validateMetricKey', () => {
  it.each([
    ['bad!', '', `for parameter 'name' supplied: ${BAD_KEY_CHARACTERS_MESSAGE}`],
    ['bad!', 'metrics[3]', `for parameter 'metrics[3].name' supplied`],
    ['', 'metrics[3]', "Missing value for required parameter 'metrics[3].key'."],
    ['m'.repeat(251), '', "'Metric name' exceeds the maximum length of 250 characters"],
  ])('rejects %j under prefix %j', (key, prefix, fragment) => {
    expect(rejection(() => validateMetricKey(key, prefix))).toContain(fragment);
  });
});

describe('validateExperimentTagKey', () => {
  it('applies the run tag key rules with its own length limit', () => {
    expect(validateExperimentTagKey('team')).toBe('team');
    expect(rejection(() => validateExperimentTagKey('a/../b'))).toContain("resolve to 'b'");
    expect(rejection(() => validateExperimentTagKey('k'.repeat(251)))).toBe(
      "'key' exceeds the maximum length of 250 characters",
    );
  });
});

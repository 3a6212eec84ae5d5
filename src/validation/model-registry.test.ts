import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import {
  validateModelAliasName,
  validateModelVersion,
  validateModelVersionStage,
  validateModelVersionTag,
  validateRegisteredModelName,
  validateRegisteredModelTag,
  validateSearchModelVersionsMaxResults,
  validateSearchRegisteredModelsMaxResults,
  validateStageTransition,
} from './model-registry.js';

describe('validateRegisteredModelName', () => {
  it('accepts any non-empty name, and names the field of a missing one', () => {
    expect(validateRegisteredModelName('Health Monitor / v2 ✓')).toBe('Health Monitor / v2 ✓');
    expect(rejection(() => validateRegisteredModelName(''))).toBe(
      "Missing value for required parameter 'name'.",
    );
    expect(rejection(() => validateRegisteredModelName(undefined, 'new_name'))).toBe(
      "Missing value for required parameter 'new_name'.",
    );
    expect(rejection(() => validateRegisteredModelName(3))).toMatch(/parameter 'name'/);
  });
});

describe('validateModelVersion', () => {
  it.each<[unknown, number]>([
    ['3', 3],
    [' 3 ', 3],
    ['003', 3],
    ['+3', 3],
    ['1_000', 1000],
    [7, 7],
    ['-1', -1],
    ['99999999999999999999', -1],
  ])('reads %j as Python’s int() does: %i', (input, expected) => {
    expect(validateModelVersion(input)).toBe(expected);
  });

  it.each(['abc', '1.5', '1__0', '0x10', ' '])('refuses %j with MLflow’s message', (input) => {
    expect(rejection(() => validateModelVersion(input))).toBe(
      `Parameter 'version' must be an integer, got '${input}'.`,
    );
  });

  it('refuses a missing version and a fractional number', () => {
    expect(rejection(() => validateModelVersion(undefined))).toBe(
      "Missing value for required parameter 'version'.",
    );
    expect(rejection(() => validateModelVersion(1.5))).toBe(
      "Parameter 'version' must be an integer, got '1.5'.",
    );
  });
});

describe('registry tags', () => {
  it('limits keys to 250 and values to 5000 characters, never truncating', () => {
    expect(validateRegisteredModelTag({ key: 'k'.repeat(250), value: 'v'.repeat(5000) }).value).toHaveLength(
      5000,
    );
    expect(rejection(() => validateRegisteredModelTag({ key: 'k', value: 'v'.repeat(5001) }))).toBe(
      "'value' exceeds the maximum length of 5000 characters",
    );
    expect(rejection(() => validateModelVersionTag({ key: 'k'.repeat(251), value: 'v' }))).toBe(
      "'key' exceeds the maximum length of 250 characters",
    );
  });

  it('holds keys to MLflow’s tag key rule', () => {
    expect(rejection(() => validateRegisteredModelTag({ key: 'a|b', value: 'v' }))).toMatch(
      /^Invalid value "a\|b" for parameter 'key' supplied: Names may only contain/,
    );
    expect(rejection(() => validateModelVersionTag({ key: 'a/../b', value: 'v' }))).toMatch(
      /would resolve to 'b'/,
    );
    expect(rejection(() => validateRegisteredModelTag({ value: 'v' }))).toBe(
      "Missing value for required parameter 'key'.",
    );
  });

  it('takes an absent registered model tag value as empty, and refuses one on a version tag', () => {
    expect(validateRegisteredModelTag({ key: 'k' })).toEqual({ key: 'k', value: '' });
    expect(rejection(() => validateModelVersionTag({ key: 'k' }))).toBe('Tag value cannot be None');
  });
});

describe('validateModelAliasName', () => {
  it.each(['champion', 'prod-2', 'v1x', 'version1', 'élu', 'a'.repeat(255)])('accepts %s', (alias) => {
    expect(validateModelAliasName(alias)).toBe(alias);
  });

  it.each<[string, string]>([
    ['', 'Registered model alias name cannot be empty.'],
    ['latest', "'latest' alias name (case insensitive) is reserved."],
    ['LATEST', "'latest' alias name (case insensitive) is reserved."],
    ['v3', "Version alias name 'v3' is reserved."],
    ['V03', "Version alias name 'V03' is reserved."],
    [
      'a b',
      "Invalid alias name: 'a b'. Names may only contain alphanumerics, underscores (_), and dashes (-).",
    ],
    ['a'.repeat(256), "'Registered model alias name' exceeds the maximum length of 255 characters"],
  ])('refuses %j', (alias, message) => {
    expect(rejection(() => validateModelAliasName(alias))).toBe(message);
  });
});

describe('stages', () => {
  it('maps any case to MLflow’s canonical names', () => {
    expect(['none', 'STAGING', 'pROduction', 'Archived'].map(validateModelVersionStage)).toEqual([
      'None',
      'Staging',
      'Production',
      'Archived',
    ]);
    expect(rejection(() => validateModelVersionStage('Deleted_Internal'))).toBe(
      'Invalid Model Version stage: Deleted_Internal. Value must be one of None, Staging, Production, Archived.',
    );
  });

  it('archives existing versions only for Staging and Production', () => {
    expect(validateStageTransition('staging', true)).toBe('Staging');
    expect(validateStageTransition('None', false)).toBe('None');
    expect(rejection(() => validateStageTransition('none', true))).toBe(
      "Model version transition cannot archive existing model versions because 'none' is not an Active stage. " +
        "Valid stages are ['Staging', 'Production']",
    );
  });
});

describe('search max_results', () => {
  it('defaults to 100 registered models and 1000 versions, at most 1000 and 200,000', () => {
    expect(validateSearchRegisteredModelsMaxResults(undefined)).toBe(100);
    expect(validateSearchRegisteredModelsMaxResults('1000')).toBe(1000);
    expect(rejection(() => validateSearchRegisteredModelsMaxResults(1001))).toBe(
      'Invalid value for request parameter max_results. It must be at most 1000, but got value 1001',
    );
    expect(validateSearchModelVersionsMaxResults(undefined)).toBe(1000);
    expect(validateSearchModelVersionsMaxResults(200_000)).toBe(200_000);
    expect(rejection(() => validateSearchModelVersionsMaxResults(200_001))).toBe(
      'Invalid value for request parameter max_results. It must be at most 200000, but got value 200001',
    );
    expect(rejection(() => validateSearchModelVersionsMaxResults(0))).toBe(
      'Invalid value for max_results. It must be a positive integer, but got 0',
    );
  });
});

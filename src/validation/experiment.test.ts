import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import {
  validateArtifactLocation,
  validateExperimentId,
  validateExperimentIds,
  validateExperimentName,
} from './experiment.js';

describe('validateExperimentName', () => {
  it.each([
    'Default',
    '/Shared/agent/development',
    'with spaces & symbols!',
    'n'.repeat(500),
    '𝒜'.repeat(500),
  ])('accepts %j', (name) => {
    expect(validateExperimentName(name)).toBe(name);
  });

  it.each<[string, unknown, string]>([
    ['empty', '', "Invalid experiment name: ''"],
    ['undefined', undefined, "Invalid experiment name: 'None'"],
    ['a number', 42, 'Invalid experiment name: 42. Expects a string.'],
    ['501 characters', 'n'.repeat(501), "'name' exceeds the maximum length of 500 characters"],
  ])('rejects %s', (_name, name, message) => {
    expect(rejection(() => validateExperimentName(name))).toBe(message);
  });
});

describe('validateExperimentId', () => {
  it.each<[unknown, string]>([
    ['0', '0'],
    ['1', '1'],
    ['007', '7'],
    [12, '12'],
    ['9223372036854775807', '9223372036854775807'],
  ])('accepts %j as %j', (id, canonical) => {
    expect(validateExperimentId(id)).toBe(canonical);
  });

  it.each<[unknown, string]>([
    ['abc', "Invalid experiment ID: 'abc'"],
    ['', "Invalid experiment ID: ''"],
    ['-1', "Invalid experiment ID: '-1'"],
    ['1.5', "Invalid experiment ID: '1.5'"],
    [' 1', "Invalid experiment ID: ' 1'"],
    ['9223372036854775808', "Invalid experiment ID: '9223372036854775808'"],
    [-1, "Invalid experiment ID: '-1'"],
    [1.5, "Invalid experiment ID: '1.5'"],
    [null, "Invalid experiment ID: 'None'"],
  ])('rejects %j', (id, message) => {
    expect(rejection(() => validateExperimentId(id))).toBe(message);
  });
});

describe('validateExperimentIds', () => {
  it('accepts lists, empty included', () => {
    expect(validateExperimentIds(['1', '02'])).toEqual(['1', '2']);
    expect(validateExperimentIds([])).toEqual([]);
  });
  it.each<[unknown, string]>([
    ['1', `Invalid value "1" for parameter 'experiment_ids' supplied: Expected a list of experiment IDs.`],
    [['1', 'x'], "Invalid experiment ID: 'x'"],
  ])('rejects %j', (ids, message) => {
    expect(rejection(() => validateExperimentIds(ids))).toBe(message);
  });
});

describe('validateArtifactLocation', () => {
  it.each<[unknown, string | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['s3://bucket/path', 's3://bucket/path'],
    ['mlflow-artifacts:/7', 'mlflow-artifacts:/7'],
    ['/tmp/artifacts', '/tmp/artifacts'],
  ])('accepts %j', (location, expected) => {
    expect(validateArtifactLocation(location)).toBe(expected);
  });

  it.each<[unknown, string]>([
    ['runs:/abc/model', "Artifact location cannot be a runs:/ URI. Given: 'runs:/abc/model'"],
    ['file:///tmp/a#frag', "'artifact_location' URL can't include fragments or params."],
    ['s3://b/' + 'p'.repeat(2048), 'The length of the artifact path cannot be greater than 2048 characters.'],
    [5, `Invalid value 5 for parameter 'artifact_location' supplied: Expected a string.`],
  ])('rejects %j', (location, fragment) => {
    expect(rejection(() => validateArtifactLocation(location))).toContain(fragment);
  });
});

import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { validateDatasetInputs } from './dataset.js';

const dataset = { name: 'golden', digest: '5a1f0c2e', source_type: 'local', source: '{"uri": "g.jsonl"}' };
const context = { key: 'mlflow.data.context', value: 'eval' };

describe('validateDatasetInputs', () => {
  it('returns the inputs as they are stored: empty tags, schema and profile left out', () => {
    expect(
      validateDatasetInputs([
        { tags: [context], dataset: { ...dataset, schema: '{"cols": []}', profile: '' } },
        { tags: [], dataset: { ...dataset, digest: 'ffff', schema: null, profile: '{"rows": 3}' } },
      ]),
    ).toEqual([
      { tags: [context], dataset: { ...dataset, schema: '{"cols": []}' } },
      { dataset: { ...dataset, digest: 'ffff', profile: '{"rows": 3}' } },
    ]);
  });

  it('reads absent inputs as none', () => {
    expect(validateDatasetInputs(undefined)).toEqual([]);
    expect(validateDatasetInputs(null)).toEqual([]);
  });

  it('accepts the limits exactly, counting code points as MLflow does', () => {
    const at = {
      name: '😀'.repeat(500),
      digest: 'd'.repeat(36),
      source_type: 't'.repeat(10_000),
      source: 's'.repeat(65_535),
    };
    const tags = [{ key: 'k'.repeat(255), value: 'v'.repeat(500) }];
    expect(validateDatasetInputs([{ tags, dataset: at }])).toEqual([{ tags, dataset: at }]);
  });

  it.each<[string, unknown, string]>([
    ['datasets not a list', 'x', `Invalid value "x" for parameter 'datasets' supplied: Expected a list.`],
    [
      'an input not an object',
      [1],
      `Invalid value 1 for parameter 'datasets[0]' supplied: Expected an object.`,
    ],
    ['no dataset', [{ tags: [context] }], `Missing value for required parameter 'datasets[0].dataset'.`],
    [
      'a dataset that is a list',
      [{ dataset: [] }],
      `Invalid value [] for parameter 'datasets[0].dataset' supplied: Expected an object.`,
    ],
    [
      'an empty name',
      [{ dataset: { ...dataset, name: '' } }],
      `Missing value for required parameter 'datasets[0].dataset.name'.`,
    ],
    [
      'no digest',
      [{ dataset }, { dataset: { ...dataset, digest: undefined } }],
      `Missing value for required parameter 'datasets[1].dataset.digest'.`,
    ],
    [
      'no source_type',
      [{ dataset: { ...dataset, source_type: null } }],
      `Missing value for required parameter 'datasets[0].dataset.source_type'.`,
    ],
    [
      'no source',
      [{ dataset: { ...dataset, source: '' } }],
      `Missing value for required parameter 'datasets[0].dataset.source'.`,
    ],
    [
      'a name that is a number',
      [{ dataset: { ...dataset, name: 7 } }],
      `Invalid value 7 for parameter 'datasets[0].dataset.name' supplied: Expected a string.`,
    ],
    [
      'a name of 501 characters',
      [{ dataset: { ...dataset, name: 'n'.repeat(501) } }],
      "'datasets[0].dataset.name' exceeds the maximum length of 500 characters",
    ],
    [
      'a digest of 37 characters',
      [{ dataset: { ...dataset, digest: 'd'.repeat(37) } }],
      "'datasets[0].dataset.digest' exceeds the maximum length of 36 characters",
    ],
    [
      'a source of 65,536 characters',
      [{ dataset: { ...dataset, source: 's'.repeat(65_536) } }],
      "'datasets[0].dataset.source' exceeds the maximum length of 65535 characters",
    ],
    [
      'a schema of 1,048,576 characters',
      [{ dataset: { ...dataset, schema: 's'.repeat(1_048_576) } }],
      "'datasets[0].dataset.schema' exceeds the maximum length of 1048575 characters",
    ],
    [
      'a profile of 16,777,216 characters',
      [{ dataset: { ...dataset, profile: 'p'.repeat(16_777_216) } }],
      "'datasets[0].dataset.profile' exceeds the maximum length of 16777215 characters",
    ],
    [
      'tags not a list',
      [{ dataset, tags: {} }],
      `Invalid value {} for parameter 'datasets[0].tags' supplied: Expected a list.`,
    ],
    [
      'a tag without key',
      [{ dataset, tags: [{ value: 'eval' }] }],
      `Missing value for required parameter 'datasets[0].tags[0].key'.`,
    ],
    [
      'a tag without value',
      [{ dataset, tags: [context, { key: 'k' }] }],
      `Missing value for required parameter 'datasets[0].tags[1].value'.`,
    ],
    [
      'a tag key of 256 characters',
      [{ dataset, tags: [{ key: 'k'.repeat(256), value: 'v' }] }],
      "'datasets[0].tags[0].key' exceeds the maximum length of 255 characters",
    ],
    [
      'a tag value of 501 characters',
      [{ dataset, tags: [{ key: 'k', value: 'v'.repeat(501) }] }],
      "'datasets[0].tags[0].value' exceeds the maximum length of 500 characters",
    ],
  ])('rejects %s', (_name, inputs, message) => {
    expect(rejection(() => validateDatasetInputs(inputs))).toBe(message);
  });

  it('accepts an empty tag value, as MLflow does', () => {
    expect(validateDatasetInputs([{ dataset, tags: [{ key: 'k', value: '' }] }])).toEqual([
      { tags: [{ key: 'k', value: '' }], dataset },
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import {
  validateBatchLimits,
  validateBatchRequestSize,
  validateLogBatch,
  validateParamKeysUnique,
} from './batch.js';

const TS = 1700000000000;
const items = (n: number) => Array.from({ length: n }, () => ({}));

describe('validateBatchLimits', () => {
  it.each<[string, number, number, number]>([
    ['1000 metrics', 1000, 0, 0],
    ['100 params and 100 tags', 0, 100, 100],
    ['900 metrics, 50 params, 50 tags', 900, 50, 50],
    ['nothing', 0, 0, 0],
  ])('accepts %s', (_name, m, p, t) => {
    expect(() => validateBatchLimits({ metrics: items(m), params: items(p), tags: items(t) })).not.toThrow();
  });

  it.each<[string, number, number, number, string]>([
    [
      '1001 metrics',
      1001,
      0,
      0,
      'A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.',
    ],
    ['101 params', 0, 101, 0, 'A batch logging request can contain at most 100 params. Got 101 params.'],
    ['101 tags', 0, 0, 101, 'A batch logging request can contain at most 100 tags. Got 101 tags.'],
    [
      '900 metrics, 50 params, 51 tags',
      900,
      50,
      51,
      'A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags.',
    ],
  ])('rejects %s', (_name, m, p, t, fragment) => {
    expect(
      rejection(() => validateBatchLimits({ metrics: items(m), params: items(p), tags: items(t) })),
    ).toContain(fragment);
  });
});

describe('validateParamKeysUnique', () => {
  it('accepts distinct keys', () => {
    expect(() => validateParamKeysUnique([{ key: 'a' }, { key: 'b' }])).not.toThrow();
  });
  it.each<[string, string[], string]>([
    ['a repeated key', ['a', 'b', 'a'], "['a']"],
    ['a key three times', ['a', 'a', 'a'], "['a', 'a']"],
  ])('rejects %s', (_name, keys, listed) => {
    expect(rejection(() => validateParamKeysUnique(keys.map((key) => ({ key }))))).toBe(
      `Duplicate parameter keys have been submitted: ${listed}. Please ensure the request contains only one param value per param key.`,
    );
  });
});

describe('validateBatchRequestSize', () => {
  it('accepts 1 MB and rejects a byte more', () => {
    expect(() => validateBatchRequestSize(1_000_000)).not.toThrow();
    expect(rejection(() => validateBatchRequestSize(1_000_001))).toBe(
      'Batched logging API requests must be at most 1000000 bytes, got a request of size 1000001.',
    );
  });
});

describe('validateLogBatch', () => {
  it('accepts the recorded MLflow request and returns what is to be stored', () => {
    const batch = validateLogBatch(
      {
        metrics: [
          { key: 'loss', value: 0.5, timestamp: TS + 1, step: 0 },
          { key: 'loss', value: NaN, timestamp: TS + 2, step: 1 },
          { key: 'acc', value: 0.9, timestamp: TS + 3 },
        ],
        params: [{ key: 'lr', value: '0.01' }],
        tags: [
          { key: 'environment', value: 'dev' },
          { key: 'environment', value: 'prod' },
          { key: 'long', value: 'v'.repeat(9000) },
        ],
      },
      { truncateLongValues: true },
    );
    expect(batch.metrics.map((m) => m.step)).toEqual([0, 1, 0]);
    expect(batch.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(batch.tags).toHaveLength(3);
    expect(batch.tags[2]?.value).toHaveLength(8000);
  });

  it('treats absent lists as empty', () => {
    expect(validateLogBatch({})).toEqual({ metrics: [], params: [], tags: [] });
  });

  it.each<[string, Parameters<typeof validateLogBatch>[0], string]>([
    [
      'a bad metric value',
      {
        metrics: [
          { key: 'a', value: 1, timestamp: TS },
          { key: 'b', value: 'x', timestamp: TS },
        ],
      },
      "parameter 'metrics[1].value' supplied",
    ],
    ['a metric without timestamp', { metrics: [{ key: 'a', value: 1 }] }, "parameter 'metrics[0].timestamp'"],
    ['a bad param key', { params: [{ key: 'a!', value: '1' }] }, "parameter 'params[0].key' supplied"],
    ['a bad tag key', { tags: [{ key: 'ok' }, { key: '/x' }] }, "parameter 'tags[1].key' supplied"],
    [
      'an entity error before the limit error',
      { metrics: [{ key: 'a', value: 'x', timestamp: TS }, ...items(1000)] },
      "parameter 'metrics[0].value'",
    ],
    [
      'too many params',
      { params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' })) },
      'at most 100 params',
    ],
    [
      'the same param twice with one value',
      {
        params: [
          { key: 'lr', value: '1' },
          { key: 'lr', value: '1' },
        ],
      },
      "Duplicate parameter keys have been submitted: ['lr']",
    ],
    ['a list that is not a list', { metrics: 'x' as unknown as [] }, "parameter 'metrics' supplied"],
  ])('rejects %s', (_name, input, fragment) => {
    expect(rejection(() => validateLogBatch(input))).toContain(fragment);
  });

  it('rejects long values when truncation is off', () => {
    expect(
      rejection(() =>
        validateLogBatch({ tags: [{ key: 'k', value: 'v'.repeat(8001) }] }, { truncateLongValues: false }),
      ),
    ).toBe("'tags[0].value' exceeds the maximum length of 8000 characters");
  });
});

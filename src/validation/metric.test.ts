import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { validateMetric, type MetricInput } from './metric.js';

const TS = 1700000000000;

describe('validateMetric accepts', () => {
  it.each<[string, MetricInput, number]>([
    ['a plain value', { key: 'loss', value: 0.5, timestamp: TS, step: 3 }, 3],
    ['NaN', { key: 'loss', value: NaN, timestamp: TS, step: 0 }, 0],
    ['Infinity', { key: 'loss', value: Infinity, timestamp: TS, step: 0 }, 0],
    ['-Infinity', { key: 'loss', value: -Infinity, timestamp: TS, step: 0 }, 0],
    ['a negative value and step', { key: 'loss', value: -2, timestamp: TS, step: -1 }, -1],
    ['timestamp 0', { key: 'loss', value: 1, timestamp: 0, step: 0 }, 0],
    ['an absent step as 0', { key: 'loss', value: 1, timestamp: TS }, 0],
    ['a null step as 0', { key: 'loss', value: 1, timestamp: TS, step: null }, 0],
    ['the lowest int64 step', { key: 'loss', value: 1, timestamp: TS, step: -(2 ** 63) }, -(2 ** 63)],
  ])('%s', (_name, input, step) => {
    const metric = validateMetric(input);
    expect(metric).toEqual({ key: input.key, value: input.value, timestamp: input.timestamp, step });
  });
});

describe('validateMetric rejects', () => {
  it.each<[string, MetricInput, string]>([
    ['an absent value', { key: 'acc', timestamp: TS }, "Missing value for required parameter 'value'."],
    [
      'a string value',
      { key: 'acc', value: 'abc', timestamp: TS },
      `Invalid value "abc" for parameter 'value' supplied: (timestamp=${TS}). Please specify value as a valid double (64-bit floating point)`,
    ],
    [
      'the wire string NaN',
      { key: 'acc', value: 'NaN', timestamp: TS },
      `Invalid value "NaN" for parameter 'value'`,
    ],
    [
      'a boolean value',
      { key: 'acc', value: true, timestamp: TS },
      `Invalid value true for parameter 'value'`,
    ],
    ['an absent timestamp', { key: 'acc', value: 1 }, "Missing value for required parameter 'timestamp'."],
    [
      'a negative timestamp',
      { key: 'acc', value: 0.5, timestamp: -1 },
      `Invalid value -1 for parameter 'timestamp' supplied: metric 'acc' (value=0.5). Timestamp must be a nonnegative long (64-bit integer) `,
    ],
    ['a fractional timestamp', { key: 'acc', value: 1, timestamp: 1.5 }, "parameter 'timestamp' supplied"],
    [
      'a NaN timestamp',
      { key: 'acc', value: 1, timestamp: NaN },
      "Invalid value NaN for parameter 'timestamp'",
    ],
    [
      'a string timestamp',
      { key: 'acc', value: 1, timestamp: '1' },
      `Invalid value "1" for parameter 'timestamp'`,
    ],
    [
      'a fractional step',
      { key: 'acc', value: 0.5, timestamp: TS, step: 1.5 },
      `Invalid value 1.5 for parameter 'step' supplied: metric 'acc' (value=0.5). Step must be a valid long (64-bit integer).`,
    ],
    [
      'a step beyond int64',
      { key: 'acc', value: 1, timestamp: TS, step: 2 ** 63 },
      "parameter 'step' supplied",
    ],
    [
      'a string step',
      { key: 'acc', value: 1, timestamp: TS, step: 'x' },
      `Invalid value "x" for parameter 'step'`,
    ],
    ['NaN shown as Python does', { key: 'acc', value: NaN, timestamp: -5 }, "metric 'acc' (value=nan)"],
    ['a bad key', { key: 'a!', value: 1, timestamp: TS }, `Invalid value "a!" for parameter 'name' supplied`],
    ['an absent key', { value: 1, timestamp: TS }, "Missing value for required parameter 'key'."],
  ])('%s', (_name, input, fragment) => {
    expect(rejection(() => validateMetric(input))).toContain(fragment);
  });
});

describe('validateMetric inside a batch', () => {
  it.each<[MetricInput, string]>([
    [{ key: 'acc', timestamp: TS }, "Missing value for required parameter 'metrics[2].value'."],
    [{ key: 'acc', value: 'x', timestamp: TS }, "parameter 'metrics[2].value' supplied"],
    [{ key: 'acc', value: 1, timestamp: -1 }, "parameter 'metrics[2].timestamp' supplied"],
    [{ key: 'acc', value: 1, timestamp: TS, step: 0.5 }, "parameter 'metrics[2].step' supplied"],
    [{ key: '../x', value: 1, timestamp: TS }, "parameter 'metrics[2].name' supplied"],
  ])('names the field of %j', (input, fragment) => {
    expect(rejection(() => validateMetric(input, { path: 'metrics[2]' }))).toContain(fragment);
  });
});

import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import {
  validateMetricHistoryMaxResults,
  validateSearchExperimentsMaxResults,
  validateSearchMaxResults,
  validateSearchRunsMaxResults,
  validateViewType,
} from './search.js';

describe('validateSearchMaxResults', () => {
  it.each<[unknown, number]>([
    [undefined, 1000],
    [null, 1000],
    [1, 1],
    [10_000, 10_000],
    [50_000, 50_000],
    ['25', 25],
  ])('accepts %j as %d', (value, expected) => {
    expect(validateSearchMaxResults(value)).toBe(expected);
  });

  it.each<[unknown, string]>([
    [0, "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer"],
    [-5, "Invalid value -5 for parameter 'max_results' supplied. It must be a positive integer"],
    [1.5, "Invalid value 1.5 for parameter 'max_results' supplied. It must be a positive integer"],
    ['abc', "Invalid value abc for parameter 'max_results' supplied. It must be a positive integer"],
    [50_001, "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000"],
  ])('rejects %j', (value, message) => {
    expect(rejection(() => validateSearchMaxResults(value))).toBe(message);
  });

  it('applies one rule to runs and experiments', () => {
    expect(validateSearchRunsMaxResults(undefined)).toBe(1000);
    expect(rejection(() => validateSearchExperimentsMaxResults(50_001))).toContain('at most 50000');
  });
});

describe('validateMetricHistoryMaxResults', () => {
  it.each<[unknown, number | undefined]>([
    [undefined, undefined],
    [1, 1],
    [25_000, 25_000],
    ['25000', 25_000],
    [1_000_000, 1_000_000],
  ])('accepts %j', (value, expected) => {
    expect(validateMetricHistoryMaxResults(value)).toBe(expected);
  });

  it.each([0, -1, 2.5, 'x'])('rejects %j', (value) => {
    expect(rejection(() => validateMetricHistoryMaxResults(value))).toContain(
      "for parameter 'max_results' supplied. It must be a positive integer",
    );
  });
});

describe('validateViewType', () => {
  it.each<[unknown, string]>([
    [undefined, 'ACTIVE_ONLY'],
    ['ACTIVE_ONLY', 'ACTIVE_ONLY'],
    ['DELETED_ONLY', 'DELETED_ONLY'],
    ['ALL', 'ALL'],
    ['deleted_only', 'DELETED_ONLY'],
    [1, 'ACTIVE_ONLY'],
    [3, 'ALL'],
  ])('accepts %j as %s', (value, expected) => {
    expect(validateViewType(value)).toBe(expected);
  });

  it.each<[unknown]>([['BOTH'], [''], [0], [4], [true]])('rejects %j', (value) => {
    expect(rejection(() => validateViewType(value, 'run_view_type'))).toContain(
      "for parameter 'run_view_type' supplied: Valid view types are ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']",
    );
  });
});

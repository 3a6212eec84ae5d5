import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import type { TimeZone } from './agent-config.js';
import { RUN_TYPES, type RunType } from './conventions.js';
import { formatRunName, parseRunName, runNameMatches, withSuffix } from './naming.js';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

describe('formatRunName', () => {
  it.each<[RunType, string, string]>([
    ['development', '2026-11-26T10:15:00.000Z', 'dev_20261126_101500'],
    ['evaluation', '2026-11-26T10:15:00.999Z', 'eval_pre_deploy_20261126_101500'],
    ['deployment', '2026-01-02T03:04:05Z', 'deploy_20260102_030405'],
    ['development', '2024-02-29T23:59:59Z', 'dev_20240229_235959'],
    ['development', '2026-12-31T00:00:00Z', 'dev_20261231_000000'],
    ['development', '0999-05-06T07:08:09Z', 'dev_09990506_070809'],
  ])('%s at %s in UTC → %s', (type, iso, expected) => {
    expect(formatRunName(type, new Date(iso), 'UTC')).toBe(expected);
  });

  it('uses UTC when no time zone is given', () => {
    expect(formatRunName('development', new Date('2026-11-26T23:30:00Z'))).toBe('dev_20261126_233000');
  });

  it('reads local fields for the local time zone', () => {
    const date = new Date('2026-11-26T23:30:07Z');
    const expected =
      `dev_${pad(date.getFullYear(), 4)}${pad(date.getMonth() + 1)}${pad(date.getDate())}_` +
      `${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
    expect(formatRunName('development', date, 'local')).toBe(expected);
  });

  describe('in a fixed local zone', () => {
    const saved = process.env.TZ;
    afterEach(() => {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    });

    it.each<[string, string, TimeZone, string]>([
      ['Asia/Kolkata', '2026-11-26T23:30:07Z', 'local', 'dev_20261127_050007'],
      ['Asia/Kolkata', '2026-11-26T23:30:07Z', 'UTC', 'dev_20261126_233007'],
      ['America/New_York', '2026-07-01T02:00:00Z', 'local', 'dev_20260630_220000'],
      ['America/New_York', '2026-01-01T02:00:00Z', 'local', 'dev_20251231_210000'],
    ])('TZ=%s, %s, %s → %s', (zone, iso, timeZone, expected) => {
      process.env.TZ = zone;
      expect(formatRunName('development', new Date(iso), timeZone)).toBe(expected);
    });
  });

  it.each<[string, () => unknown, string]>([
    ['an invalid date', () => formatRunName('development', new Date('nope')), 'run date: not a valid date'],
    [
      'a year of five digits',
      () => formatRunName('development', new Date('+010000-01-01T00:00:00Z')),
      'run date: year 10000 does not fit the four digits of a run name',
    ],
    [
      'an unknown run type',
      () => formatRunName('dev' as RunType, new Date(0)),
      "run type: unknown run type 'dev' (use development, evaluation, deployment)",
    ],
    [
      'an unknown time zone',
      () => formatRunName('development', new Date(0), 'Europe/Paris' as TimeZone),
      "timeZone: unknown time zone 'Europe/Paris' (use UTC or local)",
    ],
  ])('refuses %s', (_name, call, message) => {
    expect(rejection(call)).toBe(message);
  });
});

describe('withSuffix', () => {
  it.each<[number, string]>([
    [1, 'dev_20261126_101500'],
    [2, 'dev_20261126_101500_2'],
    [10, 'dev_20261126_101500_10'],
  ])('n = %d → %s', (n, expected) => {
    expect(withSuffix('dev_20261126_101500', n)).toBe(expected);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity])('refuses n = %d', (n) => {
    expect(rejection(() => withSuffix('dev_20261126_101500', n))).toBe(
      `run name suffix: must be a whole number from 1 on, got ${String(n)}`,
    );
  });
});

describe('parseRunName', () => {
  it.each<[string, RunType, string, number]>([
    ['dev_20261126_101500', 'development', '20261126_101500', 1],
    ['dev_20261126_101500_2', 'development', '20261126_101500', 2],
    ['dev_20261126_101500_137', 'development', '20261126_101500', 137],
    ['eval_pre_deploy_20261126_101500', 'evaluation', '20261126_101500', 1],
    ['eval_pre_deploy_20261126_101500_3', 'evaluation', '20261126_101500', 3],
    ['deploy_20240229_235959', 'deployment', '20240229_235959', 1],
    ['deploy_20000229_000000_2', 'deployment', '20000229_000000', 2],
  ])('%s', (name, runType, timestamp, suffix) => {
    const base = suffix === 1 ? name : name.slice(0, name.lastIndexOf('_'));
    expect(parseRunName(name)).toEqual({ runType, timestamp, suffix, base });
  });

  it.each([
    ['not a conventional name', 'my-run'],
    ['an empty name', ''],
    ['an unknown prefix', 'eval_20261126_101500'],
    ['a prefix in another case', 'DEV_20261126_101500'],
    ['a short date', 'dev_2026112_101500'],
    ['a long time', 'dev_20261126_1015000'],
    ['no separator', 'dev_20261126101500'],
    ['month 13', 'dev_20261326_101500'],
    ['month 00', 'dev_20260026_101500'],
    ['day 00', 'dev_20261100_101500'],
    ['31 November', 'dev_20261131_101500'],
    ['29 February of a common year', 'dev_20260229_101500'],
    ['29 February 1900', 'dev_19000229_101500'],
    ['hour 24', 'dev_20261126_241500'],
    ['minute 60', 'dev_20261126_106000'],
    ['second 60', 'dev_20261126_101560'],
    ['suffix _1', 'dev_20261126_101500_1'],
    ['suffix _0', 'dev_20261126_101500_0'],
    ['a suffix with a leading zero', 'dev_20261126_101500_02'],
    ['an empty suffix', 'dev_20261126_101500_'],
    ['a suffix beyond safe integers', 'dev_20261126_101500_99999999999999999999'],
    ['a word suffix', 'dev_20261126_101500_copy'],
    ['trailing text', 'dev_20261126_101500 '],
    ['leading text', ' dev_20261126_101500'],
  ])('%s is not a run name (%j)', (_name, text) => {
    expect(parseRunName(text)).toBeUndefined();
  });

  const runType = fc.constantFrom(...RUN_TYPES);
  // A day inside the four-digit years on each side, so that every local zone stays within them too.
  const date = fc.date({
    min: new Date('0000-01-02T00:00:00Z'),
    max: new Date('9999-12-30T23:59:59Z'),
    noInvalidDate: true,
  });
  const suffix = fc.oneof(fc.constant(1), fc.integer({ min: 2, max: 1_000_000 }));

  it('reads back what formatRunName and withSuffix write', () => {
    fc.assert(
      fc.property(runType, date, suffix, fc.constantFrom<TimeZone>('UTC', 'local'), (type, d, n, zone) => {
        const base = formatRunName(type, d, zone);
        const parsed = parseRunName(withSuffix(base, n));
        expect(parsed).toEqual({ runType: type, timestamp: base.slice(-15), suffix: n, base });
      }),
      { numRuns: 1000 },
    );
  });

  it('agrees with the calendar on which timestamps exist', () => {
    fc.assert(
      fc.property(
        fc.tuple(
          fc.integer({ min: 0, max: 9999 }),
          fc.integer({ min: 0, max: 13 }),
          fc.integer({ min: 0, max: 32 }),
          fc.integer({ min: 0, max: 24 }),
          fc.integer({ min: 0, max: 60 }),
          fc.integer({ min: 0, max: 60 }),
        ),
        ([year, month, day, hours, minutes, seconds]) => {
          const iso = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
          const date = new Date(`${iso}Z`);
          const real = !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso);
          const name = `dev_${pad(year, 4)}${pad(month)}${pad(day)}_${pad(hours)}${pad(minutes)}${pad(seconds)}`;
          expect(parseRunName(name) !== undefined).toBe(real);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('runNameMatches', () => {
  it.each<[RunType, string, boolean]>([
    ['development', 'dev_20261126_101500', true],
    ['development', 'dev_20261126_101500_2', true],
    ['evaluation', 'dev_20261126_101500', false],
    ['evaluation', 'eval_pre_deploy_20261126_101500', true],
    ['deployment', 'eval_pre_deploy_20261126_101500', false],
    ['deployment', 'deploy_20261126_101500_4', true],
    ['deployment', 'deploy_20261131_101500', false],
    ['development', 'dev', false],
  ])('%s, %s → %s', (type, name, expected) => {
    expect(runNameMatches(type, name)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isAgentrackError } from '../errors.js';
import {
  formatProtoDuration,
  formatProtoTimestamp,
  parseProtoDuration,
  parseProtoTimestamp,
} from './protobuf-time.js';

describe('protobuf timestamps', () => {
  it('reads RFC 3339 times with fractions and offsets, truncated to the millisecond', () => {
    expect(parseProtoTimestamp('2026-12-01T11:13:55.877Z', 'request_time')).toBe(
      Date.UTC(2026, 11, 1, 11, 13, 55, 877),
    );
    expect(parseProtoTimestamp('1970-01-01T00:00:01.123999999Z', 't')).toBe(1123);
    expect(parseProtoTimestamp('1970-01-01T01:00:00+01:00', 't')).toBe(0);
    expect(parseProtoTimestamp('1970-01-01T00:00:00-00:30', 't')).toBe(1_800_000);
  });

  it('writes whole seconds without a fraction and others with three digits, as Python does', () => {
    expect(formatProtoTimestamp(0)).toBe('1970-01-01T00:00:00Z');
    expect(formatProtoTimestamp(1500)).toBe('1970-01-01T00:00:01.500Z');
    expect(formatProtoTimestamp(Date.UTC(2026, 11, 1, 11, 13, 55, 877))).toBe('2026-12-01T11:13:55.877Z');
  });

  it('round-trips every millisecond time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        expect(parseProtoTimestamp(formatProtoTimestamp(ms), 't')).toBe(ms);
      }),
    );
  });

  it('refuses what is not a time, naming the field', () => {
    for (const bad of [
      '',
      '2026-12-01',
      '2026-13-01T00:00:00Z',
      '2026-02-30T00:00:00Z',
      1796123635877,
      null,
    ]) {
      let caught: unknown;
      try {
        parseProtoTimestamp(bad, 'request_time');
      } catch (error) {
        caught = error;
      }
      expect(isAgentrackError(caught, 'INVALID_PARAMETER_VALUE')).toBe(true);
      expect((caught as Error).message).toContain("'request_time'");
    }
  });
});

describe('protobuf durations', () => {
  it('reads seconds with up to nine fractional digits, truncated to the millisecond', () => {
    expect(parseProtoDuration('0s', 'd')).toBe(0);
    expect(parseProtoDuration('0.032s', 'd')).toBe(32);
    expect(parseProtoDuration('0.0325s', 'd')).toBe(32);
    expect(parseProtoDuration('12s', 'd')).toBe(12_000);
    expect(parseProtoDuration('-1.5s', 'd')).toBe(-1500);
  });

  it('writes as Python does', () => {
    expect(formatProtoDuration(0)).toBe('0s');
    expect(formatProtoDuration(32)).toBe('0.032s');
    expect(formatProtoDuration(1500)).toBe('1.500s');
    expect(formatProtoDuration(12_000)).toBe('12s');
  });

  it('round-trips every millisecond duration and refuses what is not one', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (ms) => {
        expect(parseProtoDuration(formatProtoDuration(ms), 'd')).toBe(ms);
      }),
    );
    for (const bad of ['', '5', '1.s', '1,5s', 32]) {
      expect(() => parseProtoDuration(bad, 'execution_duration')).toThrow(/execution_duration/);
    }
  });
});

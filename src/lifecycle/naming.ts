import { invalidParameter } from '../errors.js';
import type { TimeZone } from './agent-config.js';
import { RUN_NAME_PREFIXES, RUN_TYPES, type RunType } from './conventions.js';

/** What {@link parseRunName} reads from a conventional run name. */
export interface ParsedRunName {
  runType: RunType;
  /** `YYYYMMDD_HHMMSS`, as written in the name. */
  timestamp: string;
  /** 1 for a name without suffix, N for a name ending in `_N`. */
  suffix: number;
  /** The name without its suffix: `<prefix>_<timestamp>`. */
  base: string;
}

const PREFIX_TO_TYPE = new Map(RUN_TYPES.map((type) => [RUN_NAME_PREFIXES[type], type] as const));

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const RUN_NAME = new RegExp(
  `^(${[...PREFIX_TO_TYPE.keys()].map(escapeRegExp).join('|')})_(\\d{8}_\\d{6})(?:_([1-9]\\d*))?$`,
);

/**
 * The conventional name of a run started at `date`: `<prefix>_YYYYMMDD_HHMMSS`, with the
 * date-time read in UTC or in the machine's local time zone.
 *
 * @example formatRunName('development', new Date('2026-11-26T10:15:00Z'), 'UTC') // 'dev_20261126_101500'
 */
export function formatRunName(runType: RunType, date: Date, timeZone: TimeZone = 'UTC'): string {
  const prefix = prefixOf(runType);
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw invalidParameter('run date: not a valid date');
  }
  const utc = timeZone === 'UTC';
  if (!utc && timeZone !== 'local') {
    throw invalidParameter(`timeZone: unknown time zone '${String(timeZone)}' (use UTC or local)`);
  }
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  if (year < 0 || year > 9999) {
    throw invalidParameter(`run date: year ${year} does not fit the four digits of a run name`);
  }
  const fields = utc
    ? [
        date.getUTCMonth() + 1,
        date.getUTCDate(),
        date.getUTCHours(),
        date.getUTCMinutes(),
        date.getUTCSeconds(),
      ]
    : [date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()];
  const [month, day, hours, minutes, seconds] = fields.map((n) => String(n).padStart(2, '0'));
  return `${prefix}_${String(year).padStart(4, '0')}${month}${day}_${hours}${minutes}${seconds}`;
}

/**
 * The `n`-th name for a base name: the base itself for 1, `<base>_<n>` from 2 on.
 *
 * @example withSuffix('dev_20261126_101500', 2) // 'dev_20261126_101500_2'
 */
export function withSuffix(base: string, n: number): string {
  if (!Number.isSafeInteger(n) || n < 1) {
    throw invalidParameter(`run name suffix: must be a whole number from 1 on, got ${String(n)}`);
  }
  return n === 1 ? base : `${base}_${n}`;
}

/**
 * Reads a conventional run name; `undefined` when the name does not follow the conventions
 * (unknown prefix, malformed or impossible date-time, suffix `_0`, `_1` or with leading zeros).
 *
 * @example parseRunName('dev_20261126_101500_2') // { runType: 'development', timestamp: '20261126_101500', suffix: 2, base: 'dev_20261126_101500' }
 */
export function parseRunName(name: string): ParsedRunName | undefined {
  if (typeof name !== 'string') return undefined;
  const match = RUN_NAME.exec(name);
  if (match === null) return undefined;
  const [, prefix = '', timestamp = '', suffixText] = match;
  const runType = PREFIX_TO_TYPE.get(prefix);
  if (runType === undefined) return undefined;
  const [year, month, day, hours, minutes, seconds] = [0, 4, 6, 9, 11, 13].map((at, i) =>
    Number(timestamp.slice(at, at + (i === 0 ? 4 : 2))),
  ) as [number, number, number, number, number, number];
  if (!isCalendarDate(year, month, day) || hours > 23 || minutes > 59 || seconds > 59) return undefined;
  const suffix = suffixText === undefined ? 1 : Number(suffixText);
  if (!Number.isSafeInteger(suffix) || (suffixText !== undefined && suffix < 2)) return undefined;
  return { runType, timestamp, suffix, base: `${prefix}_${timestamp}` };
}

/** True when `name` is a conventional run name of `runType` (with or without a suffix). */
export function runNameMatches(runType: RunType, name: string): boolean {
  return parseRunName(name)?.runType === runType;
}

function prefixOf(runType: RunType): string {
  if (!(RUN_TYPES as readonly string[]).includes(runType)) {
    throw invalidParameter(`run type: unknown run type '${String(runType)}' (use ${RUN_TYPES.join(', ')})`);
  }
  return RUN_NAME_PREFIXES[runType];
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] as number;
  return day <= days;
}

import { codePointLength, exceedsMaximumLength, fail, invalidValue, truncateCodePoints } from './_format.js';

/** How a too-long value is limited: `label` names it in messages, `path` in type errors. */
export interface LimitedValue {
  value: unknown;
  path: string;
  label: string;
  limit: number;
  truncate: boolean;
}

/**
 * A param or tag value: absent means empty (as protobuf reads a missing string field),
 * anything but a string is rejected, and a value over `limit` is truncated or rejected.
 */
export function limitedString({ value, path, label, limit, truncate }: LimitedValue): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') fail(invalidValue(path, value, 'Expected a string.'));
  if (value.length <= limit || codePointLength(value) <= limit) return value;
  if (truncate) return truncateCodePoints(value, limit);
  return fail(exceedsMaximumLength(label, limit));
}

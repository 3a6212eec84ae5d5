import { invalidParameter } from '../errors.js';

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/**
 * Epoch milliseconds of a protobuf `Timestamp` in its JSON form (RFC 3339:
 * `2026-12-01T11:13:55.877Z`, any offset, up to 9 fractional digits, truncated to the
 * millisecond as MLflow's `ToMilliseconds` does). Anything else is INVALID_PARAMETER_VALUE
 * naming `field`.
 *
 * @example parseProtoTimestamp('1970-01-01T00:00:01.5Z', 'request_time') // 1500
 */
export function parseProtoTimestamp(text: unknown, field: string): number {
  const match = typeof text === 'string' ? TIMESTAMP.exec(text) : null;
  if (!match) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(text)} for parameter '${field}': expected an RFC 3339 time such as '2026-12-01T11:13:55.877Z'.`,
    );
  }
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, oh, om] = match;
  const ms =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) +
    Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  const offset = zulu ? 0 : (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(text)} for parameter '${field}': not a valid time.`,
    );
  }
  return ms - offset;
}

/**
 * A protobuf `Timestamp`'s JSON form of epoch milliseconds, as Python's protobuf writes it:
 * UTC, with no fraction on whole seconds and three digits otherwise.
 *
 * @example formatProtoTimestamp(1500) // '1970-01-01T00:00:01.500Z'
 */
export function formatProtoTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith('.000Z') ? `${iso.slice(0, -5)}Z` : iso;
}

/**
 * Milliseconds of a protobuf `Duration` in its JSON form (`"0.032s"`, `"12s"`, `"-1.5s"`),
 * truncated to the millisecond. Anything else is INVALID_PARAMETER_VALUE naming `field`.
 *
 * @example parseProtoDuration('0.0325s', 'execution_duration') // 32
 */
export function parseProtoDuration(text: unknown, field: string): number {
  const match = typeof text === 'string' ? DURATION.exec(text) : null;
  if (!match) {
    throw invalidParameter(
      `Invalid value ${JSON.stringify(text)} for parameter '${field}': expected a duration such as '0.032s'.`,
    );
  }
  const [, minus, seconds, fraction] = match;
  const ms = Number(seconds) * 1000 + Number((fraction ?? '').padEnd(3, '0').slice(0, 3));
  if (!Number.isSafeInteger(ms)) throw invalidParameter(`The duration ${JSON.stringify(text)} is too long.`);
  return minus ? -ms : ms;
}

/**
 * A protobuf `Duration`'s JSON form of milliseconds, as Python's protobuf writes it: `"0s"`,
 * `"12s"`, `"0.032s"`, `"1.500s"` (three fractional digits when there is a fraction).
 *
 * @example formatProtoDuration(1500) // '1.500s'
 */
export function formatProtoDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(ms));
  const seconds = Math.trunc(abs / 1000);
  const rest = abs % 1000;
  return rest === 0 ? `${sign}${seconds}s` : `${sign}${seconds}.${String(rest).padStart(3, '0')}s`;
}

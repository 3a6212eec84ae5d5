import { AgentrackError } from '../../errors.js';

/** What a PostgreSQL error means to the store: the kinds every SQL driver maps its errors to. */
export type PostgresErrorKind = 'unique' | 'busy' | 'unavailable' | 'other';

/** SQLSTATEs worth running a whole transaction again for: serialization failure, deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);

/** Node's network error codes for a server that cannot be reached. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ETIMEDOUT',
  'EPIPE',
]);

/** The SQLSTATE of a PostgreSQL server error, or undefined for anything else. */
export function sqlState(error: unknown): string | undefined {
  const e = error as { code?: unknown; severity?: unknown } | null;
  return typeof e?.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && e.severity !== undefined
    ? e.code
    : undefined;
}

/** True when the transaction that failed with `error` may simply be run again. */
export function isRetryable(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && RETRYABLE.has(state);
}

/**
 * The kind of a `pg` error: a unique violation (23505); `busy` for a serialization failure,
 * a deadlock or a lock or statement timeout (40001, 40P01, 55P03, 57014); `unavailable` when the
 * server cannot be reached or is going away (class 08, 57P01-57P03, 53300, network errors,
 * a connection timeout); `other` for the rest.
 */
export function postgresErrorKind(error: unknown): PostgresErrorKind {
  const state = sqlState(error);
  if (state === '23505') return 'unique';
  if (state !== undefined && (RETRYABLE.has(state) || state === '55P03' || state === '57014')) return 'busy';
  if (state !== undefined && (state.startsWith('08') || /^57P0[123]$/.test(state) || state === '53300')) {
    return 'unavailable';
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'unavailable';
  const message = error instanceof Error ? error.message : '';
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(message)) return 'unavailable';
  return 'other';
}

/**
 * A `pg` error as an {@link AgentrackError}: TEMPORARILY_UNAVAILABLE for `busy` and
 * `unavailable`, INTERNAL_ERROR otherwise, the driver's error as `cause`. Agentrack errors and
 * errors that are not the database's (a bug in a transaction's callback) pass unchanged.
 */
export function wrapPostgresError(error: unknown): unknown {
  if (error instanceof AgentrackError) return error;
  const kind = postgresErrorKind(error);
  const state = sqlState(error);
  if (state === undefined && kind === 'other') return error;
  const message = error instanceof Error ? error.message : String(error);
  const label = state !== undefined ? `PostgreSQL error (${state})` : 'PostgreSQL connection error';
  return new AgentrackError(
    kind === 'busy' || kind === 'unavailable' ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR',
    `${label}: ${message}`,
    {
      cause: error,
    },
  );
}

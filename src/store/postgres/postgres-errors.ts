import { AgentrackError } from '../../errors.js';
import { DatabaseError, type DatabaseErrorKind } from '../sql/database-error.js';

/** The coarse kind of a PostgreSQL error (the shared SQL core reads {@link describePostgresError}'s). */
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

/** The kind of each SQLSTATE the store tells apart; classes not listed are `other`. */
const KIND_OF_STATE: Readonly<Record<string, DatabaseErrorKind>> = {
  '23505': 'unique-violation',
  '23503': 'foreign-key-violation',
  '40001': 'serialization',
  '40P01': 'serialization',
  '55P03': 'busy',
  '57014': 'timeout',
  '25006': 'readonly',
  '53100': 'full',
  XX001: 'corrupt',
  XX002: 'corrupt',
};

/**
 * What a `pg` error means to the shared SQL core, by SQLSTATE: 23505 a unique violation, 23503 a
 * foreign-key one, other class 23 codes a constraint violation; a serialization failure or a
 * deadlock (40001, 40P01) `serialization`; a lock that is not available (55P03) `busy`; a
 * statement timeout (57014) `timeout`; a read-only transaction (25006) `readonly`; a full disk
 * (53100) `full`; data corruption (XX001, XX002) `corrupt`; a server that cannot be reached or is
 * going away (see {@link postgresErrorKind}) `unavailable`; any other SQLSTATE `other`, and
 * undefined for an error that is not PostgreSQL's.
 *
 * @example describePostgresError(Object.assign(new Error('duplicate key'), { code: '23505', severity: 'ERROR' })) // 'unique-violation'
 */
export function describePostgresError(error: unknown): DatabaseErrorKind | undefined {
  const state = sqlState(error);
  if (state !== undefined) {
    const kind = KIND_OF_STATE[state];
    if (kind !== undefined) return kind;
    if (state.startsWith('23')) return 'constraint-violation';
  }
  if (postgresErrorKind(error) === 'unavailable') return 'unavailable';
  return state === undefined ? undefined : 'other';
}

/**
 * A `pg` error as a {@link DatabaseError} without a statement (the store's errors are wrapped
 * by the shared SQL core, with theirs): TEMPORARILY_UNAVAILABLE for a lock, a timeout, a lost
 * race or a server out of reach, INTERNAL_ERROR otherwise, the driver's error as `cause`.
 * Agentrack errors and errors that are not the database's pass unchanged.
 */
export function wrapPostgresError(error: unknown): unknown {
  if (error instanceof AgentrackError) return error;
  const kind = describePostgresError(error);
  if (kind === undefined) return error;
  return new DatabaseError({ database: 'PostgreSQL', kind, cause: error });
}

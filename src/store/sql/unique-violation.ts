import type { AgentrackError } from '../../errors.js';

/** SQLite's extended result codes for a UNIQUE or PRIMARY KEY constraint that failed. */
const SQLITE_UNIQUE = new Set(['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** PostgreSQL's SQLSTATE for a unique violation. */
const POSTGRES_UNIQUE = '23505';

/**
 * True when `error`, or an error it wraps (`cause`), is a unique or primary-key violation of
 * SQLite or PostgreSQL: how a check-then-insert finds that another connection inserted the
 * same key between its check and its insert (on SQLite, writers are serialized and it never
 * happens; on PostgreSQL the second insert waits for the first to commit, then fails).
 */
export function isUniqueViolation(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (code === POSTGRES_UNIQUE || (typeof code === 'string' && SQLITE_UNIQUE.has(code))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `work`, with a unique violation it fails with replaced by `taken()`: the error its own check
 * gives when the key is already there, so that losing a race reads the same as arriving second.
 */
export async function orTaken<T>(work: Promise<T>, taken: () => AgentrackError): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

import type { DatabaseErrorKind } from '../sql/database-error.js';

/** Result codes of SQLite telling us another connection holds the lock. */
const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);

/** The kind of each extended result code's primary code (the part before a second `_`). */
const KIND_OF_PRIMARY: Readonly<Record<string, DatabaseErrorKind>> = {
  SQLITE_BUSY: 'busy',
  SQLITE_LOCKED: 'busy',
  SQLITE_READONLY: 'readonly',
  SQLITE_CORRUPT: 'corrupt',
  SQLITE_NOTADB: 'corrupt',
  SQLITE_FULL: 'full',
  SQLITE_INTERRUPT: 'timeout',
};

/** The SQLite result code of `error` (better-sqlite3's `SqliteError`), or undefined. */
export function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/**
 * True when `error` is SQLite telling us another connection holds the lock; seen through the
 * shared core's wrapping (a `DatabaseError`'s cause), since a transaction's statements reach
 * the driver's retry wrapped.
 */
export function isSqliteBusy(error: unknown): boolean {
  const code = sqliteCode(error) ?? sqliteCode((error as { cause?: unknown } | null)?.cause);
  return code !== undefined && BUSY_CODES.has(code);
}

/**
 * What a better-sqlite3 error means to the shared SQL core: the constraint that failed, a lock
 * held elsewhere, a read-only or corrupt file, a full disk, ...; undefined for an error that is
 * not SQLite's (a value better-sqlite3 cannot bind, a bug in a callback).
 *
 * @example describeSqliteError(Object.assign(new Error('UNIQUE constraint failed: t.a'), { code: 'SQLITE_CONSTRAINT_UNIQUE' })) // 'unique-violation'
 */
export function describeSqliteError(error: unknown): DatabaseErrorKind | undefined {
  const code = sqliteCode(error);
  if (code === undefined) return undefined;
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
    return 'unique-violation';
  if (code === 'SQLITE_CONSTRAINT_FOREIGNKEY') return 'foreign-key-violation';
  if (code.startsWith('SQLITE_CONSTRAINT')) return 'constraint-violation';
  const primary = /^SQLITE_[A-Z]+/.exec(code)?.[0] ?? code;
  return KIND_OF_PRIMARY[primary] ?? 'other';
}

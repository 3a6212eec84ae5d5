import type { DatabaseErrorKind } from './database-error.js';

/** A row as returned by a driver: column name to value. */
export type SqlRow = Record<string, unknown>;

/** The result of a statement that writes. */
export interface SqlRunResult {
  changes: number;
}

/**
 * The small surface the shared SQL store needs from a database driver.
 *
 * Implementations: `SqliteDriver` (better-sqlite3) and `PostgresDriver` (pg). Values only ever
 * travel as parameters; `sql` text comes from the store and the query compiler.
 */
export interface SqlExecutor {
  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  get<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  run(sql: string, params?: readonly unknown[]): Promise<SqlRunResult>;
  /** Runs one statement once per parameter list; the cheap path for bulk inserts. */
  runMany(sql: string, paramsList: readonly (readonly unknown[])[]): Promise<SqlRunResult>;
  /**
   * Loads `rows` (values in the order of `columns`) into `table` in one bulk load, as a plain
   * INSERT of each would: PostgreSQL's `COPY ... FROM STDIN`. Absent on a database without
   * such a path (SQLite, where {@link runMany} is the cheap one).
   */
  copyRows?(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
  ): Promise<SqlRunResult>;
}

/**
 * A connection (or pool) that can also open write transactions.
 *
 * A driver reports its database's errors as the database gives them (agentrack's own errors,
 * such as a closed driver's INVALID_STATE, aside) and says what they mean through
 * {@link SqlDriver.describeError}: the shared SQL core wraps each one once, with the statement
 * that failed (see `withDatabaseErrors`).
 */
export interface SqlDriver extends SqlExecutor {
  readonly dialect: 'sqlite' | 'postgres';
  /** The database's name, for messages: `SQLite`, `PostgreSQL`. */
  readonly databaseName: string;
  /**
   * What `error`, thrown by one of this driver's calls, means; undefined when it is not the
   * database's error (a bug in a transaction's callback, an agentrack error), which then
   * passes unchanged.
   */
  describeError(error: unknown): DatabaseErrorKind | undefined;
  /**
   * Runs `fn` in one write transaction: committed when it resolves, rolled back when it
   * throws. Transactions never interleave on one driver.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /** Runs `fn` with a consistent read snapshot (no writes). */
  read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

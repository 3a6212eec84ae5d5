import { AgentrackError } from '../../errors.js';
import { DatabaseError } from './database-error.js';
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult } from './sql-driver.js';

/**
 * `driver` with its database errors wrapped exactly once, as {@link DatabaseError}s carrying
 * the statement that failed and its parameters: every statement run on it, or on the executor
 * a transaction or read hands its callback, and failures of the transaction itself (BEGIN,
 * COMMIT, a connection). The driver's `describeError` says which errors are the database's and
 * what they mean; any other error (agentrack's own, a bug in a callback) passes unchanged.
 * Wrapping a wrapped driver returns it as it is. The SQL stores wrap the driver they are given,
 * so a backend only supplies its driver.
 *
 * The wrapper only adds a rejection handler to each statement's promise: no extra `async`
 * layer, nothing done when the statement succeeds.
 *
 * @example const driver = withDatabaseErrors(SqliteDriver.open('./agentrack.db'));
 */
export function withDatabaseErrors(driver: SqlDriver): SqlDriver {
  if (driver instanceof DatabaseErrorDriver) return driver;
  return new DatabaseErrorDriver(driver);
}

/** The error of a failed call as a {@link DatabaseError} when it is the database's. */
function wrap(
  driver: SqlDriver,
  error: unknown,
  statement?: string,
  params?: readonly unknown[],
  rows?: number,
): unknown {
  if (error instanceof AgentrackError) return error;
  const kind = driver.describeError(error);
  if (kind === undefined) return error;
  return new DatabaseError({
    database: driver.databaseName,
    kind,
    cause: error,
    ...(statement !== undefined ? { statement } : {}),
    ...(params !== undefined ? { params } : {}),
    ...(rows !== undefined ? { rows } : {}),
  });
}

/** An executor whose statements' errors are wrapped. */
class DatabaseErrorExecutor implements SqlExecutor {
  readonly #driver: SqlDriver;
  readonly #inner: SqlExecutor;
  readonly copyRows?: SqlExecutor['copyRows'];

  constructor(driver: SqlDriver, inner: SqlExecutor) {
    this.#driver = driver;
    this.#inner = inner;
    const copyRows = inner.copyRows?.bind(inner);
    if (copyRows !== undefined) {
      this.copyRows = (table, columns, rows) =>
        copyRows(table, columns, rows).catch((error: unknown) => {
          throw wrap(
            this.#driver,
            error,
            `COPY ${table} (${columns.join(', ')}) FROM STDIN`,
            rows[0] ?? [],
            rows.length,
          );
        });
    }
  }

  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.#inner.all<T>(sql, params).catch((error: unknown) => {
      throw wrap(this.#driver, error, sql, params ?? []);
    });
  }

  get<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.#inner.get<T>(sql, params).catch((error: unknown) => {
      throw wrap(this.#driver, error, sql, params ?? []);
    });
  }

  run(sql: string, params?: readonly unknown[]): Promise<SqlRunResult> {
    return this.#inner.run(sql, params).catch((error: unknown) => {
      throw wrap(this.#driver, error, sql, params ?? []);
    });
  }

  runMany(sql: string, paramsList: readonly (readonly unknown[])[]): Promise<SqlRunResult> {
    return this.#inner.runMany(sql, paramsList).catch((error: unknown) => {
      throw wrap(this.#driver, error, sql, paramsList[0] ?? [], paramsList.length);
    });
  }
}

/** The driver behind {@link withDatabaseErrors}. */
class DatabaseErrorDriver extends DatabaseErrorExecutor implements SqlDriver {
  readonly #driver: SqlDriver;
  /** The wrapper of each executor a transaction hands out (drivers reuse theirs). */
  readonly #executors = new WeakMap<SqlExecutor, SqlExecutor>();

  constructor(driver: SqlDriver) {
    super(driver, driver);
    this.#driver = driver;
  }

  get dialect(): SqlDriver['dialect'] {
    return this.#driver.dialect;
  }

  get databaseName(): string {
    return this.#driver.databaseName;
  }

  describeError(error: unknown): ReturnType<SqlDriver['describeError']> {
    return this.#driver.describeError(error);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#driver
      .transaction((tx) => fn(this.#executor(tx)))
      .catch((error: unknown) => {
        throw wrap(this.#driver, error);
      });
  }

  read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#driver
      .read((tx) => fn(this.#executor(tx)))
      .catch((error: unknown) => {
        throw wrap(this.#driver, error);
      });
  }

  close(): Promise<void> {
    return this.#driver.close();
  }

  #executor(tx: SqlExecutor): SqlExecutor {
    let wrapped = this.#executors.get(tx);
    if (wrapped === undefined) {
      wrapped = new DatabaseErrorExecutor(this.#driver, tx);
      this.#executors.set(tx, wrapped);
    }
    return wrapped;
  }
}

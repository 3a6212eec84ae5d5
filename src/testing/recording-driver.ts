/**
 * SQL drivers for tests that watch or alter the statements a store runs: the same driver
 * with every executor it hands out (itself, a transaction's, a read's) wrapped alike.
 */
import type { SqlDriver, SqlExecutor } from '../store/sql/sql-driver.js';

/** `driver`, with `wrap` applied to its own executor and to every transaction's and read's. */
export function wrappedDriver(driver: SqlDriver, wrap: (tx: SqlExecutor) => SqlExecutor): SqlDriver {
  return {
    dialect: driver.dialect,
    databaseName: driver.databaseName,
    describeError: (error) => driver.describeError(error),
    ...wrap(driver),
    transaction: (fn) => driver.transaction((tx) => fn(wrap(tx))),
    read: (fn) => driver.read((tx) => fn(wrap(tx))),
    close: () => driver.close(),
  };
}

/** A statement a store ran, with its parameters: `read` through `all`/`get`, else `write`. */
export interface RecordedStatement {
  readonly kind: 'read' | 'write';
  readonly sql: string;
  readonly params: readonly unknown[];
}

/**
 * `driver`, appending every statement run through it to `seen` in the order run: one entry
 * per parameter list of a `runMany`.
 */
export function recordingDriver(driver: SqlDriver, seen: RecordedStatement[]): SqlDriver {
  return wrappedDriver(driver, (tx) => ({
    all: (sql, params = []) => (seen.push({ kind: 'read', sql, params }), tx.all(sql, params)),
    get: (sql, params = []) => (seen.push({ kind: 'read', sql, params }), tx.get(sql, params)),
    run: (sql, params = []) => (seen.push({ kind: 'write', sql, params }), tx.run(sql, params)),
    runMany: (sql, paramsList) => {
      for (const params of paramsList) seen.push({ kind: 'write', sql, params });
      return tx.runMany(sql, paramsList);
    },
  }));
}

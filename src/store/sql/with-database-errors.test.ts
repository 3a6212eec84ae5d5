import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentrackError, isAgentrackError } from '../../errors.js';
import { tempDir } from '../../testing/temp-dir.js';
import { wrappedDriver } from '../../testing/recording-driver.js';
import { SqliteDriver } from '../sqlite/sqlite-driver.js';
import { describeSqliteError, isSqliteBusy } from '../sqlite/sqlite-errors.js';
import { sqliteDialect } from '../sqlite/sqlite-dialect.js';
import { DatabaseError, isDatabaseError, MAX_REPORTED_PARAMS } from './database-error.js';
import { migrate } from './migrator.js';
import type { SqlDriver, SqlExecutor } from './sql-driver.js';
import { SqlTrackingStore } from './sql-store.js';
import { withDatabaseErrors } from './with-database-errors.js';

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('withDatabaseErrors over SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  let raw: SqliteDriver;
  let driver: SqlDriver;

  beforeEach(async () => {
    dir = tempDir();
    path = join(dir.path, 'errors.db');
    raw = SqliteDriver.open(path, { lockTimeoutMs: 50, busyTimeoutMs: 5 });
    driver = withDatabaseErrors(raw);
    await driver.run('CREATE TABLE items (name TEXT UNIQUE NOT NULL, body BLOB)');
  });
  afterEach(async () => {
    await driver.close();
    dir.remove();
  });

  it('wraps a failing statement once, with its SQL, its parameters and the driver error as cause', async () => {
    await driver.run('INSERT INTO items (name) VALUES (?)', ['a']);
    const error = await rejection(driver.run('INSERT INTO items (name) VALUES (?)', ['a']));
    expect(error).toBeInstanceOf(DatabaseError);
    expect(isAgentrackError(error, 'INTERNAL_ERROR')).toBe(true);
    expect(isDatabaseError(error, 'unique-violation')).toBe(true);
    expect(isDatabaseError(error, 'busy')).toBe(false);
    expect(error).toMatchObject({
      database: 'SQLite',
      kind: 'unique-violation',
      statement: 'INSERT INTO items (name) VALUES (?)',
      params: ["'a'"],
      message:
        'SQLite error (SQLITE_CONSTRAINT_UNIQUE): UNIQUE constraint failed: items.name; ' +
        "statement: INSERT INTO items (name) VALUES (?); parameters: ['a']",
    });
    const cause = (error as DatabaseError).cause;
    expect(cause).not.toBeInstanceOf(AgentrackError);
    expect((cause as { code?: string }).code).toBe('SQLITE_CONSTRAINT_UNIQUE');
  });

  it("wraps the statements of a transaction's callback, once, and the callback's own errors not at all", async () => {
    const inTransaction = await rejection(
      driver.transaction(async (tx) => {
        await tx.run('INSERT INTO items (name) VALUES (?)', ['b']);
        await tx.run('INSERT INTO items (name) VALUES (?)', [null]);
      }),
    );
    expect(inTransaction).toMatchObject({ kind: 'constraint-violation', params: ['NULL'] });
    expect((inTransaction as DatabaseError).cause).not.toBeInstanceOf(AgentrackError);
    expect(await driver.all('SELECT name FROM items')).toEqual([]);

    const bug = new TypeError('a bug in the callback');
    expect(await rejection(driver.transaction(async () => Promise.reject(bug)))).toBe(bug);
    const own = new AgentrackError('INVALID_PARAMETER_VALUE', 'checked by the store');
    expect(await rejection(driver.read(async () => Promise.reject(own)))).toBe(own);
  });

  it('keeps a short copy of the parameters: at most 20, 200 characters each, bytes by their size', async () => {
    const huge = 'x'.repeat(10_000_000);
    const params = [huge, Buffer.alloc(4096), 1.5, 10n, ...Array.from({ length: 30 }, (_, i) => `p${i}`)];
    const sql = `SELECT * FROM missing_table WHERE a IN (${params.map(() => '?').join(', ')})`;
    const error = (await rejection(driver.all(sql, params))) as DatabaseError;
    expect(error.kind).toBe('other');
    expect(error.statement).toBe(sql);
    expect(error.params).toHaveLength(MAX_REPORTED_PARAMS + 1);
    expect(error.params?.[0]).toBe(`'${'x'.repeat(200)}… (10000000 chars)'`);
    expect(error.params?.slice(1, 4)).toEqual(['<4096 bytes>', '1.5', '10']);
    expect(error.params?.at(-1)).toBe(`… ${params.length - MAX_REPORTED_PARAMS} more`);
    expect(error.message).toContain('no such table: missing_table');
    expect(error.message.length).toBeLessThan(2_000);
  });

  it('says how many rows a bulk statement had, and shows the first', async () => {
    const error = await rejection(
      driver.runMany('INSERT INTO items (name) VALUES (?)', [['c'], ['c'], ['d']]),
    );
    expect(error).toMatchObject({ kind: 'unique-violation', params: ["'c'"] });
    expect((error as Error).message).toMatch(/; parameters \(first of 3 rows\): \['c'\]$/);
  });

  it('reports a lock held past the timeout as TEMPORARILY_UNAVAILABLE, kind busy', async () => {
    const other = new Database(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const error = await rejection(driver.run('INSERT INTO items (name) VALUES (?)', ['e']));
      expect(isAgentrackError(error, 'TEMPORARILY_UNAVAILABLE')).toBe(true);
      expect(error).toMatchObject({ kind: 'busy', database: 'SQLite' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await driver.run('INSERT INTO items (name) VALUES (?)', ['e'])).toEqual({ changes: 1 });
  });

  it("passes agentrack's own errors unchanged, and wraps a driver only once", async () => {
    expect(withDatabaseErrors(driver)).toBe(driver);
    expect(driver.dialect).toBe('sqlite');
    expect(driver.databaseName).toBe('SQLite');
    await driver.close();
    const closed = await rejection(driver.get('SELECT 1'));
    expect(closed).not.toBeInstanceOf(DatabaseError);
    expect(isAgentrackError(closed, 'INVALID_STATE')).toBe(true);
  });
});

describe('a unique violation the store expects', () => {
  it("is RESOURCE_ALREADY_EXISTS with MLflow's message: an experiment created since the check", async () => {
    const inner = SqliteDriver.open(':memory:');
    await migrate(inner);
    // The name check misses the row another transaction wrote meanwhile, as READ COMMITTED allows.
    const racing = (tx: SqlExecutor): SqlExecutor => ({
      all: (sql, params) => tx.all(sql, params),
      get: (sql, params) =>
        /^SELECT experiment_id FROM experiments WHERE name/.test(sql)
          ? Promise.resolve(undefined)
          : tx.get(sql, params),
      run: (sql, params) => tx.run(sql, params),
      runMany: (sql, list) => tx.runMany(sql, list),
    });
    const store = new SqlTrackingStore(wrappedDriver(inner, racing), sqliteDialect);
    try {
      await store.createExperiment({ name: '/Shared/race' });
      await expect(store.createExperiment({ name: '/Shared/race' })).rejects.toMatchObject({
        code: 'RESOURCE_ALREADY_EXISTS',
        message: 'Experiment(name=/Shared/race) already exists.',
      });
    } finally {
      await store.close();
    }
  });
});

describe('describeSqliteError', () => {
  const sqliteError = (code: string) => Object.assign(new Error(code), { code });
  it.each([
    ['SQLITE_CONSTRAINT_UNIQUE', 'unique-violation'],
    ['SQLITE_CONSTRAINT_PRIMARYKEY', 'unique-violation'],
    ['SQLITE_CONSTRAINT_FOREIGNKEY', 'foreign-key-violation'],
    ['SQLITE_CONSTRAINT_NOTNULL', 'constraint-violation'],
    ['SQLITE_BUSY', 'busy'],
    ['SQLITE_BUSY_SNAPSHOT', 'busy'],
    ['SQLITE_LOCKED', 'busy'],
    ['SQLITE_READONLY_DIRECTORY', 'readonly'],
    ['SQLITE_CORRUPT', 'corrupt'],
    ['SQLITE_NOTADB', 'corrupt'],
    ['SQLITE_FULL', 'full'],
    ['SQLITE_IOERR_WRITE', 'other'],
    ['SQLITE_ERROR', 'other'],
  ])('%s is %s', (code, kind) => {
    expect(describeSqliteError(sqliteError(code))).toBe(kind);
  });

  it("sees a lock held elsewhere through the core's wrapping, so that the driver's retry still runs", () => {
    const busy = sqliteError('SQLITE_BUSY');
    expect(isSqliteBusy(busy)).toBe(true);
    expect(isSqliteBusy(new DatabaseError({ database: 'SQLite', kind: 'busy', cause: busy }))).toBe(true);
    expect(isSqliteBusy(sqliteError('SQLITE_CONSTRAINT_UNIQUE'))).toBe(false);
    expect(isSqliteBusy(new Error('busy'))).toBe(false);
  });

  it('is undefined for an error that is not SQLite’s', () => {
    expect(describeSqliteError(new RangeError('Too few parameter values were provided'))).toBeUndefined();
    expect(describeSqliteError(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
  });
});

import Database from 'better-sqlite3';
import { AgentrackError } from '../../errors.js';
import { Mutex } from '../../utils/mutex.js';
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult } from '../sql/sql-driver.js';

/** Options of {@link SqliteDriver.open}. */
export interface SqliteDriverOptions {
  /** How long SQLite's own busy handler waits for a lock before we retry, in ms (default 100). */
  busyTimeoutMs?: number;
  /** How long a transaction keeps retrying while another process holds the lock, in ms (default 30 000). */
  lockTimeoutMs?: number;
  /** Open read-only (no migrations, no writes). */
  readonly?: boolean;
}

/** The subset of better-sqlite3's statement API the driver uses. */
interface Statement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number };
  readonly reader: boolean;
}

const BUSY_CODES = new Set(['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_BUSY_RECOVERY', 'SQLITE_LOCKED']);

/** True when `error` is SQLite telling us another connection holds the lock. */
function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BUSY_CODES.has(code);
}

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread briefly; used only while opening, before there is anything else to do. */
function sleepSync(ms: number): void {
  Atomics.wait(sleepBuffer, 0, 0, ms);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * better-sqlite3 behind the {@link SqlDriver} interface.
 *
 * WAL mode, a busy timeout, `BEGIN IMMEDIATE` for every write transaction (so a reader
 * never has to upgrade to a writer, the case where SQLite gives up without waiting), and a
 * bounded asynchronous retry with jittered backoff on top: callers never see "database is locked".
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();
  readonly #mutex = new Mutex();
  readonly #executor: SqlExecutor;
  readonly #lockTimeoutMs: number;
  #closed = false;

  private constructor(db: Database.Database, lockTimeoutMs: number) {
    this.#db = db;
    this.#lockTimeoutMs = lockTimeoutMs;
    this.#executor = {
      all: async <T extends SqlRow>(sql: string, params: readonly unknown[] = []) =>
        this.#prepare(sql).all(...params) as T[],
      get: async <T extends SqlRow>(sql: string, params: readonly unknown[] = []) =>
        this.#prepare(sql).get(...params) as T | undefined,
      run: async (sql: string, params: readonly unknown[] = []) => this.#runSync(sql, params),
      runMany: async (sql: string, paramsList: readonly (readonly unknown[])[]) => {
        const statement = this.#prepare(sql);
        let changes = 0;
        for (const params of paramsList) changes += statement.run(...params).changes;
        return { changes };
      },
    };
  }

  /** Opens (creating if needed) the database file at `path`; `:memory:` for a private in-memory one. */
  static open(path: string, options: SqliteDriverOptions = {}): SqliteDriver {
    const db = new Database(path, {
      timeout: options.busyTimeoutMs ?? 100,
      readonly: options.readonly ?? false,
    });
    const driver = new SqliteDriver(db, options.lockTimeoutMs ?? 30_000);
    driver.#withBusyRetry(() => {
      if (!options.readonly && path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('cache_size = -65536');
      db.pragma('temp_store = MEMORY');
    });
    return driver;
  }

  /** The underlying better-sqlite3 handle, for benchmarks and diagnostics. */
  get database(): Database.Database {
    return this.#db;
  }

  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    return this.read((tx) => tx.all<T>(sql, params));
  }

  get<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    return this.read((tx) => tx.get<T>(sql, params));
  }

  run(sql: string, params?: readonly unknown[]): Promise<SqlRunResult> {
    return this.transaction((tx) => tx.run(sql, params));
  }

  runMany(sql: string, paramsList: readonly (readonly unknown[])[]): Promise<SqlRunResult> {
    return this.transaction((tx) => tx.runMany(sql, paramsList));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#mutex.run(() => this.#inTransaction('BEGIN IMMEDIATE', fn));
  }

  read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#mutex.run(() => this.#inTransaction('BEGIN', fn));
  }

  /**
   * Runs `fn` between `begin` and COMMIT. When another process holds the lock past the
   * busy timeout, the whole transaction is retried after an asynchronous, jittered pause,
   * until `lockTimeoutMs` has passed: the event loop stays free while we wait.
   */
  async #inTransaction<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        this.#db.exec(begin);
        const result = await fn(this.#executor);
        this.#db.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
        if (isBusy(error) && Date.now() < deadline) {
          await sleep(backoff(attempt));
          continue;
        }
        throw wrapSqliteError(error);
      }
    }
  }

  close(): Promise<void> {
    return this.#mutex.run(async () => {
      if (this.#closed) return;
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new AgentrackError('INVALID_STATE', 'The tracking store is closed.');
  }

  #prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql) as unknown as Statement;
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #runSync(sql: string, params: readonly unknown[]): SqlRunResult {
    return { changes: this.#prepare(sql).run(...params).changes };
  }

  #withBusyRetry<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (error) {
        if (!isBusy(error) || attempt >= 50) throw wrapSqliteError(error);
        sleepSync(backoff(attempt));
      }
    }
  }
}

function backoff(attempt: number): number {
  return Math.min(200, 2 ** Math.min(attempt, 8)) * (0.5 + Math.random());
}

/** Wraps a driver error exactly once, keeping agentrack errors as they are. */
function wrapSqliteError(error: unknown): unknown {
  if (error instanceof AgentrackError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const message = error instanceof Error ? error.message : String(error);
    return new AgentrackError(
      isBusy(error) ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR',
      `SQLite error (${code}): ${message}`,
      { cause: error },
    );
  }
  return error;
}

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { AgentrackError } from '../../errors.js';
import { Mutex } from '../../utils/mutex.js';
import type { DatabaseErrorKind } from '../sql/database-error.js';
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult } from '../sql/sql-driver.js';
import { canWrite, probeDatabaseFile } from './database-file.js';
import { describeSqliteError, isSqliteBusy } from './sqlite-errors.js';

/** Options of {@link SqliteDriver.open}. */
export interface SqliteDriverOptions {
  /** How long SQLite's own busy handler waits for a lock before we retry, in ms (default 100). */
  busyTimeoutMs?: number;
  /** How long a transaction keeps retrying while another process holds the lock, in ms (default 30 000). */
  lockTimeoutMs?: number;
  /**
   * Open for reading only: never create the file, never write to it, and leave no -wal or -shm
   * file behind where SQLite allows; write transactions are refused. See {@link SqliteDriver.open}.
   */
  readonly?: boolean;
}

/** The subset of better-sqlite3's statement API the driver uses. */
interface Statement {
  all(...params: unknown[]): unknown[];
  get(...params: unknown[]): unknown;
  run(...params: unknown[]): { changes: number };
  readonly reader: boolean;
}

/** A write transaction waiting for the lock. */
interface PendingWrite {
  fn: (tx: SqlExecutor) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** How one write of a group ended, told to its caller after the COMMIT. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The most write transactions one COMMIT holds. */
const MAX_GROUP_SIZE = 64;

/** The SAVEPOINT each write of a group runs in (they run one after another, never nested). */
const GROUP_SAVEPOINT = 'agentrack_group_write';

/** Runs `fn` and tells `write` how it ended. */
async function settle(write: PendingWrite, fn: () => Promise<unknown>): Promise<void> {
  try {
    write.resolve(await fn());
  } catch (error) {
    write.reject(error);
  }
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
 * SQLite's errors are thrown as better-sqlite3 gives them, for the shared SQL core to wrap with
 * the statement (see {@link SqliteDriver.describeError}).
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly databaseName = 'SQLite';
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Statement>();
  readonly #mutex = new Mutex();
  /** Write transactions waiting for the lock, in arrival order. */
  readonly #pendingWrites: PendingWrite[] = [];
  /** True while a run of {@link SqliteDriver.#writeGroups} waits for the lock. */
  #groupScheduled = false;
  readonly #executor: SqlExecutor;
  readonly #lockTimeoutMs: number;
  readonly #readonly: boolean;
  /** The file (or `:memory:`), for messages. */
  readonly path: string;
  #closed = false;

  private constructor(db: Database.Database, path: string, lockTimeoutMs: number, readonly: boolean) {
    this.#db = db;
    this.path = path;
    this.#lockTimeoutMs = lockTimeoutMs;
    this.#readonly = readonly;
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

  /**
   * Opens the database file at `path` (created when missing, unless read-only), in WAL mode;
   * `:memory:` for a private in-memory one. SQLite's errors are thrown as they are, for the
   * opener to put in words with the path.
   *
   * Read-only, SQLite still needs the -shm and -wal files beside a WAL database, and a
   * read-only connection never removes them. So a WAL database without a -wal file (closed
   * cleanly) is opened read-write with `query_only` when this process may write the file and
   * its folder: SQLite then removes both files on close, and nothing can be written through
   * it. When it may not (a read-only file or folder), the file is read into memory instead
   * (again if a writer changed it meanwhile): a read-only connection would fail in a read-only
   * folder, and in a writable one leave -shm and -wal files that the file's owner may then
   * not write. SQLite's `immutable` URI parameter, meant for this, is not available in
   * better-sqlite3's build (no URI filenames). Otherwise (a rollback-journal database, or a
   * -wal file present) it is opened read-only.
   */
  static open(path: string, options: SqliteDriverOptions = {}): SqliteDriver {
    const readonly = options.readonly === true && path !== ':memory:';
    const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    const timeout = options.busyTimeoutMs ?? 100;
    if (!readonly) {
      const db = new Database(path, { timeout });
      const driver = new SqliteDriver(db, path, lockTimeoutMs, false);
      driver.#configure(() => {
        if (path !== ':memory:') db.pragma('journal_mode = WAL');
      });
      return driver;
    }
    for (let attempt = 0; ; attempt++) {
      const db = openForReading(path, timeout, attempt >= 2);
      if (db === undefined) continue;
      const driver = new SqliteDriver(db, path, lockTimeoutMs, true);
      try {
        driver.#configure(() => {
          // The first read opens the -wal file, where a read-only folder shows.
          db.prepare('SELECT count(*) FROM sqlite_master').get();
        });
      } catch (error) {
        db.close();
        throw error;
      }
      return driver;
    }
  }

  /** What a SQLite error means (see `describeSqliteError`); undefined for any other error. */
  describeError(error: unknown): DatabaseErrorKind | undefined {
    return describeSqliteError(error);
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
    if (this.#readonly) {
      return Promise.reject(
        new AgentrackError(
          'INVALID_STATE',
          `The tracking store ${this.path} was opened for reading only; open it for writing to change it.`,
        ),
      );
    }
    return new Promise<T>((resolve, reject) => {
      this.#pendingWrites.push({ fn, resolve, reject } as PendingWrite);
      if (this.#groupScheduled) return;
      this.#groupScheduled = true;
      // Waiting for the end of this turn of the event loop lets the writes of every request
      // that arrived in it join the group; the server hands most of them over in one turn.
      setImmediate(() => void this.#mutex.run(() => this.#writeGroups()));
    });
  }

  read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#mutex.run(() => this.#inTransaction('BEGIN', fn));
  }

  /**
   * Runs the oldest write transactions waiting for the lock as one group of at most
   * {@link MAX_GROUP_SIZE}: one waiting alone runs as its own transaction; several share one
   * `BEGIN IMMEDIATE` ... COMMIT (one WAL append instead of one per caller), each in a SAVEPOINT
   * of its own, so one that throws rolls back only its own work. Every caller hears of its
   * result only once the shared COMMIT has succeeded. When SQLite ends the shared transaction
   * early (an error that rolls back the whole transaction) or the COMMIT fails, nothing of the
   * group was kept: every caller that had succeeded runs again, alone. Writes still waiting
   * go in the next group, after a turn of the event loop and after the reads queued meanwhile:
   * answers go out, connections are accepted and reads are served between groups, however
   * long the queue of writes.
   */
  async #writeGroups(): Promise<void> {
    this.#groupScheduled = false;
    const group = this.#pendingWrites.splice(0, MAX_GROUP_SIZE);
    try {
      await this.#writeGroup(group);
    } finally {
      if (this.#pendingWrites.length > 0 && !this.#groupScheduled) {
        this.#groupScheduled = true;
        setImmediate(() => void this.#mutex.run(() => this.#writeGroups()));
      }
    }
  }

  async #writeGroup(group: PendingWrite[]): Promise<void> {
    if (group.length === 0) return;
    if (group.length === 1) {
      await settle(group[0] as PendingWrite, () => this.#inTransaction('BEGIN IMMEDIATE', group[0]!.fn));
      return;
    }
    let outcomes: Outcome[] | undefined;
    try {
      outcomes = await this.#inSharedTransaction(group);
    } catch {
      // SQLite refused a SAVEPOINT statement itself: do the group's work again, caller by caller.
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
      outcomes = undefined;
    }
    if (outcomes === undefined) {
      for (const write of group) await settle(write, () => this.#inTransaction('BEGIN IMMEDIATE', write.fn));
      return;
    }
    group.forEach((write, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) write.resolve(outcome.value);
      else write.reject(outcome.error);
    });
  }

  /**
   * Runs `group` in one write transaction, each caller in its own SAVEPOINT; resolves with
   * each caller's outcome once committed, or undefined when the group's work was lost (the
   * transaction ended early or did not commit) and must be done again.
   */
  async #inSharedTransaction(group: readonly PendingWrite[]): Promise<Outcome[] | undefined> {
    try {
      this.#assertOpen();
    } catch (error) {
      return group.map(() => ({ ok: false, error }));
    }
    const db = this.#db;
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        db.exec('BEGIN IMMEDIATE');
        break;
      } catch (error) {
        if (isSqliteBusy(error) && Date.now() < deadline) {
          await sleep(backoff(attempt));
          continue;
        }
        return group.map(() => ({ ok: false, error }));
      }
    }
    const outcomes: Outcome[] = [];
    for (const write of group) {
      db.exec(`SAVEPOINT ${GROUP_SAVEPOINT}`);
      try {
        const value = await write.fn(this.#executor);
        db.exec(`RELEASE ${GROUP_SAVEPOINT}`);
        outcomes.push({ ok: true, value });
      } catch (error) {
        if (!db.inTransaction) return undefined;
        db.exec(`ROLLBACK TO ${GROUP_SAVEPOINT}`);
        db.exec(`RELEASE ${GROUP_SAVEPOINT}`);
        outcomes.push({ ok: false, error });
      }
    }
    try {
      db.exec('COMMIT');
    } catch {
      if (db.inTransaction) db.exec('ROLLBACK');
      return undefined;
    }
    return outcomes;
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
        if (isSqliteBusy(error) && Date.now() < deadline) {
          await sleep(backoff(attempt));
          continue;
        }
        throw error;
      }
    }
  }

  close(): Promise<void> {
    return this.#mutex.run(async () => {
      if (this.#closed) return;
      // The writes asked for before close() are done first, as they would have been without it.
      while (this.#pendingWrites.length > 0) {
        await this.#writeGroup(this.#pendingWrites.splice(0, MAX_GROUP_SIZE));
      }
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

  /** Applies the connection's pragmas (after `first`), retrying while another process holds a lock. */
  #configure(first: () => void): void {
    const db = this.#db;
    this.#withBusyRetry(() => {
      first();
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('cache_size = -65536');
      db.pragma('temp_store = MEMORY');
    });
  }

  #withBusyRetry<T>(fn: () => T): T {
    for (let attempt = 0; ; attempt++) {
      try {
        return fn();
      } catch (error) {
        if (!isSqliteBusy(error) || attempt >= 50) throw error;
        sleepSync(backoff(attempt));
      }
    }
  }
}

/**
 * A connection that reads `path` and leaves nothing behind (see {@link SqliteDriver.open});
 * undefined when a copy into memory raced with a writer, to try again. After two such races
 * (a writer that keeps checkpointing) the copy is not tried again.
 */
function openForReading(path: string, timeout: number, noCopy: boolean): Database.Database | undefined {
  const wal = `${path}-wal`;
  const file = probeDatabaseFile(path);
  if (file.kind !== 'sqlite' || !file.wal || existsSync(wal)) {
    return new Database(path, { timeout, readonly: true, fileMustExist: true });
  }
  if (canWrite(path) && canWrite(dirname(path))) {
    const db = new Database(path, { timeout, fileMustExist: true });
    db.pragma('query_only = ON');
    return db;
  }
  if (noCopy) return new Database(path, { timeout, readonly: true, fileMustExist: true });
  const before = statSync(path);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_FS_FILE_TOO_LARGE' || error instanceof RangeError) {
      throw new AgentrackError(
        'RESOURCE_EXHAUSTED',
        `it is a WAL database that this process may not write (or whose folder it may not write), and ` +
          `too large (${before.size} bytes) to read into memory instead; make the file and its folder ` +
          `writable, or switch it to a rollback journal as its owner ` +
          `(\`sqlite3 ${path} 'PRAGMA journal_mode=DELETE'\`)`,
        { cause: error },
      );
    }
    throw error;
  }
  const after = statSync(path);
  if (existsSync(wal) || after.mtimeMs !== before.mtimeMs || after.size !== before.size) return undefined;
  // A copy in memory has no -wal file to share: read it as a rollback-journal database.
  bytes[18] = 1;
  bytes[19] = 1;
  return new Database(bytes, { readonly: true });
}

function backoff(attempt: number): number {
  return Math.min(200, 2 ** Math.min(attempt, 8)) * (0.5 + Math.random());
}

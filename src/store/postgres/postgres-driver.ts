import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { AgentrackError } from '../../errors.js';
import { Mutex } from '../../utils/mutex.js';
import { driverSql } from '../sql/driver-sql.js';
import type { DatabaseErrorKind } from '../sql/database-error.js';
import type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult } from '../sql/sql-driver.js';
import { describePostgresError, isRetryable } from './postgres-errors.js';
import { CopyFromStdin, copyText } from './postgres-copy.js';
import { nulRefusal } from './postgres-text.js';

/** Options of {@link PostgresDriver.open}. */
export interface PostgresDriverOptions {
  /**
   * `postgresql://user:password@host:port/database?sslmode=...` (or `postgres://`). Whatever it
   * leaves out comes from the usual `PG*` environment variables (`PGHOST`, `PGPORT`, `PGUSER`,
   * `PGPASSWORD`, `PGDATABASE`, ...), as with `psql`.
   */
  connectionString?: string;
  /** The most connections the pool opens (default 10). */
  max?: number;
  /** How long an unused connection stays open, in ms (default 10 000). */
  idleTimeoutMs?: number;
  /** How long acquiring a connection may take before it fails, in ms (default 10 000). */
  connectionTimeoutMs?: number;
  /** PostgreSQL's `statement_timeout` for every statement, in ms; 0 for none (default 60 000). */
  statementTimeoutMs?: number;
  /** `application_name`, shown in `pg_stat_activity` (default `agentrack`). */
  applicationName?: string;
  /** How long a transaction is retried after serialization failures and deadlocks, in ms (default 10 000). */
  retryTimeoutMs?: number;
  /**
   * Reading only: write transactions (and `run`/`runMany` outside one) are refused with
   * INVALID_STATE before a connection is taken; reads run in READ ONLY transactions as always.
   * `label` names the store in that refusal.
   */
  readOnly?: { label: string };
}

/** The most parameters one PostgreSQL statement takes (the protocol counts them in 16 bits). */
const MAX_PARAMETERS = 65_535;

/** The most rows one multi-row INSERT of {@link PostgresDriver.runMany} holds. */
const MAX_ROWS_PER_INSERT = 1_000;

/** OIDs of the types parsed here rather than by pg's defaults. */
const OID = { int8: 20, float4: 700, float8: 701, numeric: 1700, json: 114, jsonb: 3802 } as const;

/**
 * `INSERT ... VALUES ($1, ...)` with parameters in the VALUES tuple only, so that the tuple can
 * be repeated for several rows.
 */
const SINGLE_ROW_INSERT = /^(\s*INSERT\s(?:(?!\$\d)[\s\S])*?\bVALUES\s*)(\([^()]*\))((?:(?!\$\d)[\s\S])*)$/i;

/** The transaction a callback runs in, found again by nested calls through the driver. */
interface TransactionContext {
  executor: ClientExecutor;
  /** False once the transaction has ended: a late call must not run on a released client. */
  open: boolean;
  savepoints: number;
}

/** 64-bit integers as numbers when exactly representable, as bigint otherwise (never rounded). */
function parseInt8(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** The pool's own type parsers: pg's global `types.setTypeParser` would change every other pool. */
function typeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(OID.int8, parseInt8);
  // Number() reads 'NaN', 'Infinity' and '-Infinity' as PostgreSQL writes them.
  types.setTypeParser(OID.numeric, Number);
  types.setTypeParser(OID.float8, Number);
  types.setTypeParser(OID.float4, Number);
  // JSON stays text, as SQLite gives it: the store parses what it stored.
  types.setTypeParser(OID.json, (text: string) => text);
  types.setTypeParser(OID.jsonb, (text: string) => text);
  return types;
}

/**
 * The positions (0-based, in a row's parameters) of the conflict target of `ON CONFLICT (...) DO
 * UPDATE`, found through the column list; undefined when some cannot be found (then the rows run
 * one by one). An empty list when the statement does not update on conflict.
 */
function conflictKey(head: string, entries: readonly string[], tail: string): number[] | undefined {
  if (!/\bON\s+CONFLICT\b[\s\S]*\bDO\s+UPDATE\b/i.test(tail)) return [];
  const target = /\bON\s+CONFLICT\s*\(([^()]*)\)/i.exec(tail)?.[1];
  const columns = /\(([^()]*)\)\s*VALUES\s*$/i
    .exec(head)?.[1]
    ?.split(',')
    .map((c) => c.trim().toLowerCase());
  if (target === undefined || columns === undefined || columns.length !== entries.length) return undefined;
  const positions: number[] = [];
  for (const name of target.split(',').map((c) => c.trim().toLowerCase())) {
    const ref = /^\$(\d+)$/.exec(entries[columns.indexOf(name)] ?? '')?.[1];
    if (ref === undefined) return undefined;
    positions.push(Number(ref) - 1);
  }
  return positions;
}

/** How PostgreSQL's unique index tells keys apart, closely enough to group a batch; NULLs never clash. */
function keyOf(params: readonly unknown[], positions: readonly number[]): string | undefined {
  let key = '';
  for (const position of positions) {
    const value = params[position];
    if (value === null || value === undefined) return undefined;
    key += `${Buffer.isBuffer(value) ? value.toString('hex') : String(value)}\u0000`;
  }
  return key;
}

/**
 * The statements of a multi-row INSERT for `text` (with `$n` placeholders) and `paramsList`, or
 * undefined when `text` is not a plain single-row INSERT taking `$1` to `$n` in its tuple (then
 * each row runs on its own). With `ON CONFLICT (...) DO UPDATE`, a row whose key already is in the
 * statement being built starts the next one: PostgreSQL refuses to update one row twice in one
 * statement, and one after the other the later row wins, as row by row.
 */
function multiRowInserts(
  text: string,
  paramsList: readonly (readonly unknown[])[],
): { text: string; values: unknown[] }[] | undefined {
  const match = SINGLE_ROW_INSERT.exec(text);
  if (match === null) return undefined;
  const [, head, tuple, tail] = match as unknown as [string, string, string, string];
  const refs = [...tuple.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
  const width = refs.length === 0 ? 0 : Math.max(...refs);
  if (width === 0 || new Set(refs).size !== width || paramsList.some((params) => params.length !== width)) {
    return undefined;
  }
  const key = conflictKey(
    head,
    tuple
      .slice(1, -1)
      .split(',')
      .map((entry) => entry.trim()),
    tail,
  );
  if (key === undefined) return undefined;
  const rowsPerStatement = Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / width));
  const statements: { text: string; values: unknown[] }[] = [];
  let rows: (readonly unknown[])[] = [];
  const keys = new Set<string>();
  const flush = () => {
    const tuples = rows.map((_, r) =>
      tuple.replace(/\$(\d+)/g, (_ref, k: string) => `$${r * width + Number(k)}`),
    );
    statements.push({ text: `${head}${tuples.join(', ')}${tail}`, values: rows.flat() });
    rows = [];
    keys.clear();
  };
  for (const params of paramsList) {
    const rowKey = key.length === 0 ? undefined : keyOf(params, key);
    if (rows.length === rowsPerStatement || (rowKey !== undefined && keys.has(rowKey))) flush();
    if (rowKey !== undefined) keys.add(rowKey);
    rows.push(params);
  }
  if (rows.length > 0) flush();
  return statements;
}

/** The executor of one pooled connection inside a transaction; its statements run one at a time. */
class ClientExecutor implements SqlExecutor {
  readonly #client: pg.PoolClient;
  readonly #text: (sql: string) => string;
  readonly #queue = new Mutex();
  readonly #isOpen: () => boolean;

  constructor(client: pg.PoolClient, text: (sql: string) => string, isOpen: () => boolean) {
    this.#client = client;
    this.#text = text;
    this.#isOpen = isOpen;
  }

  /** Runs `text` as it is (no placeholder conversion): BEGIN, COMMIT, SAVEPOINT, ... */
  raw(text: string): Promise<pg.QueryResult> {
    return this.#queue.run(() => this.#client.query(text));
  }

  async all<T extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.#query<T>(this.#text(sql), params)).rows;
  }

  async get<T extends SqlRow = SqlRow>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.#query<T>(this.#text(sql), params)).rows[0];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<SqlRunResult> {
    return { changes: (await this.#query(this.#text(sql), params)).rowCount ?? 0 };
  }

  async runMany(sql: string, paramsList: readonly (readonly unknown[])[]): Promise<SqlRunResult> {
    if (paramsList.length === 0) return { changes: 0 };
    let changes = 0;
    const text = this.#text(sql);
    const inserts = multiRowInserts(text, paramsList);
    if (inserts !== undefined) {
      for (const insert of inserts) changes += (await this.#query(insert.text, insert.values)).rowCount ?? 0;
      return { changes };
    }
    for (const params of paramsList) changes += (await this.#query(text, params)).rowCount ?? 0;
    return { changes };
  }

  async copyRows(
    table: string,
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
  ): Promise<SqlRunResult> {
    if (rows.length === 0) return { changes: 0 };
    this.#assertOpen();
    const quoted = columns.map((column) => pg.escapeIdentifier(column)).join(', ');
    const copy = new CopyFromStdin(
      `COPY ${pg.escapeIdentifier(table)} (${quoted}) FROM STDIN`,
      copyText(table, columns, rows),
    );
    const changes = await this.#queue.run(() => {
      void this.#client.query(copy as unknown as pg.QueryConfig);
      return copy.done;
    });
    return { changes };
  }

  #assertOpen(): void {
    if (!this.#isOpen()) {
      throw new AgentrackError('INVALID_STATE', 'A statement was sent after its transaction had ended.');
    }
  }

  #query<T extends SqlRow>(text: string, params: readonly unknown[]): Promise<pg.QueryResult<T>> {
    if (!this.#isOpen()) {
      return Promise.reject(
        new AgentrackError('INVALID_STATE', 'A statement was sent after its transaction had ended.'),
      );
    }
    const refused = nulRefusal(text, params);
    if (refused !== undefined) return Promise.reject(refused);
    return this.#queue.run(() => this.#client.query<T>(text, params as unknown[]));
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * PostgreSQL behind the {@link SqlDriver} interface, over a `pg` connection pool.
 *
 * Statements take `$1, $2, ...` placeholders, as the store sends them (it converts its `?` with
 * `driverSql`); `?` placeholders are converted here the same way, so a `?` may appear in a statement
 * only as a placeholder. Values come back as the
 * SQLite driver gives them: BIGINT as a number (a bigint beyond 2^53, never rounded), NUMERIC and
 * DOUBLE PRECISION as numbers (NaN and ±Infinity included), BYTEA as a Buffer, JSON as text.
 * Write transactions run at READ COMMITTED, each on one pooled connection, several at once on
 * different connections; one that fails on a serialization failure or a deadlock is run again.
 * Reads run in a REPEATABLE READ, READ ONLY transaction: one snapshot. Calls made through the
 * driver while a transaction's callback runs (in its async context) run in that transaction,
 * a nested `transaction` in a SAVEPOINT. PostgreSQL's errors are thrown as `pg` gives them, for
 * the shared SQL core to wrap with the statement (see {@link PostgresDriver.describeError}).
 *
 * @example
 * const driver = PostgresDriver.open({ connectionString: 'postgresql://me:pw@db:5432/agentrack' });
 * await driver.transaction(async (tx) => tx.run('INSERT INTO t (a) VALUES (?)', [1]));
 * await driver.close();
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly databaseName = 'PostgreSQL';
  readonly #pool: pg.Pool;
  readonly #text = driverSql('postgres');
  readonly #context = new AsyncLocalStorage<TransactionContext>();
  readonly #retryTimeoutMs: number;
  readonly #readOnly: { label: string } | undefined;
  #closed = false;

  private constructor(pool: pg.Pool, retryTimeoutMs: number, readOnly: { label: string } | undefined) {
    this.#pool = pool;
    this.#retryTimeoutMs = retryTimeoutMs;
    this.#readOnly = readOnly;
  }

  /** A driver over a new pool (connections are opened on first use). See {@link PostgresDriverOptions}. */
  static open(options: PostgresDriverOptions = {}): PostgresDriver {
    const statementTimeoutMs = options.statementTimeoutMs ?? 60_000;
    const pool = new pg.Pool({
      ...(options.connectionString !== undefined ? { connectionString: options.connectionString } : {}),
      max: options.max ?? 10,
      idleTimeoutMillis: options.idleTimeoutMs ?? 10_000,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      application_name: options.applicationName ?? 'agentrack',
      ...(statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : {}),
      types: typeParsers(),
    });
    // An idle connection the server drops (a restart, a failover) is an 'error' event of the pool,
    // which would end the process if nobody listened; the pool discards it and opens another.
    pool.on('error', () => undefined);
    return new PostgresDriver(pool, options.retryTimeoutMs ?? 10_000, options.readOnly);
  }

  /** What a `pg` error means (see `describePostgresError`); undefined for any other error. */
  describeError(error: unknown): DatabaseErrorKind | undefined {
    return describePostgresError(error);
  }

  /** Connections open, idle and waited for: for diagnostics and tests. */
  get poolStats(): { total: number; idle: number; waiting: number } {
    return { total: this.#pool.totalCount, idle: this.#pool.idleCount, waiting: this.#pool.waitingCount };
  }

  all<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T[]> {
    const tx = this.#current();
    if (tx !== undefined) return tx.all<T>(sql, params);
    return this.#pooled(
      sql,
      params,
      async () => (await this.#pool.query<T>(this.#text(sql), params as unknown[])).rows,
    );
  }

  get<T extends SqlRow = SqlRow>(sql: string, params?: readonly unknown[]): Promise<T | undefined> {
    const tx = this.#current();
    if (tx !== undefined) return tx.get<T>(sql, params);
    return this.#pooled(
      sql,
      params,
      async () => (await this.#pool.query<T>(this.#text(sql), params as unknown[])).rows[0],
    );
  }

  run(sql: string, params?: readonly unknown[]): Promise<SqlRunResult> {
    const tx = this.#current();
    if (tx !== undefined) return tx.run(sql, params);
    if (this.#readOnly !== undefined) return Promise.reject(this.#refuseWrite(this.#readOnly));
    return this.#pooled(sql, params, async () => ({
      changes: (await this.#pool.query(this.#text(sql), params as unknown[])).rowCount ?? 0,
    }));
  }

  /**
   * Runs `sql` once per parameter list, in one transaction: a plain `INSERT ... VALUES ($1, ...)`
   * as multi-row INSERTs of up to 1,000 rows (within PostgreSQL's 65,535 parameters), upserts
   * included (a key met twice starts a new statement); anything else (UPDATE, DELETE) row by row.
   */
  runMany(sql: string, paramsList: readonly (readonly unknown[])[]): Promise<SqlRunResult> {
    const tx = this.#current();
    if (tx !== undefined) return tx.runMany(sql, paramsList);
    if (paramsList.length === 0) return this.#pooled(sql, [], async () => ({ changes: 0 }));
    return this.transaction((inner) => inner.runMany(sql, paramsList));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const context = this.#context.getStore();
    if (context?.open) return this.#inSavepoint(context, fn);
    if (this.#readOnly !== undefined) return Promise.reject(this.#refuseWrite(this.#readOnly));
    return this.#withRetry(() => this.#inTransaction('BEGIN', fn));
  }

  read<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const context = this.#context.getStore();
    if (context?.open) return fn(context.executor);
    return this.#inTransaction('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', fn);
  }

  /** Ends the pool once the connections in use are given back; later calls fail with INVALID_STATE. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #current(): ClientExecutor | undefined {
    const context = this.#context.getStore();
    return context?.open ? context.executor : undefined;
  }

  async #pooled<T>(sql: string, params: readonly unknown[] | undefined, fn: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    const refused = nulRefusal(this.#text(sql), params);
    if (refused !== undefined) throw refused;
    return fn();
  }

  async #inTransaction<T>(begin: string, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const client = await this.#pool.connect();
    const context: TransactionContext = {
      executor: new ClientExecutor(client, this.#text, () => context.open),
      open: true,
      savepoints: 0,
    };
    const { executor } = context;
    let broken: unknown;
    try {
      await executor.raw(begin);
      const result = await this.#context.run(context, () => fn(executor));
      await executor.raw('COMMIT');
      return result;
    } catch (error) {
      try {
        await executor.raw('ROLLBACK');
      } catch (rollbackError) {
        // The connection is in no state to be reused: the pool closes it instead.
        broken = rollbackError;
      }
      throw error;
    } finally {
      context.open = false;
      client.release(broken !== undefined);
    }
  }

  async #inSavepoint<T>(context: TransactionContext, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const name = `agentrack_nested_${++context.savepoints}`;
    await context.executor.raw(`SAVEPOINT ${name}`);
    try {
      const result = await fn(context.executor);
      await context.executor.raw(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      await context.executor.raw(`ROLLBACK TO SAVEPOINT ${name}`);
      await context.executor.raw(`RELEASE SAVEPOINT ${name}`);
      throw error;
    }
  }

  async #withRetry<T>(attempt: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#retryTimeoutMs;
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (error) {
        const cause = error instanceof AgentrackError ? error.cause : error;
        if (!isRetryable(cause) || Date.now() >= deadline) throw error;
        await sleep(Math.min(200, 2 ** Math.min(n, 8)) * (0.5 + Math.random()));
      }
    }
  }

  #refuseWrite(readOnly: { label: string }): AgentrackError {
    return new AgentrackError(
      'INVALID_STATE',
      `The tracking store ${readOnly.label} was opened for reading only; open it for writing to change it.`,
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new AgentrackError('INVALID_STATE', 'The tracking store is closed.');
  }
}

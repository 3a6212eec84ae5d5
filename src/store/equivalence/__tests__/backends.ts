/**
 * The harness of the equivalence property tests: one SQLite store and one PostgreSQL store
 * per test file, emptied between property runs, each with a connection of its own for rows a
 * test writes as SQL, and the helpers that page through a search and give rows the same ids
 * on both backends.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { expect } from 'vitest';
import { freshDatabase } from '../../../testing/postgres.js';
import { tempDir } from '../../../testing/temp-dir.js';
import { openPostgresStore } from '../../postgres/postgres-store.js';
import { PostgresDriver } from '../../postgres/postgres-driver.js';
import { SCHEMA_TABLE } from '../../sql/schema-state.js';
import type { SqlDriver, SqlExecutor } from '../../sql/sql-driver.js';
import type { SqlTrackingStore } from '../../sql/sql-store.js';
import { openSqliteStore } from '../../sqlite/sqlite-store.js';
import { SqliteDriver } from '../../sqlite/sqlite-driver.js';
import type { Page } from '../../tracking-store.js';

/** One database under test: its store, and a connection of its own to the same database. */
export interface Backend {
  readonly name: 'sqlite' | 'postgresql';
  readonly store: SqlTrackingStore;
  /** For rows a test writes straight as SQL (`?` placeholders on both). */
  readonly driver: SqlDriver;
}

/** The two stores of a test file and the clock they read. */
export interface Backends {
  readonly sqlite: Backend;
  readonly postgres: Backend;
  /** Both, SQLite first. */
  readonly all: readonly [Backend, Backend];
  /** What both stores' `now()` returns; set it before a write that stamps a time. */
  clock: number;
  /** Empties both databases but for the experiment Default, numbering ids from 1 again. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The row of the experiment Default, as the first migration writes it (at time 0). */
const DEFAULT_EXPERIMENT = `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
  VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 0, 0)`;

/**
 * Opens a SQLite store in a temporary file and a PostgreSQL store in a database of the test
 * file's own (see `freshDatabase`), both on one settable clock. Call it in `beforeAll`.
 */
export async function openBackends(): Promise<Backends> {
  const dir = tempDir('agentrack-equivalence-');
  const db = await freshDatabase();
  const path = join(dir.path, 'equivalence.db');
  // eslint-disable-next-line prefer-const -- the stores' clock reads it once it is assigned below
  let backends: Backends;
  const now = () => backends.clock;
  const sqliteStore = await openSqliteStore(path, { now });
  const sqliteDriver = SqliteDriver.open(path);
  const postgresStore = await openPostgresStore(db.url, { now, max: 2 });
  const postgresDriver = PostgresDriver.open({ connectionString: db.url, max: 1 });
  const sqliteTables = await tableNames(
    sqliteDriver,
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' AND name <> ? ORDER BY rowid`,
  );
  const postgresTables = await tableNames(
    postgresDriver,
    'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() AND tablename <> ? ORDER BY 1',
  );
  const sqlite: Backend = { name: 'sqlite', store: sqliteStore, driver: sqliteDriver };
  const postgres: Backend = { name: 'postgresql', store: postgresStore, driver: postgresDriver };
  backends = {
    clock: 0,
    sqlite,
    postgres,
    all: [sqlite, postgres],
    reset: async () => {
      await Promise.all([
        sqliteDriver.transaction(async (tx) => {
          // Children were created after their parents: deleting in reverse keeps the foreign keys.
          for (const table of [...sqliteTables].reverse()) await tx.run(`DELETE FROM ${table}`);
          await tx.run(DEFAULT_EXPERIMENT);
        }),
        postgresDriver.transaction(async (tx) => {
          await tx.run(`TRUNCATE ${postgresTables.join(', ')} RESTART IDENTITY`);
          await tx.run(DEFAULT_EXPERIMENT);
        }),
      ]);
    },
    close: async () => {
      await Promise.all([
        sqliteDriver.close(),
        sqliteStore.close(),
        postgresDriver.close(),
        postgresStore.close(),
      ]);
      dir.remove();
    },
  };
  return backends;
}

async function tableNames(driver: SqlDriver, query: string): Promise<string[]> {
  const rows = await driver.all<{ name: string }>(query, [SCHEMA_TABLE]);
  expect(rows.length).toBeGreaterThan(10);
  return rows.map((row) => row.name);
}

/**
 * An id of 32 hex digits for the `index`-th generated row, the same on every backend, in an
 * order unrelated to `index` (so that a tie broken by id is not broken by creation order).
 */
export function stableId(index: number): string {
  return createHash('md5').update(`equivalence-${index}`).digest('hex');
}

/**
 * Gives rows of `table` the ids of `renames` (old id → new id) in `column`, and in the text of
 * the `mentions` columns (an artifact location holds its row's id): stores make up ids at
 * random, and a tie broken by id breaks alike on both backends only if the ids are alike.
 */
export async function renameIds(
  tx: SqlExecutor,
  table: string,
  column: string,
  renames: ReadonlyMap<string, string>,
  mentions: readonly string[] = [],
): Promise<void> {
  const set = [`${column} = ?`, ...mentions.map((m) => `${m} = replace(${m}, ?, ?)`)].join(', ');
  for (const [from, to] of renames) {
    const params = [to, ...mentions.flatMap(() => [from, to]), from];
    const { changes } = await tx.run(`UPDATE ${table} SET ${set} WHERE ${column} = ?`, params);
    expect(changes).toBe(1);
  }
}

/**
 * The ids of every item of a paged search, in order: each page at most `pageSize` items, and a
 * full one whenever there is a next page (a token never leads to an empty page).
 */
export async function pageThrough<T>(
  search: (pageToken: string | undefined) => Promise<Page<T>>,
  pageSize: number,
  idOf: (item: T) => string,
): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  for (let pages = 0; pages < 1_000; pages += 1) {
    const page = await search(pageToken);
    ids.push(...page.items.map(idOf));
    if (page.nextPageToken === undefined) return ids;
    expect(page.items.length).toBe(pageSize);
    pageToken = page.nextPageToken;
  }
  throw new Error('paging does not end');
}

/** Checks that each backend's ids are `expected`, naming the backend that differs. */
export function expectSameOrder(
  expected: readonly string[],
  actual: Readonly<Record<string, string[]>>,
): void {
  for (const [name, ids] of Object.entries(actual)) expect(ids, name).toEqual(expected);
}

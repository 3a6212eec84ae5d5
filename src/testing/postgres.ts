import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject } from 'vitest';

/** A database of the run's PostgreSQL that belongs to one test file. */
export interface FreshDatabase {
  /** Its connection URL. */
  url: string;
  /** Its name. */
  name: string;
}

/**
 * Creates a database of its own for the calling test file on the PostgreSQL the global setup
 * started (`test/setup/postgres.ts`), and drops it after the file's tests (with `FORCE`, so a
 * pool a test left open does not keep it). Call it in `beforeAll` or at the top of a file.
 *
 * @example
 * const db = await freshDatabase();
 * const driver = PostgresDriver.open({ connectionString: db.url });
 */
export async function freshDatabase(): Promise<FreshDatabase> {
  const admin = inject('postgresUrl');
  if (typeof admin !== 'string') {
    throw new Error("No PostgreSQL for the tests: vitest's globalSetup must list test/setup/postgres.ts.");
  }
  const name = `agentrack_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`CREATE DATABASE "${name}"`));
  afterAll(() =>
    withAdmin(admin, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)),
  );
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), name };
}

/**
 * A new, empty schema in `db`, and a URL of `db` whose connections use it (`search_path`), so a
 * store opened on that URL keeps its tables there: a fresh store in ~10 ms, where a database
 * takes ~100-300 ms. The schemas go with the database.
 *
 * @example
 * const url = await freshSchema(db);
 * const store = await openPostgresStore(url);
 */
export async function freshSchema(db: FreshDatabase): Promise<string> {
  const schema = `s_${randomBytes(6).toString('hex')}`;
  await withAdmin(db.url, (client) => client.query(`CREATE SCHEMA "${schema}"`));
  const url = new URL(db.url);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function withAdmin(url: string, fn: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await fn(client);
  } finally {
    await client.end();
  }
}

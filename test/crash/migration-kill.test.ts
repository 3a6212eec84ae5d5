/**
 * Migrations killed midway: a child process creates new stores (SQLite files, PostgreSQL
 * schemas) one after another, each migrated from nothing in one transaction, and is killed
 * with SIGKILL at a random moment, again and again. Every store it left, the one it was
 * migrating when it died included, then opens, completes its migrations, passes the
 * integrity check, and takes writes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { MIGRATIONS } from '../../src/store/sql/schema.js';
import { freshDatabase, type FreshDatabase } from '../../src/testing/postgres.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { pause, startReady } from './child.js';

const CHILD = fileURLToPath(new URL('../fixtures/migrate-loop.mjs', import.meta.url));
const KILLS = Number(process.env.MIGRATION_KILLS ?? 8);
const NEWEST = MIGRATIONS.at(-1)?.version;

/** Runs the child until it is ready, lets it go on for a random while, and kills it. */
async function killMidway(args: string[]): Promise<void> {
  const child = await startReady([CHILD, ...args]);
  await pause(5 + Math.random() * 150);
  await child.kill();
}

/** Opens the store at `uri`, writes to it and reads it back. */
async function usable(uri: string): Promise<void> {
  const client = await TrackingClient.open(uri);
  try {
    const experimentId = await client.createExperiment('/Shared/after_kill');
    const run = await client.createRun(experimentId);
    await client.logMetric(run.info.run_id, 'm', 1);
    expect((await client.getRun(run.info.run_id)).data.metrics).toHaveLength(1);
  } finally {
    await client.close();
  }
}

describe('migrations interrupted by SIGKILL', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: FreshDatabase;
  beforeAll(async () => {
    dir = tempDir('agentrack-migration-kill-');
    db = await freshDatabase();
  });
  afterAll(() => dir.remove());

  it('leaves SQLite files that the next open completes', async () => {
    for (let k = 0; k < KILLS; k++) await killMidway(['sqlite', dir.path]);
    const files = readdirSync(dir.path).filter((name) => name.endsWith('.db'));
    // Each child finished at least one store before it was killed, and was killed during another or between two.
    expect(files.length).toBeGreaterThanOrEqual(KILLS);
    for (const name of files) {
      const path = join(dir.path, name);
      await usable(`sqlite:///${path}`);
      const raw = new Database(path, { readonly: true });
      expect([name, raw.pragma('integrity_check', { simple: true })]).toEqual([name, 'ok']);
      const { v } = raw.prepare(`SELECT MAX(version) AS v FROM agentrack_schema`).get() as { v: number };
      expect([name, v]).toEqual([name, NEWEST]);
      raw.close();
    }
  }, 300_000);

  it('leaves PostgreSQL schemas that the next open completes', async () => {
    for (let k = 0; k < KILLS; k++) {
      // Each child numbers its schemas from 0: they are checked and dropped before the next kill.
      await killMidway(['postgres', db.url]);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const schemas = (
        await client.query<{ name: string }>(
          `SELECT nspname AS name FROM pg_namespace WHERE nspname LIKE 'm\\_%'`,
        )
      ).rows.map((row) => row.name);
      expect(schemas.length).toBeGreaterThan(0);
      for (const schema of schemas) {
        const url = new URL(db.url);
        url.searchParams.set('options', `-c search_path=${schema}`);
        await usable(url.toString());
        const version = await client.query<{ v: number }>(
          `SELECT MAX(version) AS v FROM ${schema}.agentrack_schema`,
        );
        expect([schema, Number(version.rows[0]?.v)]).toEqual([schema, NEWEST]);
        await client.query(`DROP SCHEMA ${schema} CASCADE`);
      }
      await client.end();
    }
  }, 300_000);
});

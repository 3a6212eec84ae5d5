import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, freshSchema, type FreshDatabase } from '../../testing/postgres.js';
import { MIGRATION_LOCK } from '../sql/migrator.js';
import { MIGRATIONS, OLDEST_READABLE_VERSION } from '../sql/schema.js';
import { openPostgresStore, redactConnectionString, type PostgresStoreMode } from './postgres-store.js';

const NEWEST = MIGRATIONS.at(-1)?.version ?? 0;

let db: FreshDatabase;
let admin: pg.Pool;

beforeAll(async () => {
  db = await freshDatabase();
  admin = new pg.Pool({ connectionString: db.url, max: 2 });
});

afterAll(() => admin.end());

/** The schema a `freshSchema` URL puts its tables in. */
function schemaOf(url: string): string {
  return /search_path=(\w+)/.exec(new URL(url).searchParams.get('options') ?? '')?.[1] as string;
}

/** The tables of a schema, by name. */
async function tables(schema: string): Promise<string[]> {
  const { rows } = await admin.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'v') ORDER BY 1`,
    [schema],
  );
  return rows.map((r) => r.name);
}

/** True once a session waits for the migrations' advisory lock. */
async function advisoryLockWaiters(): Promise<boolean> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT COUNT(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database =
       (SELECT oid FROM pg_database WHERE datname = current_database())`,
  );
  return Number(rows[0]?.n) > 0;
}

/** Opens and closes a store, returning the error it failed with (or undefined). */
async function openError(url: string, mode: PostgresStoreMode): Promise<unknown> {
  try {
    const store = await openPostgresStore(url, { mode });
    await store.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('openPostgresStore', () => {
  it('write mode: creates the schema in an empty one, with the experiment Default, and is usable', async () => {
    const url = await freshSchema(db);
    const store = await openPostgresStore(url);
    try {
      expect(store.kind).toBe('postgresql');
      expect(await store.getExperiment('0')).toMatchObject({
        experiment_id: '0',
        name: 'Default',
        artifact_location: 'mlflow-artifacts:/0',
        lifecycle_stage: 'active',
      });
      const id = await store.createExperiment({ name: '/Shared/agent/development' });
      expect(id).toBe('1');
      const run = await store.createRun({ experimentId: id, runName: 'first' });
      await store.logBatch(run.info.run_id, {
        metrics: [{ key: 'loss', value: 0.5, timestamp: 1, step: 0 }],
        params: [{ key: 'lr', value: '0.1' }],
        tags: [{ key: 'team', value: 'ops' }],
      });
      expect((await store.getRun(run.info.run_id)).data).toMatchObject({
        metrics: [{ key: 'loss', value: 0.5 }],
        params: [{ key: 'lr', value: '0.1' }],
      });
    } finally {
      await store.close();
    }
    const { rows } = await admin.query<{ version: number }>(
      `SELECT version FROM ${schemaOf(url)}.agentrack_schema ORDER BY version`,
    );
    expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('write mode: opening again migrates nothing and keeps the data', async () => {
    const url = await freshSchema(db);
    const first = await openPostgresStore(url);
    await first.createExperiment({ name: 'kept' });
    await first.close();
    const again = await openPostgresStore(url);
    try {
      expect((await again.getExperimentByName('kept'))?.experiment_id).toBe('1');
    } finally {
      await again.close();
    }
  });

  it('gives new experiments the artifact root given, Default included', async () => {
    const url = await freshSchema(db);
    const store = await openPostgresStore(url, { defaultArtifactRoot: 's3://bucket/agentrack' });
    try {
      expect((await store.getExperiment('0')).artifact_location).toBe('s3://bucket/agentrack/0');
      const id = await store.createExperiment({ name: 'e' });
      expect((await store.getExperiment(id)).artifact_location).toBe(`s3://bucket/agentrack/${id}`);
    } finally {
      await store.close();
    }
  });

  it('five servers opening one empty schema at once: one schema, each migration applied once, all usable', async () => {
    const url = await freshSchema(db);
    const stores = await Promise.all(Array.from({ length: 5 }, () => openPostgresStore(url, { max: 2 })));
    try {
      const { rows } = await admin.query<{ version: number; n: string }>(
        `SELECT version, COUNT(*) AS n FROM ${schemaOf(url)}.agentrack_schema GROUP BY version ORDER BY version`,
      );
      expect(rows.map((r) => [r.version, Number(r.n)])).toEqual(MIGRATIONS.map((m) => [m.version, 1]));
      const ids = await Promise.all(stores.map((s, i) => s.createExperiment({ name: `from-${i}` })));
      expect(new Set(ids).size).toBe(5);
      for (const store of stores) {
        expect((await store.searchExperiments({ maxResults: 10 })).items).toHaveLength(6);
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('migrations wait for the advisory lock another session holds, however long', async () => {
    const url = await freshSchema(db);
    const holder = await admin.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
      // A statement timeout shorter than the wait: the migration's lock wait is exempt from it.
      const opening = openPostgresStore(url, { statementTimeoutMs: 200 });
      // The open reaches the lock and waits for it, having created nothing.
      while (!(await advisoryLockWaiters())) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await tables(schemaOf(url))).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await holder.query('COMMIT');
      const store = await opening;
      await store.close();
      expect(await tables(schemaOf(url))).toContain('agentrack_schema');
    } finally {
      holder.release();
    }
  });

  it('read mode: an empty schema is no database, and nothing is created', async () => {
    const url = await freshSchema(db);
    expect(await openError(url, 'read')).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining('no agentrack database at postgresql://agentrack:***@'),
    });
    expect(await tables(schemaOf(url))).toEqual([]);
  });

  it('read mode: reads, and refuses every write with INVALID_STATE', async () => {
    const url = await freshSchema(db);
    const writer = await openPostgresStore(url);
    await writer.createExperiment({ name: 'readable' });
    await writer.close();
    const reader = await openPostgresStore(url, { mode: 'read' });
    try {
      expect((await reader.getExperimentByName('readable'))?.experiment_id).toBe('1');
      await expect(reader.createExperiment({ name: 'refused' })).rejects.toMatchObject({
        code: 'INVALID_STATE',
        message: expect.stringMatching(/opened for reading only/),
      });
      await expect(reader.registry.createRegisteredModel({ name: 'm' })).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
    } finally {
      await reader.close();
    }
  });

  it('read mode: a schema that needs an upgrade says so, and is not migrated', async () => {
    const url = await freshSchema(db);
    const schema = schemaOf(url);
    const old = MIGRATIONS.filter((m) => m.version < OLDEST_READABLE_VERSION);
    const client = await admin.connect();
    try {
      await client.query(`SET search_path = ${schema}`);
      await client.query(
        'CREATE TABLE agentrack_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)',
      );
      for (const m of old) {
        for (const statement of m.statements.postgres) await client.query(statement);
        await client.query('INSERT INTO agentrack_schema VALUES ($1, $2, 0)', [m.version, m.description]);
      }
    } finally {
      client.release();
    }
    const before = await tables(schema);
    expect(await openError(url, 'read')).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining(
        `is at schema version ${OLDEST_READABLE_VERSION - 1}, older than this agentrack reads`,
      ),
    });
    expect(await tables(schema)).toEqual(before);
    const store = await openPostgresStore(url);
    await store.close();
    expect((await tables(schema)).length).toBeGreaterThan(before.length);
  });

  it.each(['read', 'write'] as const)(
    '%s mode: a schema of a newer agentrack is refused, and left as it was',
    async (mode) => {
      const url = await freshSchema(db);
      const seed = await openPostgresStore(url);
      await seed.close();
      await admin.query(`INSERT INTO ${schemaOf(url)}.agentrack_schema VALUES ($1, 'future', 0)`, [
        NEWEST + 1,
      ]);
      expect(await openError(url, mode)).toMatchObject({
        code: 'INVALID_STATE',
        message: expect.stringContaining(`newer than this agentrack supports (${NEWEST})`),
      });
    },
  );

  it.each(['read', 'write'] as const)(
    "%s mode: MLflow's schema is named as such, with the alembic revision, and never written to",
    async (mode) => {
      const url = await freshSchema(db);
      const schema = schemaOf(url);
      await admin.query(`CREATE TABLE ${schema}.alembic_version (version_num VARCHAR(32) NOT NULL)`);
      await admin.query(`INSERT INTO ${schema}.alembic_version VALUES ('1b5f0d9ad7c1')`);
      for (const t of ['experiments', 'runs', 'metrics', 'params', 'tags']) {
        await admin.query(`CREATE TABLE ${schema}.${t} (id INTEGER)`);
      }
      const before = await tables(schema);
      const error = await openError(url, mode);
      expect(error).toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringContaining('is an MLflow database (alembic revision 1b5f0d9ad7c1)'),
      });
      expect(String((error as Error).message)).not.toContain(':agentrack@');
      expect(await tables(schema)).toEqual(before);
    },
  );

  it.each(['read', 'write'] as const)(
    "%s mode: another application's tables are refused, named, and left alone",
    async (mode) => {
      const url = await freshSchema(db);
      const schema = schemaOf(url);
      await admin.query(`CREATE TABLE ${schema}.notes (id INTEGER PRIMARY KEY, body TEXT)`);
      await admin.query(`CREATE VIEW ${schema}.recent AS SELECT * FROM ${schema}.notes`);
      expect(await openError(url, mode)).toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringMatching(
          /is not an agentrack database: it holds the tables notes, recent and no agentrack_schema/,
        ),
      });
      expect(await tables(schema)).toEqual(['notes', 'recent']);
    },
  );

  it('looks at the current schema only: tables in another schema of the database do not count', async () => {
    const other = await freshSchema(db);
    await admin.query(`CREATE TABLE ${schemaOf(other)}.notes (id INTEGER)`);
    const url = await freshSchema(db);
    const store = await openPostgresStore(url);
    await store.close();
    expect(await tables(schemaOf(other))).toEqual(['notes']);
  });

  it('never shows the password: a failed login names the database without it', async () => {
    const url = new URL(db.url);
    url.password = 'n0t-the-Passw0rd';
    const error = await openError(url.toString(), 'write');
    expect(error).toMatchObject({ code: 'INTERNAL_ERROR' });
    const message = String((error as Error).message);
    expect(message).toContain(
      `Cannot open the tracking store postgresql://agentrack:***@${url.host}/${db.name}`,
    );
    expect(message).not.toContain('n0t-the-Passw0rd');
  });
});

describe('redactConnectionString', () => {
  it.each([
    ['postgresql://me:s3cret@db:5432/agentrack', 'postgresql://me:***@db:5432/agentrack'],
    ['postgres://me@db/agentrack?sslmode=require', 'postgres://me@db/agentrack?sslmode=require'],
    ['postgresql://db/agentrack?user=me&password=s3cret', 'postgresql://db/agentrack?user=me&password=***'],
    ['host=db password=s3cret dbname=agentrack', 'the PostgreSQL database'],
  ])('%s → %s', (input, shown) => {
    expect(redactConnectionString(input)).toBe(shown);
  });
});

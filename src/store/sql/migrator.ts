import { appendToArtifactUri } from '../../artifacts/artifact-locations.js';
import { AgentrackError } from '../../errors.js';
import { MIGRATIONS, type Migration } from './schema.js';
import { inspectSchema, refuseSchema, SCHEMA_TABLE, type RefuseSchemaOptions } from './schema-state.js';
import { syncSerialIds } from './serial-ids.js';
import type { SqlDriver } from './sql-driver.js';

/**
 * The key of the PostgreSQL advisory lock migrations hold (the bytes of "agentrak"): one per
 * database, whichever schema is migrated. Anything else taking advisory locks on the database
 * should use other keys.
 */
export const MIGRATION_LOCK = 0x6167656e7472616bn;

/** Options of {@link migrate}. */
export interface MigrateOptions {
  /**
   * The artifact root of the store opening the database: when this migration creates the
   * schema, the experiment "Default" (id 0) gets `<root>/0`, as MLflow's store creates it.
   * Without it (and in a database created before), Default keeps `mlflow-artifacts:/0`.
   */
  artifactRoot?: string;
}

/**
 * Brings the database up to the newest schema version.
 *
 * Runs inside one write transaction (on PostgreSQL holding the advisory lock
 * {@link MIGRATION_LOCK}), so when several processes open a new database at once, one applies
 * the migrations and the others find them applied. A database written
 * by a newer agentrack (a version this build does not know) is refused rather than guessed at,
 * and so is one that holds MLflow's or anybody else's tables: nothing is created in it
 * (`target` names the database in that refusal).
 */
export async function migrate(
  driver: SqlDriver,
  migrations: readonly Migration[] = MIGRATIONS,
  target: RefuseSchemaOptions = { database: 'the database', backendStoreUri: '<its URI>' },
  options: MigrateOptions = {},
): Promise<number> {
  return driver.transaction(async (tx) => {
    // SQLite's write transaction already excludes other writers; on PostgreSQL two servers
    // starting at once would both find an empty schema and both create it: the lock (held
    // until this transaction ends) makes the second wait and then find it made.
    // A migration's CREATE INDEX on a big table (or the wait for another server's) may take
    // longer than the pool's statement_timeout; cut off, it would roll back and never finish.
    if (driver.dialect === 'postgres') {
      await tx.run('SET LOCAL statement_timeout = 0');
      await tx.run(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    }
    const state = await inspectSchema(tx, driver.dialect);
    if (state.kind === 'mlflow' || state.kind === 'foreign') {
      throw refuseSchema(state, target);
    }
    await tx.run(
      `CREATE TABLE IF NOT EXISTS ${SCHEMA_TABLE} (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
    );
    const current = state.kind === 'agentrack' ? state.version : 0;
    const newest = migrations.at(-1)?.version ?? 0;
    if (current > newest) {
      throw new AgentrackError(
        'INVALID_STATE',
        `The database schema is at version ${current}, newer than this agentrack supports (${newest}); upgrade agentrack.`,
      );
    }
    for (const migration of migrations) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements[driver.dialect]) await tx.run(statement);
      await tx.run(
        `INSERT INTO ${SCHEMA_TABLE} (version, description, applied_at) VALUES (${placeholders(driver, 3)})`,
        [migration.version, migration.description, Date.now()],
      );
    }
    if (current < newest) await syncSerialIds(tx, driver.dialect);
    if (current === 0 && options.artifactRoot !== undefined) {
      await tx.run(
        `UPDATE experiments SET artifact_location = ${placeholders(driver, 1)} WHERE experiment_id = 0`,
        [appendToArtifactUri(options.artifactRoot, '0')],
      );
    }
    return newest;
  });
}

function placeholders(driver: SqlDriver, n: number): string {
  return Array.from({ length: n }, (_, i) => (driver.dialect === 'postgres' ? `$${i + 1}` : '?')).join(', ');
}

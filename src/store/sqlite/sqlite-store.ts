import { resolveArtifactRoot } from '../../artifacts/artifact-locations.js';
import { AgentrackError, notFound } from '../../errors.js';
import { migrate } from '../sql/migrator.js';
import { MIGRATIONS, OLDEST_READABLE_VERSION } from '../sql/schema.js';
import { inspectSchema, refuseSchema, type SchemaState } from '../sql/schema-state.js';
import type { SqlDriver } from '../sql/sql-driver.js';
import { SqlTrackingStore, type SqlStoreOptions } from '../sql/sql-store.js';
import { withDatabaseErrors } from '../sql/with-database-errors.js';
import {
  checkWritable,
  createDatabaseFile,
  notSqlite,
  probeDatabaseFile,
  type CreatedDatabaseFile,
} from './database-file.js';
import { cannotOpen } from './open-error.js';
import { sqliteDialect } from './sqlite-dialect.js';
import { SqliteDriver, type SqliteDriverOptions } from './sqlite-driver.js';

/** How a store is opened: `read` never creates or changes anything, `write` creates and migrates. */
export type StoreMode = 'read' | 'write';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions extends SqlStoreOptions, Omit<SqliteDriverOptions, 'readonly'> {
  /**
   * `write` (the default) creates the file and its folder when missing and brings the schema
   * up to date. `read` creates no file, folder or table and migrates nothing: a missing file
   * is an error, and so is a schema that needs an upgrade; a read-only file or folder can
   * still be read, and write operations are refused.
   */
  mode?: StoreMode;
}

/** The newest schema version this build knows. */
const NEWEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** `sqlite:////x/mlflow.db`: the URI MLflow's server takes for the file at an absolute path. */
function sqliteUri(path: string): string {
  return `sqlite:///${path}`;
}

function noDatabase(path: string, detail = ''): AgentrackError {
  return notFound(
    `no agentrack database at ${path}${detail}; create one with \`agentrack init\` (or start any run)`,
  );
}

/** Throws unless `state` is agentrack's schema, or (when writing) nothing yet. */
function checkSchema(path: string, state: SchemaState, mode: StoreMode): void {
  if (state.kind === 'mlflow' || state.kind === 'foreign') {
    throw refuseSchema(state, { database: path, backendStoreUri: sqliteUri(path) });
  }
  const version = state.kind === 'agentrack' ? state.version : 0;
  if (version > NEWEST_VERSION) {
    throw new AgentrackError(
      'INVALID_STATE',
      `${path} is at schema version ${version}, newer than this agentrack supports (${NEWEST_VERSION}); upgrade agentrack.`,
    );
  }
  if (mode === 'write') return;
  if (state.kind === 'empty') throw noDatabase(path, ' (the database has no tables)');
  if (version < OLDEST_READABLE_VERSION) {
    throw new AgentrackError(
      'INVALID_STATE',
      `${path} is at schema version ${version}, older than this agentrack reads (${OLDEST_READABLE_VERSION}); open it ` +
        'once for writing to upgrade it (`agentrack init`, or start any run), then read it.',
    );
  }
}

/** Opens a read-only driver and reads which schema the file holds; the driver is closed on failure. */
async function openAndInspect(
  path: string,
  options: SqliteStoreOptions,
): Promise<{ driver: SqlDriver; state: SchemaState }> {
  let driver: SqlDriver;
  try {
    driver = withDatabaseErrors(SqliteDriver.open(path, { ...options, readonly: true }));
  } catch (error) {
    throw cannotOpen(path, error);
  }
  try {
    return { driver, state: await driver.read((tx) => inspectSchema(tx, 'sqlite')) };
  } catch (error) {
    await driver.close();
    throw cannotOpen(path, error);
  }
}

/**
 * Opens the embedded store in the SQLite file at `path` (`:memory:` for a private in-memory
 * database). Before anything is written, the file is recognized: a file that is not SQLite,
 * an MLflow database or another application's SQLite file is refused, naming the path and
 * what it holds, and left byte for byte as it was. Every failure to open names the path and
 * says why. In `write` mode (the default) a missing file is created with its folders (and
 * removed again when the open fails) and the schema is brought up to date; in `read` mode
 * nothing is created or changed (see {@link SqliteStoreOptions.mode}).
 *
 * @example
 * const store = await openSqliteStore('./agentrack.db');
 * const reader = await openSqliteStore('./agentrack.db', { mode: 'read' });
 */
export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): Promise<SqlTrackingStore> {
  const mode = options.mode ?? 'write';
  // Before any file is touched: a root that cannot be used refuses the open.
  const artifactRoot = resolveArtifactRoot(options.defaultArtifactRoot);
  if (path === ':memory:') {
    const driver = withDatabaseErrors(SqliteDriver.open(path, options));
    await migrate(driver, MIGRATIONS, undefined, { artifactRoot });
    return new SqlTrackingStore(driver, sqliteDialect, options);
  }
  let file = probeDatabaseFile(path);
  if (file.kind === 'other') throw notSqlite(path, file.head);

  if (mode === 'read') {
    if (file.kind === 'missing') throw noDatabase(path);
    if (file.kind === 'empty') throw noDatabase(path, ' (the file is empty)');
    const { driver, state } = await openAndInspect(path, options);
    try {
      checkSchema(path, state, 'read');
    } catch (error) {
      await driver.close();
      throw error;
    }
    return new SqlTrackingStore(driver, sqliteDialect, options);
  }

  let created: CreatedDatabaseFile | undefined;
  if (file.kind === 'missing') {
    created = createDatabaseFile(path);
    // Another process may have created it first, with anything in it.
    if (!created.created) file = probeDatabaseFile(path);
  }
  let driver: SqlDriver | undefined;
  try {
    if (file.kind === 'other') throw notSqlite(path, file.head);
    if (!created?.created) checkWritable(path);
    if (file.kind === 'sqlite') {
      const probe = await openAndInspect(path, options);
      await probe.driver.close();
      checkSchema(path, probe.state, 'write');
    }
    driver = withDatabaseErrors(SqliteDriver.open(path, options));
    await migrate(driver, MIGRATIONS, { database: path, backendStoreUri: sqliteUri(path) }, { artifactRoot });
  } catch (error) {
    await driver?.close();
    created?.undo();
    throw cannotOpen(path, error);
  }
  return new SqlTrackingStore(driver, sqliteDialect, options);
}

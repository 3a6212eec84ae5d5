import { resolveArtifactRoot } from '../../artifacts/artifact-locations.js';
import { AgentrackError, notFound } from '../../errors.js';
import { migrate } from '../sql/migrator.js';
import { MIGRATIONS, OLDEST_READABLE_VERSION } from '../sql/schema.js';
import {
  inspectSchema,
  refuseSchema,
  type RefuseSchemaOptions,
  type SchemaState,
} from '../sql/schema-state.js';
import { SqlTrackingStore, type SqlStoreOptions } from '../sql/sql-store.js';
import { postgresDialect } from './postgres-dialect.js';
import { describePostgresError } from './postgres-errors.js';
import { PostgresDriver, type PostgresDriverOptions } from './postgres-driver.js';

/** How a store is opened: `read` never creates or changes anything, `write` creates and migrates. */
export type PostgresStoreMode = 'read' | 'write';

/**
 * Options of {@link openPostgresStore}: the store's, and the connection pool's (each server
 * process has one pool; size `max` so that servers × `max` stays below the database's
 * `max_connections`).
 */
export interface PostgresStoreOptions
  extends SqlStoreOptions, Omit<PostgresDriverOptions, 'connectionString' | 'readOnly'> {
  /**
   * `write` (the default) creates agentrack's tables in an empty schema and brings an older
   * schema up to date, safely when several servers start at once. `read` creates and migrates
   * nothing: an empty schema, or one that needs an upgrade, is an error, and write operations
   * are refused.
   */
  mode?: PostgresStoreMode;
}

/** The newest schema version this build knows. */
const NEWEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * `connectionString` as it may be shown: a URL with its password (in the user part or as a
 * `password` parameter) replaced by `***`; anything that is not a URL as `the PostgreSQL
 * database` (a libpq `key=value` string may hold a password anywhere).
 */
export function redactConnectionString(connectionString: string): string {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return 'the PostgreSQL database';
  }
  if (!/^postgres(ql)?:$/i.test(url.protocol)) return 'the PostgreSQL database';
  if (url.password !== '') url.password = '***';
  for (const key of [...url.searchParams.keys()]) {
    if (key.toLowerCase() === 'password') url.searchParams.set(key, '***');
  }
  return url.toString();
}

/** Throws unless `state` is agentrack's schema at a version this build reads without migrating. */
function checkReadable(label: string, state: SchemaState, target: RefuseSchemaOptions): void {
  if (state.kind === 'mlflow' || state.kind === 'foreign') throw refuseSchema(state, target);
  if (state.kind === 'empty') {
    throw notFound(
      `no agentrack database at ${label} (its schema has no tables); open it once for writing ` +
        '(`agentrack server`, or start any run) to create one',
    );
  }
  if (state.version > NEWEST_VERSION) {
    throw new AgentrackError(
      'INVALID_STATE',
      `${label} is at schema version ${state.version}, newer than this agentrack supports (${NEWEST_VERSION}); upgrade agentrack.`,
    );
  }
  if (state.version < OLDEST_READABLE_VERSION) {
    throw new AgentrackError(
      'INVALID_STATE',
      `${label} is at schema version ${state.version}, older than this agentrack reads (${OLDEST_READABLE_VERSION}); open it ` +
        'once for writing to upgrade it, then read it.',
    );
  }
}

/**
 * Opens the tracking store in a PostgreSQL database: `postgresql://user:password@host:port/database`
 * (or `postgres://`; `sslmode` and the other libpq parameters as query parameters; whatever the
 * string leaves out comes from the `PG*` environment variables). Agentrack's tables live in the
 * current schema (the first of `search_path`, `public` by default). Before anything is written,
 * the schema is recognized: MLflow's own tables or another application's are refused and left
 * as they were. In `write` mode (the default) the schema is created or brought up to date, under
 * an advisory lock so that several servers may start at once; in `read` mode nothing is created
 * or changed (see {@link PostgresStoreOptions.mode}). Messages name the database by its URL
 * without the password. The pool opens connections on demand, up to `max` (default 10).
 *
 * @example
 * const store = await openPostgresStore('postgresql://agentrack:secret@db:5432/agentrack', { max: 20 });
 * const reader = await openPostgresStore(process.env.DATABASE_URL ?? '', { mode: 'read' });
 */
export async function openPostgresStore(
  connectionString: string,
  options: PostgresStoreOptions = {},
): Promise<SqlTrackingStore> {
  const mode = options.mode ?? 'write';
  // Before any connection is opened: a root that cannot be used refuses the open.
  const artifactRoot = resolveArtifactRoot(options.defaultArtifactRoot);
  const label = redactConnectionString(connectionString);
  const target: RefuseSchemaOptions = {
    database: label,
    backendStoreUri: label,
    instead: 'another database (or another schema of this one)',
  };
  const driver = PostgresDriver.open({
    ...poolOptions(options),
    connectionString,
    ...(mode === 'read' ? { readOnly: { label } } : {}),
  });
  try {
    if (mode === 'read') {
      const state = await driver.read((tx) => inspectSchema(tx, 'postgres'));
      checkReadable(label, state, target);
    } else {
      // The migrator inspects the schema itself, under its lock, and refuses what is not ours.
      await migrate(driver, MIGRATIONS, target, { artifactRoot });
    }
  } catch (error) {
    await driver.close();
    throw cannotOpen(label, error);
  }
  return new SqlTrackingStore(driver, postgresDialect, options);
}

/** The pool's settings among `options`. */
function poolOptions(options: PostgresStoreOptions): PostgresDriverOptions {
  const keys = [
    'max',
    'idleTimeoutMs',
    'connectionTimeoutMs',
    'statementTimeoutMs',
    'applicationName',
    'retryTimeoutMs',
  ] as const;
  return Object.fromEntries(
    keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]]),
  );
}

/**
 * A failure to open, naming the database: agentrack's errors keep their code, a server that
 * cannot be reached (refused, timed out, shutting down) is TEMPORARILY_UNAVAILABLE, anything else
 * (a TLS failure, say) INTERNAL_ERROR, with the original as `cause`.
 */
function cannotOpen(label: string, error: unknown): AgentrackError {
  const code =
    error instanceof AgentrackError
      ? error.code
      : describePostgresError(error) === 'unavailable'
        ? 'TEMPORARILY_UNAVAILABLE'
        : 'INTERNAL_ERROR';
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof AgentrackError && message.includes(label)) return error;
  return new AgentrackError(code, `Cannot open the tracking store ${label}: ${message}`, { cause: error });
}

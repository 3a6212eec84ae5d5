import { AgentrackError } from '../../errors.js';
import type { SqlExecutor } from './sql-driver.js';

/**
 * What a database holds, as far as agentrack is concerned: nothing yet (a new database),
 * agentrack's schema at some version, MLflow's own schema (managed by alembic), or tables of
 * something else.
 */
export type SchemaState =
  | { kind: 'empty' }
  | { kind: 'agentrack'; version: number }
  | { kind: 'mlflow'; revision: string }
  | { kind: 'foreign'; tables: readonly string[] };

/** The table agentrack's migrations record themselves in. */
export const SCHEMA_TABLE = 'agentrack_schema';

/** Tables every MLflow tracking database has had since MLflow 1.0, beside `alembic_version`. */
const MLFLOW_TABLES = ['experiments', 'runs', 'metrics', 'params', 'tags'] as const;

/**
 * Reads which schema the database holds, without writing anything. Run it inside the
 * transaction that acts on the answer, so that no other process changes it in between.
 * On PostgreSQL only the current schema (the first of `search_path` that exists) counts:
 * tables, views and foreign tables there, whoever owns them.
 */
export async function inspectSchema(tx: SqlExecutor, dialect: 'sqlite' | 'postgres'): Promise<SchemaState> {
  const rows = await tx.all<{ name: unknown }>(
    dialect === 'sqlite'
      ? `SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`
      : // pg_class, not information_schema: it also lists the tables this role may not read.
        `SELECT c.relname AS name FROM pg_catalog.pg_class c
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         ORDER BY c.relname`,
  );
  const tables = rows.map((row) => String(row.name));
  if (tables.length === 0) return { kind: 'empty' };
  if (tables.includes(SCHEMA_TABLE)) {
    const row = await tx.get<{ version: number | null }>(
      `SELECT MAX(version) AS version FROM ${SCHEMA_TABLE}`,
    );
    return { kind: 'agentrack', version: Number(row?.version ?? 0) };
  }
  if (tables.includes('alembic_version') && MLFLOW_TABLES.every((table) => tables.includes(table))) {
    const revisions = await tx.all<{ version_num: unknown }>(`SELECT version_num FROM alembic_version`);
    const revision = revisions.map((r) => String(r.version_num)).join(', ');
    return { kind: 'mlflow', revision: revision === '' ? 'none recorded' : revision };
  }
  return { kind: 'foreign', tables };
}

/** Options of {@link refuseSchema}. */
export interface RefuseSchemaOptions {
  /** The database as named to the user: its path, or its URL without the password. */
  database: string;
  /** The URI MLflow's server would take for it (`sqlite:////x/mlflow.db`), without a password. */
  backendStoreUri: string;
  /** What to say instead of the database: `another file` (the default), `another database`. */
  instead?: string;
}

/**
 * The refusal to use a database that holds MLflow's schema or someone else's tables, naming
 * what was found and what to do instead; INVALID_PARAMETER_VALUE. Nothing was written to it.
 */
export function refuseSchema(
  state: Extract<SchemaState, { kind: 'mlflow' | 'foreign' }>,
  options: RefuseSchemaOptions,
): AgentrackError {
  const instead = options.instead ?? 'another file';
  if (state.kind === 'mlflow') {
    return new AgentrackError(
      'INVALID_PARAMETER_VALUE',
      `${options.database} is an MLflow database (alembic revision ${state.revision}); agentrack keeps its ` +
        `own schema and never writes to it. Serve it with \`mlflow server --backend-store-uri ` +
        `${options.backendStoreUri}\` and point agentrack at that server (--tracking-uri ` +
        `http://127.0.0.1:5000), or give agentrack ${instead}.`,
    );
  }
  const shown = state.tables.slice(0, 5).join(', ');
  const more = state.tables.length > 5 ? ` and ${state.tables.length - 5} more` : '';
  return new AgentrackError(
    'INVALID_PARAMETER_VALUE',
    `${options.database} is not an agentrack database: it holds the tables ${shown}${more} and no ` +
      `${SCHEMA_TABLE}; agentrack never writes to it. Give agentrack ${instead}.`,
  );
}

import type { ModelRegistryStore } from './model-registry-store.js';
import type { OpenStoreOptions } from './open-store.js';
import { postgresPoolSettings } from './postgres/postgres-pool-env.js';
import type { PostgresStoreOptions } from './postgres/postgres-store.js';
import type { TrackingStore } from './tracking-store.js';
import type { TrackingTarget } from './tracking-uri.js';

/** The target of one kind. */
type TargetOf<K extends TrackingTarget['kind']> = Extract<TrackingTarget, { kind: K }>;

/**
 * One backend: the URI schemes it serves and how it opens a store, its code loaded with a
 * dynamic `import()` only when a URI names it, so that a REST user never loads SQLite's native
 * addon nor `pg`.
 */
export interface Backend<K extends TrackingTarget['kind'] = TrackingTarget['kind']> {
  /** A URI of each form (scheme) this backend serves, as `parseTrackingUri` reads them. */
  readonly examples: readonly string[];
  /** Opens the tracking store `target` names, with its own registry. */
  open(target: TargetOf<K>, options: OpenStoreOptions): Promise<TrackingStore>;
  /**
   * Opens only the model registry of the store `target` names (a registry URI naming another
   * store than the tracking URI); by default the registry of {@link Backend.open}'s store, whose
   * `close` closes that store.
   */
  openRegistry?(target: TargetOf<K>, options: OpenStoreOptions): Promise<ModelRegistryStore>;
}

/**
 * The backends, by the kind of target `parseTrackingUri` makes of a URI's scheme: `sqlite:` and
 * bare `.db` / `.sqlite` / `.sqlite3` paths, `postgresql:` and `postgres:`, `http:` and `https:`,
 * `databricks`. Each entry loads its implementation on demand; adding a database is one entry
 * (and its parse in `tracking-uri.ts`). PostgreSQL takes the URI's `sslmode` and other libpq
 * parameters, and whatever the URI leaves out from the `PG*` environment variables (read by `pg`).
 */
export const BACKENDS: { readonly [K in TrackingTarget['kind']]: Backend<K> } = {
  sqlite: {
    examples: ['sqlite:///relative.db', 'sqlite:////absolute.db', './agentrack.db', 'runs.sqlite3'],
    open: async (target, options) =>
      (await import('./sqlite/sqlite-store.js')).openSqliteStore(target.path, options),
  },
  postgres: {
    examples: ['postgresql://me@db:5432/agentrack?sslmode=require', 'postgres://db/agentrack'],
    open: async (target, options) =>
      (await import('./postgres/postgres-store.js')).openPostgresStore(
        target.connectionString,
        postgresOptions(options),
      ),
  },
  rest: {
    examples: ['http://127.0.0.1:5000', 'https://tracking.example.com/mlflow'],
    open: async (target, options) => (await import('./rest/rest-store.js')).openRestStore(target, options),
    openRegistry: async (target, options) =>
      (await import('./rest/rest-store.js')).openRestRegistryStore(target, options),
  },
  databricks: {
    examples: ['databricks', 'databricks://staging'],
    open: async (target, options) => (await import('./rest/rest-store.js')).openRestStore(target, options),
    openRegistry: async (target, options) =>
      (await import('./rest/rest-store.js')).openRestRegistryStore(target, options),
  },
};

/**
 * Opens the tracking store `target` names, through its backend.
 *
 * @example const store = await openBackendStore(parseTrackingUri('sqlite:///agentrack.db'), {});
 */
export function openBackendStore(target: TrackingTarget, options: OpenStoreOptions): Promise<TrackingStore> {
  return (BACKENDS[target.kind] as Backend).open(target, options);
}

/** Opens only the model registry of the store `target` names, through its backend (see {@link Backend.openRegistry}). */
export async function openBackendRegistry(
  target: TrackingTarget,
  options: OpenStoreOptions,
): Promise<ModelRegistryStore> {
  const backend = BACKENDS[target.kind] as Backend;
  if (backend.openRegistry !== undefined) return backend.openRegistry(target, options);
  const store = await backend.open(target, options);
  return withClose(store.registry, () => store.close());
}

/**
 * The options of `openPostgresStore` among `options`, and the pool's settings from
 * `options.env ?? process.env` (see {@link postgresPoolSettings}: `AGENTRACK_PG_POOL_MAX`,
 * `AGENTRACK_PG_IDLE_TIMEOUT_MS`, `AGENTRACK_PG_CONNECT_TIMEOUT_MS`, `AGENTRACK_PG_STATEMENT_TIMEOUT_MS`).
 */
function postgresOptions(options: OpenStoreOptions): PostgresStoreOptions {
  const { mode, defaultArtifactRoot, now, loggedModels } = options;
  return {
    ...postgresPoolSettings(options.env ?? process.env),
    ...(mode !== undefined ? { mode } : {}),
    ...(defaultArtifactRoot !== undefined ? { defaultArtifactRoot } : {}),
    ...(now !== undefined ? { now } : {}),
    ...(loggedModels !== undefined ? { loggedModels } : {}),
  };
}

/** The registry, its `close` closing the store it belongs to. */
function withClose(registry: ModelRegistryStore, close: () => Promise<void>): ModelRegistryStore {
  return new Proxy(registry, {
    get(target, property) {
      if (property === 'close') return close;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

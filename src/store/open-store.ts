import { openBackendRegistry, openBackendStore } from './backends.js';
import type { ModelRegistryStore } from './model-registry-store.js';
import type { RestStoreOptions } from './rest/rest-config.js';
import { parseRegistryUri, resolveRegistryUri, type RegistryTarget } from './registry-uri.js';
import type { SqliteStoreOptions } from './sqlite/sqlite-store.js';
import type { TrackingStore } from './tracking-store.js';
import { resolveTrackingTarget, type TrackingTarget } from './tracking-uri.js';
import { UnityCatalogRegistryStore } from './unity-catalog-registry-store.js';
import { withRegistry } from './with-registry.js';

/** Options of {@link openStore}: each backend reads the ones that concern it. */
export interface OpenStoreOptions extends SqliteStoreOptions, RestStoreOptions {
  /**
   * Where the model registry is, as MLflow's registry URI: default `MLFLOW_REGISTRY_URI`, else
   * the tracking store's own registry. Another tracking URI (`http(s)://`, `databricks`, a
   * SQLite file) takes that store's registry; `databricks-uc` names Unity Catalog's registry,
   * which is not supported yet (every registry call fails with NOT_IMPLEMENTED; tracking works).
   */
  registryUri?: string;
}

/**
 * Opens the store a tracking URI (or an already parsed target) names, see
 * {@link resolveTrackingTarget} for the default: the embedded SQLite file, a PostgreSQL
 * database, or over REST an `http(s)://` tracking server or a Databricks workspace. The
 * backend's code is loaded only then (see `BACKENDS`). Its `registry` is the one the registry
 * URI names (see {@link OpenStoreOptions.registryUri}).
 *
 * @example const store = await openStore('sqlite:///agentrack.db');
 */
export async function openStore(
  uri?: string | TrackingTarget,
  options: OpenStoreOptions = {},
): Promise<TrackingStore> {
  const env = options.env ?? process.env;
  const target = typeof uri === 'object' ? uri : resolveTrackingTarget({ uri, env });
  const registryUri = resolveRegistryUri(options.registryUri, env);
  const registryTarget = registryUri === undefined ? undefined : parseRegistryUri(registryUri);
  const store = await openBackendStore(target, options);
  if (registryTarget === undefined || sameStore(target, registryTarget)) return store;
  try {
    return withRegistry(store, await openRegistry(registryTarget, options));
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The registry of a registry URI that names another store than the tracking URI. */
function openRegistry(target: RegistryTarget, options: OpenStoreOptions): Promise<ModelRegistryStore> {
  if (target.kind === 'databricks-uc') return Promise.resolve(new UnityCatalogRegistryStore(target.uri));
  return openBackendRegistry(target, options);
}

function sameStore(tracking: TrackingTarget, registry: RegistryTarget): boolean {
  return tracking.kind === registry.kind && tracking.path === registry.path;
}

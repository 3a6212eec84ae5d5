import { HttpClient } from './rest/http-client.js';
import { RestModelRegistryStore } from './rest/rest-registry-store.js';
import type { ModelRegistryStore } from './model-registry-store.js';
import type { TrackingStore } from './tracking-store.js';
import { openRestStore } from './rest/rest-store.js';
import { resolveRestConfig, type RestStoreOptions } from './rest/rest-config.js';
import { parseRegistryUri, resolveRegistryUri, type RegistryTarget } from './registry-uri.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
import { parseTrackingUri, resolveTrackingUri, type TrackingTarget } from './tracking-uri.js';
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
 * Opens the store a tracking URI names (see {@link resolveTrackingUri} for the default): the
 * embedded SQLite file, or over REST an `http(s)://` tracking server or a Databricks workspace;
 * its `registry` is the one the registry URI names (see {@link OpenStoreOptions.registryUri}).
 */
export async function openStore(uri?: string, options: OpenStoreOptions = {}): Promise<TrackingStore> {
  const env = options.env ?? process.env;
  const target = parseTrackingUri(resolveTrackingUri(uri, env));
  const registryUri = resolveRegistryUri(options.registryUri, env);
  const registryTarget = registryUri === undefined ? undefined : parseRegistryUri(registryUri);
  const store =
    target.kind === 'sqlite'
      ? await openSqliteStore(target.path, options)
      : await openRestStore(target, options);
  if (registryTarget === undefined || sameStore(target, registryTarget)) return store;
  try {
    return withRegistry(store, await openRegistry(registryTarget, options));
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The registry of a registry URI that names another store than the tracking URI. */
async function openRegistry(target: RegistryTarget, options: OpenStoreOptions): Promise<ModelRegistryStore> {
  switch (target.kind) {
    case 'databricks-uc':
      return new UnityCatalogRegistryStore(target.uri);
    case 'rest':
    case 'databricks':
      return new RestModelRegistryStore(new HttpClient(resolveRestConfig(target, options)), {
        ownsClient: true,
      });
    case 'sqlite': {
      const store = await openSqliteStore(target.path, options);
      return withClose(store.registry, () => store.close());
    }
  }
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

function sameStore(tracking: TrackingTarget, registry: RegistryTarget): boolean {
  return tracking.kind === registry.kind && tracking.path === registry.path;
}

import type { ModelRegistryStore } from './model-registry-store.js';
import type { TrackingStore } from './tracking-store.js';

/**
 * The tracking store with another registry in place of its own (a registry URI that names
 * another store): every member is the store's, bound to it, but `registry`, and `close` closes
 * the registry, then the store.
 *
 * @example withRegistry(await openRestStore('http://tracking:5000'), new UnityCatalogRegistryStore('databricks-uc'))
 */
export function withRegistry<S extends TrackingStore>(store: S, registry: ModelRegistryStore): S {
  const close = async () => {
    try {
      await registry.close();
    } finally {
      await store.close();
    }
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'registry') return registry;
      if (property === 'close') return close;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

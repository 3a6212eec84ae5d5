import type { ModelRegistryStore } from '../store/model-registry-store.js';
import type { Endpoint, OperationName } from './endpoint.js';

/** The operations of the model registry's API: every method of {@link ModelRegistryStore} but `close`. */
export type RegistryOperation = Exclude<OperationName<ModelRegistryStore>, 'close'>;

/** An endpoint of the model registry's API: one {@link ModelRegistryStore} operation over HTTP. */
export type RegistryEndpoint<N extends RegistryOperation = RegistryOperation> = Endpoint<
  ModelRegistryStore,
  N
>;

/**
 * Declares the endpoint of registry operation `name`: the name gives the types of its
 * arguments and result to every other member. The server serves it with the operation of the
 * tracking store's `registry`; the REST registry store calls it for that operation.
 *
 * @example registryEndpoint('getRegisteredModel', { method: 'GET', path: 'registered-models/get', ... })
 */
export function registryEndpoint<N extends RegistryOperation>(
  name: N,
  endpoint: NoInfer<Omit<RegistryEndpoint<N>, 'name'>>,
): RegistryEndpoint<N> {
  return Object.freeze({ name, ...endpoint });
}

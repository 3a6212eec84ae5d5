import type { TrackingStore } from '../store/tracking-store.js';
import type { Endpoint, JsonResponse, OperationName, ParamsRequest } from './endpoint.js';

/**
 * The operations of the tracking API: every method of {@link TrackingStore} but `close` and
 * `countRuns`, which MLflow's REST API has no endpoint for.
 */
export type TrackingOperation = Exclude<OperationName<TrackingStore>, 'close' | 'countRuns'>;

/** An endpoint of the tracking API: one {@link TrackingStore} operation over HTTP. */
export type TrackingEndpoint<N extends TrackingOperation = TrackingOperation> = Endpoint<TrackingStore, N>;

/**
 * Declares the endpoint of tracking operation `name`: the name gives the types of its
 * arguments and result to every other member.
 *
 * @example trackingEndpoint('deleteRun', { method: 'POST', path: 'runs/delete', ... })
 */
export function trackingEndpoint<N extends TrackingOperation>(
  name: N,
  endpoint: NoInfer<Omit<TrackingEndpoint<N>, 'name'>>,
): TrackingEndpoint<N> {
  return Object.freeze({ name, ...endpoint });
}

/** The answer of an operation that resolves to nothing: `{}`, read as nothing. */
export function emptyResponse<A>(): JsonResponse<void, A> {
  return { kind: 'json', encode: () => ({}), decode: () => undefined };
}

/** The request of an operation on one experiment named by its id (delete, restore). */
export function experimentIdRequest(): ParamsRequest<[experimentId: string]> {
  return {
    kind: 'params',
    encode: ([experimentId]) => ({ experiment_id: experimentId }),
    decode: (params) => [params.requiredString('experiment_id')],
  };
}

/** The request of an operation on one run named by its id (delete, restore). */
export function runIdRequest(): ParamsRequest<[runId: string]> {
  return {
    kind: 'params',
    encode: ([runId]) => ({ run_id: runId }),
    decode: (params) => [params.runId()],
  };
}

/**
 * The request that sets one key to a value on a run (log-parameter, set-tag); the run id goes
 * as both `run_uuid` and `run_id`, as MLflow's client sends it.
 */
export function runKeyValueRequest(): ParamsRequest<[runId: string, entry: { key: string; value: string }]> {
  return {
    kind: 'params',
    encode: ([runId, entry]) => ({ run_uuid: runId, key: entry.key, value: entry.value, run_id: runId }),
    decode: (params) => [
      params.runId(),
      { key: params.requiredString('key'), value: params.string('value') ?? '' },
    ],
  };
}

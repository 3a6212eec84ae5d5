import type { TraceStore } from '../store/trace-store.js';
import type { Endpoint, OperationName } from './endpoint.js';

/**
 * The operations of the trace API: every {@link TraceStore} method that MLflow's REST API has an
 * endpoint for. Spans travel as the `traces.json` file of the artifact service instead, and MLflow
 * 3.3 has no endpoint reading several trace infos at once.
 */
export type TraceOperation = Exclude<
  OperationName<TraceStore>,
  'logSpans' | 'logTrace' | 'getSpans' | 'getTraceInfos' | 'getTraceExperimentId'
>;

/** An endpoint of the trace API: one {@link TraceStore} operation over HTTP. */
export type TraceEndpoint<N extends TraceOperation = TraceOperation> = Endpoint<TraceStore, N>;

/**
 * Declares an endpoint of trace operation `name`: the name gives the types of its arguments
 * and result to every other member. The server serves it with the operation of the tracking
 * store's `traces`; the REST trace store calls it for that operation.
 *
 * @example traceEndpoint('getTraceInfo', { method: 'GET', path: 'traces/<trace_id>', ... })
 */
export function traceEndpoint<N extends TraceOperation>(
  name: N,
  endpoint: NoInfer<Omit<TraceEndpoint<N>, 'name'>>,
): TraceEndpoint<N> {
  return Object.freeze({ name, ...endpoint });
}

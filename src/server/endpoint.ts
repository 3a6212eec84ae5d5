import type { TrackingStore } from '../store/tracking-store.js';
import type { AccessTarget } from './access.js';
import type { RequestParams } from './wire/request-params.js';

/** The HTTP methods MLflow's tracking endpoints use. */
export const ENDPOINT_METHODS = ['GET', 'POST'] as const;
/** One of {@link ENDPOINT_METHODS}. */
export type EndpointMethod = (typeof ENDPOINT_METHODS)[number];

/** What an endpoint's handler is given besides the request's parameters. */
export interface EndpointContext {
  store: TrackingStore;
  /** Runs the authorization hook for this request; throws when it refuses. Call it once, before the store. */
  access(target: AccessTarget): Promise<void>;
}

/**
 * One endpoint of MLflow's REST API, served under `/api/2.0/mlflow/` and `/ajax-api/2.0/mlflow/`.
 * The handler returns the response object, which the app serializes as MLflow does.
 */
export interface Endpoint {
  /** Path below the API prefix, e.g. `runs/log-batch`. */
  readonly path: string;
  /** The methods MLflow serves it with: GET reads the query string, POST a JSON body. */
  readonly methods: readonly EndpointMethod[];
  /** `true` when it changes data. */
  readonly write: boolean;
  handle(params: RequestParams, context: EndpointContext): Promise<object>;
}

import { EXPERIMENT_ENDPOINTS } from './experiments.js';
import { LOGGED_MODEL_ENDPOINTS } from './logged-models.js';
import { METRIC_ENDPOINTS } from './metrics.js';
import { RUN_ENDPOINTS } from './runs.js';
import type { TrackingEndpoint, TrackingOperation } from './tracking-endpoint.js';

/**
 * MLflow's tracking API, one endpoint per `TrackingStore` operation, by operation name: the
 * server serves each with the store's operation, the REST store calls each for it. The type
 * makes a missing operation, or an endpoint filed under another operation's name, an error.
 */
export const TRACKING_API = {
  ...EXPERIMENT_ENDPOINTS,
  ...RUN_ENDPOINTS,
  ...METRIC_ENDPOINTS,
  ...LOGGED_MODEL_ENDPOINTS,
} as const satisfies { readonly [N in TrackingOperation]: TrackingEndpoint<N> };

/** Every endpoint of {@link TRACKING_API}, in the order the table lists them. */
export const TRACKING_ENDPOINTS: readonly TrackingEndpoint[] = Object.freeze(Object.values(TRACKING_API));

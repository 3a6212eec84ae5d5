import type { FastifyPluginAsync } from 'fastify';
import { TRACKING_ENDPOINTS } from '../../protocol/tracking-api.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { MAX_REQUEST_BODY_BYTES } from '../wire/json-body.js';
import { refuseOtherMethods, serveEndpoints } from './serve-endpoints.js';
import { readBodiesAsText } from './text-bodies.js';

/** Options of {@link trackingApi}. */
export interface TrackingApiOptions {
  /** The store every endpoint reads and writes. The plugin never closes it. */
  store: TrackingStore;
  /** Decides per request, before the store is called; without it everything is allowed. */
  authorize?: Authorize | undefined;
}

/**
 * MLflow's tracking REST API (experiments, runs, metrics) over a store: every endpoint of the
 * protocol table, under its prefixes. Bodies of up to {@link MAX_REQUEST_BODY_BYTES} are read
 * as text and parsed by the endpoint as MLflow does; errors are MLflow's. Encapsulated: its
 * body parsing and error handling stay inside it.
 */
export const trackingApi: FastifyPluginAsync<TrackingApiOptions> = async (app, { store, authorize }) => {
  readBodiesAsText(app, MAX_REQUEST_BODY_BYTES);
  app.setErrorHandler(mlflowErrorHandler);
  serveEndpoints(app, { service: store, endpoints: TRACKING_ENDPOINTS, authorize });
  refuseOtherMethods(app, TRACKING_ENDPOINTS);
};

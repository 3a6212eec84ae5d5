/**
 * The agentrack server: MLflow's tracking REST API over any {@link TrackingStore}, as a
 * Fastify app that never listens on its own.
 */
export type { TrackingStore } from '../store/tracking-store.js';
export { API_PREFIXES, createApp, type CreateAppOptions } from './create-app.js';
export { MAX_REQUEST_HEAD_BYTES, parserErrorResponse } from './client-error.js';
export type { AccessRequest, AccessTarget, Authenticate, Authorize } from './access.js';
export { ENDPOINT_METHODS, type Endpoint, type EndpointContext, type EndpointMethod } from './endpoint.js';
export { INTERNAL_ERROR_MESSAGE, toErrorResponse, type ErrorBody, type ErrorResponse } from './errors.js';
export { outOfScopeArea } from './out-of-scope.js';
export { TRACKING_ENDPOINTS } from './routes/tracking-endpoints.js';
export { MAX_REQUEST_BODY_BYTES } from './wire/json-body.js';
export { workspaceAccessControl, type AccessControl } from './access-control.js';
export { isLoopback, startServer, type RunningServer, type ServeOptions } from './serve.js';

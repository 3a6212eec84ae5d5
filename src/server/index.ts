/**
 * The agentrack server: MLflow's tracking REST API (traces included) over any {@link TrackingStore} and MLflow's
 * artifact service over an artifact repository, as a
 * Fastify app that never listens on its own, composed of plugins that mount alone too.
 */
export type { TrackingStore } from '../store/tracking-store.js';
export { API_PREFIXES, createApp, type CreateAppOptions } from './create-app.js';
export { MAX_REQUEST_HEAD_BYTES, parserErrorResponse } from './client-error.js';
export type { AccessRequest, AccessTarget, Authenticate, Authorize } from './access.js';
export { INTERNAL_ERROR_MESSAGE, toErrorResponse, type ErrorBody, type ErrorResponse } from './errors.js';
export { outOfScopeArea } from './out-of-scope.js';
export {
  MODEL_VERSION_ARTIFACT_ENDPOINTS,
  REGISTRY_ENDPOINTS,
  TRACE_ARTIFACT_ENDPOINTS,
  TRACE_ENDPOINTS,
  TRACKING_ENDPOINTS,
  type Endpoint,
  type RegistryEndpoint,
  type TraceEndpoint,
  type TrackingEndpoint,
} from '../protocol/index.js';
export { MAX_REQUEST_BODY_BYTES } from './wire/json-body.js';
export { workspaceAccessControl, type AccessControl } from './access-control.js';
export { isLoopback, startServer, type RunningServer, type ServeOptions } from './serve.js';
export { artifactsApi, type ArtifactsApiOptions } from './plugins/artifacts-api.js';
export { authentication, type AuthenticationOptions } from './plugins/authentication.js';
export { modelRegistryApi, type ModelRegistryApiOptions } from './plugins/model-registry-api.js';
export { outOfScopeApi } from './plugins/out-of-scope-api.js';
export { PROBE_PATHS, probes } from './plugins/probes.js';
export { requestGuards } from './plugins/request-guards.js';
export { runArtifactsApi, type RunArtifactsApiOptions } from './plugins/run-artifacts-api.js';
export {
  refuseOtherMethods,
  routePattern,
  serveEndpoints,
  type ServeEndpointsOptions,
} from './plugins/serve-endpoints.js';
export { trackingApi, type TrackingApiOptions } from './plugins/tracking-api.js';
export { tracesApi, type TracesApiOptions } from './plugins/traces-api.js';
export { MAX_TRACE_DATA_BYTES, TraceIngestingArtifactService } from './trace-ingest.js';
export {
  artifactsNotServed,
  trackingNotServed,
  unavailableApi,
  type UnavailableApiOptions,
} from './plugins/unavailable-api.js';
export { unmatchedRoutes } from './plugins/unmatched-routes.js';

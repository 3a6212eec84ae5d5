/**
 * MLflow's REST protocol, described once for the server and the client: one endpoint per
 * operation, with its method, paths, how its request and response travel, and what it acts
 * on for access control.
 */
export type { AccessTarget } from './access-target.js';
export {
  HTTP_METHODS,
  MLFLOW_AJAX_API_2,
  MLFLOW_API_2,
  MLFLOW_API_3,
  MLFLOW_ARTIFACTS_API_2,
  MLFLOW_ROOT,
  fillPath,
  pathParamName,
  pathParams,
  servedMethods,
  type AnyEndpoint,
  type Endpoint,
  type HttpMethod,
  type IncomingRequest,
  type JsonResponse,
  type OperationArgs,
  type OperationName,
  type OperationResult,
  type ParamsRequest,
  type PathParam,
  type PathParams,
  type RawBody,
  type RawRequest,
  type RequestCodec,
  type ResponseCodec,
  type ResponseHeaders,
  type StreamedFile,
  type StreamResponse,
  type WireParams,
} from './endpoint.js';
export {
  artifactAccess,
  artifactEndpoint,
  type ArtifactEndpoint,
  type ArtifactOperation,
} from './artifact-endpoint.js';
export { ARTIFACT_ENDPOINTS, ARTIFACTS_API, partUploadUrl } from './artifacts.js';
export { EXPERIMENT_ENDPOINTS } from './experiments.js';
export { LOGGED_MODEL_ENDPOINTS } from './logged-models.js';
export { METRIC_ENDPOINTS } from './metrics.js';
export {
  MODEL_VERSION_ARTIFACT_ENDPOINTS,
  MODEL_VERSION_ARTIFACTS_API,
  REGISTRY_API,
  REGISTRY_ENDPOINTS,
  type ModelVersionArtifactEndpoint,
} from './model-registry.js';
export { registryEndpoint, type RegistryEndpoint, type RegistryOperation } from './registry-endpoint.js';
export { RUN_ENDPOINTS } from './runs.js';
export {
  runArtifactEndpoint,
  type RunArtifactEndpoint,
  type RunArtifactOperation,
} from './run-artifact-endpoint.js';
export { MAX_UPLOAD_ARTIFACT_BYTES, RUN_ARTIFACT_ENDPOINTS, RUN_ARTIFACTS_API } from './run-artifacts.js';
export { TRACKING_API, TRACKING_ENDPOINTS } from './tracking-api.js';
export { traceEndpoint, type TraceEndpoint, type TraceOperation } from './trace-endpoint.js';
export {
  TRACE_API,
  TRACE_ARTIFACT_ENDPOINTS,
  TRACE_ARTIFACTS_API,
  TRACE_ENDPOINTS,
  TRACE_V2_READS,
  type TraceArtifactEndpoint,
  type TraceArtifactService,
} from './traces.js';
export {
  emptyResponse,
  trackingEndpoint,
  type TrackingEndpoint,
  type TrackingOperation,
} from './tracking-endpoint.js';
export { RequestParams } from './wire/request-params.js';

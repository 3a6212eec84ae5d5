export { RestTrackingStore, openRestRegistryStore, openRestStore } from './rest-store.js';
export { RestModelRegistryStore, type RestModelRegistryStoreOptions } from './rest-registry-store.js';
export { RestTraceStore } from './rest-trace-store.js';
export {
  resolveRestConfig,
  readDatabricksProfiles,
  type RemoteTrackingTarget,
  type RestStoreConfig,
  type RestStoreOptions,
} from './rest-config.js';
export {
  HttpClient,
  API_PREFIX,
  type ConnectRetrySettings,
  type HttpClientOptions,
  type JsonAnswer,
  type RestCall,
  type StreamAnswer,
} from './http-client.js';
export { callEndpoint, endpointCall } from './endpoint-call.js';
export { formatRetryNotice, type RetryNotice } from './retry-notice.js';
export { splitLogBatch, MLFLOW_BATCH_LIMITS, type BatchLimits, type LogBatchBody } from './batch-split.js';
export { restError, errorCodeForStatus } from './rest-error.js';

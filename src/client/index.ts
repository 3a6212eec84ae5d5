export {
  TrackingClient,
  type CreateExperimentOptions,
  type CreateLoggedModelOptions,
  type CreateRunOptions,
  type FinalLoggedModelStatus,
  type LogBatchOptions,
  type LogMetricOptions,
  type MetricHistoryBulkIntervalOptions,
  type MetricHistoryBulkOptions,
  type MetricInput,
  type OpenTrackingClientOptions,
  type SearchExperimentsOptions,
  type SearchLoggedModelsOptions,
  type SearchRunsOptions,
  type TagsInput,
  type TrackingClientOptions,
  type UpdateRunOptions,
} from './tracking-client.js';
export {
  RegistryClient,
  type CreateModelVersionOptions,
  type CreateRegisteredModelOptions,
  type RegistryTagsInput,
  type SearchRegistryOptions,
  type TransitionStageOptions,
  type VersionInput,
} from './registry-client.js';
export {
  TraceClient,
  type AssessmentChanges,
  type AssessmentInput,
  type FeedbackOverride,
  type SearchTracesOptions,
  type TraceClientOptions,
  type TraceDataUploader,
} from './trace-client.js';
export {
  collectGarbage,
  type ArtifactsOutcome,
  type CollectGarbageOptions,
  type GarbageReport,
  type Removed,
} from './collect-garbage.js';
export { ARTIFACT_TRANSFER_CONCURRENCY, RunArtifacts, type RunArtifactsOptions } from './run-artifacts.js';
export type { RunArtifactListing, RunArtifactService } from './run-artifact-service.js';
export type { LoadTableOptions, Table, TableInput } from './run-tables.js';

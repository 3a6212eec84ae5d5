/**
 * agentrack: experiment tracking for GenAI agents, with MLflow's data model and search
 * language on embedded SQLite.
 *
 * @example
 * import { TrackingClient } from 'agentrack';
 * const client = await TrackingClient.open();
 */
export {
  TrackingClient,
  type CreateExperimentOptions,
  type CreateRunOptions,
  type LogBatchOptions,
  type LogMetricOptions,
  type MetricHistoryBulkIntervalOptions,
  type MetricHistoryBulkOptions,
  type MetricInput,
  type LoadTableOptions,
  type OpenTrackingClientOptions,
  type SearchExperimentsOptions,
  type SearchRunsOptions,
  type Table,
  type TableInput,
  type TagsInput,
  type TrackingClientOptions,
  type UpdateRunOptions,
  collectGarbage,
  type ArtifactsOutcome,
  type CollectGarbageOptions,
  type GarbageReport,
  type Removed,
} from './client/index.js';
export { AgentrackError, ERROR_CODES, httpStatusFor, isAgentrackError, type ErrorCode } from './errors.js';
export {
  LIFECYCLE_STAGES,
  LOGGED_ARTIFACTS_TAG,
  RUN_NAME_TAG,
  RUN_STATUSES,
  VIEW_TYPES,
  DATASET_CONTEXT_TAG,
  metricValueToJson,
  toMlflowJson,
  type Dataset,
  type DatasetInput,
  type DatasetSummary,
  type Experiment,
  type InputTag,
  type ExperimentTag,
  type FileInfo,
  type LifecycleStage,
  type LoggedModel,
  type Metric,
  type MetricWithRunId,
  type Param,
  type Run,
  type RunData,
  type RunInfo,
  type RunInputs,
  type RunStatus,
  type RunTag,
  type ViewType,
} from './entities/index.js';
export {
  openStore,
  resolveTrackingUri,
  parseTrackingUri,
  formatRetryNotice,
  type Page,
  type RetryNotice,
  type TrackingStore,
} from './store/index.js';
export {
  Agent,
  RunHandle,
  audit,
  formatAuditReport,
  loadConfig,
  resolveConfig,
  type AgentConfig,
  type AgentConfigInput,
  type AgentOptions,
  type AuditReport,
  type DeploymentRecord,
  type DeploymentStatus,
  type RunType,
  type ScopedRunResult,
  type StartRunOptions,
  type Threshold,
} from './lifecycle/index.js';

export {
  TrackingClient,
  type CreateExperimentOptions,
  type CreateRunOptions,
  type LogBatchOptions,
  type LogMetricOptions,
  type MetricHistoryBulkIntervalOptions,
  type MetricHistoryBulkOptions,
  type MetricInput,
  type SearchExperimentsOptions,
  type SearchRunsOptions,
  type TagsInput,
  type UpdateRunOptions,
} from './tracking-client.js';
export {
  collectGarbage,
  type ArtifactsOutcome,
  type CollectGarbageOptions,
  type GarbageReport,
  type Removed,
} from './collect-garbage.js';

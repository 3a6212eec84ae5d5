/**
 * MLflow's input rules for the tracking store. Every check throws an `AgentrackError` with
 * code `INVALID_PARAMETER_VALUE` and MLflow's message, which names the offending field.
 */
export * from './limits.js';
export {
  BAD_KEY_CHARACTERS_MESSAGE,
  badPathMessage,
  validateExperimentTagKey,
  validateMetricKey,
  validateParamKey,
  validateTagKey,
} from './entity-key.js';
export { isInt64, validateMetric, type EntityPathOptions, type MetricInput } from './metric.js';
export { validateParam, type KeyValueInput, type LongValueOptions } from './param.js';
export { validateExperimentTag, validateTag } from './tag.js';
export { validateDatasetInputs, type DatasetInputInput } from './dataset.js';
export {
  validateArtifactLocation,
  validateExperimentId,
  validateExperimentIds,
  validateExperimentName,
} from './experiment.js';
export {
  validateRunId,
  validateRunIdToRead,
  validateRunName,
  validateRunNameAgainstTags,
  validateRunStatus,
} from './run.js';
export {
  validateBatchLimits,
  validateBatchRequestSize,
  validateLogBatch,
  validateParamKeysUnique,
  type BatchInput,
  type ValidBatch,
} from './batch.js';
export {
  validateMetricHistoryMaxResults,
  validateSearchDatasetsExperimentIds,
  validateSearchExperimentsMaxResults,
  validateSearchLoggedModels,
  validateSearchMaxResults,
  validateSearchRunsMaxResults,
  validateViewType,
  type ValidLoggedModelSearch,
} from './search.js';
export {
  validateBulkHistoryMetricKey,
  validateBulkHistoryRunIds,
  validateMetricHistoryBulk,
  validateMetricHistoryBulkInterval,
  type ValidMetricHistoryBulk,
  type ValidMetricHistoryBulkInterval,
} from './metric-history-bulk.js';
export {
  validateFinalStatus,
  validateLoggedModelId,
  validateLoggedModelName,
  validateLoggedModelOutputs,
  validateLoggedModelType,
} from './logged-model.js';
export {
  ACTIVE_MODEL_VERSION_STAGES,
  validateModelAliasName,
  validateModelVersion,
  validateModelVersionStage,
  validateModelVersionTag,
  validateOptionalText,
  validateRegisteredModelName,
  validateRegisteredModelTag,
  validateRegistryTagKey,
  validateSearchModelVersionsMaxResults,
  validateSearchRegisteredModelsMaxResults,
  validateStageTransition,
} from './model-registry.js';
export {
  isInsideFolder,
  localArtifactPath,
  refuseLocalSource,
  validateModelVersionSource,
  type ModelVersionSource,
} from './model-version-source.js';
export {
  ASSESSMENT_UPDATE_FIELDS,
  validateAssessment,
  validateAssessmentChanges,
  validateAssessmentUpdateMask,
  validateDeleteTraces,
  validateEndTrace,
  validateExpectation,
  validateFeedback,
  validateSearchTracesMaxResults,
  validateSpans,
  validateStartTraceV2,
  validateTraceId,
  validateTraceIdList,
  validateTraceIdToRead,
  validateTraceInfo,
  validateTraceInfoIds,
  validateTraceMetadata,
  validateTraceTag,
  validateTraceTagKey,
  validateTraceTags,
  validateTracesToLink,
  type ValidAssessment,
  type ValidAssessmentChanges,
  type ValidDeleteTraces,
  type ValidTraceInfo,
} from './trace.js';

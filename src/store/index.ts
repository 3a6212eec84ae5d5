export type {
  CreateExperimentInput,
  CreateLoggedModelInput,
  CreateRunInput,
  LogInputsInput,
  LogBatchInput,
  LoggedModelDatasetFilter,
  LoggedModelOrderBy,
  MetricHistoryBulkInput,
  MetricHistoryBulkIntervalInput,
  MetricHistoryInput,
  Page,
  PermanentDeletion,
  SearchExperimentsInput,
  SearchLoggedModelsInput,
  SearchRunsInput,
  TrackingStore,
  UpdateRunInput,
} from './tracking-store.js';
export type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  ModelRegistryStore,
  SearchRegistryInput,
} from './model-registry-store.js';
export type {
  AssessmentUpdateField,
  DeleteTracesInput,
  EndTraceInput,
  SearchTracesInput,
  TraceStore,
} from './trace-store.js';
export { openStore, type OpenStoreOptions } from './open-store.js';
export { parseRegistryUri, resolveRegistryUri, type RegistryTarget } from './registry-uri.js';
export { UnityCatalogRegistryStore } from './unity-catalog-registry-store.js';
export { withRegistry } from './with-registry.js';
export type { StoreMode } from './sqlite/sqlite-store.js';
export {
  canonicalTrackingUri,
  displayTrackingUri,
  isRemoteTrackingTarget,
  parseTrackingUri,
  resolveTrackingTarget,
  resolveTrackingUri,
  DEFAULT_DATABASE,
  type TrackingTarget,
  type TrackingUriSources,
} from './tracking-uri.js';
export { BACKENDS, openBackendRegistry, openBackendStore, type Backend } from './backends.js';
export { SqlTrackingStore, type SqlStoreOptions } from './sql/sql-store.js';
export {
  SqlModelRegistryStore,
  type LoggedModelLocation,
  type LoggedModelLocator,
  type SqlRegistryStoreOptions,
} from './sql/sql-registry-store.js';
export type { SqlDriver, SqlExecutor, SqlRow, SqlRunResult } from './sql/sql-driver.js';
export {
  DATABASE_ERROR_KINDS,
  DatabaseError,
  isDatabaseError,
  type DatabaseErrorKind,
  type DatabaseErrorOptions,
} from './sql/database-error.js';
export { withDatabaseErrors } from './sql/with-database-errors.js';
export { MIGRATIONS, type Migration } from './sql/schema.js';
export { migrate } from './sql/migrator.js';
export {
  RestModelRegistryStore,
  RestTrackingStore,
  openRestStore,
  formatRetryNotice,
  type RestStoreOptions,
  type RetryNotice,
} from './rest/index.js';

/**
 * MLflow's search languages (runs, experiments, registered models, model versions, logged
 * models, traces): parsers, AST, canonical serializer, the in-memory evaluator (the reference
 * semantics), and the SQL compiler with keyset pagination.
 */
export {
  DATASET_KEYS,
  ENTITIES,
  EXPERIMENT_FILTER_ATTRIBUTES,
  EXPERIMENT_ORDER_BY_ATTRIBUTES,
  LIST_COMPARATORS,
  MODEL_VERSION_FILTER_ATTRIBUTES,
  MODEL_VERSION_ORDER_BY_ATTRIBUTES,
  NUMBER_COMPARATORS,
  REGISTERED_MODEL_FILTER_ATTRIBUTES,
  REGISTERED_MODEL_ORDER_BY_ALIASES,
  REGISTERED_MODEL_ORDER_BY_ATTRIBUTES,
  RUN_ATTRIBUTES,
  RUN_ORDER_BY_ATTRIBUTES,
  STRING_COMPARATORS,
  withoutLocation,
  type AttributeKind,
  type Comparator,
  type Comparison,
  type Entity,
  type ExperimentFilter,
  type ListComparator,
  type ListComparison,
  type Location,
  type ModelVersionFilter,
  type NumberComparator,
  type NumberComparison,
  type OrderBy,
  type OrderByClause,
  type RegisteredModelFilter,
  type RunFilter,
  type StringComparator,
  type StringComparison,
} from './ast.js';
export {
  parseExperimentFilter,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
  parseRunFilter,
} from './filter-parser.js';
export {
  parseExperimentOrderBy,
  parseModelVersionOrderBy,
  parseRegisteredModelOrderBy,
  parseRunOrderBy,
} from './order-by-parser.js';
export {
  serializeExperimentFilter,
  serializeFilter,
  serializeModelVersionFilter,
  serializeOrderBy,
  serializeRegisteredModelFilter,
  serializeRunFilter,
} from './serializer.js';
export {
  compareExperiments,
  compareModelVersions,
  compareRegisteredModels,
  compareRuns,
  matchesExperiment,
  matchesModelVersion,
  matchesRegisteredModel,
  matchesRun,
  matchesViewType,
  promptModelNames,
} from './evaluator.js';
export { PROMPT_TAG_KEY, registryFilterPlan, type RegistryFilterPlan } from './prompt-filter.js';
export {
  BUCKET_MISSING,
  BUCKET_NAN,
  BUCKET_VALUE,
  compareSortKeys,
  experimentOrderTerms,
  experimentSortKey,
  modelVersionOrderTerms,
  modelVersionSortKey,
  registeredModelOrderTerms,
  registeredModelSortKey,
  runOrderTerms,
  runSortKey,
  type OrderTerm,
  type SortKey,
  type SortKeyValue,
} from './sort-key.js';
export { compareText } from './compare-text.js';
export { asciiLower, ilikeMatches, likeMatches } from './like.js';
export type { SqlDialect } from './sql-dialect.js';
export type { SqlFragment, SqlParam, SqlPart } from './sql-fragment.js';
// Each database's dialect lives in its backend's folder; both are offered here for the search compiler's users.
export { sqliteDialect } from '../store/sqlite/sqlite-dialect.js';
export { postgresDialect } from '../store/postgres/postgres-dialect.js';
export {
  compileExperimentSearch,
  compileModelVersionSearch,
  compileRegisteredModelSearch,
  compileRunSearch,
  type CompiledSearch,
  type ExperimentSearchOptions,
  type RegistrySearchOptions,
  type RunSearchOptions,
  type SqlRow,
} from './sql-compiler.js';
export {
  LOGGED_MODEL_ATTRIBUTES,
  LOGGED_MODEL_ATTRIBUTE_ALIASES,
  LOGGED_MODEL_ENTITY_ALIASES,
  type LoggedModelDatasetScope,
  type LoggedModelFilter,
  type LoggedModelOrderBy,
  type LoggedModelOrderByClause,
  type LoggedModelOrderByInput,
} from './logged-model-ast.js';
export {
  LOGGED_MODEL_PROFILE,
  parseLoggedModelFilter,
  parseLoggedModelOrderBy,
} from './logged-model-parser.js';
export {
  LOGGED_MODEL_STATUS_RANKS,
  latestModelMetric,
  loggedModelAttribute,
  loggedModelOrderTerms,
  loggedModelSortKey,
  type LoggedModelOrderTerm,
} from './logged-model-sort-key.js';
export { compareLoggedModels, matchesLoggedModel } from './logged-model-evaluator.js';
export { compileLoggedModelSearch, type LoggedModelSearchOptions } from './logged-model-sql.js';
export {
  SPAN_KEYS,
  TRACE_ATTRIBUTE_ALIASES,
  TRACE_ENTITY_ALIASES,
  TRACE_FILTER_ATTRIBUTES,
  TRACE_LIST_ATTRIBUTES,
  TRACE_ORDER_BY_ATTRIBUTES,
  type TraceFilter,
  type TraceOrderBy,
  type TraceSearchRecord,
  type TraceSearchSpan,
} from './trace-ast.js';
export { TRACE_PROFILE, parseTraceFilter, parseTraceOrderBy } from './trace-parser.js';
export { traceAttribute, traceOrderTerms, traceSortKey } from './trace-sort-key.js';
export { asTraceOrderBy, compareTraces, matchesTrace, traceRunIds } from './trace-evaluator.js';
export { compileTraceSearch, type TraceSearchOptions } from './trace-sql.js';

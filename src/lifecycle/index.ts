export { activeRun, beforeRunEnds, withActiveRun } from './active-run.js';
export {
  Agent,
  toRunType,
  type AgentOptions,
  type DeployOptions,
  type ScopedRunResult,
  type StartRunOptions,
} from './agent.js';
export {
  THRESHOLD_COMPARATORS,
  TIME_ZONES,
  type AgentConfig,
  type AgentConfigInput,
  type Threshold,
  type ThresholdComparator,
  type TimeZone,
} from './agent-config.js';
export {
  AUDIT_ITEM_IDS,
  AUDIT_ITEM_TITLES,
  REGISTRY_AUDIT_ITEM_IDS,
  audit,
  formatAuditReport,
  type AuditChange,
  type AuditItem,
  type AuditItemId,
  type AuditOptions,
  type AuditProblem,
  type AuditProgress,
  type AuditReport,
  type FormatAuditReportOptions,
} from './audit.js';
export {
  CONFIG_FILE_NAME,
  exampleConfigText,
  findConfigFile,
  loadConfig,
  resolveConfig,
  type LoadConfigOptions,
  type ResolveConfigOptions,
} from './config.js';
export {
  DEFAULT_ENVIRONMENTS,
  DEPLOYMENT_STATUSES,
  REGISTRY_TAGS,
  RUN_NAME_PREFIXES,
  RUN_TYPES,
  STANDARD_TAGS,
  TAGS,
  TYPE_TAGS,
  type DeploymentStatus,
  type RunType,
} from './conventions.js';
export { parseJsonc } from './jsonc.js';
export { ensureExperiments, type EnsureOutcome, type EnsuredExperiment } from './experiments.js';
export { formatRunName, parseRunName, runNameMatches, withSuffix, type ParsedRunName } from './naming.js';
export { normalizeExperimentPath } from './paths.js';
export type { DeploymentRecord, StatusChange } from './queries.js';
export { registeredVersions, type RegisteredVersions } from './registered-versions.js';
export {
  parseProductionHistory,
  type AliasOutcome,
  type ProductionChange,
  type ProductionEvent,
  type RegistrationOutcome,
} from './registry-binding.js';
export { RunHandle, type GateOutcome, type MetricOptions } from './run-handle.js';
export {
  feedbackScore,
  judgeScorer,
  scorerMetric,
  type FailedTrace,
  type ScorerTraces,
} from './scorer-traces.js';
export {
  evaluateGate,
  formatThreshold,
  gateTags,
  mergeThresholds,
  normalizeThresholds,
  parseThreshold,
  type GateResult,
  type GateVerdict,
} from './thresholds.js';

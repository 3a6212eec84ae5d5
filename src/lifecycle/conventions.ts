/**
 * The conventions of the three-experiment lifecycle, as data: run types, their experiments,
 * run-name prefixes, environments and the tags every run carries.
 */

/** The three run types, one experiment each. */
export const RUN_TYPES = ['development', 'evaluation', 'deployment'] as const;
/** One of {@link RUN_TYPES}. */
export type RunType = (typeof RUN_TYPES)[number];

/** Short names accepted wherever a run type is given (the CLI's `dev`, `eval`, `deploy`). */
export const RUN_TYPE_ALIASES: Readonly<Record<string, RunType>> = {
  dev: 'development',
  development: 'development',
  eval: 'evaluation',
  evaluation: 'evaluation',
  deploy: 'deployment',
  deployment: 'deployment',
};

/** Each run type's experiment under the agent's base path (`<base>/<lane>`). */
export const DEFAULT_LANES: Readonly<Record<RunType, string>> = {
  development: 'development',
  evaluation: 'evaluation',
  deployment: 'deployment',
};

/** Run-name prefix per run type: the name is `<prefix>_YYYYMMDD_HHMMSS`, then `_2`, `_3`, ... on collision. */
export const RUN_NAME_PREFIXES: Readonly<Record<RunType, string>> = {
  development: 'dev',
  evaluation: 'eval_pre_deploy',
  deployment: 'deploy',
};

/** Default `environment` tag per run type. */
export const DEFAULT_ENVIRONMENTS: Readonly<Record<RunType, string>> = {
  development: 'dev',
  evaluation: 'staging',
  deployment: 'production',
};

/** Deployment statuses a deployment run can have. */
export const DEPLOYMENT_STATUSES = ['success', 'failed', 'rolled_back'] as const;
/** One of {@link DEPLOYMENT_STATUSES}. */
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

/** Tag keys of the conventions. Standard tags are plain keys; agentrack's own records are `agentrack.*`. */
export const TAGS = {
  agentName: 'agent_name',
  runType: 'run_type',
  environment: 'environment',
  version: 'version',
  deploymentCandidate: 'deployment_candidate',
  modelVersion: 'model_version',
  deploymentStatus: 'deployment_status',
  /** Overall verdict of an evaluation gate: `passed`, `failed` or `none` (no thresholds). */
  gateStatus: 'agentrack.gate',
  /** Prefix of one tag per threshold: `agentrack.gate.<metric>`. */
  gatePrefix: 'agentrack.gate.',
  /**
   * JSON record, per threshold on a scorer's aggregate (`correctness/mean`), of the run's
   * traces that failed the scorer: `{"<metric>": {"failed", "scored", "traces"}}`.
   */
  failedTraces: 'agentrack.failed_traces',
  /** The message of the error that failed a scoped run. */
  error: 'agentrack.error',
  /** Deployment lineage: the evaluation run it was promoted from. */
  sourceRunId: 'agentrack.source_run_id',
  sourceRunName: 'agentrack.source_run_name',
  /** JSON record of the gate verdict and the metrics that passed it. */
  promotion: 'agentrack.promotion',
  /** `true` on a deployment made without a passing evaluation run. */
  forced: 'agentrack.forced',
  /** JSON list of `{status, at, note?}`: every deployment status the run has had. */
  statusHistory: 'agentrack.status_history',
  /** Evaluation runs that registered what they evaluated: the registered model's name. */
  registeredModel: 'agentrack.registered_model',
  /** Evaluation runs that registered what they evaluated: the version registered. */
  registeredVersion: 'agentrack.registered_version',
} as const;

/**
 * Tag keys agentrack writes in the model registry when deployments are bound to a registered
 * model: on versions, the runs that evaluated and deployed them; on the registered model, the
 * history of its production alias.
 */
export const REGISTRY_TAGS = {
  /** On a version: the evaluation run that registered it, or the one its deployment was promoted from. */
  evaluationRunId: 'agentrack.evaluation_run_id',
  /** On a version: the latest deployment run that deployed it successfully. */
  deploymentRunId: 'agentrack.deployment_run_id',
  /** On the registered model: JSON list of the production alias's moves, oldest first. */
  productionHistory: 'agentrack.production_history',
} as const;

/** The standard tags on every run. */
export const STANDARD_TAGS = [TAGS.agentName, TAGS.runType, TAGS.environment, TAGS.version] as const;

/** The tags a run type adds to the standard ones. */
export const TYPE_TAGS: Readonly<Record<RunType, readonly string[]>> = {
  development: [],
  evaluation: [TAGS.deploymentCandidate],
  deployment: [TAGS.modelVersion, TAGS.deploymentStatus],
};

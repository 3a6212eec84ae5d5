import type { RunType } from './conventions.js';

/** Comparators of evaluation thresholds. */
export const THRESHOLD_COMPARATORS = ['>', '>=', '<', '<=', '=='] as const;
/** One of {@link THRESHOLD_COMPARATORS}. */
export type ThresholdComparator = (typeof THRESHOLD_COMPARATORS)[number];

/** One evaluation threshold: the run's latest value of `metric` must satisfy `comparator value`. */
export interface Threshold {
  metric: string;
  comparator: ThresholdComparator;
  value: number;
}

/** Time zones run-name timestamps can use. */
export const TIME_ZONES = ['UTC', 'local'] as const;
/** One of {@link TIME_ZONES}. */
export type TimeZone = (typeof TIME_ZONES)[number];

/**
 * The options of an agent, as written in `agentrack.config.json` or passed in code.
 * Everything but `agent` has a default.
 */
export interface AgentConfigInput {
  /** The agent's name: letters, digits, `_`, `-`, `.`. */
  agent: string;
  /** Base path of the agent's experiments; default `/Shared/<agent>`. */
  basePath?: string;
  /** Full experiment path per run type; defaults `<base>/development`, `<base>/evaluation`, `<base>/deployment`. */
  experiments?: Partial<Record<RunType, string>>;
  /** The agent's version, the `version` tag of every run; default `0.0.0`. */
  version?: string;
  /** The `environment` tag per run type; defaults dev, staging, production. */
  environments?: Partial<Record<RunType, string>>;
  /** Time zone of run-name timestamps: `UTC` (default) or `local`. */
  timeZone?: TimeZone;
  /** Extra tags every run carries and the audit requires. */
  tags?: Record<string, string>;
  /** Evaluation thresholds, as text (`accuracy >= 0.9`) or objects. */
  thresholds?: ReadonlyArray<string | Threshold>;
  /**
   * Tracking URI (`sqlite:///runs.db`, `postgresql://...`, `http(s)://...`, `databricks`); in a
   * configuration file, a relative SQLite path is from the file's folder. `AGENTRACK_TRACKING_URI`
   * takes precedence over it, `MLFLOW_TRACKING_URI` does not; default `agentrack.db` beside the
   * file (see `resolveTrackingTarget` for the whole precedence).
   */
  trackingUri?: string;
  /**
   * The registered model (a name in the tracking store's model registry) whose versions the
   * agent deploys. Default none: deployments record `model_version` without checking it.
   */
  registeredModel?: string;
  /** The alias of the registered model that names the version in production; default `production`. */
  productionAlias?: string;
}

/** A validated configuration with every default filled in (frozen). */
export interface AgentConfig {
  readonly agent: string;
  readonly basePath: string;
  readonly experiments: Readonly<Record<RunType, string>>;
  readonly version: string;
  readonly environments: Readonly<Record<RunType, string>>;
  readonly timeZone: TimeZone;
  readonly tags: Readonly<Record<string, string>>;
  readonly thresholds: readonly Threshold[];
  /** The tracking URI in effect, as `loadConfig` resolves it (absolute for a SQLite file); undefined leaves it to the client. */
  readonly trackingUri?: string;
  /** The registered model deployments are bound to, when one is configured. */
  readonly registeredModel?: string;
  /** The alias that follows the version in production (used with {@link registeredModel}). */
  readonly productionAlias: string;
  /** The file the configuration was read from, when it came from one. */
  readonly configPath?: string;
}

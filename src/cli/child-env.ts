import { canonicalTrackingUri, isRemoteTrackingTarget, type TrackingTarget } from '../store/tracking-uri.js';

/** The run a command started by `agentrack run` belongs to. */
export interface ChildRunInfo {
  /** The store the run is in. */
  target: TrackingTarget;
  runId: string;
  experimentId: string;
  /** An MLflow server serving the run's store to the command (`agentrack run` on a SQLite or PostgreSQL store). */
  mlflowTrackingUri?: string;
}

/**
 * The environment of a command run by `agentrack run`: `base` plus `AGENTRACK_TRACKING_URI` (the
 * store's {@link canonicalTrackingUri}, which names it from any folder), `MLFLOW_RUN_ID` and
 * `MLFLOW_EXPERIMENT_ID`. `MLFLOW_TRACKING_URI` is the server serving the
 * store (SQLite or PostgreSQL) to the command when there is one, else the tracking URI when
 * MLflow can reach it (http(s), databricks), else removed: MLflow cannot open agentrack's
 * database, and an inherited server URI would send the run's data elsewhere.
 */
export function childEnv(base: NodeJS.ProcessEnv, run: ChildRunInfo): NodeJS.ProcessEnv {
  const trackingUri = canonicalTrackingUri(run.target);
  const env: NodeJS.ProcessEnv = {
    ...base,
    AGENTRACK_TRACKING_URI: trackingUri,
    MLFLOW_RUN_ID: run.runId,
    MLFLOW_EXPERIMENT_ID: run.experimentId,
  };
  // MLflow prefers an experiment name over MLFLOW_EXPERIMENT_ID; an inherited one would disagree with the run.
  delete env.MLFLOW_EXPERIMENT_NAME;
  if (run.mlflowTrackingUri !== undefined) env.MLFLOW_TRACKING_URI = run.mlflowTrackingUri;
  else if (isRemoteTrackingTarget(run.target)) env.MLFLOW_TRACKING_URI = trackingUri;
  else delete env.MLFLOW_TRACKING_URI;
  return env;
}

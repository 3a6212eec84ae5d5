import { isRemoteTrackingUri } from './tracking-uri.js';

/** The run a command started by `agentrack run` belongs to. */
export interface ChildRunInfo {
  trackingUri: string;
  runId: string;
  experimentId: string;
  /** An MLflow server serving the run's store to the command (`agentrack run` on the embedded store). */
  mlflowTrackingUri?: string;
}

/**
 * The environment of a command run by `agentrack run`: `base` plus `AGENTRACK_TRACKING_URI`,
 * `MLFLOW_RUN_ID` and `MLFLOW_EXPERIMENT_ID`. `MLFLOW_TRACKING_URI` is the server serving the
 * embedded store to the command when there is one, else the tracking URI when MLflow can reach
 * it (http(s), databricks), else removed: MLflow cannot open agentrack's SQLite file, and an
 * inherited server URI would send the run's data elsewhere.
 */
export function childEnv(base: NodeJS.ProcessEnv, run: ChildRunInfo): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    AGENTRACK_TRACKING_URI: run.trackingUri,
    MLFLOW_RUN_ID: run.runId,
    MLFLOW_EXPERIMENT_ID: run.experimentId,
  };
  // MLflow prefers an experiment name over MLFLOW_EXPERIMENT_ID; an inherited one would disagree with the run.
  delete env.MLFLOW_EXPERIMENT_NAME;
  if (run.mlflowTrackingUri !== undefined) env.MLFLOW_TRACKING_URI = run.mlflowTrackingUri;
  else if (isRemoteTrackingUri(run.trackingUri)) env.MLFLOW_TRACKING_URI = run.trackingUri;
  else delete env.MLFLOW_TRACKING_URI;
  return env;
}

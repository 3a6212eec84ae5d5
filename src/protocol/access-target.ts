/**
 * What a request acts on, as far as its endpoint knows it from the request alone, before the
 * store is called: what access control decides on. Each area names its own resources here
 * (experiments and runs, artifact paths, registered models).
 */
export interface AccessTarget {
  /** The experiment addressed by id (`experiment_id`, or a run's experiment on `runs/create`). */
  experimentId?: string;
  /** The experiment addressed by name (`experiments/create`, `experiments/get-by-name`). */
  experimentName?: string;
  /** The name an experiment is being renamed to (`experiments/update`). */
  newExperimentName?: string;
  /** The run addressed (`run_id` or `run_uuid`). */
  runId?: string;
  /** The runs a bulk read reads (`metrics/get-history-bulk`, its interval form). */
  runIds?: readonly string[];
  /** The experiments a search reads (runs, datasets, logged models). */
  experimentIds?: readonly string[];
  /** The logged model addressed (`logged-models/<model_id>`): it belongs to its experiment. */
  modelId?: string;
  /** The logged models a run write also writes to (metrics logged with a `model_id`). */
  modelIds?: readonly string[];
  /** The trace addressed (`traces/<trace_id>/...`, `request_id`): it belongs to its experiment. */
  traceId?: string;
  /** The traces a request writes to besides (`traces/link-to-run`): each belongs to its experiment. */
  traceIds?: readonly string[];
  /**
   * The artifact path a request of MLflow's artifact service acts on, below the server's
   * artifacts destination. Its first segment is the experiment it belongs to
   * (`<experiment_id>/<run_id>/artifacts/...`, also for models and traces), which
   * {@link experimentId} then names; access control refuses a write to a path that names no
   * experiment.
   */
  artifactPath?: string;
  /**
   * The registered model a model registry request acts on (`name`; its versions, tags and
   * aliases belong to it). Registered models have no owner: every authenticated user reads and
   * writes them.
   */
  registeredModelName?: string;
  /** The name a registered model is being renamed to (`registered-models/rename`). */
  newRegisteredModelName?: string;
}

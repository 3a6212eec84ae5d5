/**
 * What a request acts on, as far as its endpoint knows it from the request alone, before the
 * store is called: what access control decides on. Later areas add their own resources
 * (registered models, ...) here.
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
}

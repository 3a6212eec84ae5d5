/**
 * MLflow's limits on tracking input, with MLflow's numbers (`mlflow/utils/validation.py`,
 * `mlflow/store/tracking/__init__.py`, `mlflow/server/handlers.py`).
 */

/** Longest metric, param or run tag key, in characters. */
export const MAX_ENTITY_KEY_LENGTH = 250;
/** Longest param value; longer values are refused (or truncated when a caller opts in, as MLflow's server does). */
export const MAX_PARAM_VALUE_LENGTH = 6000;
/** Longest run tag value; longer values are refused (or truncated when a caller opts in), like param values. */
export const MAX_TAG_VALUE_LENGTH = 8000;
/**
 * Longest run name: the limit of the `mlflow.runName` tag value the name is mirrored into,
 * so a name is refused on `runs/create` and `runs/update` exactly when that tag would be.
 */
export const MAX_RUN_NAME_LENGTH = MAX_TAG_VALUE_LENGTH;
/** Longest experiment tag key. */
export const MAX_EXPERIMENT_TAG_KEY_LENGTH = 250;
/** Longest experiment tag value; longer values are always rejected. */
export const MAX_EXPERIMENT_TAG_VALUE_LENGTH = 5000;
/** Longest experiment name. */
export const MAX_EXPERIMENT_NAME_LENGTH = 500;
/** Longest experiment artifact location (MLflow's `MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH` default). */
export const MAX_ARTIFACT_LOCATION_LENGTH = 2048;

/** Most metrics in one log-batch request. */
export const MAX_METRICS_PER_BATCH = 1000;
/** Most params in one log-batch request. */
export const MAX_PARAMS_PER_BATCH = 100;
/** Most tags in one log-batch request. */
export const MAX_TAGS_PER_BATCH = 100;
/** Most metrics, params and tags together in one log-batch request. */
export const MAX_ENTITIES_PER_BATCH = 1000;
/** Largest log-batch request body, in bytes. */
export const MAX_BATCH_REQUEST_BYTES = 1_000_000;

/** `max_results` of a run or experiment search when none is given. */
export const SEARCH_MAX_RESULTS_DEFAULT = 1000;
/** Largest `max_results` of a run or experiment search. */
export const SEARCH_MAX_RESULTS_THRESHOLD = 50_000;
/** Page size MLflow's client uses to read a metric history (the server sets no upper bound). */
export const GET_METRIC_HISTORY_MAX_RESULTS = 25_000;

/** Longest run id accepted by MLflow's run id rule. */
export const MAX_RUN_ID_LENGTH = 256;

/** Longest dataset name of a run input. */
export const MAX_DATASET_NAME_LENGTH = 500;
/** Longest dataset digest of a run input. */
export const MAX_DATASET_DIGEST_LENGTH = 36;
/** Longest dataset source of a run input. */
export const MAX_DATASET_SOURCE_LENGTH = 65_535;
/** Longest dataset schema of a run input. */
export const MAX_DATASET_SCHEMA_LENGTH = 1_048_575;
/** Longest dataset profile of a run input. */
export const MAX_DATASET_PROFILE_LENGTH = 16_777_215;
/** Longest input tag key (e.g. `mlflow.data.context`). */
export const MAX_INPUT_TAG_KEY_LENGTH = 255;
/** Longest input tag value. */
export const MAX_INPUT_TAG_VALUE_LENGTH = 500;

/** Most runs one bulk metric history request reads (`get-history-bulk` and its interval form). */
export const MAX_RUNS_PER_BULK_HISTORY = 100;
/** Most values `get-history-bulk` answers with, and its default. */
export const BULK_HISTORY_MAX_RESULTS = 25_000;
/** Most steps `get-history-bulk-interval` samples, and its default. */
export const MAX_SAMPLED_STEPS = 2500;
/** Most values `get-history-bulk-interval` answers with per run. */
export const BULK_INTERVAL_MAX_VALUES_PER_RUN = 25_000;
/** Most experiments one `search-datasets` request reads. */
export const MAX_EXPERIMENTS_PER_DATASET_SEARCH = 20;
/** Most dataset summaries `search-datasets` answers with. */
export const MAX_DATASET_SUMMARIES = 1000;
/** `max_results` of a logged-model search when none is given. */
export const SEARCH_LOGGED_MODELS_MAX_RESULTS_DEFAULT = 100;
/** Longest logged model name (MLflow's `logged_models.name` column). */
export const MAX_LOGGED_MODEL_NAME_LENGTH = 500;
/** Longest logged model id: `m-` and 32 hex digits, within MLflow's `logged_models.model_id` column (36). */
export const MAX_LOGGED_MODEL_ID_LENGTH = 36;

/** Longest registered model or model version tag key. */
export const MAX_REGISTRY_TAG_KEY_LENGTH = 250;
/** Longest registered model or model version tag value; longer values are always rejected. */
export const MAX_REGISTRY_TAG_VALUE_LENGTH = 5000;
/** Longest registered model alias. */
export const MAX_MODEL_ALIAS_LENGTH = 255;
/** `max_results` of a registered model search when none is given. */
export const SEARCH_REGISTERED_MODELS_MAX_RESULTS_DEFAULT = 100;
/** Largest `max_results` of a registered model search. */
export const SEARCH_REGISTERED_MODELS_MAX_RESULTS_THRESHOLD = 1000;
/** `max_results` of a model version search when none is given (MLflow's store and client default). */
export const SEARCH_MODEL_VERSIONS_MAX_RESULTS_DEFAULT = 1000;
/** Largest `max_results` of a model version search. */
export const SEARCH_MODEL_VERSIONS_MAX_RESULTS_THRESHOLD = 200_000;

/** Longest trace tag key (MLflow's `MAX_TRACE_TAG_KEY_LENGTH`). */
export const MAX_TRACE_TAG_KEY_LENGTH = 250;
/** Longest trace tag value (MLflow's `MAX_TRACE_TAG_VAL_LENGTH`); longer values are truncated, as MLflow does. */
export const MAX_TRACE_TAG_VALUE_LENGTH = 8000;
/** Longest trace metadata key (MLflow's `trace_request_metadata.key` column). */
export const MAX_TRACE_METADATA_KEY_LENGTH = 250;
/** Longest trace metadata value (MLflow's `trace_request_metadata.value` column); longer values are truncated. */
export const MAX_TRACE_METADATA_VALUE_LENGTH = 8000;
/** Most traces one `link-to-run` request links (MLflow's limit). */
export const MAX_TRACES_TO_LINK = 100;
/** Most trace infos one batch get reads. */
export const MAX_TRACE_INFOS_PER_GET = 100;
/** `max_results` of a trace search when none is given (MLflow's `SEARCH_TRACES_DEFAULT_MAX_RESULTS`). */
export const SEARCH_TRACES_MAX_RESULTS_DEFAULT = 100;

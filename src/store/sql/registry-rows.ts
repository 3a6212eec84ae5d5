/**
 * Rows of the model registry tables as the SQL registry store reads them, their conversion
 * to MLflow's entities in MLflow's key order, and MLflow's registry errors. The column lists
 * match `schema.ts` (migration 5).
 */
import type {
  ModelVersion,
  ModelVersionStage,
  ModelVersionStatus,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelAlias,
  RegisteredModelTag,
} from '../../entities/index.js';
import { AgentrackError, notFound } from '../../errors.js';

/** A row of `registered_models` (the columns of {@link MODEL_COLUMNS}). */
export interface RegisteredModelRow {
  model_seq: number | string;
  name: string;
  creation_timestamp: number | string;
  last_updated_timestamp: number | string;
  description: string | null;
  user_id: string | null;
  last_version: number | string;
  [column: string]: unknown;
}

/** A row of `model_versions` with its model's name (the columns of {@link VERSION_COLUMNS}). */
export interface ModelVersionRow {
  version_seq: number | string;
  model_seq: number | string;
  name: string;
  version: number | string;
  creation_timestamp: number | string;
  last_updated_timestamp: number | string;
  description: string | null;
  user_id: string | null;
  current_stage: ModelVersionStage;
  source: string;
  storage_location: string;
  run_id: string | null;
  run_link: string | null;
  status: ModelVersionStatus;
  status_message: string | null;
  model_id: string | null;
  [column: string]: unknown;
}

/** The `registered_models` columns every model read selects, over `registered_models AS m`. */
export const MODEL_COLUMNS =
  'm.model_seq, m.name, m.creation_timestamp, m.last_updated_timestamp, m.description, m.user_id, m.last_version';

/** The columns every version read selects, over `model_versions AS v JOIN registered_models AS m`. */
export const VERSION_COLUMNS =
  'v.version_seq, v.model_seq, m.name, v.version, v.creation_timestamp, v.last_updated_timestamp, ' +
  'v.description, v.user_id, v.current_stage, v.source, v.storage_location, v.run_id, v.run_link, v.status, ' +
  'v.status_message, v.model_id';

/** What a version carries besides its row. `aliases` is left out where MLflow leaves it out. */
export interface VersionExtras {
  tags?: readonly ModelVersionTag[];
  aliases?: readonly string[];
}

/**
 * A version row as MLflow's server returns it: `description`, `run_id` and `run_link` always
 * (empty when unset), `user_id` and `status_message` only when set, `tags` and `aliases` only
 * when there are some, and `model_id` when the version was made from a logged model.
 */
export function toModelVersion(row: ModelVersionRow, extras: VersionExtras = {}): ModelVersion {
  const version: ModelVersion = {
    name: row.name,
    version: String(row.version),
    creation_timestamp: Number(row.creation_timestamp),
    last_updated_timestamp: Number(row.last_updated_timestamp),
    ...(row.user_id ? { user_id: row.user_id } : {}),
    current_stage: row.current_stage,
    description: row.description ?? '',
    source: row.source,
    run_id: row.run_id ?? '',
    status: row.status,
    ...(row.status_message ? { status_message: row.status_message } : {}),
    ...(extras.tags && extras.tags.length > 0 ? { tags: [...extras.tags] } : {}),
    run_link: row.run_link ?? '',
    ...(extras.aliases && extras.aliases.length > 0 ? { aliases: [...extras.aliases] } : {}),
    ...(row.model_id ? { model_id: row.model_id } : {}),
  };
  return version;
}

/** What a registered model carries besides its row. */
export interface RegisteredModelExtras {
  latestVersions?: readonly ModelVersion[];
  tags?: readonly RegisteredModelTag[];
  aliases?: readonly RegisteredModelAlias[];
}

/** A registered model row as MLflow's server returns it: an empty description and empty lists left out. */
export function toRegisteredModel(
  row: RegisteredModelRow,
  extras: RegisteredModelExtras = {},
): RegisteredModel {
  return {
    name: row.name,
    creation_timestamp: Number(row.creation_timestamp),
    last_updated_timestamp: Number(row.last_updated_timestamp),
    ...(row.user_id ? { user_id: row.user_id } : {}),
    ...(row.description ? { description: row.description } : {}),
    ...(extras.latestVersions && extras.latestVersions.length > 0
      ? { latest_versions: [...extras.latestVersions] }
      : {}),
    ...(extras.tags && extras.tags.length > 0 ? { tags: [...extras.tags] } : {}),
    ...(extras.aliases && extras.aliases.length > 0 ? { aliases: [...extras.aliases] } : {}),
  };
}

/** MLflow's error for a missing registered model. */
export function registeredModelNotFound(name: string): AgentrackError {
  return notFound(`Registered Model with name=${name} not found`);
}

/** MLflow's error for a taken registered model name ("already exists"). */
export function registeredModelExists(name: string): AgentrackError {
  return new AgentrackError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
}

/** MLflow's error for a missing model version (also when its registered model is missing). */
export function modelVersionNotFound(name: string, version: string): AgentrackError {
  return notFound(`Model Version (name=${name}, version=${version}) not found`);
}

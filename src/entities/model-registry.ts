/**
 * The model registry's entities, in the JSON shapes MLflow's REST API returns them
 * (`model_registry.proto`): snake_case, versions as strings, empty fields and lists absent.
 */
import type { KeyValue } from './index.js';

/** Stages of a model version (deprecated in MLflow, still served), as MLflow spells them. */
export const MODEL_VERSION_STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
/** One of {@link MODEL_VERSION_STAGES}. */
export type ModelVersionStage = (typeof MODEL_VERSION_STAGES)[number];

/** Statuses of a model version, as MLflow's `ModelVersionStatus`. */
export const MODEL_VERSION_STATUSES = ['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY'] as const;
/** One of {@link MODEL_VERSION_STATUSES}. */
export type ModelVersionStatus = (typeof MODEL_VERSION_STATUSES)[number];

/** A registered model's tag. */
export type RegisteredModelTag = KeyValue;
/** A model version's tag. */
export type ModelVersionTag = KeyValue;

/** An alias of a registered model and the version it points at, as MLflow's `RegisteredModelAlias`. */
export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

/** One version of a registered model, as MLflow's `ModelVersion`. */
export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: ModelVersionStage;
  description: string;
  source: string;
  run_id: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: ModelVersionTag[];
  run_link: string;
  aliases?: string[];
  /** The logged model the version was made from, when it was (MLflow 3.3's server never returns it). */
  model_id?: string;
}

/** A registered model, as MLflow's `RegisteredModel`. */
export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  /** The newest version in each stage, as MLflow answers. */
  latest_versions?: ModelVersion[];
  tags?: RegisteredModelTag[];
  aliases?: RegisteredModelAlias[];
}

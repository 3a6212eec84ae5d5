import type {
  ModelVersion,
  ModelVersionStage,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from '../entities/index.js';
import type { Page } from './tracking-store.js';

/** Arguments of {@link ModelRegistryStore.createRegisteredModel}. */
export interface CreateRegisteredModelInput {
  name: string;
  tags?: readonly RegisteredModelTag[];
  description?: string;
}

/** Arguments of {@link ModelRegistryStore.createModelVersion}. */
export interface CreateModelVersionInput {
  /** The registered model's name; it must exist. */
  name: string;
  /**
   * Where the version's files are: `models:/<model_id>` (a logged model), `runs:/<run_id>/<path>`,
   * or any artifact URI (`mlflow-artifacts:/...`, `s3://...`, `file:///...`).
   */
  source: string;
  runId?: string;
  tags?: readonly ModelVersionTag[];
  runLink?: string;
  description?: string;
  /** The logged model the version is made from (MLflow 3's `model_id`). */
  modelId?: string;
}

/** Arguments of {@link ModelRegistryStore.searchRegisteredModels} and {@link ModelRegistryStore.searchModelVersions}. */
export interface SearchRegistryInput {
  filter?: string;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/**
 * MLflow's model registry (`mlflow/store/model_registry/abstract_store.py`), as every backend
 * implements it: registered models, their versions, tags, aliases and (deprecated) stages.
 *
 * Names are case-sensitive; versions travel as strings (`"3"`) and are never reused within a
 * registered model. Every failure is an `AgentrackError` with MLflow's code:
 * RESOURCE_DOES_NOT_EXIST for a missing model, version or alias target, RESOURCE_ALREADY_EXISTS
 * for a taken name, INVALID_PARAMETER_VALUE for bad input and for a missing alias.
 */
export interface ModelRegistryStore {
  createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel>;
  getRegisteredModel(name: string): Promise<RegisteredModel>;
  /** Renames the model; its versions, tags and aliases move with it. */
  renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel>;
  updateRegisteredModel(name: string, description: string): Promise<RegisteredModel>;
  /** Deletes the model with all its versions, tags and aliases. */
  deleteRegisteredModel(name: string): Promise<void>;
  searchRegisteredModels(input?: SearchRegistryInput): Promise<Page<RegisteredModel>>;
  setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void>;
  deleteRegisteredModelTag(name: string, key: string): Promise<void>;
  /**
   * The newest version of each stage, or of each of `stages` (names compared without case, as
   * MLflow does); ordered by stage as MLflow answers.
   */
  getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]>;

  /** Creates the next version; it is READY at once (MLflow's client then skips its polling). */
  createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion>;
  getModelVersion(name: string, version: string): Promise<ModelVersion>;
  updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion>;
  /** Deletes the version and the aliases that point at it. */
  deleteModelVersion(name: string, version: string): Promise<void>;
  searchModelVersions(input?: SearchRegistryInput): Promise<Page<ModelVersion>>;
  setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void>;
  deleteModelVersionTag(name: string, version: string, key: string): Promise<void>;
  /**
   * Moves the version to `stage` (MLflow's names, any case); with `archiveExistingVersions`,
   * the other versions in that stage (Staging or Production only) move to Archived.
   */
  transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelVersionStage | string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion>;
  /** Where the version's files are, as an artifact URI (what MLflow's client downloads from). */
  getModelVersionDownloadUri(name: string, version: string): Promise<string>;

  /** Points `alias` at `version`, moving it if it pointed elsewhere. */
  setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void>;
  deleteRegisteredModelAlias(name: string, alias: string): Promise<void>;
  /** The version `alias` points at, with its `aliases`; a missing alias is INVALID_PARAMETER_VALUE. */
  getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion>;

  /** Releases what the registry holds (a no-op where the tracking store owns the connection). */
  close(): Promise<void>;
}

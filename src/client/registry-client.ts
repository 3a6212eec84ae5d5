import type { KeyValue, ModelVersion, ModelVersionStage, RegisteredModel } from '../entities/index.js';
import { invalidParameter } from '../errors.js';
import type { ModelRegistryStore } from '../store/model-registry-store.js';
import { pagesOf } from './pages.js';
import type { Page } from '../store/tracking-store.js';

/** Tags as a plain object (`{ team: 'sre' }`) or as MLflow's list of pairs. */
export type RegistryTagsInput = Record<string, string> | readonly KeyValue[];

/** A model version number, as a number (`3`) or as MLflow writes it (`"3"`). */
export type VersionInput = number | string;

/** Options of {@link RegistryClient.createRegisteredModel}. */
export interface CreateRegisteredModelOptions {
  tags?: RegistryTagsInput;
  description?: string;
}

/** Options of {@link RegistryClient.createModelVersion}. */
export interface CreateModelVersionOptions {
  /** The run that produced the model; for `models:/<model_id>` sources, the logged model's run by default. */
  runId?: string;
  tags?: RegistryTagsInput;
  /** A link to the run on another tracking server. */
  runLink?: string;
  description?: string;
  /** The logged model the version is made from (MLflow 3); taken from a `models:/<model_id>` source by default. */
  modelId?: string;
}

/** Options of {@link RegistryClient.transitionModelVersionStage}. */
export interface TransitionStageOptions {
  /** Move the other versions in the target stage (Staging or Production only) to Archived. */
  archiveExistingVersions?: boolean;
}

/** Options of {@link RegistryClient.searchRegisteredModels} and {@link RegistryClient.searchModelVersions}. */
export interface SearchRegistryOptions {
  /** MLflow's filter, e.g. `name LIKE 'health%'` or `name = 'agent' AND tags.team = 'sre'`. */
  filter?: string;
  maxResults?: number;
  orderBy?: readonly string[];
  pageToken?: string;
}

/**
 * The model registry of MLflow's `MlflowClient`, in camelCase, over any registry store:
 * registered models, their versions, tags, aliases and (deprecated) stages. Versions may be
 * given as numbers or strings and come back as MLflow returns them, as strings (`"3"`).
 * Entities have MLflow's JSON shapes; failures are `AgentrackError`s with MLflow's codes.
 *
 * @example
 * const client = await TrackingClient.open('sqlite:///agentrack.db');
 * const registry = client.registry;
 * await registry.createRegisteredModel('health_monitor_agent');
 * const v = await registry.createModelVersion('health_monitor_agent', `runs:/${runId}/model`, { runId });
 * await registry.setRegisteredModelAlias('health_monitor_agent', 'champion', v.version);
 */
export class RegistryClient {
  /** The registry store this client talks to. */
  readonly store: ModelRegistryStore;

  constructor(store: ModelRegistryStore) {
    this.store = store;
  }

  // ---------------------------------------------------------------- registered models

  /** Creates a registered model; RESOURCE_ALREADY_EXISTS when the name is taken. */
  async createRegisteredModel(
    name: string,
    options: CreateRegisteredModelOptions = {},
  ): Promise<RegisteredModel> {
    return this.store.createRegisteredModel({
      name,
      tags: toPairs(options.tags),
      ...(options.description !== undefined ? { description: options.description } : {}),
    });
  }

  /** The registered model with this name, with its newest version per stage, tags and aliases. */
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.store.getRegisteredModel(name);
  }

  /** Renames a registered model; its versions, tags and aliases go with it. */
  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.store.renameRegisteredModel(name, newName);
  }

  /** Changes a registered model's description. */
  async updateRegisteredModel(name: string, options: { description: string }): Promise<RegisteredModel> {
    return this.store.updateRegisteredModel(name, options.description);
  }

  /** Deletes a registered model with all its versions, tags and aliases. */
  async deleteRegisteredModel(name: string): Promise<void> {
    return this.store.deleteRegisteredModel(name);
  }

  /** One page of registered models matching MLflow's filter, by name unless `orderBy` says otherwise. */
  async searchRegisteredModels(options: SearchRegistryOptions = {}): Promise<Page<RegisteredModel>> {
    return this.store.searchRegisteredModels(options);
  }

  /** Every page of a registered model search, fetched as the iteration goes. */
  async *searchRegisteredModelsPages(
    options: Omit<SearchRegistryOptions, 'pageToken'> = {},
  ): AsyncGenerator<Page<RegisteredModel>> {
    yield* pagesOf((pageToken) =>
      this.store.searchRegisteredModels({ ...options, ...(pageToken ? { pageToken } : {}) }),
    );
  }

  /** Every registered model of a search, one at a time, across pages. */
  async *iterateRegisteredModels(
    options: Omit<SearchRegistryOptions, 'pageToken'> = {},
  ): AsyncGenerator<RegisteredModel> {
    for await (const page of this.searchRegisteredModelsPages(options)) yield* page.items;
  }

  /** Sets (overwrites) a registered model tag. */
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    return this.store.setRegisteredModelTag(name, { key, value });
  }

  /** Deletes a registered model tag (nothing happens when the model has no such tag). */
  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.store.deleteRegisteredModelTag(name, key);
  }

  /**
   * The newest version in each stage (or in each of `stages`, any case), as MLflow's
   * deprecated `get_latest_versions`.
   */
  async getLatestVersions(name: string, stages?: readonly string[] | string): Promise<ModelVersion[]> {
    return this.store.getLatestVersions(
      name,
      stages === undefined ? undefined : toList(stages, 'stages', 'a stage'),
    );
  }

  // ---------------------------------------------------------------- model versions

  /**
   * Registers the model at `source` as the next version of `name`, READY at once. `source` is
   * `models:/<model_id>` (a logged model), `runs:/<run_id>/<path>`, `models:/<name>/<version>`
   * or any artifact URI; {@link getModelVersionDownloadUri} tells where its files are.
   */
  async createModelVersion(
    name: string,
    source: string,
    options: CreateModelVersionOptions = {},
  ): Promise<ModelVersion> {
    return this.store.createModelVersion({
      name,
      source,
      tags: toPairs(options.tags),
      ...(options.runId !== undefined ? { runId: options.runId } : {}),
      ...(options.runLink !== undefined ? { runLink: options.runLink } : {}),
      ...(options.description !== undefined ? { description: options.description } : {}),
      ...(options.modelId !== undefined ? { modelId: options.modelId } : {}),
    });
  }

  /** One version of a registered model, with its tags and aliases. */
  async getModelVersion(name: string, version: VersionInput): Promise<ModelVersion> {
    return this.store.getModelVersion(name, toVersion(version));
  }

  /** Changes a version's description. */
  async updateModelVersion(
    name: string,
    version: VersionInput,
    options: { description: string },
  ): Promise<ModelVersion> {
    return this.store.updateModelVersion(name, toVersion(version), options.description);
  }

  /** Deletes a version and the aliases pointing at it; its number is never given again. */
  async deleteModelVersion(name: string, version: VersionInput): Promise<void> {
    return this.store.deleteModelVersion(name, toVersion(version));
  }

  /** One page of model versions matching MLflow's filter (e.g. `name = 'agent'`), newest change first. */
  async searchModelVersions(options: SearchRegistryOptions = {}): Promise<Page<ModelVersion>> {
    return this.store.searchModelVersions(options);
  }

  /** Every page of a model version search, fetched as the iteration goes. */
  async *searchModelVersionsPages(
    options: Omit<SearchRegistryOptions, 'pageToken'> = {},
  ): AsyncGenerator<Page<ModelVersion>> {
    yield* pagesOf((pageToken) =>
      this.store.searchModelVersions({ ...options, ...(pageToken ? { pageToken } : {}) }),
    );
  }

  /** Every model version of a search, one at a time, across pages. */
  async *iterateModelVersions(
    options: Omit<SearchRegistryOptions, 'pageToken'> = {},
  ): AsyncGenerator<ModelVersion> {
    for await (const page of this.searchModelVersionsPages(options)) yield* page.items;
  }

  /** Sets (overwrites) a model version tag. */
  async setModelVersionTag(name: string, version: VersionInput, key: string, value: string): Promise<void> {
    return this.store.setModelVersionTag(name, toVersion(version), { key, value });
  }

  /** Deletes a model version tag (nothing happens when the version has no such tag). */
  async deleteModelVersionTag(name: string, version: VersionInput, key: string): Promise<void> {
    return this.store.deleteModelVersionTag(name, toVersion(version), key);
  }

  /**
   * Moves a version to a stage (`None`, `Staging`, `Production`, `Archived`, any case), as
   * MLflow's deprecated `transition_model_version_stage`.
   */
  async transitionModelVersionStage(
    name: string,
    version: VersionInput,
    stage: ModelVersionStage | string,
    options: TransitionStageOptions = {},
  ): Promise<ModelVersion> {
    return this.store.transitionModelVersionStage(
      name,
      toVersion(version),
      stage,
      options.archiveExistingVersions ?? false,
    );
  }

  /** The artifact URI a version's files are downloaded from. */
  async getModelVersionDownloadUri(name: string, version: VersionInput): Promise<string> {
    return this.store.getModelVersionDownloadUri(name, toVersion(version));
  }

  // ---------------------------------------------------------------- aliases

  /** Points `alias` at a version, moving it from the version it pointed at before. */
  async setRegisteredModelAlias(name: string, alias: string, version: VersionInput): Promise<void> {
    return this.store.setRegisteredModelAlias(name, alias, toVersion(version));
  }

  /** Removes an alias (nothing happens when the model has no such alias). */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.store.deleteRegisteredModelAlias(name, alias);
  }

  /** The version `alias` points at, with its `aliases`; INVALID_PARAMETER_VALUE when there is no such alias. */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.store.getModelVersionByAlias(name, alias);
  }

  /** Closes the registry store (a no-op where a tracking store owns the connection). */
  async close(): Promise<void> {
    return this.store.close();
  }
}

function toPairs(tags: RegistryTagsInput | undefined): KeyValue[] {
  if (tags === undefined) return [];
  if (Array.isArray(tags)) return tags.map((t: KeyValue) => ({ key: t.key, value: t.value }));
  if (typeof tags !== 'object' || tags === null) {
    throw invalidParameter(`'tags' must be an object of key-value pairs or a list of {key, value}.`);
  }
  return Object.entries(tags as Record<string, string>).map(([key, value]) => ({ key, value }));
}

function toVersion(version: VersionInput): string {
  return typeof version === 'number' ? String(version) : version;
}

function toList(items: readonly string[] | string, name: string, what: string): string[] {
  if (typeof items === 'string') return [items];
  if (!Array.isArray(items)) throw invalidParameter(`'${name}' must be ${what} or a list of them.`);
  return [...items];
}

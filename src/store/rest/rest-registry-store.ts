import type {
  ModelVersion,
  ModelVersionStage,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelTag,
} from '../../entities/index.js';
import type { OperationArgs, OperationResult } from '../../protocol/endpoint.js';
import { REGISTRY_API } from '../../protocol/model-registry.js';
import type { RegistryEndpoint, RegistryOperation } from '../../protocol/registry-endpoint.js';
import type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  ModelRegistryStore,
  SearchRegistryInput,
} from '../model-registry-store.js';
import type { Page } from '../tracking-store.js';
import { callEndpoint } from './endpoint-call.js';
import type { HttpClient } from './http-client.js';

type Args<N extends RegistryOperation> = OperationArgs<ModelRegistryStore, N>;
type Result<N extends RegistryOperation> = OperationResult<ModelRegistryStore, N>;

/** Options of {@link RestModelRegistryStore}. */
export interface RestModelRegistryStoreOptions {
  /**
   * The registry owns its HTTP client and closes it on {@link RestModelRegistryStore.close}: a
   * registry at a URI of its own. Default false: it shares the tracking store's client, which
   * the tracking store closes.
   */
  ownsClient?: boolean;
}

/**
 * The model registry of a remote MLflow server over its REST API: an agentrack server, an MLflow
 * server, or a Databricks workspace's registry (the same API). Each operation calls its
 * endpoint of the protocol table ({@link REGISTRY_API}), the one agentrack's server serves it
 * with, as MLflow's Python client calls it; every rule (names, versions, aliases, filters) is
 * the server's, and its errors come back as agentrack errors with MLflow's codes.
 *
 * @example
 * const store = await openRestStore('http://127.0.0.1:5000');
 * const version = await store.registry.getModelVersionByAlias('health_monitor_agent', 'champion');
 */
export class RestModelRegistryStore implements ModelRegistryStore {
  readonly #http: HttpClient;
  readonly #ownsClient: boolean;

  constructor(http: HttpClient, options: RestModelRegistryStoreOptions = {}) {
    this.#http = http;
    this.#ownsClient = options.ownsClient ?? false;
  }

  // ---------------------------------------------------------------- registered models

  async createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel> {
    return this.#call(REGISTRY_API.createRegisteredModel, [input]);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return this.#call(REGISTRY_API.getRegisteredModel, [name]);
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    return this.#call(REGISTRY_API.renameRegisteredModel, [name, newName]);
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    return this.#call(REGISTRY_API.updateRegisteredModel, [name, description]);
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    return this.#call(REGISTRY_API.deleteRegisteredModel, [name]);
  }

  async searchRegisteredModels(input: SearchRegistryInput = {}): Promise<Page<RegisteredModel>> {
    return this.#call(REGISTRY_API.searchRegisteredModels, [input]);
  }

  async setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void> {
    return this.#call(REGISTRY_API.setRegisteredModelTag, [name, tag]);
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    return this.#call(REGISTRY_API.deleteRegisteredModelTag, [name, key]);
  }

  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    return this.#call(REGISTRY_API.getLatestVersions, [name, stages]);
  }

  // ---------------------------------------------------------------- model versions

  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    return this.#call(REGISTRY_API.createModelVersion, [input]);
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return this.#call(REGISTRY_API.getModelVersion, [name, version]);
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    return this.#call(REGISTRY_API.updateModelVersion, [name, version, description]);
  }

  async deleteModelVersion(name: string, version: string): Promise<void> {
    return this.#call(REGISTRY_API.deleteModelVersion, [name, version]);
  }

  async searchModelVersions(input: SearchRegistryInput = {}): Promise<Page<ModelVersion>> {
    return this.#call(REGISTRY_API.searchModelVersions, [input]);
  }

  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void> {
    return this.#call(REGISTRY_API.setModelVersionTag, [name, version, tag]);
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    return this.#call(REGISTRY_API.deleteModelVersionTag, [name, version, key]);
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelVersionStage | string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    return this.#call(REGISTRY_API.transitionModelVersionStage, [
      name,
      version,
      stage,
      archiveExistingVersions,
    ]);
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    return this.#call(REGISTRY_API.getModelVersionDownloadUri, [name, version]);
  }

  // ---------------------------------------------------------------- aliases

  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    return this.#call(REGISTRY_API.setRegisteredModelAlias, [name, alias, version]);
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    return this.#call(REGISTRY_API.deleteRegisteredModelAlias, [name, alias]);
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    return this.#call(REGISTRY_API.getModelVersionByAlias, [name, alias]);
  }

  /** Closes its HTTP client when it owns one; otherwise the tracking store closes the shared one. */
  async close(): Promise<void> {
    if (this.#ownsClient) this.#http.close();
  }

  #call<N extends RegistryOperation>(endpoint: RegistryEndpoint<N>, args: Args<N>): Promise<Result<N>> {
    return callEndpoint(this.#http, endpoint, args);
  }
}

import type { ModelVersion, RegisteredModel } from '../entities/index.js';
import { AgentrackError } from '../errors.js';
import type { ModelRegistryStore } from './model-registry-store.js';
import type { Page } from './tracking-store.js';

/**
 * The registry a `databricks-uc` registry URI names: Databricks' Unity Catalog model registry,
 * whose API differs from MLflow's workspace registry (three-level names, its own endpoints).
 * Not supported yet: every call fails with NOT_IMPLEMENTED saying so, while the tracking store
 * it comes with keeps working. (NOT_IMPLEMENTED rather than INVALID_PARAMETER_VALUE: the URI is
 * valid and names a real registry; agentrack lacks the client for it.)
 */
export class UnityCatalogRegistryStore implements ModelRegistryStore {
  /** The registry URI, as configured (`databricks-uc` or `databricks-uc://<profile>`). */
  readonly uri: string;

  constructor(uri: string) {
    this.uri = uri;
  }

  async createRegisteredModel(): Promise<RegisteredModel> {
    throw this.#unsupported('createRegisteredModel');
  }
  async getRegisteredModel(): Promise<RegisteredModel> {
    throw this.#unsupported('getRegisteredModel');
  }
  async renameRegisteredModel(): Promise<RegisteredModel> {
    throw this.#unsupported('renameRegisteredModel');
  }
  async updateRegisteredModel(): Promise<RegisteredModel> {
    throw this.#unsupported('updateRegisteredModel');
  }
  async deleteRegisteredModel(): Promise<void> {
    throw this.#unsupported('deleteRegisteredModel');
  }
  async searchRegisteredModels(): Promise<Page<RegisteredModel>> {
    throw this.#unsupported('searchRegisteredModels');
  }
  async setRegisteredModelTag(): Promise<void> {
    throw this.#unsupported('setRegisteredModelTag');
  }
  async deleteRegisteredModelTag(): Promise<void> {
    throw this.#unsupported('deleteRegisteredModelTag');
  }
  async getLatestVersions(): Promise<ModelVersion[]> {
    throw this.#unsupported('getLatestVersions');
  }
  async createModelVersion(): Promise<ModelVersion> {
    throw this.#unsupported('createModelVersion');
  }
  async getModelVersion(): Promise<ModelVersion> {
    throw this.#unsupported('getModelVersion');
  }
  async updateModelVersion(): Promise<ModelVersion> {
    throw this.#unsupported('updateModelVersion');
  }
  async deleteModelVersion(): Promise<void> {
    throw this.#unsupported('deleteModelVersion');
  }
  async searchModelVersions(): Promise<Page<ModelVersion>> {
    throw this.#unsupported('searchModelVersions');
  }
  async setModelVersionTag(): Promise<void> {
    throw this.#unsupported('setModelVersionTag');
  }
  async deleteModelVersionTag(): Promise<void> {
    throw this.#unsupported('deleteModelVersionTag');
  }
  async transitionModelVersionStage(): Promise<ModelVersion> {
    throw this.#unsupported('transitionModelVersionStage');
  }
  async getModelVersionDownloadUri(): Promise<string> {
    throw this.#unsupported('getModelVersionDownloadUri');
  }
  async setRegisteredModelAlias(): Promise<void> {
    throw this.#unsupported('setRegisteredModelAlias');
  }
  async deleteRegisteredModelAlias(): Promise<void> {
    throw this.#unsupported('deleteRegisteredModelAlias');
  }
  async getModelVersionByAlias(): Promise<ModelVersion> {
    throw this.#unsupported('getModelVersionByAlias');
  }

  /** Holds nothing. */
  async close(): Promise<void> {}

  #unsupported(operation: string): AgentrackError {
    return new AgentrackError(
      'NOT_IMPLEMENTED',
      `${operation}: the Unity Catalog model registry (registry URI '${this.uri}') is not supported yet; ` +
        "agentrack speaks MLflow's workspace model registry API, which Unity Catalog's differs from. " +
        "Use the workspace registry (registry URI 'databricks'), or unset MLFLOW_REGISTRY_URI.",
    );
  }
}

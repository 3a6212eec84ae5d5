import { createArtifactLocator, type ArtifactLocator } from '../artifacts/artifact-locator.js';
import { joinArtifactPath, validateArtifactPath } from '../artifacts/artifact-path.js';
import type { ArtifactDownload, ArtifactRepository } from '../artifacts/artifact-repository.js';
import { isAgentrackError, notFound } from '../errors.js';
import type { ModelRegistryStore } from '../store/model-registry-store.js';
import type { ModelVersionArtifactService } from './model-version-artifact-service.js';

/** Options of {@link ModelVersionArtifacts}. */
export interface ModelVersionArtifactsOptions {
  /**
   * What keeps proxied artifacts (`mlflow-artifacts:` URIs): a server's destination. Absent,
   * such versions' files are refused with INVALID_PARAMETER_VALUE. Never closed here.
   */
  proxied?: ArtifactRepository | undefined;
  /** Server side: an artifact service's http(s) URI names `proxied` too (see `ArtifactLocatorOptions`). */
  proxiedHttpUris?: boolean;
}

/**
 * A model version's files, as MLflow's server reads them for its web UI: the version's download
 * URI from the registry (`getModelVersionDownloadUri`), resolved to a repository as a run's
 * artifact root is, and the file below it streamed. Paths are checked as
 * `validateArtifactPath` checks them.
 */
export class ModelVersionArtifacts implements ModelVersionArtifactService {
  readonly #registry: ModelRegistryStore;
  readonly #options: ModelVersionArtifactsOptions;
  #locator: ArtifactLocator | undefined;

  constructor(registry: ModelRegistryStore, options: ModelVersionArtifactsOptions = {}) {
    this.#registry = registry;
    this.#options = options;
  }

  async openModelVersionArtifact(name: string, version: string, path: string): Promise<ArtifactDownload> {
    const file = validateArtifactPath(path);
    const uri = await this.#registry.getModelVersionDownloadUri(name, version);
    this.#locator ??= createArtifactLocator({
      proxied: this.#options.proxied,
      proxiedHttpUris: this.#options.proxiedHttpUris ?? false,
    });
    const location = await this.#locator.locate(uri);
    try {
      return await location.repository.get(joinArtifactPath(location.path, file));
    } catch (error) {
      if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) {
        throw notFound(`Artifact '${file}' not found in version ${version} of registered model '${name}'.`);
      }
      throw error;
    }
  }

  /** Closes the repositories opened for download URIs (never the proxied one). */
  async close(): Promise<void> {
    const locator = this.#locator;
    this.#locator = undefined;
    await locator?.close();
  }
}

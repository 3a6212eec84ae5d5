import type { FastifyPluginAsync } from 'fastify';
import type { ArtifactRepository } from '../../artifacts/artifact-repository.js';
import { ModelVersionArtifacts } from '../../client/model-version-artifacts.js';
import { invalidParameter } from '../../errors.js';
import { MODEL_VERSION_ARTIFACT_ENDPOINTS, REGISTRY_ENDPOINTS } from '../../protocol/model-registry.js';
import type { CreateModelVersionInput, ModelRegistryStore } from '../../store/model-registry-store.js';
import type { Authorize } from '../access.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { MAX_REQUEST_BODY_BYTES } from '../wire/json-body.js';
import { serveEndpoints } from './serve-endpoints.js';
import { readBodiesAsText } from './text-bodies.js';

/** Options of {@link modelRegistryApi}. */
export interface ModelRegistryApiOptions {
  /** The registry every endpoint reads and writes (a tracking store's `registry`). The plugin never closes it. */
  registry: ModelRegistryStore;
  /**
   * Where proxied artifacts are kept (the artifact service's destination): the versions whose
   * download URI is `mlflow-artifacts:` have their files there, for `/model-versions/get-artifact`.
   * Absent (`--no-serve-artifacts`), such files are refused with INVALID_PARAMETER_VALUE.
   */
  destination?: ArtifactRepository | undefined;
  /** Decides per request, before the registry is called; without it everything is allowed. */
  authorize?: Authorize | undefined;
  /**
   * MLflow's `MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX`: a new version's `source`
   * must contain a match, else INVALID_PARAMETER_VALUE "Invalid model version source". Absent,
   * any source the registry accepts is taken.
   */
  sourcePattern?: RegExp | undefined;
}

/**
 * MLflow's model registry REST API over a registry: every endpoint of the registry table
 * ({@link REGISTRY_ENDPOINTS}) under `/api/2.0/mlflow/` and `/ajax-api/2.0/mlflow/`, and the
 * web UI's `GET /model-versions/get-artifact` (a version's file, streamed from where its
 * download URI points: the destination for a proxied URI, in place for `file:` and `s3:`).
 * Bodies (POST, PATCH and DELETE carry JSON) are read as the tracking API reads its own;
 * errors are MLflow's. Access control applies from each row, to the registered model it names.
 * Encapsulated; the repositories it opened for download URIs are closed with the app.
 */
export const modelRegistryApi: FastifyPluginAsync<ModelRegistryApiOptions> = async (
  app,
  { registry, destination, authorize, sourcePattern },
) => {
  readBodiesAsText(app, MAX_REQUEST_BODY_BYTES);
  app.setErrorHandler(mlflowErrorHandler);
  const service = sourcePattern === undefined ? registry : withSourcePattern(registry, sourcePattern);
  serveEndpoints(app, { service, endpoints: REGISTRY_ENDPOINTS, authorize });
  // As MLflow's server, a download URI at an artifact service's http(s) URI is taken to name this server's destination.
  const artifacts = new ModelVersionArtifacts(registry, { proxied: destination, proxiedHttpUris: true });
  app.addHook('onClose', () => artifacts.close());
  serveEndpoints(app, { service: artifacts, endpoints: MODEL_VERSION_ARTIFACT_ENDPOINTS, authorize });
};

/** The registry, its `createModelVersion` refusing a source without a match of `pattern` first. */
function withSourcePattern(registry: ModelRegistryStore, pattern: RegExp): ModelRegistryStore {
  const createModelVersion = async (input: CreateModelVersionInput) => {
    pattern.lastIndex = 0;
    if (!pattern.test(input.source)) {
      throw invalidParameter(
        `Invalid model version source: '${input.source}'. This server takes only sources that match ${String(pattern)}.`,
      );
    }
    return registry.createModelVersion(input);
  };
  return new Proxy(registry, {
    get(target, property) {
      if (property === 'createModelVersion') return createModelVersion;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

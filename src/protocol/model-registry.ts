import { validateArtifactPath } from '../artifacts/artifact-path.js';
import type { ModelVersionArtifactService } from '../client/model-version-artifact-service.js';
import type { ModelVersion, RegisteredModel } from '../entities/index.js';
import type { AccessTarget } from './access-target.js';
import {
  MLFLOW_API_2,
  MLFLOW_ROOT,
  type Endpoint,
  type JsonResponse,
  type ParamsRequest,
} from './endpoint.js';
import { registryEndpoint, type RegistryEndpoint, type RegistryOperation } from './registry-endpoint.js';
import { emptyResponse } from './tracking-endpoint.js';
import { artifactDownloadResponse } from './wire/artifact-download.js';
import {
  keyValuesToWire,
  list,
  modelVersionFromWire,
  registeredModelFromWire,
  requiredText,
} from './wire/entities.js';
import { pageFromWire, pageToWire } from './wire/pages.js';

// MLflow's server refuses larger pages than these before its store sees the request.
const SEARCH_REGISTERED_MODELS_MAX_RESULTS = 1000;
const SEARCH_MODEL_VERSIONS_MAX_RESULTS = 200_000;

/** What every registry call acts on, for access control: the registered model it names. */
const byName = ([name]: readonly [string, ...unknown[]]): AccessTarget => ({ registeredModelName: name });

/** The request of an operation on one registered model named by `name`. */
function nameRequest(): ParamsRequest<[name: string]> {
  return {
    kind: 'params',
    encode: ([name]) => ({ name }),
    decode: (params) => [params.requiredString('name')],
  };
}

/** The request of an operation on one version (`name`, `version`). */
function versionRequest(): ParamsRequest<[name: string, version: string]> {
  return {
    kind: 'params',
    encode: ([name, version]) => ({ name, version }),
    decode: (params) => [params.requiredString('name'), params.requiredString('version')],
  };
}

/** An answer carrying one registered model as `registered_model`. */
function registeredModelResponse<A>(): JsonResponse<RegisteredModel, A> {
  return {
    kind: 'json',
    encode: (model) => ({ registered_model: model }),
    decode: (body) => registeredModelFromWire(body.registered_model),
  };
}

/** An answer carrying one version as `model_version`. */
function modelVersionResponse<A>(): JsonResponse<ModelVersion, A> {
  return {
    kind: 'json',
    encode: (version) => ({ model_version: version }),
    decode: (body) => modelVersionFromWire(body.model_version),
  };
}

/**
 * MLflow's model registry API (`model_registry.proto`), one endpoint per
 * {@link ModelRegistryStore} operation, under `/api/2.0/mlflow/` and `/ajax-api/2.0/mlflow/`:
 * registered models (create, get, rename, update, delete, search, tags, the latest version per
 * stage, aliases) and their versions (create, get, update, delete, search, tags, stage
 * transitions, the download URI), with MLflow's methods: reads are GET with their parameters in
 * the query string, updates PATCH and deletions DELETE with a JSON body, the rest POST.
 * Parameters are checked as MLflow's server checks them, with its messages. Every call acts on
 * the registered model it names, for access control.
 */
export const REGISTRY_API = {
  createRegisteredModel: registryEndpoint('createRegisteredModel', {
    method: 'POST',
    path: 'registered-models/create',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([input]) => ({ registeredModelName: input.name }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        name: input.name,
        tags: keyValuesToWire(input.tags),
        description: input.description,
      }),
      decode: (params) => [
        {
          name: params.requiredString('name'),
          tags: params.keyValues('tags'),
          description: params.string('description'),
        },
      ],
    },
    response: registeredModelResponse(),
  }),

  getRegisteredModel: registryEndpoint('getRegisteredModel', {
    method: 'GET',
    path: 'registered-models/get',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: byName,
    request: nameRequest(),
    response: registeredModelResponse(),
  }),

  renameRegisteredModel: registryEndpoint('renameRegisteredModel', {
    method: 'POST',
    path: 'registered-models/rename',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([name, newName]) => ({ registeredModelName: name, newRegisteredModelName: newName }),
    request: {
      kind: 'params',
      encode: ([name, newName]) => ({ name, new_name: newName }),
      decode: (params) => [params.requiredString('name'), params.requiredString('new_name')],
    },
    response: registeredModelResponse(),
  }),

  updateRegisteredModel: registryEndpoint('updateRegisteredModel', {
    method: 'PATCH',
    path: 'registered-models/update',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, description]) => ({ name, description }),
      // An absent description is the empty one, as protobuf reads it.
      decode: (params) => [params.requiredString('name'), params.string('description') ?? ''],
    },
    response: registeredModelResponse(),
  }),

  deleteRegisteredModel: registryEndpoint('deleteRegisteredModel', {
    method: 'DELETE',
    path: 'registered-models/delete',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: byName,
    request: nameRequest(),
    response: emptyResponse(),
  }),

  searchRegisteredModels: registryEndpoint('searchRegisteredModels', {
    method: 'GET',
    path: 'registered-models/search',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: () => ({}),
    request: {
      kind: 'params',
      encode: ([input = {}]) => ({
        filter: input.filter || undefined,
        max_results: input.maxResults,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        page_token: input.pageToken || undefined,
      }),
      decode: (params) => [
        {
          filter: params.string('filter'),
          maxResults: params.integer('max_results', { max: SEARCH_REGISTERED_MODELS_MAX_RESULTS }),
          orderBy: params.stringList('order_by'),
          pageToken: params.string('page_token'),
        },
      ],
    },
    response: {
      kind: 'json',
      encode: (page) => pageToWire('registered_models', page),
      decode: (body) => pageFromWire(body, 'registered_models', registeredModelFromWire),
    },
  }),

  setRegisteredModelTag: registryEndpoint('setRegisteredModelTag', {
    method: 'POST',
    path: 'registered-models/set-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, tag]) => ({ name, key: tag.key, value: tag.value }),
      decode: (params) => [
        params.requiredString('name'),
        { key: params.requiredString('key'), value: params.string('value') ?? '' },
      ],
    },
    response: emptyResponse(),
  }),

  deleteRegisteredModelTag: registryEndpoint('deleteRegisteredModelTag', {
    method: 'DELETE',
    path: 'registered-models/delete-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, key]) => ({ name, key }),
      decode: (params) => [params.requiredString('name'), params.requiredString('key')],
    },
    response: emptyResponse(),
  }),

  // Deprecated in MLflow with the stages, and still called by its client.
  getLatestVersions: registryEndpoint('getLatestVersions', {
    method: 'POST',
    alsoServed: ['GET'],
    path: 'registered-models/get-latest-versions',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, stages]) => ({ name, stages: stages && stages.length > 0 ? [...stages] : undefined }),
      decode: (params) => {
        const name = params.requiredString('name');
        const stages = params.stringList('stages');
        return [name, stages && stages.length > 0 ? stages : undefined];
      },
    },
    response: {
      kind: 'json',
      encode: (versions) => (versions.length > 0 ? { model_versions: versions } : {}),
      decode: (body) => list(body.model_versions).map(modelVersionFromWire),
    },
  }),

  createModelVersion: registryEndpoint('createModelVersion', {
    method: 'POST',
    path: 'model-versions/create',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([input]) => ({ registeredModelName: input.name }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        name: input.name,
        source: input.source,
        run_id: input.runId || undefined,
        tags: keyValuesToWire(input.tags),
        run_link: input.runLink || undefined,
        description: input.description,
        model_id: input.modelId || undefined,
      }),
      decode: (params) => [
        {
          name: params.requiredString('name'),
          source: params.requiredString('source'),
          runId: params.string('run_id') || undefined,
          tags: params.keyValues('tags'),
          runLink: params.string('run_link') || undefined,
          description: params.string('description'),
          modelId: params.string('model_id') || undefined,
        },
      ],
    },
    response: modelVersionResponse(),
  }),

  getModelVersion: registryEndpoint('getModelVersion', {
    method: 'GET',
    path: 'model-versions/get',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: byName,
    request: versionRequest(),
    response: modelVersionResponse(),
  }),

  updateModelVersion: registryEndpoint('updateModelVersion', {
    method: 'PATCH',
    path: 'model-versions/update',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, version, description]) => ({ name, version, description }),
      decode: (params) => [
        params.requiredString('name'),
        params.requiredString('version'),
        params.string('description') ?? '',
      ],
    },
    response: modelVersionResponse(),
  }),

  deleteModelVersion: registryEndpoint('deleteModelVersion', {
    method: 'DELETE',
    path: 'model-versions/delete',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: byName,
    request: versionRequest(),
    response: emptyResponse(),
  }),

  searchModelVersions: registryEndpoint('searchModelVersions', {
    method: 'GET',
    path: 'model-versions/search',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: () => ({}),
    request: {
      kind: 'params',
      encode: ([input = {}]) => ({
        filter: input.filter || undefined,
        max_results: input.maxResults,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        page_token: input.pageToken || undefined,
      }),
      decode: (params) => [
        {
          filter: params.string('filter'),
          // A request without max_results gets the proto's default, as from MLflow's server (its store's own is 1,000).
          maxResults:
            params.integer('max_results', { max: SEARCH_MODEL_VERSIONS_MAX_RESULTS }) ??
            SEARCH_MODEL_VERSIONS_MAX_RESULTS,
          orderBy: params.stringList('order_by'),
          pageToken: params.string('page_token'),
        },
      ],
    },
    response: {
      kind: 'json',
      encode: (page) => pageToWire('model_versions', page),
      decode: (body) => pageFromWire(body, 'model_versions', modelVersionFromWire),
    },
  }),

  setModelVersionTag: registryEndpoint('setModelVersionTag', {
    method: 'POST',
    path: 'model-versions/set-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, version, tag]) => ({ name, version, key: tag.key, value: tag.value }),
      decode: (params) => [
        params.requiredString('name'),
        params.requiredString('version'),
        { key: params.requiredString('key'), value: params.string('value') ?? '' },
      ],
    },
    response: emptyResponse(),
  }),

  deleteModelVersionTag: registryEndpoint('deleteModelVersionTag', {
    method: 'DELETE',
    path: 'model-versions/delete-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, version, key]) => ({ name, version, key }),
      decode: (params) => [
        params.requiredString('name'),
        params.requiredString('version'),
        params.requiredString('key'),
      ],
    },
    response: emptyResponse(),
  }),

  // Deprecated in MLflow with the stages, and still called by its client.
  transitionModelVersionStage: registryEndpoint('transitionModelVersionStage', {
    method: 'POST',
    path: 'model-versions/transition-stage',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, version, stage, archiveExistingVersions]) => ({
        name,
        version,
        stage,
        archive_existing_versions: archiveExistingVersions,
      }),
      decode: (params) => [
        params.requiredString('name'),
        params.requiredString('version'),
        params.requiredString('stage'),
        params.boolean('archive_existing_versions') ?? false,
      ],
    },
    response: modelVersionResponse(),
  }),

  getModelVersionDownloadUri: registryEndpoint('getModelVersionDownloadUri', {
    method: 'GET',
    path: 'model-versions/get-download-uri',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: byName,
    request: versionRequest(),
    response: {
      kind: 'json',
      encode: (uri) => ({ artifact_uri: uri }),
      decode: (body) => requiredText(body, 'artifact_uri', 'model-versions/get-download-uri'),
    },
  }),

  setRegisteredModelAlias: registryEndpoint('setRegisteredModelAlias', {
    method: 'POST',
    path: 'registered-models/alias',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, alias, version]) => ({ name, alias, version }),
      decode: (params) => [
        params.requiredString('name'),
        params.requiredString('alias'),
        params.requiredString('version'),
      ],
    },
    response: emptyResponse(),
  }),

  deleteRegisteredModelAlias: registryEndpoint('deleteRegisteredModelAlias', {
    method: 'DELETE',
    path: 'registered-models/alias',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, alias]) => ({ name, alias }),
      decode: (params) => [params.requiredString('name'), params.requiredString('alias')],
    },
    response: emptyResponse(),
  }),

  getModelVersionByAlias: registryEndpoint('getModelVersionByAlias', {
    method: 'GET',
    path: 'registered-models/alias',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, alias]) => ({ name, alias }),
      decode: (params) => [params.requiredString('name'), params.requiredString('alias')],
    },
    response: modelVersionResponse(),
  }),
} as const satisfies { readonly [N in RegistryOperation]: RegistryEndpoint<N> };

/** Every endpoint of {@link REGISTRY_API}, in the order the table lists them. */
export const REGISTRY_ENDPOINTS: readonly RegistryEndpoint[] = Object.freeze(Object.values(REGISTRY_API));

/** An endpoint of the web UI's model version downloads: one {@link ModelVersionArtifactService} operation. */
export type ModelVersionArtifactEndpoint = Endpoint<ModelVersionArtifactService, 'openModelVersionArtifact'>;

/**
 * The model version download of MLflow's web UI: `GET /model-versions/get-artifact?name=&version=&path=`,
 * at the server's root alone, as MLflow serves it. The path is checked before the version is
 * looked up (MLflow's order); the file streams as every artifact download does.
 */
export const MODEL_VERSION_ARTIFACTS_API = {
  openModelVersionArtifact: Object.freeze({
    name: 'openModelVersionArtifact',
    method: 'GET',
    path: 'model-versions/get-artifact',
    prefixes: MLFLOW_ROOT,
    write: false,
    idempotent: true,
    access: byName,
    request: {
      kind: 'params',
      encode: ([name, version, path]) => ({ name, version, path }),
      decode: (params) => {
        const path = validateArtifactPath(params.requiredString('path'));
        return [params.requiredString('name'), params.requiredString('version'), path];
      },
    },
    response: artifactDownloadResponse(([, , path]) => path),
  } satisfies ModelVersionArtifactEndpoint),
} as const;

/** Every endpoint of {@link MODEL_VERSION_ARTIFACTS_API}. */
export const MODEL_VERSION_ARTIFACT_ENDPOINTS: readonly ModelVersionArtifactEndpoint[] = Object.freeze(
  Object.values(MODEL_VERSION_ARTIFACTS_API),
);

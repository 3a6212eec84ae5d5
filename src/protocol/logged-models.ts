import { LOGGED_MODEL_STATUSES, type LoggedModel, type LoggedModelStatus } from '../entities/index.js';
import { MLFLOW_API_2, type IncomingRequest, type JsonResponse } from './endpoint.js';
import { emptyResponse, trackingEndpoint } from './tracking-endpoint.js';
import { keyValuesToWire, loggedModelFromWire } from './wire/entities.js';
import { pageFromWire, pageToWire } from './wire/pages.js';
import { missingParameter, toInteger, toText, wrongType, type RequestParams } from './wire/request-params.js';

/** The model a request names in its path (`logged-models/<model_id>/...`). */
function modelIdOf(request: IncomingRequest): string {
  const id = request.path.model_id;
  if (!id) throw missingParameter('model_id');
  return id;
}

/** The answer that carries one logged model: `{"model": {...}}`. */
function modelResponse<A>(): JsonResponse<LoggedModel, A> {
  return {
    kind: 'json',
    encode: (model) => ({ model }),
    decode: (body) => loggedModelFromWire(body.model),
  };
}

/** A status as MLflow's API carries it: its enum name, or its number. */
function statusOf(params: RequestParams): LoggedModelStatus {
  const value = params.enumeration('status');
  if (value === undefined) throw missingParameter('status');
  if (typeof value === 'number') {
    const name = LOGGED_MODEL_STATUSES[value];
    if (name === undefined) throw wrongType('status', value);
    return name;
  }
  return value as LoggedModelStatus;
}

/**
 * MLflow 3's logged-model endpoints, at the paths and with the methods of MLflow 3.3's
 * `service.proto`: create (`POST logged-models`), get (`GET logged-models/<model_id>`),
 * finalize (`PATCH logged-models/<model_id>`), delete (`DELETE logged-models/<model_id>`),
 * tags (`PATCH .../tags`, `DELETE .../tags/<tag_key>`), params (`POST .../params`), search
 * (`POST logged-models/search`, which MLflow's client also calls while it lists or downloads a
 * run's artifacts), and a run's output models (`POST runs/outputs`). A logged model belongs
 * to its experiment for access control. Requests carry what MLflow's client sends: the model
 * id in the path and, for finalize, params and delete, in the body too; the path is what
 * counts.
 */
export const LOGGED_MODEL_ENDPOINTS = {
  createLoggedModel: trackingEndpoint('createLoggedModel', {
    method: 'POST',
    path: 'logged-models',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([input]) => ({ experimentId: input.experimentId }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        experiment_id: input.experimentId,
        name: input.name || undefined,
        model_type: input.modelType || undefined,
        source_run_id: input.sourceRunId || undefined,
        params: keyValuesToWire(input.params),
        tags: keyValuesToWire(input.tags),
      }),
      decode: (params) => [
        {
          experimentId: params.requiredString('experiment_id'),
          name: params.string('name'),
          modelType: params.string('model_type'),
          sourceRunId: params.string('source_run_id'),
          params: params.keyValues('params'),
          tags: params.keyValues('tags'),
        },
      ],
    },
    response: modelResponse(),
  }),

  getLoggedModel: trackingEndpoint('getLoggedModel', {
    method: 'GET',
    path: 'logged-models/<model_id>',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId]) => ({ model_id: modelId }),
      encode: () => ({}),
      decode: (_params, request) => [modelIdOf(request)],
    },
    response: modelResponse(),
  }),

  finalizeLoggedModel: trackingEndpoint('finalizeLoggedModel', {
    method: 'PATCH',
    path: 'logged-models/<model_id>',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId]) => ({ model_id: modelId }),
      encode: ([modelId, status]) => ({ model_id: modelId, status }),
      decode: (params, request) => [modelIdOf(request), statusOf(params)],
    },
    response: modelResponse(),
  }),

  deleteLoggedModel: trackingEndpoint('deleteLoggedModel', {
    method: 'DELETE',
    path: 'logged-models/<model_id>',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId]) => ({ model_id: modelId }),
      encode: ([modelId]) => ({ model_id: modelId }),
      decode: (_params, request) => [modelIdOf(request)],
    },
    response: emptyResponse(),
  }),

  setLoggedModelTags: trackingEndpoint('setLoggedModelTags', {
    method: 'PATCH',
    path: 'logged-models/<model_id>/tags',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId]) => ({ model_id: modelId }),
      encode: ([, tags]) => ({ tags: keyValuesToWire(tags) ?? [] }),
      decode: (params, request) => [
        modelIdOf(request),
        params.keyValues('tags', { keyRequired: true }) ?? [],
      ],
    },
    response: emptyResponse(),
  }),

  deleteLoggedModelTag: trackingEndpoint('deleteLoggedModelTag', {
    method: 'DELETE',
    path: 'logged-models/<model_id>/tags/<tag_key>',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId, key]) => ({ model_id: modelId, tag_key: key }),
      encode: () => ({}),
      decode: (_params, request) => {
        const key = request.path.tag_key;
        if (!key) throw missingParameter('tag_key');
        return [modelIdOf(request), key];
      },
    },
    response: emptyResponse(),
  }),

  logLoggedModelParams: trackingEndpoint('logLoggedModelParams', {
    method: 'POST',
    path: 'logged-models/<model_id>/params',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId]) => ({ model_id: modelId }),
      encode: ([modelId, params]) => ({ model_id: modelId, params: keyValuesToWire(params) ?? [] }),
      decode: (params, request) => [
        modelIdOf(request),
        params.keyValues('params', { keyRequired: true }) ?? [],
      ],
    },
    response: emptyResponse(),
  }),

  searchLoggedModels: trackingEndpoint('searchLoggedModels', {
    method: 'POST',
    path: 'logged-models/search',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([input]) => ({ experimentIds: input.experimentIds }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        experiment_ids: [...input.experimentIds],
        filter: input.filter || undefined,
        datasets:
          input.datasets && input.datasets.length > 0
            ? input.datasets.map((d) => ({ dataset_name: d.datasetName, dataset_digest: d.datasetDigest }))
            : undefined,
        max_results: input.maxResults,
        order_by:
          input.orderBy && input.orderBy.length > 0
            ? input.orderBy.map((o) => ({
                field_name: o.fieldName,
                ascending: o.ascending,
                dataset_name: o.datasetName,
                dataset_digest: o.datasetDigest,
              }))
            : undefined,
        page_token: input.pageToken || undefined,
      }),
      decode: (params) => {
        const experimentIds = params.stringList('experiment_ids');
        if (experimentIds === undefined) throw missingParameter('experiment_ids');
        return [
          {
            experimentIds,
            filter: params.string('filter'),
            datasets: params.objects('datasets')?.map((d, i) => ({
              datasetName: toText(d.dataset_name, `datasets[${i}].dataset_name`) ?? '',
              datasetDigest: toText(d.dataset_digest, `datasets[${i}].dataset_digest`),
            })),
            maxResults: params.integer('max_results'),
            orderBy: params.objects('order_by')?.map((o, i) => ({
              fieldName: toText(o.field_name, `order_by[${i}].field_name`) ?? '',
              ascending: bool(o.ascending, `order_by[${i}].ascending`),
              datasetName: toText(o.dataset_name, `order_by[${i}].dataset_name`),
              datasetDigest: toText(o.dataset_digest, `order_by[${i}].dataset_digest`),
            })),
            pageToken: params.string('page_token'),
          },
        ];
      },
    },
    response: {
      kind: 'json',
      encode: (page) => pageToWire('models', page),
      decode: (body) => pageFromWire(body, 'models', loggedModelFromWire),
    },
  }),

  logOutputs: trackingEndpoint('logOutputs', {
    method: 'POST',
    path: 'runs/outputs',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId, models]) => ({
        run_id: runId,
        models: models.map((m) => ({ model_id: m.model_id, step: m.step })),
      }),
      decode: (params) => [
        params.runId(),
        (params.objects('models') ?? []).map((m, i) => {
          const id = toText(m.model_id, `models[${i}].model_id`);
          if (!id) throw missingParameter(`models[${i}].model_id`);
          return { model_id: id, step: toInteger(m.step, `models[${i}].step`) ?? 0 };
        }),
      ],
    },
    response: emptyResponse(),
  }),
};

function bool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(path, value);
  return value;
}

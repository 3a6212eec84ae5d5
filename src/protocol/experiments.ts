import { notFound } from '../errors.js';
import { SEARCH_MAX_RESULTS_DEFAULT, validateViewType } from '../validation/index.js';
import { MLFLOW_AJAX_API_2, MLFLOW_API_2 } from './endpoint.js';
import { emptyResponse, experimentIdRequest, trackingEndpoint } from './tracking-endpoint.js';
import {
  datasetSummaryFromWire,
  experimentFromWire,
  keyValuesToWire,
  list,
  requiredText,
} from './wire/entities.js';
import { pageFromWire, pageToWire } from './wire/pages.js';

/**
 * MLflow's experiment endpoints: create, get, get-by-name, search, update (rename), delete,
 * restore, experiment tags, and the datasets of experiments.
 */
export const EXPERIMENT_ENDPOINTS = {
  createExperiment: trackingEndpoint('createExperiment', {
    method: 'POST',
    path: 'experiments/create',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([input]) => ({ experimentName: input.name }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        name: input.name,
        artifact_location: input.artifactLocation || undefined,
        tags: keyValuesToWire(input.tags),
      }),
      decode: (params) => [
        {
          name: params.requiredString('name'),
          artifactLocation: params.string('artifact_location'),
          tags: params.keyValues('tags'),
        },
      ],
    },
    response: {
      kind: 'json',
      encode: (experimentId) => ({ experiment_id: experimentId }),
      decode: (body) => requiredText(body, 'experiment_id', 'experiments/create'),
    },
  }),

  getExperiment: trackingEndpoint('getExperiment', {
    method: 'GET',
    path: 'experiments/get',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([experimentId]) => ({ experimentId }),
    request: experimentIdRequest(),
    response: {
      kind: 'json',
      encode: (experiment) => ({ experiment }),
      decode: (body) => experimentFromWire(body.experiment),
    },
  }),

  getExperimentByName: trackingEndpoint('getExperimentByName', {
    method: 'GET',
    path: 'experiments/get-by-name',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([name]) => ({ experimentName: name }),
    request: {
      kind: 'params',
      encode: ([name]) => ({ experiment_name: name }),
      decode: (params) => [params.requiredString('experiment_name')],
    },
    response: {
      kind: 'json',
      // MLflow answers a name that names nothing with 404; clients read that back as null.
      encode: (experiment, [name]) => {
        if (!experiment) throw notFound(`Could not find experiment with name '${name}'`);
        return { experiment };
      },
      decode: (body) => experimentFromWire(body.experiment),
    },
  }),

  searchExperiments: trackingEndpoint('searchExperiments', {
    method: 'POST',
    alsoServed: ['GET'],
    path: 'experiments/search',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: () => ({}),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        max_results: input.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
        page_token: input.pageToken || undefined,
        filter: input.filter || undefined,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        view_type: input.viewType ?? 'ACTIVE_ONLY',
      }),
      decode: (params) => [
        {
          maxResults: params.integer('max_results'),
          pageToken: params.string('page_token'),
          filter: params.string('filter'),
          orderBy: params.stringList('order_by'),
          viewType: validateViewType(params.enumeration('view_type'), 'view_type'),
        },
      ],
    },
    response: {
      kind: 'json',
      encode: (page) => pageToWire('experiments', page),
      decode: (body) => pageFromWire(body, 'experiments', experimentFromWire),
    },
  }),

  renameExperiment: trackingEndpoint('renameExperiment', {
    method: 'POST',
    path: 'experiments/update',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([experimentId, newName]) => ({ experimentId, newExperimentName: newName }),
    request: {
      kind: 'params',
      encode: ([experimentId, newName]) => ({ experiment_id: experimentId, new_name: newName }),
      decode: (params) => [params.requiredString('experiment_id'), params.requiredString('new_name')],
    },
    response: emptyResponse(),
  }),

  deleteExperiment: trackingEndpoint('deleteExperiment', {
    method: 'POST',
    path: 'experiments/delete',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([experimentId]) => ({ experimentId }),
    request: experimentIdRequest(),
    response: emptyResponse(),
  }),

  restoreExperiment: trackingEndpoint('restoreExperiment', {
    method: 'POST',
    path: 'experiments/restore',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([experimentId]) => ({ experimentId }),
    request: experimentIdRequest(),
    response: emptyResponse(),
  }),

  setExperimentTag: trackingEndpoint('setExperimentTag', {
    method: 'POST',
    path: 'experiments/set-experiment-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([experimentId]) => ({ experimentId }),
    request: {
      kind: 'params',
      encode: ([experimentId, key, value]) => ({ experiment_id: experimentId, key, value }),
      decode: (params) => [
        params.requiredString('experiment_id'),
        params.requiredString('key'),
        params.string('value') ?? '',
      ],
    },
    response: emptyResponse(),
  }),

  deleteExperimentTag: trackingEndpoint('deleteExperimentTag', {
    method: 'POST',
    path: 'experiments/delete-experiment-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([experimentId]) => ({ experimentId }),
    request: {
      kind: 'params',
      encode: ([experimentId, key]) => ({ experiment_id: experimentId, key }),
      decode: (params) => [params.requiredString('experiment_id'), params.requiredString('key')],
    },
    response: emptyResponse(),
  }),

  // MLflow declares it with a path its router cannot serve under /api/2.0/, and serves it to
  // its UI under /ajax-api/2.0/ alone.
  searchDatasets: trackingEndpoint('searchDatasets', {
    method: 'POST',
    path: 'experiments/search-datasets',
    prefixes: MLFLOW_AJAX_API_2,
    write: false,
    idempotent: true,
    access: ([experimentIds]) => ({ experimentIds }),
    request: {
      kind: 'params',
      encode: ([experimentIds]) => ({ experiment_ids: [...experimentIds] }),
      decode: (params) => [params.stringList('experiment_ids') ?? []],
    },
    response: {
      kind: 'json',
      encode: (summaries) => (summaries.length > 0 ? { dataset_summaries: summaries } : {}),
      decode: (body) => list(body.dataset_summaries).map(datasetSummaryFromWire),
    },
  }),
};

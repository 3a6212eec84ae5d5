import {
  GET_METRIC_HISTORY_MAX_RESULTS,
  validateBulkHistoryMetricKey,
  validateBulkHistoryRunIds,
} from '../validation/index.js';
import { MLFLOW_AJAX_API_2, MLFLOW_API_2 } from './endpoint.js';
import { trackingEndpoint } from './tracking-endpoint.js';
import { list, metricFromWire, metricWithRunIdFromWire } from './wire/entities.js';
import { pageFromWire, pageToWire } from './wire/pages.js';

/**
 * MLflow's metric endpoints: a metric's history, and the bulk forms MLflow's UI charts read
 * several runs with. For `get-history` the server answers the whole history without
 * `max_results` (MLflow answers an empty page then, a defect not reproduced) and a page with
 * it; clients always send it, so that MLflow's server answers too.
 */
export const METRIC_ENDPOINTS = {
  getMetricHistory: trackingEndpoint('getMetricHistory', {
    method: 'GET',
    path: 'metrics/get-history',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId, metricKey, input]) => ({
        run_uuid: runId,
        metric_key: metricKey,
        run_id: runId,
        page_token: input?.pageToken || undefined,
        max_results: input?.maxResults ?? GET_METRIC_HISTORY_MAX_RESULTS,
      }),
      decode: (params) => {
        const runId = params.runId();
        const metricKey = params.requiredString('metric_key');
        return [
          runId,
          metricKey,
          { maxResults: params.integer('max_results'), pageToken: params.string('page_token') },
        ];
      },
    },
    response: {
      kind: 'json',
      encode: (page) => pageToWire('metrics', page),
      decode: (body) => pageFromWire(body, 'metrics', metricFromWire),
    },
  }),

  // MLflow serves it to its UI alone, answering with a plain JSON object rather than a
  // message: `metrics` is there even when empty. Run ids repeat `run_id` in the query string.
  getMetricHistoryBulk: trackingEndpoint('getMetricHistoryBulk', {
    method: 'GET',
    path: 'metrics/get-history-bulk',
    prefixes: MLFLOW_AJAX_API_2,
    write: false,
    idempotent: true,
    access: ([runIds]) => ({ runIds }),
    request: {
      kind: 'params',
      encode: ([runIds, metricKey, input]) => ({
        run_id: [...runIds],
        metric_key: metricKey,
        max_results: input?.maxResults,
      }),
      decode: (params) => {
        // MLflow's order: the run ids are checked first, then the key, which may be empty.
        const runIds = validateBulkHistoryRunIds(params.stringList('run_id') ?? []);
        const metricKey = validateBulkHistoryMetricKey(params.string('metric_key'));
        return [runIds, metricKey, { maxResults: params.integer('max_results') }];
      },
    },
    response: {
      kind: 'json',
      encode: (metrics) => ({ metrics }),
      decode: (body) => list(body.metrics).map(metricWithRunIdFromWire),
    },
  }),

  getMetricHistoryBulkInterval: trackingEndpoint('getMetricHistoryBulkInterval', {
    method: 'GET',
    path: 'metrics/get-history-bulk-interval',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([runIds]) => ({ runIds }),
    request: {
      kind: 'params',
      encode: ([runIds, metricKey, input]) => ({
        run_ids: [...runIds],
        metric_key: metricKey,
        start_step: input?.startStep,
        end_step: input?.endStep,
        max_results: input?.maxResults,
      }),
      decode: (params) => [
        params.stringList('run_ids') ?? [],
        params.string('metric_key') ?? '',
        {
          startStep: params.integer('start_step'),
          endStep: params.integer('end_step'),
          maxResults: params.integer('max_results'),
        },
      ],
    },
    response: {
      kind: 'json',
      encode: (metrics) => (metrics.length > 0 ? { metrics } : {}),
      decode: (body) => list(body.metrics).map(metricWithRunIdFromWire),
    },
  }),
};

import { GET_METRIC_HISTORY_MAX_RESULTS } from '../validation/index.js';
import { MLFLOW_API_2 } from './endpoint.js';
import { trackingEndpoint } from './tracking-endpoint.js';
import { metricFromWire } from './wire/entities.js';
import { pageFromWire, pageToWire } from './wire/pages.js';

/**
 * MLflow's metric endpoint: a metric's history. The server answers the whole history
 * without `max_results` (MLflow answers an empty page then, a defect not reproduced) and a
 * page with it; clients always send it, so that MLflow's server answers too.
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
};

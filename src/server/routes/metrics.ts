import type { Endpoint } from '../endpoint.js';
import { pageResponse } from '../wire/page-response.js';

/**
 * MLflow's metric endpoint: a metric's history, whole without `max_results` (MLflow answers
 * an empty page then, a defect not reproduced), paged with it.
 */
export const METRIC_ENDPOINTS: readonly Endpoint[] = [
  {
    path: 'metrics/get-history',
    methods: ['GET'],
    write: false,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const metricKey = params.requiredString('metric_key');
      const input = { maxResults: params.integer('max_results'), pageToken: params.string('page_token') };
      await access({ runId });
      return pageResponse('metrics', await store.getMetricHistory(runId, metricKey, input));
    },
  },
];

import { MLFLOW_API_2 } from './endpoint.js';
import { trackingEndpoint } from './tracking-endpoint.js';
import { loggedModelFromWire } from './wire/entities.js';
import { missingParameter, toText, wrongType } from './wire/request-params.js';
import { pageFromWire, pageToWire } from './wire/pages.js';

/**
 * MLflow 3's logged-model endpoints that the tracking API serves: the search, which MLflow's
 * client also calls while it lists or downloads a run's artifacts (looking for a model logged
 * under the folder's name). The other logged-model endpoints answer 501.
 */
export const LOGGED_MODEL_ENDPOINTS = {
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
};

function bool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(path, value);
  return value;
}

import type { Metric } from '../entities/index.js';
import { SEARCH_MAX_RESULTS_DEFAULT, validateRunStatus, validateViewType } from '../validation/index.js';
import { MLFLOW_API_2 } from './endpoint.js';
import { emptyResponse, runIdRequest, runKeyValueRequest, trackingEndpoint } from './tracking-endpoint.js';
import { readDatasetInputs, readModelInputs } from './wire/dataset-inputs.js';
import { keyValuesToWire, runFromWire, runInfoFromWire } from './wire/entities.js';
import { pageFromWire, pageToWire } from './wire/pages.js';

// MLflow creates a run without an experiment id in the Default experiment.
const DEFAULT_EXPERIMENT_ID = '0';

/** The logged models metrics are also logged to, for access control (`modelIds`), when any. */
function modelsOf(metrics: readonly Metric[]): { modelIds?: string[] } {
  const ids = [...new Set(metrics.flatMap((m) => (m.model_id ? [m.model_id] : [])))];
  return ids.length > 0 ? { modelIds: ids } : {};
}

/**
 * MLflow's run endpoints: create, get, update, delete, restore, search, log-metric,
 * log-parameter, set-tag, delete-tag, log-batch and log-inputs. Run calls send the run's id
 * as `run_id` and, where MLflow's client does, also as the deprecated `run_uuid`; the server
 * reads either.
 */
export const RUN_ENDPOINTS = {
  createRun: trackingEndpoint('createRun', {
    method: 'POST',
    path: 'runs/create',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([input]) => ({ experimentId: input.experimentId }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        experiment_id: input.experimentId,
        user_id: input.userId,
        run_name: input.runName,
        start_time: input.startTime,
        tags: keyValuesToWire(input.tags),
      }),
      decode: (params) => [
        {
          experimentId: params.string('experiment_id') || DEFAULT_EXPERIMENT_ID,
          userId: params.string('user_id'),
          runName: params.string('run_name'),
          startTime: params.integer('start_time'),
          tags: params.keyValues('tags'),
        },
      ],
    },
    response: {
      kind: 'json',
      encode: (run) => ({ run }),
      decode: (body) => runFromWire(body.run),
    },
  }),

  getRun: trackingEndpoint('getRun', {
    method: 'GET',
    path: 'runs/get',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId]) => ({ run_uuid: runId, run_id: runId }),
      decode: (params) => [params.runId()],
    },
    response: {
      kind: 'json',
      // MLflow's get (unlike its search) sets the run's outputs, so they appear, empty or not.
      encode: (run) => ({ run: { ...run, outputs: run.outputs ?? {} } }),
      decode: (body) => runFromWire(body.run),
    },
  }),

  updateRun: trackingEndpoint('updateRun', {
    method: 'POST',
    path: 'runs/update',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId, input]) => ({
        run_uuid: runId,
        status: input.status,
        end_time: input.endTime,
        run_id: runId,
        run_name: input.runName,
      }),
      decode: (params) => {
        const runId = params.runId();
        const endTime = params.integer('end_time');
        const status = params.enumeration('status');
        return [
          runId,
          {
            endTime,
            status: status === undefined ? undefined : validateRunStatus(status),
            runName: params.string('run_name'),
          },
        ];
      },
    },
    response: {
      kind: 'json',
      encode: (info) => ({ run_info: info }),
      decode: (body) => runInfoFromWire(body.run_info),
    },
  }),

  deleteRun: trackingEndpoint('deleteRun', {
    method: 'POST',
    path: 'runs/delete',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: runIdRequest(),
    response: emptyResponse(),
  }),

  restoreRun: trackingEndpoint('restoreRun', {
    method: 'POST',
    path: 'runs/restore',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: runIdRequest(),
    response: emptyResponse(),
  }),

  searchRuns: trackingEndpoint('searchRuns', {
    method: 'POST',
    path: 'runs/search',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([input]) => ({ experimentIds: input.experimentIds }),
    request: {
      kind: 'params',
      encode: ([input]) => ({
        experiment_ids: [...input.experimentIds],
        run_view_type: input.runViewType ?? 'ACTIVE_ONLY',
        filter: input.filter || undefined,
        max_results: input.maxResults ?? SEARCH_MAX_RESULTS_DEFAULT,
        order_by: input.orderBy && input.orderBy.length > 0 ? [...input.orderBy] : undefined,
        page_token: input.pageToken || undefined,
      }),
      decode: (params) => [
        {
          experimentIds: params.stringList('experiment_ids') ?? [],
          filter: params.string('filter'),
          runViewType: validateViewType(params.enumeration('run_view_type'), 'run_view_type'),
          maxResults: params.integer('max_results'),
          orderBy: params.stringList('order_by'),
          pageToken: params.string('page_token'),
        },
      ],
    },
    response: {
      kind: 'json',
      encode: (page) => pageToWire('runs', page),
      decode: (body) => pageFromWire(body, 'runs', runFromWire),
    },
  }),

  logMetric: trackingEndpoint('logMetric', {
    method: 'POST',
    path: 'runs/log-metric',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId, metric]) => ({ runId, ...modelsOf([metric]) }),
    request: {
      kind: 'params',
      encode: ([runId, metric]) => ({
        run_uuid: runId,
        key: metric.key,
        value: metric.value,
        timestamp: metric.timestamp,
        step: metric.step,
        run_id: runId,
        model_id: metric.model_id,
        dataset_name: metric.dataset_name,
        dataset_digest: metric.dataset_digest,
      }),
      decode: (params) => [
        params.runId(),
        {
          key: params.requiredString('key'),
          value: params.requiredDouble('value'),
          timestamp: params.requiredInteger('timestamp'),
          step: params.integer('step') ?? 0,
          ...params.metricModel(),
        },
      ],
    },
    response: emptyResponse(),
  }),

  logParam: trackingEndpoint('logParam', {
    method: 'POST',
    path: 'runs/log-parameter',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: runKeyValueRequest(),
    response: emptyResponse(),
  }),

  setTag: trackingEndpoint('setTag', {
    method: 'POST',
    path: 'runs/set-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: runKeyValueRequest(),
    response: emptyResponse(),
  }),

  deleteTag: trackingEndpoint('deleteTag', {
    method: 'POST',
    path: 'runs/delete-tag',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: false,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId, key]) => ({ run_id: runId, key }),
      decode: (params) => [params.runId(), params.requiredString('key')],
    },
    response: emptyResponse(),
  }),

  logBatch: trackingEndpoint('logBatch', {
    method: 'POST',
    path: 'runs/log-batch',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId, batch]) => ({ runId, ...modelsOf(batch.metrics ?? []) }),
    request: {
      kind: 'params',
      // MLflow's client names the run in every metric too.
      encode: ([runId, batch]) => {
        const metrics = (batch.metrics ?? []).map((m) => ({
          key: m.key,
          value: m.value,
          timestamp: m.timestamp,
          step: m.step,
          run_id: runId,
          model_id: m.model_id,
          dataset_name: m.dataset_name,
          dataset_digest: m.dataset_digest,
        }));
        return {
          run_id: runId,
          metrics: metrics.length > 0 ? metrics : undefined,
          params: keyValuesToWire(batch.params),
          tags: keyValuesToWire(batch.tags),
        };
      },
      decode: (params) => [
        params.runId(),
        {
          metrics: params.metrics('metrics'),
          params: params.keyValues('params', { keyRequired: true }),
          tags: params.keyValues('tags', { keyRequired: true }),
        },
      ],
    },
    response: emptyResponse(),
  }),

  logInputs: trackingEndpoint('logInputs', {
    method: 'POST',
    path: 'runs/log-inputs',
    prefixes: MLFLOW_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId, input]) => ({
        run_id: runId,
        datasets: input.datasets && input.datasets.length > 0 ? input.datasets : undefined,
        models:
          input.models && input.models.length > 0
            ? input.models.map((m) => ({ model_id: m.model_id }))
            : undefined,
      }),
      decode: (params) => {
        const runId = params.runId();
        const datasets = readDatasetInputs(params.objects('datasets'));
        const models = readModelInputs(params.objects('models'));
        return [runId, models.length > 0 ? { datasets, models } : { datasets }];
      },
    },
    response: emptyResponse(),
  }),
};

import { validateRunStatus, validateViewType } from '../../validation/index.js';
import type { Endpoint } from '../endpoint.js';
import { readDatasetInputs, readModelInputs } from '../wire/dataset-inputs.js';
import { pageResponse } from '../wire/page-response.js';

// MLflow creates a run without an experiment id in the Default experiment.
const DEFAULT_EXPERIMENT_ID = '0';

/**
 * MLflow's run endpoints: create, get, update, delete, restore, search, log-metric,
 * log-parameter, set-tag, delete-tag, log-batch and log-inputs.
 */
export const RUN_ENDPOINTS: readonly Endpoint[] = [
  {
    path: 'runs/create',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const experimentId = params.string('experiment_id') || DEFAULT_EXPERIMENT_ID;
      const input = {
        experimentId,
        userId: params.string('user_id'),
        runName: params.string('run_name'),
        startTime: params.integer('start_time'),
        tags: params.keyValues('tags'),
      };
      await access({ experimentId });
      return { run: await store.createRun(input) };
    },
  },
  {
    path: 'runs/get',
    methods: ['GET'],
    write: false,
    async handle(params, { store, access }) {
      const runId = params.runId();
      await access({ runId });
      // MLflow's get (unlike its search) sets the run's outputs, so they appear, empty.
      return { run: { ...(await store.getRun(runId)), outputs: {} } };
    },
  },
  {
    path: 'runs/update',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const endTime = params.integer('end_time');
      const status = params.enumeration('status');
      const input = {
        endTime,
        status: status === undefined ? undefined : validateRunStatus(status),
        runName: params.string('run_name'),
      };
      await access({ runId });
      return { run_info: await store.updateRun(runId, input) };
    },
  },
  {
    path: 'runs/delete',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      await access({ runId });
      await store.deleteRun(runId);
      return {};
    },
  },
  {
    path: 'runs/restore',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      await access({ runId });
      await store.restoreRun(runId);
      return {};
    },
  },
  {
    path: 'runs/search',
    methods: ['POST'],
    write: false,
    async handle(params, { store, access }) {
      const experimentIds = params.stringList('experiment_ids') ?? [];
      const input = {
        experimentIds,
        filter: params.string('filter'),
        runViewType: validateViewType(params.enumeration('run_view_type'), 'run_view_type'),
        maxResults: params.integer('max_results'),
        orderBy: params.stringList('order_by'),
        pageToken: params.string('page_token'),
      };
      await access({ experimentIds });
      return pageResponse('runs', await store.searchRuns(input));
    },
  },
  {
    path: 'runs/log-metric',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const metric = {
        key: params.requiredString('key'),
        value: params.requiredDouble('value'),
        timestamp: params.requiredInteger('timestamp'),
        step: params.integer('step') ?? 0,
      };
      await access({ runId });
      await store.logMetric(runId, metric);
      return {};
    },
  },
  {
    path: 'runs/log-parameter',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const param = { key: params.requiredString('key'), value: params.string('value') ?? '' };
      await access({ runId });
      await store.logParam(runId, param);
      return {};
    },
  },
  {
    path: 'runs/set-tag',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const tag = { key: params.requiredString('key'), value: params.string('value') ?? '' };
      await access({ runId });
      await store.setTag(runId, tag);
      return {};
    },
  },
  {
    path: 'runs/delete-tag',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const key = params.requiredString('key');
      await access({ runId });
      await store.deleteTag(runId, key);
      return {};
    },
  },
  {
    path: 'runs/log-batch',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const batch = {
        metrics: params.metrics('metrics'),
        params: params.keyValues('params', { keyRequired: true }),
        tags: params.keyValues('tags', { keyRequired: true }),
      };
      await access({ runId });
      await store.logBatch(runId, batch);
      return {};
    },
  },
  {
    path: 'runs/log-inputs',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const runId = params.runId();
      const datasets = readDatasetInputs(params.objects('datasets'));
      // Model inputs name logged models, which this server does not keep (their endpoints
      // answer 501): they are checked, then dropped.
      readModelInputs(params.objects('models'));
      await access({ runId });
      await store.logInputs(runId, { datasets });
      return {};
    },
  },
];

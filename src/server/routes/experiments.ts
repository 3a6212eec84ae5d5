import { notFound } from '../../errors.js';
import { validateViewType } from '../../validation/index.js';
import type { Endpoint } from '../endpoint.js';
import { pageResponse } from '../wire/page-response.js';

/** MLflow's experiment endpoints: create, get, get-by-name, search, update, delete, restore and tags. */
export const EXPERIMENT_ENDPOINTS: readonly Endpoint[] = [
  {
    path: 'experiments/create',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const name = params.requiredString('name');
      const artifactLocation = params.string('artifact_location');
      const tags = params.keyValues('tags');
      await access({ experimentName: name });
      return { experiment_id: await store.createExperiment({ name, artifactLocation, tags }) };
    },
  },
  {
    path: 'experiments/get',
    methods: ['GET'],
    write: false,
    async handle(params, { store, access }) {
      const experimentId = params.requiredString('experiment_id');
      await access({ experimentId });
      return { experiment: await store.getExperiment(experimentId) };
    },
  },
  {
    path: 'experiments/get-by-name',
    methods: ['GET'],
    write: false,
    async handle(params, { store, access }) {
      const name = params.requiredString('experiment_name');
      await access({ experimentName: name });
      const experiment = await store.getExperimentByName(name);
      if (!experiment) throw notFound(`Could not find experiment with name '${name}'`);
      return { experiment };
    },
  },
  {
    path: 'experiments/search',
    methods: ['GET', 'POST'],
    write: false,
    async handle(params, { store, access }) {
      const input = {
        maxResults: params.integer('max_results'),
        pageToken: params.string('page_token'),
        filter: params.string('filter'),
        orderBy: params.stringList('order_by'),
        viewType: validateViewType(params.enumeration('view_type'), 'view_type'),
      };
      await access({});
      return pageResponse('experiments', await store.searchExperiments(input));
    },
  },
  {
    path: 'experiments/update',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const experimentId = params.requiredString('experiment_id');
      const newName = params.requiredString('new_name');
      await access({ experimentId, newExperimentName: newName });
      await store.renameExperiment(experimentId, newName);
      return {};
    },
  },
  {
    path: 'experiments/delete',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const experimentId = params.requiredString('experiment_id');
      await access({ experimentId });
      await store.deleteExperiment(experimentId);
      return {};
    },
  },
  {
    path: 'experiments/restore',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const experimentId = params.requiredString('experiment_id');
      await access({ experimentId });
      await store.restoreExperiment(experimentId);
      return {};
    },
  },
  {
    path: 'experiments/set-experiment-tag',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const experimentId = params.requiredString('experiment_id');
      const key = params.requiredString('key');
      const value = params.string('value') ?? '';
      await access({ experimentId });
      await store.setExperimentTag(experimentId, key, value);
      return {};
    },
  },
  {
    path: 'experiments/delete-experiment-tag',
    methods: ['POST'],
    write: true,
    async handle(params, { store, access }) {
      const experimentId = params.requiredString('experiment_id');
      const key = params.requiredString('key');
      await access({ experimentId });
      await store.deleteExperimentTag(experimentId, key);
      return {};
    },
  },
];

import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACKING_API } from '../../protocol/tracking-api.js';
import type { TrackingOperation } from '../../protocol/tracking-endpoint.js';
import { createApp } from '../../server/create-app.js';
import { startStubServer } from './__tests__/stub-server.js';
import { openSqliteStore } from '../sqlite/index.js';
import type { TrackingStore } from '../tracking-store.js';
import { tempDir } from '../../testing/temp-dir.js';
import { HttpClient } from './http-client.js';
import { resolveRestConfig, type RemoteTrackingTarget } from './rest-config.js';
import { openRestStore, RestTrackingStore } from './rest-store.js';
import { parseTrackingUri } from '../tracking-uri.js';

let dir: { path: string; remove: () => void };
let backing: TrackingStore;
let app: FastifyInstance;
let rest: RestTrackingStore;
const received: string[] = [];

beforeAll(async () => {
  dir = tempDir('agentrack-rest-table-');
  backing = await openSqliteStore(join(dir.path, 'agentrack.db'));
  app = createApp({ store: backing, logger: false });
  app.addHook('onRequest', async (request) => {
    received.push(`${request.method} ${request.url.split('?')[0]}`);
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  rest = await openRestStore(`http://127.0.0.1:${port}`, { env: {}, maxRetries: 0 });
});
afterAll(async () => {
  await rest.close();
  await app.close();
  await backing.close();
  dir.remove();
});

const ids = { experiment: '', run: '', model: '' };
const dataset = { name: 'd', digest: 'x', source_type: 'local', source: 's' };

// One call of every TrackingStore operation over REST, in an order that works on a fresh store.
const CALLS: [TrackingOperation, (store: TrackingStore) => Promise<unknown>][] = [
  ['createExperiment', async (s) => (ids.experiment = await s.createExperiment({ name: '/Shared/table' }))],
  ['getExperiment', (s) => s.getExperiment(ids.experiment)],
  ['getExperimentByName', (s) => s.getExperimentByName('/Shared/table')],
  ['searchExperiments', (s) => s.searchExperiments({})],
  ['renameExperiment', (s) => s.renameExperiment(ids.experiment, '/Shared/table-2')],
  ['setExperimentTag', (s) => s.setExperimentTag(ids.experiment, 'k', 'v')],
  ['deleteExperimentTag', (s) => s.deleteExperimentTag(ids.experiment, 'k')],
  ['createRun', async (s) => (ids.run = (await s.createRun({ experimentId: ids.experiment })).info.run_id)],
  ['getRun', (s) => s.getRun(ids.run)],
  ['updateRun', (s) => s.updateRun(ids.run, { runName: 'renamed' })],
  ['logMetric', (s) => s.logMetric(ids.run, { key: 'm', value: 1, timestamp: 1, step: 0 })],
  ['logParam', (s) => s.logParam(ids.run, { key: 'p', value: 'v' })],
  ['setTag', (s) => s.setTag(ids.run, { key: 't', value: 'v' })],
  ['deleteTag', (s) => s.deleteTag(ids.run, 't')],
  ['logBatch', (s) => s.logBatch(ids.run, { metrics: [{ key: 'm', value: 2, timestamp: 2, step: 1 }] })],
  ['logInputs', (s) => s.logInputs(ids.run, { datasets: [{ dataset }] })],
  ['getMetricHistory', (s) => s.getMetricHistory(ids.run, 'm')],
  ['getMetricHistoryBulk', (s) => s.getMetricHistoryBulk([ids.run], 'm')],
  ['getMetricHistoryBulkInterval', (s) => s.getMetricHistoryBulkInterval([ids.run], 'm')],
  ['searchDatasets', (s) => s.searchDatasets([ids.experiment])],
  [
    'createLoggedModel',
    async (s) => (ids.model = (await s.createLoggedModel({ experimentId: ids.experiment })).info.model_id),
  ],
  ['getLoggedModel', (s) => s.getLoggedModel(ids.model)],
  ['finalizeLoggedModel', (s) => s.finalizeLoggedModel(ids.model, 'LOGGED_MODEL_READY')],
  ['setLoggedModelTags', (s) => s.setLoggedModelTags(ids.model, [{ key: 'a/b c', value: 'v' }])],
  ['deleteLoggedModelTag', (s) => s.deleteLoggedModelTag(ids.model, 'a/b c')],
  ['logLoggedModelParams', (s) => s.logLoggedModelParams(ids.model, [{ key: 'p', value: 'v' }])],
  ['logOutputs', (s) => s.logOutputs(ids.run, [{ model_id: ids.model, step: 3 }])],
  ['searchLoggedModels', (s) => s.searchLoggedModels({ experimentIds: [ids.experiment] })],
  ['deleteLoggedModel', (s) => s.deleteLoggedModel(ids.model)],
  ['searchRuns', (s) => s.searchRuns({ experimentIds: [ids.experiment] })],
  ['deleteRun', (s) => s.deleteRun(ids.run)],
  ['restoreRun', (s) => s.restoreRun(ids.run)],
  ['deleteExperiment', (s) => s.deleteExperiment(ids.experiment)],
  ['restoreExperiment', (s) => s.restoreExperiment(ids.experiment)],
];

describe('the REST store and the server, through the same protocol table', () => {
  it('implements every operation of the table, and nothing else', () => {
    const methods = Object.getOwnPropertyNames(RestTrackingStore.prototype).filter(
      // countRuns: MLflow's API has no count, so the REST store answers NOT_IMPLEMENTED without a call.
      (name) => name !== 'constructor' && name !== 'close' && name !== 'countRuns',
    );
    expect(methods.sort()).toEqual(Object.keys(TRACKING_API).sort());
    expect(CALLS.map(([name]) => name).sort()).toEqual(Object.keys(TRACKING_API).sort());
  });

  it.each(CALLS)(
    '%s calls its endpoint, which the server serves with the same operation',
    async (name, call) => {
      const endpoint = TRACKING_API[name];
      received.length = 0;
      await call(rest);
      // Path parameters as the server receives them: `logged-models/<model_id>` matches `logged-models/m-...`.
      const path = `${endpoint.prefixes[0]}${endpoint.path}`.replace(/<[a-z_]+>/g, '[^/]+');
      expect(received).toHaveLength(1);
      expect(received[0]).toMatch(new RegExp(`^${endpoint.method} ${path}$`));
    },
  );

  it('leaves the server with what the calls did', async () => {
    const run = await backing.getRun(ids.run);
    expect(run.info.run_name).toBe('renamed');
    expect(run.data.params).toEqual([{ key: 'p', value: 'v' }]);
    expect((await backing.getMetricHistory(ids.run, 'm')).items).toHaveLength(2);
    expect(run.inputs.dataset_inputs?.map((input) => input.dataset.name)).toEqual(['d']);
    expect((await backing.getExperiment(ids.experiment)).name).toBe('/Shared/table-2');
    expect(run.outputs).toEqual({ model_outputs: [{ model_id: ids.model, step: 3 }] });
    await expect(backing.getLoggedModel(ids.model)).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
  });
});

describe('HttpClient prefixes', () => {
  it('calls an endpoint below the prefix it is given, and below /api/2.0/mlflow/ by default', async () => {
    const stub = await startStubServer();
    const client = new HttpClient(
      resolveRestConfig(parseTrackingUri(stub.url) as RemoteTrackingTarget, { env: {}, maxRetries: 0 }),
    );
    await client.call({
      method: 'GET',
      prefix: '/api/3.0/mlflow/',
      endpoint: 'traces/get',
      params: {},
      idempotent: true,
    });
    await client.call({ method: 'GET', endpoint: 'experiments/get', params: {}, idempotent: true });
    expect(stub.requests.map((r) => r.path)).toEqual([
      '/api/3.0/mlflow/traces/get',
      '/api/2.0/mlflow/experiments/get',
    ]);
    client.close();
    await stub.stop();
  });
});

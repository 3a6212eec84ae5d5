import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, parseUsers } from '../auth/index.js';
import { fillPath, MLFLOW_API_2 } from '../protocol/endpoint.js';
import { TRACKING_ENDPOINTS } from '../protocol/tracking-api.js';
import { emptyResponse, trackingEndpoint } from '../protocol/tracking-endpoint.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { workspaceAccessControl } from './access-control.js';
import { createApp } from './create-app.js';

const OTHER = '/Users/other/';

let dir: { path: string; remove: () => void };
let store: TrackingStore;
let app: FastifyInstance;
let experimentId: string;
let runId: string;
let modelId: string;

beforeAll(async () => {
  dir = tempDir('agentrack-access-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  const users = parseUsers(
    JSON.stringify({ users: [{ user: 'me', token_sha256: hashToken('my-token') }] }),
    'users.json',
  );
  app = createApp({ store, logger: false, ...workspaceAccessControl(store, users) });
  experimentId = await store.createExperiment({ name: `${OTHER}theirs`, tags: [{ key: 'k', value: 'v' }] });
  const run = await store.createRun({ experimentId, tags: [{ key: 'k', value: 'v' }] });
  runId = run.info.run_id;
  await store.logMetric(runId, { key: 'm', value: 1, timestamp: 1, step: 0 });
  await store.logParam(runId, { key: 'p', value: 'v' });
  modelId = (await store.createLoggedModel({ experimentId, tags: [{ key: 'k', value: 'v' }] })).info.model_id;
});
afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

/**
 * One set of parameters that every write endpoint reads successfully and that points each at
 * the other user's experiment or run. A new write endpoint whose parameters are not here is
 * answered 400 and fails the test below until they are added.
 */
function writeParams(): Record<string, unknown> {
  return {
    experiment_id: experimentId,
    run_id: runId,
    name: `${OTHER}new`,
    new_name: `${OTHER}renamed`,
    key: 'k',
    value: '2',
    timestamp: 2,
    step: 1,
    status: 'FINISHED',
    end_time: 3,
    metrics: [{ key: 'm2', value: 1, timestamp: 1 }],
    params: [{ key: 'p2', value: 'v' }],
    tags: [{ key: 't2', value: 'v' }],
    datasets: [{ dataset: { name: 'd', digest: 'x', source_type: 'local', source: 's' } }],
    models: [{ model_id: modelId, step: 0 }],
  };
}

/** The URL of `endpoint` under `prefix`, its path parameters naming the other user's logged model. */
function urlOf(prefix: string, endpoint: { path: string }): string {
  return prefix + fillPath(endpoint.path, { model_id: modelId, tag_key: 'k' });
}

/** Everything a write could change. */
async function snapshot(): Promise<unknown> {
  return {
    experiments: await store.searchExperiments({ viewType: 'ALL' }),
    run: await store.getRun(runId),
    runs: await store.searchRuns({ experimentIds: [experimentId], runViewType: 'ALL' }),
    history: await store.getMetricHistory(runId, 'm'),
    model: await store.getLoggedModel(modelId),
  };
}

describe('access control from the protocol table', () => {
  it('gives every endpoint an access rule', () => {
    expect(TRACKING_ENDPOINTS.length).toBeGreaterThan(0);
    for (const endpoint of TRACKING_ENDPOINTS) {
      expect([endpoint.path, typeof endpoint.access]).toEqual([endpoint.path, 'function']);
    }
  });

  it('makes an endpoint without an access rule a type error', () => {
    const declare = () =>
      // @ts-expect-error -- `access` is required: an endpoint cannot be declared unprotected.
      trackingEndpoint('deleteRun', {
        method: 'POST',
        path: 'runs/delete',
        prefixes: MLFLOW_API_2,
        write: true,
        idempotent: true,
        request: { kind: 'params', encode: ([id]) => ({ run_id: id }), decode: (p) => [p.runId()] },
        response: emptyResponse(),
      });
    expect(declare).toBeTypeOf('function');
  });

  const writes = TRACKING_ENDPOINTS.filter((endpoint) => endpoint.write);
  it.each(
    writes.flatMap((e) => e.prefixes.map((prefix) => [`${e.method} ${prefix}${e.path}`, prefix, e] as const)),
  )(
    "refuses a write to another user's experiment with 403 before the store is called: %s",
    async (_label, prefix, endpoint) => {
      const before = await snapshot();
      const res = await app.inject({
        method: endpoint.method,
        url: urlOf(prefix, endpoint),
        payload: JSON.stringify(writeParams()),
        headers: { 'content-type': 'application/json', authorization: 'Bearer my-token' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error_code: 'PERMISSION_DENIED' });
      expect(res.json<{ message: string }>().message).toContain(
        `User 'me' cannot write to the experiment '${OTHER}`,
      );
      expect(await snapshot()).toEqual(before);
    },
  );

  // An endpoint marked as a read is authorized as one: it must not change anything.
  const reads = TRACKING_ENDPOINTS.filter((endpoint) => !endpoint.write);
  it.each(reads.map((e) => [e.path, e] as const))(
    'changes nothing on a read: %s',
    async (_path, endpoint) => {
      const before = await snapshot();
      const url = urlOf(endpoint.prefixes[0], endpoint);
      const headers = { 'content-type': 'application/json', authorization: 'Bearer my-token' };
      const res =
        endpoint.method === 'GET'
          ? await app.inject({
              method: 'GET',
              url,
              headers,
              query: {
                experiment_id: experimentId,
                run_id: runId,
                run_ids: runId,
                experiment_name: `${OTHER}theirs`,
                metric_key: 'm',
              },
            })
          : await app.inject({
              method: 'POST',
              url,
              headers,
              payload: JSON.stringify({ experiment_ids: [experimentId] }),
            });
      expect(res.statusCode).toBe(200);
      expect(await snapshot()).toEqual(before);
    },
  );

  it('lets the same requests through for the owner of a /Users/me/ experiment', async () => {
    const mine = await store.createExperiment({ name: '/Users/me/mine' });
    const myRun = (await store.createRun({ experimentId: mine })).info.run_id;
    const res = await app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/runs/log-batch',
      payload: JSON.stringify({ ...writeParams(), run_id: myRun }),
      headers: { 'content-type': 'application/json', authorization: 'Bearer my-token' },
    });
    expect(res.statusCode).toBe(200);
  });
});

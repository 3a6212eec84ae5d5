import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fillPath, pathParams, servedMethods, HTTP_METHODS } from '../../protocol/endpoint.js';
import { TRACKING_ENDPOINTS } from '../../protocol/tracking-api.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import { tempDir } from '../../testing/temp-dir.js';
import { trackingApi } from './tracking-api.js';

let dir: { path: string; remove: () => void };
let store: TrackingStore;
let app: FastifyInstance;

// A bare Fastify app: nothing of createApp but the tracking plugin, and a plugin of its own next
// to it that relies on Fastify's defaults.
beforeAll(async () => {
  dir = tempDir('agentrack-plugin-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  app = Fastify({ logger: false });
  app.register(trackingApi, { store });
  app.register(async (other) => {
    other.post('/other/echo', async (request) => ({ body: request.body as unknown }));
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

const post = (url: string, payload: string) =>
  app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });

describe('the tracking API plugin, mounted alone', () => {
  it('serves the tracking API under both prefixes, with MLflow errors', async () => {
    const created = await post('/api/2.0/mlflow/experiments/create', '{"name": "/Shared/alone"}');
    expect(created.statusCode).toBe(200);
    const id = created.json<{ experiment_id: string }>().experiment_id;
    const got = await app.inject({
      method: 'GET',
      url: `/ajax-api/2.0/mlflow/experiments/get?experiment_id=${id}`,
    });
    expect(got.json()).toMatchObject({ experiment: { experiment_id: id, name: '/Shared/alone' } });
    const run = await post('/api/2.0/mlflow/runs/create', JSON.stringify({ experiment_id: id }));
    const runId = run.json<{ run: { info: { run_id: string } } }>().run.info.run_id;
    const logged = await post(
      '/api/2.0/mlflow/runs/log-metric',
      `{"run_id": "${runId}", "key": "m", "value": NaN, "timestamp": 1}`,
    );
    expect(logged.statusCode).toBe(200);
    expect((await store.getRun(runId)).data.metrics?.[0]?.value).toBeNaN();

    const missing = await post('/api/2.0/mlflow/experiments/create', '{}');
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        "Missing value for required parameter 'name'. See the API docs for more information about request parameters.",
    });
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/experiments/create',
      payload: 'name=x',
      headers: { 'content-type': 'text/plain' },
    });
    expect(notJson.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
  });

  it("reads bodies over Fastify's default limit of 1 MiB, as a log-batch within MLflow's limits needs", async () => {
    const id = await store.createExperiment({ name: '/Shared/alone-large' });
    const runId = (await store.createRun({ experimentId: id })).info.run_id;
    // 100 params of 6000 characters (MLflow's limits), each character sent as a JSON escape.
    const value = '\\u00e9'.repeat(6000);
    const params = Array.from({ length: 100 }, (_, i) => `{"key": "p${i}", "value": "${value}"}`);
    const payload = `{"run_id": "${runId}", "params": [${params.join(', ')}]}`;
    expect(Buffer.byteLength(payload)).toBeGreaterThan(1024 * 1024);
    const res = await post('/api/2.0/mlflow/runs/log-batch', payload);
    expect(res.statusCode).toBe(200);
    expect((await store.getRun(runId)).data.params).toHaveLength(100);
  });

  it("keeps its body parsing to itself: a plugin beside it still gets Fastify's JSON parser", async () => {
    const res = await post('/other/echo', '{"a": [1]}');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ body: { a: [1] } });
  });

  it('mounts every endpoint of the table under each of its prefixes, with exactly its methods', () => {
    for (const endpoint of TRACKING_ENDPOINTS.filter((e) => pathParams(e.path).length === 0)) {
      const served = servedMethods(endpoint);
      for (const prefix of endpoint.prefixes) {
        for (const method of HTTP_METHODS) {
          const url = prefix + endpoint.path;
          expect([method, url, app.hasRoute({ method, url })]).toEqual([
            method,
            url,
            served.includes(method),
          ]);
        }
      }
    }
  });

  it('serves the endpoints with path parameters with their methods, and answers the others 405', async () => {
    const paths = new Map<string, Set<string>>();
    for (const endpoint of TRACKING_ENDPOINTS.filter((e) => pathParams(e.path).length > 0)) {
      const methods = paths.get(endpoint.path) ?? new Set<string>();
      for (const method of servedMethods(endpoint)) methods.add(method);
      paths.set(endpoint.path, methods);
    }
    expect([...paths.keys()].sort()).toEqual([
      'logged-models/<model_id>',
      'logged-models/<model_id>/params',
      'logged-models/<model_id>/tags',
      'logged-models/<model_id>/tags/<tag_key>',
    ]);
    for (const [path, methods] of paths) {
      const url = `/api/2.0/mlflow/${fillPath(path, { model_id: 'm-1', tag_key: 'k' })}`;
      for (const method of HTTP_METHODS) {
        const res = await app.inject({
          method,
          url,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify({ status: 'LOGGED_MODEL_READY', tags: [], params: [] }),
        });
        if (methods.has(method)) {
          // Served: the store answers (the model does not exist), no routing error.
          expect([method, url, res.json<{ error_code: string }>().error_code]).toEqual([
            method,
            url,
            'RESOURCE_DOES_NOT_EXIST',
          ]);
        } else {
          expect([method, url, res.statusCode]).toEqual([method, url, 405]);
        }
      }
    }
  });
});

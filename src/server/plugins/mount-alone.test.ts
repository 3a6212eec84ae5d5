import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { outOfScopeApi } from './out-of-scope-api.js';
import { probes } from './probes.js';
import { unmatchedRoutes } from './unmatched-routes.js';

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function mount(...plugins: FastifyPluginAsync[]): Promise<FastifyInstance> {
  app = Fastify({ logger: false });
  for (const plugin of plugins) app.register(plugin);
  await app.ready();
  return app;
}

describe('plugins mounted on an app of their own', () => {
  it('probes: GET /health and /version, as text', async () => {
    const alone = await mount(probes);
    const health = await alone.inject({ method: 'GET', url: '/health' });
    expect([health.statusCode, health.body, health.headers['content-type']]).toEqual([
      200,
      'OK',
      'text/plain; charset=utf-8',
    ]);
    expect((await alone.inject({ method: 'GET', url: '/version' })).body).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('out-of-scope areas: 501 naming the area, whatever the body; other API paths fall through', async () => {
    const alone = await mount(outOfScopeApi);
    const res = await alone.inject({
      method: 'POST',
      url: '/api/2.0/mlflow/webhooks',
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toMatchObject({ error_code: 'NOT_IMPLEMENTED' });
    expect(res.json<{ message: string }>().message).toContain("MLflow's webhooks API");
    // Without the unmatched-routes plugin, Fastify's own 404 answers.
    expect((await alone.inject({ method: 'GET', url: '/api/2.0/mlflow/runs/nope' })).statusCode).toBe(404);
  });

  it('unmatched routes: 405 for a path another plugin serves, 404 in JSON otherwise, without reading the body', async () => {
    const alone = await mount(probes, unmatchedRoutes);
    const wrongMethod = await alone.inject({ method: 'DELETE', url: '/health' });
    expect(wrongMethod.statusCode).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET, HEAD');
    const unknown = await alone.inject({
      method: 'POST',
      url: '/nowhere?x=1',
      payload: '{not json',
      headers: { 'content-type': 'application/json' },
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: 'No API endpoint POST /nowhere.',
    });
  });

  it('out-of-scope areas and unmatched routes together: a known API path with another method is 405', async () => {
    const together = await mount(outOfScopeApi, unmatchedRoutes, async (tracking) => {
      tracking.get('/api/2.0/mlflow/experiments/get', async () => ({}));
    });
    const res = await together.inject({ method: 'POST', url: '/api/2.0/mlflow/experiments/get' });
    expect([res.statusCode, res.headers.allow]).toEqual([405, 'GET, HEAD']);
    const pattern = await together.inject({ method: 'GET', url: '/api/*' });
    expect(pattern.statusCode).toBe(404);
  });
});

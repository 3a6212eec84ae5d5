import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentrackError } from '../errors.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { tempDir } from '../testing/temp-dir.js';
import type { AccessRequest } from './access.js';
import { createApp } from './create-app.js';
import { INTERNAL_ERROR_MESSAGE } from './errors.js';
import { fillPath, servedMethods, TRACKING_ENDPOINTS, type HttpMethod } from '../protocol/index.js';
import { MAX_REQUEST_BODY_BYTES } from './wire/json-body.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
const API = '/api/2.0/mlflow/';

let dir: { path: string; remove: () => void };
let store: TrackingStore;
let app: FastifyInstance;

beforeAll(async () => {
  dir = tempDir('agentrack-app-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  app = createApp({ store, logger: false });
});
afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

function postJson(url: string, payload: string, contentType = 'application/json'): InjectOptions {
  return { method: 'POST', url, payload, headers: { 'content-type': contentType } };
}

describe('routing', () => {
  it('serves the API under /api/2.0/mlflow/ and /ajax-api/2.0/mlflow/', async () => {
    for (const prefix of ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/']) {
      const res = await app.inject({ method: 'GET', url: `${prefix}experiments/get?experiment_id=0` });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toMatchObject({ experiment: { experiment_id: '0', name: 'Default' } });
    }
  });

  it('answers GET /health with OK and GET /version with the package version, as text', async () => {
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect([health.statusCode, health.body]).toEqual([200, 'OK']);
    expect(health.headers['content-type']).toMatch(/^text\/plain/);
    const ver = await app.inject({ method: 'GET', url: '/version' });
    expect([ver.statusCode, ver.body]).toEqual([200, version]);
  });

  it('answers HEAD on GET endpoints', async () => {
    const res = await app.inject({ method: 'HEAD', url: `${API}experiments/get?experiment_id=0` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('');
  });

  it.each([
    ['GET', `${API}experiments/nope`],
    ['POST', `${API}nope`],
    ['GET', '/nothing-here'],
    ['GET', '/api/2.0/mlflow/experiments/create/'],
    ['GET', '/api/3.0/mlflow/experiments/get'],
    // MLflow serves these to its web UI alone, under /ajax-api/.
    ['GET', `${API}metrics/get-history-bulk`],
    ['POST', `${API}experiments/search-datasets`],
  ] as const)('answers %s %s with 404 ENDPOINT_NOT_FOUND in JSON', async (method, url) => {
    const res = await app.inject({ method, url });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No API endpoint ${method} ${url}.`,
    });
  });

  it("answers GET / with the web UI's page (built by the test setup), under a content security policy", async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.body).toContain('<div id="root">');
  });

  it.each([
    ['POST', `${API}experiments/get`, 'GET, HEAD'],
    ['GET', `${API}runs/create`, 'POST'],
    ['DELETE', `${API}experiments/search`, 'GET, POST, HEAD'],
    ['PUT', '/ajax-api/2.0/mlflow/runs/log-batch', 'POST'],
    ['POST', '/health', 'GET, HEAD'],
    // Served endpoints of areas otherwise outside the tracking API.
    ['PUT', `${API}logged-models/search`, 'POST'],
    ['PUT', `${API}logged-models/m-0123`, 'GET, PATCH, DELETE, HEAD'],
    ['GET', `${API}logged-models/m-0123/tags`, 'PATCH'],
    ['GET', `${API}logged-models`, 'POST'],
    ['POST', '/ajax-api/2.0/mlflow/metrics/get-history-bulk', 'GET, HEAD'],
  ] as const)('answers %s %s with 405 and the methods it accepts', async (method, url, allowed) => {
    const res = await app.inject({
      method,
      url,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(res.statusCode).toBe(405);
    expect(res.headers.allow).toBe(allowed);
    expect(res.json()).toEqual({
      error_code: 'BAD_REQUEST',
      message: `Method ${method} is not allowed for ${url}; it accepts ${allowed}.`,
    });
  });

  it.each([
    ['GET', `${API}databricks/registered-models/get`, 'Databricks-only model registry'],
    ['GET', '/api/2.0/mlflow/unified-traces', 'online tracing'],
    ['POST', `${API}runs/log-model`, 'legacy model logging'],
    ['POST', '/ajax-api/2.0/mlflow/runs/create-promptlab-run', 'prompt lab'],
    ['POST', '/ajax-api/2.0/mlflow/gateway-proxy', 'AI gateway'],
    ['GET', '/graphql', 'GraphQL'],
    ['POST', '/graphql', 'GraphQL'],
  ] as const)('answers %s %s, outside the tracking API, with 501 naming it', async (method, url, area) => {
    const res = await app.inject({ method, url });
    expect(res.statusCode).toBe(501);
    expect(res.json()).toEqual({
      error_code: 'NOT_IMPLEMENTED',
      message:
        `${method} ${url} is part of MLflow's ${area} API, which agentrack does not implement: ` +
        'agentrack serves the tracking API (experiments, runs, metrics, traces) and the model registry.',
    });
  });
});

describe('request bodies', () => {
  it('refuses malformed JSON with 400 INVALID_PARAMETER_VALUE', async () => {
    const res = await app.inject(postJson(`${API}experiments/create`, '{"name": '));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(res.json<{ message: string }>().message).toMatch(/^Malformed JSON in request body: /);
  });

  it('refuses a JSON body that is not an object', async () => {
    const res = await app.inject(postJson(`${API}runs/search`, '[1, 2]'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Malformed request body: expected a JSON object, got an array.',
    });
  });

  it('refuses a body that is not JSON, as MLflow', async () => {
    const res = await app.inject(
      postJson(`${API}experiments/create`, 'name=x', 'application/x-www-form-urlencoded'),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        "Bad Request. Content-Type must be one of [application/json]. Got 'application/x-www-form-urlencoded'.",
    });
    const untyped = await app.inject({ method: 'POST', url: `${API}experiments/create`, payload: '{}' });
    expect(untyped.statusCode).toBe(400);
    expect(untyped.json<{ message: string }>().message).toBe(
      'Bad Request. Content-Type must be one of [application/json].',
    );
  });

  it('reads an empty body as `{}` and a double-encoded body as old clients send it', async () => {
    const empty = await app.inject(postJson(`${API}experiments/search`, ''));
    expect(empty.statusCode).toBe(200);
    const doubled = await app.inject(
      postJson(`${API}experiments/create`, JSON.stringify(JSON.stringify({ name: '/Shared/app/double' }))),
    );
    expect(doubled.statusCode).toBe(200);
    expect(doubled.json()).toHaveProperty('experiment_id');
  });

  it('refuses a body over the limit with 400, not 413 or 500', async () => {
    const payload = JSON.stringify({ name: 'x'.repeat(MAX_REQUEST_BODY_BYTES) });
    const res = await app.inject(postJson(`${API}experiments/create`, payload));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `The request body is larger than the server's limit of ${MAX_REQUEST_BODY_BYTES} bytes.`,
    });
  });

  it.each([`${API}experiments/get%zz?experiment_id=0`, `${API}runs%2`])(
    'answers a path that does not decode (%s) with 400 BAD_REQUEST in JSON',
    async (url) => {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({
        error_code: 'BAD_REQUEST',
        message: `'${url}' is not a valid url component`,
      });
    },
  );

  it('ignores the query string of a POST, as MLflow', async () => {
    const res = await app.inject(postJson(`${API}experiments/search?max_results=abc`, '{"max_results": 1}'));
    expect(res.statusCode).toBe(200);
    expect(res.json<{ experiments: unknown[] }>().experiments).toHaveLength(1);
  });
});

describe('errors', () => {
  it("maps the store's INVALID_STATE to 500 with its message, as MLflow", async () => {
    const id = await store.createExperiment({ name: '/Shared/app/state' });
    await store.deleteExperiment(id);
    const res = await app.inject(
      postJson(`${API}experiments/update`, JSON.stringify({ experiment_id: id, new_name: '/Shared/app/x' })),
    );
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({
      error_code: 'INVALID_STATE',
      message: 'Cannot rename a non-active experiment.',
    });
  });

  it('answers an unexpected error with a generic 500 and logs it with its stack', async () => {
    const lines: string[] = [];
    const failing = {
      kind: 'sqlite',
      getExperiment: async () => {
        throw new Error('disk on fire at /secret/path');
      },
    } as unknown as TrackingStore;
    const broken = createApp({
      store: failing,
      logger: { level: 'error', stream: { write: (line: string) => void lines.push(line) } },
    });
    try {
      const res = await broken.inject({ method: 'GET', url: `${API}experiments/get?experiment_id=1` });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error_code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE });
      expect(res.body).not.toContain('secret');
      const logged = lines.map((line) => JSON.parse(line) as { msg: string; err?: { stack?: string } });
      expect(logged).toHaveLength(1);
      expect(logged[0]?.msg).toBe('GET /api/2.0/mlflow/experiments/get failed');
      expect(logged[0]?.err?.stack).toContain('disk on fire at /secret/path');
    } finally {
      await broken.close();
    }
  });
});

describe('authentication and authorization hooks', () => {
  const calls: AccessRequest[] = [];
  let guarded: FastifyInstance;

  beforeAll(() => {
    guarded = createApp({
      store,
      logger: false,
      authenticate: async (request) => {
        const header = request.headers.authorization;
        if (header === 'Bearer alice-token') return { user: 'alice' };
        if (header === 'Bearer bob-token') return { user: 'bob' };
        return undefined;
      },
      authorize: async (access) => {
        calls.push(access);
        const name = access.experimentName ?? access.newExperimentName;
        if (
          access.write &&
          name?.startsWith('/Users/') &&
          !name.startsWith(`/Users/${access.principal?.user}/`)
        ) {
          throw new AgentrackError(
            'PERMISSION_DENIED',
            `${access.principal?.user} may not write to ${name}.`,
          );
        }
      },
    });
  });
  afterAll(async () => {
    await guarded.close();
  });

  const as = (user: 'alice' | 'bob', options: InjectOptions): InjectOptions => ({
    ...options,
    headers: { ...options.headers, authorization: `Bearer ${user}-token` },
  });

  it('answers 401 UNAUTHENTICATED without valid credentials, before anything else', async () => {
    for (const [method, url] of [
      ['GET', `${API}experiments/get?experiment_id=0`],
      ['POST', `${API}experiments/create`],
      ['GET', `${API}no-such-endpoint`],
    ] as const) {
      const res = await guarded.inject({ method, url, headers: { authorization: 'Bearer wrong' } });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic realm="agentrack"');
      expect(res.json()).toMatchObject({ error_code: 'UNAUTHENTICATED' });
    }
  });

  it('leaves /health and /version open', async () => {
    expect((await guarded.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    expect((await guarded.inject({ method: 'GET', url: '/version' })).statusCode).toBe(200);
  });

  it('answers 403 when the authorization hook refuses, before the store is called', async () => {
    const denied = await guarded.inject(
      as('bob', postJson(`${API}experiments/create`, JSON.stringify({ name: '/Users/alice/private' }))),
    );
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toEqual({
      error_code: 'PERMISSION_DENIED',
      message: 'bob may not write to /Users/alice/private.',
    });
    expect(await store.getExperimentByName('/Users/alice/private')).toBeNull();
    const allowed = await guarded.inject(
      as('alice', postJson(`${API}experiments/create`, JSON.stringify({ name: '/Users/alice/private' }))),
    );
    expect(allowed.statusCode).toBe(200);
  });

  it('does not call the hook for a request whose parameters are invalid', async () => {
    const before = calls.length;
    const res = await guarded.inject(as('alice', postJson(`${API}experiments/create`, '{}')));
    expect(res.statusCode).toBe(400);
    expect(calls.length).toBe(before);
  });

  it('calls the hook exactly once per request of every endpoint, with its target', async () => {
    const experimentId = await store.createExperiment({ name: '/Shared/app/authz' });
    const { info } = await store.createRun({ experimentId });
    const runId = info.run_id;
    const modelId = (await store.createLoggedModel({ experimentId })).info.model_id;
    const other = (await store.createLoggedModel({ experimentId })).info.model_id;
    await store.setLoggedModelTags(modelId, [{ key: 'k', value: 'v' }]);
    const requests: [
      string,
      'GET' | 'POST' | 'PATCH' | 'DELETE',
      Record<string, unknown>,
      Partial<AccessRequest>,
    ][] = [
      [
        'experiments/create',
        'POST',
        { name: '/Shared/app/authz-2' },
        { experimentName: '/Shared/app/authz-2' },
      ],
      ['experiments/get', 'GET', { experiment_id: experimentId }, { experimentId }],
      ['experiments/get-by-name', 'GET', { experiment_name: 'Default' }, { experimentName: 'Default' }],
      ['experiments/search', 'GET', {}, {}],
      [
        'experiments/update',
        'POST',
        { experiment_id: experimentId, new_name: '/Shared/app/authz-3' },
        { experimentId, newExperimentName: '/Shared/app/authz-3' },
      ],
      [
        'experiments/set-experiment-tag',
        'POST',
        { experiment_id: experimentId, key: 'k', value: 'v' },
        { experimentId },
      ],
      [
        'experiments/delete-experiment-tag',
        'POST',
        { experiment_id: experimentId, key: 'k' },
        { experimentId },
      ],
      ['runs/create', 'POST', { experiment_id: experimentId }, { experimentId }],
      ['runs/get', 'GET', { run_id: runId }, { runId }],
      ['runs/update', 'POST', { run_id: runId, status: 'RUNNING' }, { runId }],
      ['runs/search', 'POST', { experiment_ids: [experimentId] }, { experimentIds: [experimentId] }],
      [
        'runs/log-metric',
        'POST',
        { run_id: runId, key: 'm', value: 1, timestamp: 1, model_id: modelId },
        { runId, modelIds: [modelId] },
      ],
      ['runs/log-parameter', 'POST', { run_id: runId, key: 'p', value: 'v' }, { runId }],
      ['runs/set-tag', 'POST', { run_id: runId, key: 't', value: 'v' }, { runId }],
      ['runs/delete-tag', 'POST', { run_id: runId, key: 't' }, { runId }],
      ['runs/log-batch', 'POST', { run_id: runId, params: [{ key: 'q', value: 'v' }] }, { runId }],
      ['runs/log-inputs', 'POST', { run_id: runId }, { runId }],
      ['metrics/get-history', 'GET', { run_id: runId, metric_key: 'm' }, { runId }],
      [
        'metrics/get-history-bulk',
        'GET',
        { run_id: [runId, runId], metric_key: 'm' },
        { runIds: [runId, runId] },
      ],
      ['metrics/get-history-bulk-interval', 'GET', { run_ids: runId, metric_key: 'm' }, { runIds: [runId] }],
      [
        'experiments/search-datasets',
        'POST',
        { experiment_ids: [experimentId] },
        { experimentIds: [experimentId] },
      ],
      ['logged-models/search', 'POST', { experiment_ids: [experimentId] }, { experimentIds: [experimentId] }],
      ['logged-models', 'POST', { experiment_id: experimentId }, { experimentId }],
      ['logged-models/<model_id>', 'GET', {}, { modelId }],
      ['logged-models/<model_id>', 'PATCH', { status: 'LOGGED_MODEL_READY' }, { modelId }],
      ['logged-models/<model_id>/tags', 'PATCH', { tags: [{ key: 'k2', value: 'v' }] }, { modelId }],
      ['logged-models/<model_id>/tags/<tag_key>', 'DELETE', {}, { modelId }],
      ['logged-models/<model_id>/params', 'POST', { params: [{ key: 'p', value: 'v' }] }, { modelId }],
      ['logged-models/<model_id>', 'DELETE', { model_id: other }, { modelId: other }],
      ['runs/outputs', 'POST', { run_id: runId, models: [{ model_id: modelId, step: 0 }] }, { runId }],
      ['runs/delete', 'POST', { run_id: runId }, { runId }],
      ['runs/restore', 'POST', { run_id: runId }, { runId }],
      ['experiments/delete', 'POST', { experiment_id: experimentId }, { experimentId }],
      ['experiments/restore', 'POST', { experiment_id: experimentId }, { experimentId }],
    ];
    const endpointOf = (path: string, method: string) =>
      TRACKING_ENDPOINTS.find((e) => e.path === path && servedMethods(e).includes(method as HttpMethod));
    expect(new Set(requests.map(([path, method]) => endpointOf(path, method)))).toEqual(
      new Set(TRACKING_ENDPOINTS),
    );
    for (const [path, method, params, target] of requests) {
      const before = calls.length;
      const endpoint = endpointOf(path, method);
      const filled = fillPath(path, { model_id: target.modelId ?? modelId, tag_key: 'k' });
      const url = (endpoint?.prefixes[0] ?? API) + filled;
      const res =
        method === 'GET'
          ? await guarded.inject(as('alice', { method, url, query: params as Record<string, string> }))
          : await guarded.inject(as('alice', { ...postJson(url, JSON.stringify(params)), method }));
      expect([method, path, res.statusCode]).toEqual([method, path, 200]);
      expect(calls.length - before).toBe(1);
      expect(calls.at(-1)).toMatchObject({
        ...target,
        endpoint: path,
        write: endpoint?.write,
        principal: { user: 'alice' },
      });
    }
  });
});

describe('runs/search order_by attributes.duration (an agentrack extension)', () => {
  it('orders by end_time - start_time over keyset pages, the run without an end last', async () => {
    const experimentId = await store.createExperiment({ name: 'by-duration' });
    const make = async (name: string, start: number, end?: number) => {
      const run = await store.createRun({ experimentId, runName: name, startTime: start });
      if (end !== undefined) await store.updateRun(run.info.run_id, { status: 'FINISHED', endTime: end });
    };
    await make('slow', 1_000, 9_000);
    await make('running', 2_000);
    await make('quick', 3_000, 3_500);
    await make('medium', 4_000, 6_000);
    const names: string[] = [];
    let pageToken: string | undefined;
    do {
      const res = await app.inject(
        postJson(
          `${API}runs/search`,
          JSON.stringify({
            experiment_ids: [experimentId],
            order_by: ['attributes.duration DESC'],
            max_results: 1,
            ...(pageToken ? { page_token: pageToken } : {}),
          }),
        ),
      );
      expect(res.statusCode).toBe(200);
      const body = res.json<{ runs?: { info: { run_name: string } }[]; next_page_token?: string }>();
      names.push(...(body.runs ?? []).map((run) => run.info.run_name));
      pageToken = body.next_page_token;
    } while (pageToken);
    expect(names).toEqual(['slow', 'medium', 'quick', 'running']);
  });

  it('refuses an unknown attribute with 400 INVALID_PARAMETER_VALUE naming the valid keys', async () => {
    const res = await app.inject(
      postJson(
        `${API}runs/search`,
        JSON.stringify({ experiment_ids: ['0'], order_by: ['attributes.length'] }),
      ),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        "Invalid attribute key 'length' specified. Valid keys are '['Created', 'artifact_uri', 'created', " +
        "'duration', 'end_time', 'run_id', 'run_name', 'start_time', 'status', 'user_id']' " +
        '(at position 0 of order_by[0])',
    });
  });
});

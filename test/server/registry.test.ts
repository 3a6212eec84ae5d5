import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../../src/artifacts/index.js';
import { hashToken, parseUsers } from '../../src/auth/index.js';
import { createApp, workspaceAccessControl } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';

// The model registry over HTTP: the protocol table's codecs, the store's errors with MLflow's
// codes and statuses, the web UI's download, access control and the server's modes.

const API = '/api/2.0/mlflow/';
const DOCS = ' See the API docs for more information about request parameters.';

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** An app over a fresh SQLite file with a local artifact destination. */
async function openApp(options: Partial<Parameters<typeof createApp>[0]> = {}) {
  const dir = tempDir('agentrack-registry-');
  const store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  const destination = join(dir.path, 'mlartifacts');
  const app = createApp({
    store,
    logger: false,
    artifactDestination: new LocalArtifactRepository(destination),
    ...options,
  });
  const call = async (options: InjectOptions): Promise<Answer> => {
    const res = await app.inject(options);
    return {
      status: res.statusCode,
      headers: res.headers,
      body: res.body,
      json: <T>() => JSON.parse(res.body) as T,
    };
  };
  return {
    dir,
    store,
    app,
    destination,
    call,
    /** A call with a JSON body (POST, PATCH, DELETE), or the query string of a GET. */
    send: (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, params: Record<string, unknown> = {}) =>
      call(
        method === 'GET'
          ? { method, url: API + path, query: params as Record<string, string> }
          : {
              method,
              url: API + path,
              headers: { 'content-type': 'application/json' },
              payload: JSON.stringify(params),
            },
      ),
    close: async () => {
      await app.close();
      await store.close();
      dir.remove();
    },
  };
}

describe('the model registry over HTTP', () => {
  let server: Awaited<ReturnType<typeof openApp>>;
  beforeEach(async () => {
    server = await openApp();
  });
  afterEach(async () => {
    await server.close();
  });

  it('serves the registry under both prefixes, with MLflow’s methods and bodies', async () => {
    const created = await server.send('POST', 'registered-models/create', {
      name: 'agent',
      tags: [{ key: 'team', value: 'sre' }],
      description: 'scratch',
    });
    expect(created.status).toBe(200);
    expect(created.json()).toEqual({
      registered_model: expect.objectContaining({
        name: 'agent',
        description: 'scratch',
        tags: [{ key: 'team', value: 'sre' }],
      }),
    });
    const viaUi = await server.call({
      method: 'GET',
      url: '/ajax-api/2.0/mlflow/registered-models/get?name=agent',
    });
    expect(viaUi.json<{ registered_model: { name: string } }>().registered_model.name).toBe('agent');

    // PATCH and DELETE carry JSON bodies, read whatever their content type says, as MLflow reads them.
    const updated = await server.call({
      method: 'PATCH',
      url: `${API}registered-models/update`,
      payload: JSON.stringify({ name: 'agent', description: 'flags hosts' }),
    });
    expect(updated.json<{ registered_model: { description: string } }>().registered_model.description).toBe(
      'flags hosts',
    );
    const version = await server.send('POST', 'model-versions/create', {
      name: 'agent',
      source: 'mlflow-artifacts:/1/models/m-1/artifacts',
    });
    expect(version.json()).toEqual({
      model_version: expect.objectContaining({
        name: 'agent',
        version: '1',
        status: 'READY',
        current_stage: 'None',
      }),
    });
    expect(
      (
        await server.send('POST', 'registered-models/alias', { name: 'agent', alias: 'prod', version: '1' })
      ).json(),
    ).toEqual({});
    const byAlias = await server.send('GET', 'registered-models/alias', { name: 'agent', alias: 'prod' });
    expect(byAlias.json()).toEqual({
      model_version: expect.objectContaining({ version: '1', aliases: ['prod'] }),
    });
    const uri = await server.send('GET', 'model-versions/get-download-uri', { name: 'agent', version: '1' });
    expect(uri.json()).toEqual({ artifact_uri: 'mlflow-artifacts:/1/models/m-1/artifacts' });
    expect(
      (
        await server.call({
          method: 'DELETE',
          url: `${API}registered-models/alias`,
          payload: '{"name": "agent", "alias": "prod"}',
        })
      ).status,
    ).toBe(200);
    const removed = await server.call({
      method: 'DELETE',
      url: `${API}registered-models/delete`,
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'agent' }),
    });
    expect([removed.status, removed.json()]).toEqual([200, {}]);
    expect((await server.send('GET', 'registered-models/get', { name: 'agent' })).status).toBe(404);
  });

  it.each([
    ['GET', 'registered-models/get', {}, "Missing value for required parameter 'name'."],
    ['POST', 'registered-models/create', {}, "Missing value for required parameter 'name'."],
    ['POST', 'registered-models/rename', { name: 'a' }, "Missing value for required parameter 'new_name'."],
    ['PATCH', 'registered-models/update', {}, "Missing value for required parameter 'name'."],
    ['DELETE', 'registered-models/delete', {}, "Missing value for required parameter 'name'."],
    ['DELETE', 'registered-models/delete-tag', { name: 'a' }, "Missing value for required parameter 'key'."],
    ['POST', 'model-versions/create', { name: 'a' }, "Missing value for required parameter 'source'."],
    ['GET', 'model-versions/get', { name: 'a' }, "Missing value for required parameter 'version'."],
    [
      'PATCH',
      'model-versions/update',
      { name: 'a', version: 1 },
      "Invalid value 1 for parameter 'version' supplied: Hint: Value was of type 'int'.",
    ],
    ['DELETE', 'model-versions/delete', { name: 'a' }, "Missing value for required parameter 'version'."],
    [
      'POST',
      'model-versions/transition-stage',
      { name: 'a', version: '1' },
      "Missing value for required parameter 'stage'.",
    ],
    ['GET', 'registered-models/alias', { name: 'a' }, "Missing value for required parameter 'alias'."],
    [
      'GET',
      'registered-models/search',
      { max_results: '1001' },
      `Invalid value "1001" for parameter 'max_results' supplied: Hint: Value was of type 'str'.`,
    ],
    [
      'GET',
      'model-versions/search',
      { max_results: 'many' },
      `Invalid value "many" for parameter 'max_results' supplied: Hint: Value was of type 'str'.`,
    ],
  ] as const)('refuses %s %s %j with 400 and MLflow’s message', async (method, path, params, message) => {
    const res = await server.send(method, path, params);
    expect([res.status, res.json()]).toEqual([
      400,
      { error_code: 'INVALID_PARAMETER_VALUE', message: `${message}${DOCS}` },
    ]);
  });

  it('refuses malformed JSON in a PATCH or DELETE body with 400, as in a POST', async () => {
    for (const method of ['PATCH', 'DELETE'] as const) {
      const path = method === 'PATCH' ? 'registered-models/update' : 'registered-models/delete';
      const res = await server.call({ method, url: API + path, payload: '{"name": ' });
      expect([method, res.status, res.json<{ message: string }>().message]).toEqual([
        method,
        400,
        expect.stringMatching(/^Malformed JSON in request body/),
      ]);
    }
  });

  it('answers the registry’s errors with MLflow’s codes and statuses (model-registry.jsonl)', async () => {
    await server.send('POST', 'registered-models/create', { name: 'agent' });
    const cases: Array<[string, Answer, number, string, string]> = [
      [
        'a taken name',
        await server.send('POST', 'registered-models/create', { name: 'agent' }),
        400,
        'RESOURCE_ALREADY_EXISTS',
        'already exists',
      ],
      [
        'a missing model',
        await server.send('GET', 'registered-models/get', { name: 'nope' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'not found',
      ],
      [
        'a missing version',
        await server.send('GET', 'model-versions/get', { name: 'agent', version: '99' }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'not found',
      ],
      [
        'an alias to a missing version',
        await server.send('POST', 'registered-models/alias', {
          name: 'agent',
          alias: 'challenger',
          version: '99',
        }),
        404,
        'RESOURCE_DOES_NOT_EXIST',
        'not found',
      ],
      [
        'a missing alias',
        await server.send('GET', 'registered-models/alias', { name: 'agent', alias: 'no_such_alias' }),
        400,
        'INVALID_PARAMETER_VALUE',
        'not found',
      ],
    ];
    for (const [what, res, status, code, phrase] of cases) {
      expect([what, res.status, res.json<{ error_code: string }>().error_code]).toEqual([what, status, code]);
      expect(res.json<{ message: string }>().message).toContain(phrase);
    }
  });

  it('answers 405 with the methods a registry path is served with', async () => {
    const res = await server.call({ method: 'PUT', url: `${API}registered-models/alias`, payload: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, POST, DELETE, HEAD');
    const latest = await server.call({
      method: 'DELETE',
      url: `${API}registered-models/get-latest-versions`,
    });
    expect(latest.headers.allow).toBe('GET, POST, HEAD');
  });

  it('streams a version’s file for the web UI from where its download URI points', async () => {
    // A version of files on the server's disk, in a run's artifact folder.
    const experimentId = await server.store.createExperiment({
      name: 'files',
      artifactLocation: pathToFileURL(join(server.dir.path, 'files')).href,
    });
    const run = await server.store.createRun({ experimentId });
    const folder = new URL(run.info.artifact_uri).pathname;
    mkdirSync(join(folder, 'model'), { recursive: true });
    writeFileSync(join(folder, 'model', 'MLmodel'), 'flavors: {}\n');
    await server.send('POST', 'registered-models/create', { name: 'agent' });
    expect(
      (
        await server.send('POST', 'model-versions/create', {
          name: 'agent',
          source: `${run.info.artifact_uri}/model`,
          run_id: run.info.run_id,
        })
      ).status,
    ).toBe(200);
    const file = await server.call({
      method: 'GET',
      url: '/model-versions/get-artifact?name=agent&version=1&path=MLmodel',
    });
    expect([file.status, file.body]).toEqual([200, 'flavors: {}\n']);
    expect(file.headers['content-type']).toMatch(/^text\/plain/);
    expect(file.headers['content-disposition']).toBe('attachment; filename=MLmodel');
    expect(file.headers['x-content-type-options']).toBe('nosniff');

    // A proxied version: its files are in the destination.
    mkdirSync(join(server.destination, '1', 'models', 'm-1', 'artifacts'), { recursive: true });
    writeFileSync(
      join(server.destination, '1', 'models', 'm-1', 'artifacts', 'model.pkl'),
      Buffer.from([1, 2, 3]),
    );
    await server.send('POST', 'model-versions/create', {
      name: 'agent',
      source: 'mlflow-artifacts:/1/models/m-1/artifacts',
    });
    const proxied = await server.call({
      method: 'GET',
      url: '/model-versions/get-artifact?name=agent&version=2&path=model.pkl',
    });
    expect([proxied.status, proxied.headers['content-type'], proxied.body.length]).toEqual([
      200,
      'application/octet-stream',
      3,
    ]);

    const missing = await server.call({
      method: 'GET',
      url: '/model-versions/get-artifact?name=agent&version=1&path=nope.txt',
    });
    expect([missing.status, missing.json<{ error_code: string }>().error_code]).toEqual([
      404,
      'RESOURCE_DOES_NOT_EXIST',
    ]);
    const unknown = await server.call({
      method: 'GET',
      url: '/model-versions/get-artifact?name=agent&version=7&path=MLmodel',
    });
    expect(unknown.status).toBe(404);
    const traversal = await server.call({
      method: 'GET',
      url: '/model-versions/get-artifact?name=agent&version=1&path=..%2F..%2Fetc%2Fpasswd',
    });
    expect([traversal.status, traversal.json<{ message: string }>().message]).toEqual([
      400,
      expect.stringMatching(/^Invalid path/),
    ]);
  });
});

describe('the model registry under --auth: every authenticated user reads and writes registered models', () => {
  let dir: ReturnType<typeof tempDir>;
  let store: TrackingStore;
  let app: FastifyInstance;
  beforeAll(async () => {
    const users = parseUsers(
      JSON.stringify({
        users: [
          { user: 'alice', token_sha256: hashToken('alice-token') },
          { user: 'bob', token_sha256: hashToken('bob-token') },
        ],
      }),
      'users.json',
    );
    dir = tempDir('agentrack-registry-auth-');
    store = await openSqliteStore(join(dir.path, 'agentrack.db'));
    app = createApp({ store, logger: false, ...workspaceAccessControl(store, users) });
  });
  afterAll(async () => {
    await app.close();
    await store.close();
    dir.remove();
  });

  const as = async (
    token: string | undefined,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    params: object,
  ) =>
    (
      await app.inject({
        method,
        url:
          API + path + (method === 'GET' ? `?${new URLSearchParams(params as Record<string, string>)}` : ''),
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        ...(method === 'GET' ? {} : { payload: JSON.stringify(params) }),
      })
    ).statusCode;

  it('answers 401 without credentials, and reads and writes for any user, whoever created the model', async () => {
    expect(await as(undefined, 'GET', 'registered-models/search', {})).toBe(401);
    expect(await as(undefined, 'POST', 'registered-models/create', { name: 'shared' })).toBe(401);
    expect(await as(undefined, 'GET', 'registered-models/get', { name: 'shared' })).toBe(401);

    expect(await as('alice-token', 'POST', 'registered-models/create', { name: 'shared' })).toBe(200);
    // A version made from a run in bob's own experiment: reading the run is open to alice.
    const bobs = await store.createExperiment({ name: '/Users/bob/experiments' });
    const run = await store.createRun({ experimentId: bobs });
    const source = `runs:/${run.info.run_id}/model`;
    expect(
      await as('alice-token', 'POST', 'model-versions/create', {
        name: 'shared',
        source,
        run_id: run.info.run_id,
      }),
    ).toBe(200);
    expect(
      await as('bob-token', 'POST', 'registered-models/set-tag', { name: 'shared', key: 'k', value: 'v' }),
    ).toBe(200);
    expect(
      await as('bob-token', 'POST', 'registered-models/alias', {
        name: 'shared',
        alias: 'prod',
        version: '1',
      }),
    ).toBe(200);
    expect(await as('alice-token', 'GET', 'registered-models/alias', { name: 'shared', alias: 'prod' })).toBe(
      200,
    );
    expect(await as('bob-token', 'DELETE', 'registered-models/delete', { name: 'shared' })).toBe(200);
  });
});

describe('the model registry in the server’s modes', () => {
  it('answers 503 with --artifacts-only, as MLflow’s tracking endpoints do', async () => {
    const server = await openApp({ artifactsOnly: true });
    try {
      const res = await server.send('POST', 'registered-models/create', { name: 'm' });
      expect([res.status, res.json<{ error_code: string }>().error_code]).toEqual([
        503,
        'TEMPORARILY_UNAVAILABLE',
      ]);
      const file = await server.call({
        method: 'GET',
        url: '/model-versions/get-artifact?name=m&version=1&path=a',
      });
      expect(file.status).toBe(503);
    } finally {
      await server.close();
    }
  });

  it('refuses a source without a match of the configured pattern (MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX)', async () => {
    const server = await openApp({ modelVersionSourcePattern: /^mlflow-artifacts:\/.*$/ });
    try {
      await server.send('POST', 'registered-models/create', { name: 'm' });
      const refused = await server.send('POST', 'model-versions/create', {
        name: 'm',
        source: 's3://path/to/model',
      });
      expect([refused.status, refused.json<{ error_code: string }>().error_code]).toEqual([
        400,
        'INVALID_PARAMETER_VALUE',
      ]);
      expect(refused.json<{ message: string }>().message).toContain(
        "Invalid model version source: 's3://path/to/model'",
      );
      const taken = await server.send('POST', 'model-versions/create', {
        name: 'm',
        source: 'mlflow-artifacts:/1/models/m-1/artifacts',
      });
      expect(taken.status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

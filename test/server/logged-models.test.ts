import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, parseUsers } from '../../src/auth/index.js';
import { ARTIFACTS, startArtifactServer, type ArtifactServer, type RawAnswer } from './artifact-harness.js';
import { openApiHarness, type ApiHarness } from './api-harness.js';

const API_DOCS = 'See the API docs for more information about request parameters.';
const API = '/api/2.0/mlflow/';

let api: ApiHarness;
let experiment: string;
beforeAll(async () => {
  api = await openApiHarness();
  experiment = await api.experiment('/Shared/logged-models/development');
});
afterAll(async () => {
  await api.close();
});

/** A request with a JSON body (or none), any method. */
async function call(method: string, path: string, body?: unknown) {
  const res = await api.app.inject({
    method: method as 'GET',
    url: API + path,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) }),
  });
  return { status: res.statusCode, body: res.body, json: <T = Record<string, unknown>>() => res.json<T>() };
}

async function createModel(body: Record<string, unknown> = {}): Promise<string> {
  const res = await call('POST', 'logged-models', { experiment_id: experiment, ...body });
  expect(res.status).toBe(200);
  return res.json<{ model: { info: { model_id: string } } }>().model.info.model_id;
}

describe('logged-models/search', () => {
  // What MLflow 3.3's client sends while it lists or downloads a run's artifacts folder
  // (`configs/`), and what MLflow's server answers when no model is logged under that name.
  it.each(['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'])(
    'answers {} to the search MLflow’s client makes around artifact listings, under %s',
    async (prefix) => {
      const res = await api.app.inject({
        method: 'POST',
        url: `${prefix}logged-models/search`,
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ experiment_ids: [experiment], filter: "name = 'configs'" }),
      });
      expect([res.statusCode, res.body]).toEqual([200, '{}']);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    },
  );

  it.each([
    [{}, `Missing value for required parameter 'experiment_ids'. ${API_DOCS}`],
    [
      { experiment_ids: '1' },
      `Invalid value "1" for parameter 'experiment_ids' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
    [
      { experiment_ids: ['1'], datasets: [{ dataset_digest: 'd1' }] },
      '`dataset_name` in the `datasets` clause must be specified.',
    ],
    [
      { experiment_ids: ['1'], max_results: 'ten' },
      `Invalid value "ten" for parameter 'max_results' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
    [
      { experiment_ids: ['1'], order_by: [{ field_name: 'name', ascending: 'yes' }] },
      `Invalid value "yes" for parameter 'order_by[0].ascending' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
  ])('refuses %j with 400', async (body, message) => {
    const res = await api.post('logged-models/search', body);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
  });

  it('refuses a page token it did not issue', async () => {
    const res = await api.post('logged-models/search', { experiment_ids: ['1'], page_token: 'abc' });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/^Invalid page token/);
  });
});

describe('the logged-model endpoints, as MLflow 3.3 serves them', () => {
  it('creates with POST logged-models and reads with GET logged-models/<model_id>, without a body or query', async () => {
    const id = await createModel({ name: 'agent', model_type: 'agent', params: [{ key: 'a', value: '1' }] });
    const res = await call('GET', `logged-models/${id}`);
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({
      model: {
        info: {
          model_id: id,
          name: 'agent',
          model_type: 'agent',
          source_run_id: '',
          status: 'LOGGED_MODEL_PENDING',
        },
        data: { params: [{ key: 'a', value: '1' }] },
      },
    });
  });

  it('refuses a create without an experiment, with MLflow’s message', async () => {
    const res = await call('POST', 'logged-models', { name: 'x' });
    expect([res.status, res.json()]).toEqual([
      400,
      {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `Missing value for required parameter 'experiment_id'. ${API_DOCS}`,
      },
    ]);
  });

  it('finalizes with PATCH, reading the status by name or by number, and answers the whole model', async () => {
    const id = await createModel();
    const byName = await call('PATCH', `logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
    expect(byName.json()).toMatchObject({ model: { info: { model_id: id, status: 'LOGGED_MODEL_READY' } } });
    const byNumber = await call('PATCH', `logged-models/${id}`, { model_id: id, status: 3 });
    expect(byNumber.json()).toMatchObject({ model: { info: { status: 'LOGGED_MODEL_UPLOAD_FAILED' } } });
    const missing = await call('PATCH', `logged-models/${id}`, { model_id: id });
    expect([missing.status, missing.json().error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  });

  it('sets tags with PATCH .../tags, deletes one with a bodiless DELETE .../tags/<key>, logs params with POST .../params', async () => {
    const id = await createModel();
    expect(
      (
        await call('PATCH', `logged-models/${id}/tags`, {
          tags: [
            { key: 'a b/c', value: '1' },
            { key: 'x', value: '2' },
          ],
        })
      ).body,
    ).toBe('{}');
    expect((await call('DELETE', `logged-models/${id}/tags/${encodeURIComponent('a b/c')}`)).body).toBe('{}');
    expect(
      (await call('POST', `logged-models/${id}/params`, { model_id: id, params: [{ key: 'p', value: 'v' }] }))
        .body,
    ).toBe('{}');
    const model = (await call('GET', `logged-models/${id}`)).json<{
      model: { info: { tags: unknown }; data: unknown };
    }>().model;
    expect(model.info.tags).toEqual([{ key: 'x', value: '2' }]);
    expect(model.data).toEqual({ params: [{ key: 'p', value: 'v' }] });
    const again = await call('DELETE', `logged-models/${id}/tags/a`);
    expect([again.status, again.json()]).toEqual([
      404,
      {
        error_code: 'RESOURCE_DOES_NOT_EXIST',
        message: `No tag with key 'a' found for model with ID '${id}'.`,
      },
    ]);
  });

  it('deletes with DELETE and a body, after which the model is 404, as an unknown id is', async () => {
    const id = await createModel();
    expect((await call('DELETE', `logged-models/${id}`, { model_id: id })).body).toBe('{}');
    for (const target of [id, 'm-00000000000000000000000000000000']) {
      const res = await call('GET', `logged-models/${target}`);
      expect([res.status, res.json()]).toEqual([
        404,
        { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Logged model with ID '${target}' not found.` },
      ]);
    }
  });

  it('links a run to its output models with POST runs/outputs, which runs/get answers', async () => {
    const run = await api.run(experiment);
    const id = await createModel({ source_run_id: run });
    expect(
      (await call('POST', 'runs/outputs', { run_id: run, models: [{ model_id: id, step: 0 }] })).body,
    ).toBe('{}');
    const got = await api.get('runs/get', { run_id: run });
    expect(got.json()).toMatchObject({ run: { outputs: { model_outputs: [{ model_id: id, step: 0 }] } } });
    const bad = await call('POST', 'runs/outputs', { run_id: run, models: [{ step: 0 }] });
    expect([bad.status, bad.json().message]).toEqual([
      400,
      `Missing value for required parameter 'models[0].model_id'. ${API_DOCS}`,
    ]);
  });

  it('takes model_id, dataset_name and dataset_digest on runs/log-metric and runs/log-batch', async () => {
    const run = await api.run(experiment);
    const id = await createModel();
    await call('POST', 'runs/log-metric', {
      run_id: run,
      key: 'accuracy',
      value: 0.93,
      timestamp: 5,
      model_id: id,
      dataset_name: 'golden',
      dataset_digest: 'd1',
    });
    await call('POST', 'runs/log-batch', {
      run_id: run,
      metrics: [{ key: 'latency', value: 'NaN', timestamp: 6, model_id: id, run_id: run }],
    });
    const model = (await call('GET', `logged-models/${id}`)).json<{ model: { data: { metrics: unknown } } }>()
      .model;
    expect(model.data.metrics).toEqual([
      {
        key: 'accuracy',
        value: 0.93,
        timestamp: 5,
        step: 0,
        dataset_name: 'golden',
        dataset_digest: 'd1',
        model_id: id,
        run_id: run,
      },
      { key: 'latency', value: 'NaN', timestamp: 6, step: 0, model_id: id, run_id: run },
    ]);
  });

  it('answers another method on a model path 405 with the methods it takes, and an unknown model path 404', async () => {
    const res = await call('PUT', 'logged-models/m-1', {});
    expect(res.status).toBe(405);
    expect((await call('GET', 'logged-models/m-1/nope')).status).toBe(404);
  });
});

describe('logged models with access control and their files, over a real port', () => {
  let server: ArtifactServer;
  let mine: string;
  let theirs: string;
  const ALICE = 'Bearer alice-token';
  const BOB = 'Bearer bob-token';

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
    server = await startArtifactServer({ users });
    mine = await server.store.createExperiment({ name: '/Users/alice/agent' });
    theirs = await server.store.createExperiment({ name: '/Users/bob/agent' });
  });
  afterAll(async () => {
    await server?.close();
  });

  function as(auth: string, method: string, path: string, body?: unknown): Promise<RawAnswer> {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    return server.send({
      method,
      path,
      headers: {
        authorization: auth,
        ...(typeof body === 'object' ? { 'content-type': 'application/json' } : {}),
      },
      ...(text !== undefined ? { body: text } : {}),
    });
  }

  it("lets the experiment's user write a model and its files, refuses others, and lists and serves the files", async () => {
    const created = await as(ALICE, 'POST', `${API}logged-models`, { experiment_id: mine, name: 'agent' });
    expect(created.status).toBe(200);
    const { model_id: id, artifact_uri: uri } = created.json<{
      model: { info: { model_id: string; artifact_uri: string } };
    }>().model.info;
    expect(uri).toBe(`mlflow-artifacts:/${mine}/models/${id}/artifacts`);
    const file = `${ARTIFACTS}/${mine}/models/${id}/artifacts/MLmodel`;
    expect((await as(ALICE, 'PUT', file, `model_id: ${id}\n`)).status).toBe(200);
    expect((await as(BOB, 'PUT', file, 'x')).status).toBe(403);
    for (const [method, path, body] of [
      ['PATCH', `${API}logged-models/${id}`, { status: 'LOGGED_MODEL_READY' }],
      ['PATCH', `${API}logged-models/${id}/tags`, { tags: [{ key: 'a', value: 'b' }] }],
      ['POST', `${API}logged-models/${id}/params`, { params: [{ key: 'a', value: 'b' }] }],
      ['DELETE', `${API}logged-models/${id}`, { model_id: id }],
      ['POST', `${API}logged-models`, { experiment_id: mine }],
    ] as const) {
      const res = await as(BOB, method, path, body);
      expect([method, path, res.status, res.json().error_code]).toEqual([
        method,
        path,
        403,
        'PERMISSION_DENIED',
      ]);
    }
    expect(
      (await as(ALICE, 'PATCH', `${API}logged-models/${id}`, { status: 'LOGGED_MODEL_READY' })).status,
    ).toBe(200);

    const listed = await as(BOB, 'GET', `${API}logged-models/${id}/artifacts/directories`);
    expect([listed.status, listed.json()]).toEqual([
      200,
      {
        root_uri: uri,
        files: [{ path: 'MLmodel', is_dir: false, file_size: Buffer.byteLength(`model_id: ${id}\n`) }],
      },
    ]);
    const served = await as(
      BOB,
      'GET',
      `/ajax-api/2.0/mlflow/logged-models/${id}/artifacts/files?artifact_file_path=MLmodel`,
    );
    expect([served.status, served.body.toString('utf8')]).toEqual([200, `model_id: ${id}\n`]);
    expect(served.headers['content-disposition']).toBe('attachment; filename=MLmodel');
    const noPath = await as(BOB, 'GET', `/ajax-api/2.0/mlflow/logged-models/${id}/artifacts/files`);
    expect([noPath.status, noPath.json()]).toEqual([
      400,
      {
        error_code: 'BAD_REQUEST',
        message: 'Request must include the "artifact_file_path" query parameter.',
      },
    ]);
    const traversal = await as(
      BOB,
      'GET',
      `${API}logged-models/${id}/artifacts/directories?artifact_directory_path=..%2F..`,
    );
    expect(traversal.status).toBe(400);
    expect(traversal.json<{ message: string }>().message).toMatch(/^Invalid path/);
  });

  it("refuses a metric for another user's model from one's own run", async () => {
    const run = await as(ALICE, 'POST', `${API}runs/create`, { experiment_id: mine });
    const runId = run.json<{ run: { info: { run_id: string } } }>().run.info.run_id;
    const theirModel = await server.store.createLoggedModel({ experimentId: theirs });
    const res = await as(ALICE, 'POST', `${API}runs/log-metric`, {
      run_id: runId,
      key: 'accuracy',
      value: 1,
      timestamp: 1,
      model_id: theirModel.info.model_id,
    });
    expect([res.status, res.json().error_code]).toEqual([403, 'PERMISSION_DENIED']);
    expect((await server.store.getRun(runId)).data.metrics).toBeUndefined();
    const own = await server.store.createLoggedModel({ experimentId: mine });
    const ok = await as(ALICE, 'POST', `${API}runs/log-metric`, {
      run_id: runId,
      key: 'accuracy',
      value: 1,
      timestamp: 1,
      model_id: own.info.model_id,
    });
    expect(ok.status).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/entities/index.js';
import { openApiHarness, type ApiHarness } from './api-harness.js';

const API_DOCS = 'See the API docs for more information about request parameters.';

let api: ApiHarness;
beforeAll(async () => {
  api = await openApiHarness();
});
afterAll(async () => {
  await api.close();
});

describe('experiments/create', () => {
  it('answers the new id, and stores the tags and artifact location given', async () => {
    const res = await api.post('experiments/create', {
      name: '/Shared/exp/create',
      artifact_location: 's3://bucket/exp',
      tags: [{ key: 'team', value: 'core' }],
    });
    expect(res.status).toBe(200);
    const { experiment_id } = res.json<{ experiment_id: string }>();
    expect(Object.keys(res.json())).toEqual(['experiment_id']);
    expect(experiment_id).toMatch(/^[0-9]+$/);
    const got = await api.get('experiments/get', { experiment_id });
    expect(got.json<{ experiment: Experiment }>().experiment).toMatchObject({
      name: '/Shared/exp/create',
      artifact_location: 's3://bucket/exp',
      lifecycle_stage: 'active',
      tags: [{ key: 'team', value: 'core' }],
    });
  });

  it('refuses a name held already with RESOURCE_ALREADY_EXISTS (400)', async () => {
    await api.experiment('/Shared/exp/twice');
    const res = await api.post('experiments/create', { name: '/Shared/exp/twice' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'RESOURCE_ALREADY_EXISTS',
      message: 'Experiment(name=/Shared/exp/twice) already exists.',
    });
  });

  it.each([
    [{}, `Missing value for required parameter 'name'. ${API_DOCS}`],
    [{ name: '' }, `Missing value for required parameter 'name'. ${API_DOCS}`],
    [{ name: null }, `Missing value for required parameter 'name'. ${API_DOCS}`],
    [
      { name: 42 },
      `Invalid value 42 for parameter 'name' supplied: Hint: Value was of type 'int'. ${API_DOCS}`,
    ],
    [
      { name: 'x', tags: { key: 'a' } },
      `Invalid value {"key":"a"} for parameter 'tags' supplied: Hint: Value was of type 'dict'. ${API_DOCS}`,
    ],
    [
      { name: 'x', tags: [{ key: 1, value: 'v' }] },
      `Invalid value 1 for parameter 'tags[0].key' supplied: Hint: Value was of type 'int'. ${API_DOCS}`,
    ],
    [
      { name: 'x', artifact_location: 'runs:/abc' },
      "Artifact location cannot be a runs:/ URI. Given: 'runs:/abc'",
    ],
  ])('refuses %j', async (body, message) => {
    const res = await api.post('experiments/create', body);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
  });
});

describe('experiments/get and get-by-name', () => {
  it('answers the Default experiment', async () => {
    const res = await api.get('experiments/get', { experiment_id: '0' });
    expect(res.status).toBe(200);
    expect(res.json<{ experiment: Experiment }>().experiment).toMatchObject({
      experiment_id: '0',
      name: 'Default',
    });
    expect(res.json<{ experiment: Experiment }>().experiment).not.toHaveProperty('tags');
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for an unknown id or name', async () => {
    const byId = await api.get('experiments/get', { experiment_id: '999999' });
    expect(byId.status).toBe(404);
    expect(byId.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'No Experiment with id=999999 exists',
    });
    const byName = await api.get('experiments/get-by-name', { experiment_name: '/nope' });
    expect(byName.status).toBe(404);
    expect(byName.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "Could not find experiment with name '/nope'",
    });
  });

  it('requires the id and the name', async () => {
    const byId = await api.get('experiments/get');
    expect(byId.status).toBe(400);
    expect(byId.json<{ message: string }>().message).toBe(
      `Missing value for required parameter 'experiment_id'. ${API_DOCS}`,
    );
    const byName = await api.get('experiments/get-by-name', { experiment_name: '' });
    expect(byName.json<{ message: string }>().message).toBe(
      `Missing value for required parameter 'experiment_name'. ${API_DOCS}`,
    );
  });

  it('refuses an id that is not one', async () => {
    const res = await api.get('experiments/get', { experiment_id: 'abc' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: "Invalid experiment ID: 'abc'",
    });
  });

  it('finds a deleted experiment by name', async () => {
    const id = await api.experiment('/Shared/exp/deleted-by-name');
    await api.post('experiments/delete', { experiment_id: id });
    const res = await api.get('experiments/get-by-name', { experiment_name: '/Shared/exp/deleted-by-name' });
    expect(res.json<{ experiment: Experiment }>().experiment.lifecycle_stage).toBe('deleted');
  });
});

describe('experiments/search', () => {
  const names = ['/Shared/search/a', '/Shared/search/b', '/Shared/search/c'];
  beforeAll(async () => {
    for (const name of names) await api.experiment(name);
  });

  it('answers `{}` when nothing matches', async () => {
    const res = await api.post('experiments/search', { filter: "name = 'nothing'" });
    expect(res.status).toBe(200);
    expect(res.raw).toBe('{}');
  });

  it('pages with next_page_token over POST until the last page, which has none', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api.post('experiments/search', {
        filter: "name LIKE '/Shared/search/%'",
        order_by: ['name ASC'],
        max_results: 2,
        ...(token ? { page_token: token } : {}),
      });
      expect(res.status).toBe(200);
      const body = res.json<{ experiments: Experiment[]; next_page_token?: string }>();
      seen.push(...body.experiments.map((e) => e.name));
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(seen).toEqual(names);
    expect(pages).toBe(2);
  });

  it('reads GET query parameters, repeated order_by included', async () => {
    const first = await api.get('experiments/search', {
      filter: "name LIKE '/Shared/search/%'",
      order_by: ['name DESC', 'experiment_id ASC'],
      max_results: '1',
      view_type: 'ACTIVE_ONLY',
    });
    expect(first.status).toBe(200);
    const body = first.json<{ experiments: Experiment[]; next_page_token: string }>();
    expect(body.experiments.map((e) => e.name)).toEqual(['/Shared/search/c']);
    const second = await api.get('experiments/search', {
      filter: "name LIKE '/Shared/search/%'",
      order_by: ['name DESC', 'experiment_id ASC'],
      max_results: '1',
      page_token: body.next_page_token,
    });
    expect(second.json<{ experiments: Experiment[] }>().experiments.map((e) => e.name)).toEqual([
      '/Shared/search/b',
    ]);
  });

  it('sees deleted experiments only with the view type asking for them', async () => {
    const id = await api.experiment('/Shared/search-deleted/x');
    await api.post('experiments/delete', { experiment_id: id });
    const filter = "name = '/Shared/search-deleted/x'";
    expect((await api.post('experiments/search', { filter })).raw).toBe('{}');
    for (const viewType of ['DELETED_ONLY', 'ALL', 2, 3]) {
      const res = await api.post('experiments/search', { filter, view_type: viewType });
      expect(res.json<{ experiments: Experiment[] }>().experiments).toHaveLength(1);
    }
    const byQuery = await api.get('experiments/search', { filter, view_type: '2' });
    expect(byQuery.json<{ experiments: Experiment[] }>().experiments).toHaveLength(1);
  });

  it.each([
    [{ max_results: 'ten' }, /^Invalid value "ten" for parameter 'max_results' supplied: Hint/],
    [{ max_results: 0 }, /^Invalid value 0 for parameter 'max_results' supplied/],
    [{ max_results: 50001 }, /It must be at most 50000/],
    [{ order_by: 'name' }, /^Invalid value "name" for parameter 'order_by' supplied: Hint/],
    [{ view_type: 'SOME' }, /^Invalid value "SOME" for parameter 'view_type' supplied/],
    [{ filter: 'name = x' }, /not quoted/],
    [{ page_token: 'garbage!' }, /^Invalid page token/],
  ])('refuses %j with INVALID_PARAMETER_VALUE', async (body, message) => {
    const res = await api.post('experiments/search', body);
    expect(res.status).toBe(400);
    expect(res.json<{ error_code: string }>().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.json<{ message: string }>().message).toMatch(message);
  });
});

describe('experiments/search on experiments created in the same millisecond', () => {
  let tied: ApiHarness;
  beforeAll(async () => {
    tied = await openApiHarness({ now: () => 1_795_710_153_790 });
  });
  afterAll(async () => {
    await tied.close();
  });

  it("orders ties as MLflow's SQL store: creation_time DESC, then experiment_id ASC by default, DESC after an order_by", async () => {
    const ids: string[] = [];
    for (const stage of ['development', 'evaluation', 'deployment']) {
      ids.push(await tied.experiment(`/Shared/tied/${stage}`));
    }
    const search = async (body: Record<string, unknown>) =>
      (await tied.post('experiments/search', { filter: "name LIKE '/Shared/tied/%'", ...body })).json<{
        experiments: Experiment[];
      }>().experiments;
    const found = await search({});
    expect(new Set(found.map((e) => e.creation_time))).toEqual(new Set([1_795_710_153_790]));
    expect(found.map((e) => e.experiment_id)).toEqual(ids);
    expect((await search({ order_by: ['last_update_time DESC'] })).map((e) => e.experiment_id)).toEqual(
      [...ids].reverse(),
    );
    expect((await search({ order_by: ['creation_time ASC'] })).map((e) => e.experiment_id)).toEqual(
      [...ids].reverse(),
    );
  });
});

describe('experiments/update, delete, restore and tags', () => {
  it('renames, refusing a name held by another experiment', async () => {
    const id = await api.experiment('/Shared/rename/from');
    await api.experiment('/Shared/rename/taken');
    const ok = await api.post('experiments/update', { experiment_id: id, new_name: '/Shared/rename/to' });
    expect(ok.status).toBe(200);
    expect(ok.raw).toBe('{}');
    const got = await api.get('experiments/get', { experiment_id: id });
    expect(got.json<{ experiment: Experiment }>().experiment.name).toBe('/Shared/rename/to');
    const taken = await api.post('experiments/update', {
      experiment_id: id,
      new_name: '/Shared/rename/taken',
    });
    expect(taken.status).toBe(400);
    expect(taken.json<{ error_code: string }>().error_code).toBe('RESOURCE_ALREADY_EXISTS');
  });

  it('requires new_name, as MLflow', async () => {
    const res = await api.post('experiments/update', { experiment_id: '0' });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toBe(
      `Missing value for required parameter 'new_name'. ${API_DOCS}`,
    );
  });

  it('deletes and restores, answering `{}`, and 404 for an unknown experiment', async () => {
    const id = await api.experiment('/Shared/lifecycle/x');
    const deleted = await api.post('experiments/delete', { experiment_id: id });
    expect([deleted.status, deleted.raw]).toEqual([200, '{}']);
    const restored = await api.post('experiments/restore', { experiment_id: id });
    expect([restored.status, restored.raw]).toEqual([200, '{}']);
    const got = await api.get('experiments/get', { experiment_id: id });
    expect(got.json<{ experiment: Experiment }>().experiment.lifecycle_stage).toBe('active');
    const missing = await api.post('experiments/delete', { experiment_id: '424242' });
    expect(missing.status).toBe(404);
    expect(missing.json<{ error_code: string }>().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('sets and deletes experiment tags', async () => {
    const id = await api.experiment('/Shared/tags/x');
    const set = await api.post('experiments/set-experiment-tag', {
      experiment_id: id,
      key: 'owner',
      value: 'me',
    });
    expect([set.status, set.raw]).toEqual([200, '{}']);
    const empty = await api.post('experiments/set-experiment-tag', { experiment_id: id, key: 'flag' });
    expect(empty.status).toBe(200);
    let got = await api.get('experiments/get', { experiment_id: id });
    expect(got.json<{ experiment: Experiment }>().experiment.tags).toEqual([
      { key: 'flag', value: '' },
      { key: 'owner', value: 'me' },
    ]);
    const del = await api.post('experiments/delete-experiment-tag', { experiment_id: id, key: 'owner' });
    expect([del.status, del.raw]).toEqual([200, '{}']);
    got = await api.get('experiments/get', { experiment_id: id });
    expect(got.json<{ experiment: Experiment }>().experiment.tags).toEqual([{ key: 'flag', value: '' }]);
    const again = await api.post('experiments/delete-experiment-tag', { experiment_id: id, key: 'owner' });
    expect(again.status).toBe(404);
  });

  it.each([
    ['experiments/set-experiment-tag', { experiment_id: '0' }, 'key'],
    ['experiments/set-experiment-tag', { key: 'k', value: 'v' }, 'experiment_id'],
    ['experiments/delete-experiment-tag', { experiment_id: '0' }, 'key'],
    ['experiments/delete', {}, 'experiment_id'],
    ['experiments/restore', {}, 'experiment_id'],
  ])('%s without %j misses %s', async (path, body, param) => {
    const res = await api.post(path, body);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Missing value for required parameter '${param}'. ${API_DOCS}`,
    });
  });
});

describe('experiments/search-datasets (MLflow serves it under /ajax-api/ alone)', () => {
  const url = '/ajax-api/2.0/mlflow/experiments/search-datasets';
  const search = async (body: unknown, contentType = 'application/json') => {
    const res = await api.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': contentType },
      payload: JSON.stringify(body),
    });
    return { status: res.statusCode, raw: res.body, json: <T>() => JSON.parse(res.body) as T };
  };

  it('answers one summary per dataset and context, the context absent where none was logged', async () => {
    const experiment = await api.experiment('/Shared/exp/datasets');
    const run = await api.run(experiment);
    const input = (name: string, context?: string) => ({
      dataset: { name, digest: `${name}-1`, source_type: 'local', source: '{}' },
      ...(context ? { tags: [{ key: 'mlflow.data.context', value: context }] } : {}),
    });
    const logged = await api.post('runs/log-inputs', {
      run_id: run,
      datasets: [input('golden', 'eval'), input('raw')],
    });
    expect(logged.status).toBe(200);
    const res = await search({ experiment_ids: [experiment] });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      dataset_summaries: [
        { experiment_id: experiment, name: 'golden', digest: 'golden-1', context: 'eval' },
        { experiment_id: experiment, name: 'raw', digest: 'raw-1' },
      ],
    });
    expect((await search({ experiment_ids: ['0'] })).raw).toBe('{}');
  });

  it.each([
    [{}, 'SearchDatasets request must specify at least one experiment_id.'],
    [
      { experiment_ids: Array.from({ length: 21 }, (_, i) => String(i)) },
      'SearchDatasets request cannot specify more than 20 experiment_ids. Received 21 experiment_ids.',
    ],
    [
      { experiment_ids: '1' },
      `Invalid value "1" for parameter 'experiment_ids' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
  ])('refuses %j', async (body, message) => {
    const res = await search(body);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
  });

  it('requires a JSON body, as MLflow', async () => {
    const res = await search({ experiment_ids: ['0'] }, 'text/plain');
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/^Bad Request\. Content-Type must be one of/);
  });
});

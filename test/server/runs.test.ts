import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, RunInfo } from '../../src/entities/index.js';
import { openApiHarness, type ApiHarness } from './api-harness.js';

const API_DOCS = 'See the API docs for more information about request parameters.';

let api: ApiHarness;
let experimentId: string;
beforeAll(async () => {
  api = await openApiHarness();
  experimentId = await api.experiment('/Shared/runs');
});
afterAll(async () => {
  await api.close();
});

async function getRun(runId: string): Promise<Run> {
  const res = await api.get('runs/get', { run_id: runId });
  expect(res.status).toBe(200);
  return res.json<{ run: Run }>().run;
}

describe('runs/create', () => {
  it('answers {"run": ...} with the name mirrored into mlflow.runName', async () => {
    const res = await api.post('runs/create', {
      experiment_id: experimentId,
      user_id: 'alice',
      run_name: 'dev_1',
      start_time: 1700000000000,
      tags: [{ key: 'run_type', value: 'development' }],
    });
    expect(res.status).toBe(200);
    const { run } = res.json<{ run: Run }>();
    expect(Object.keys(run)).toEqual(['info', 'data', 'inputs']);
    expect(run.info).toMatchObject({
      experiment_id: experimentId,
      run_name: 'dev_1',
      user_id: 'alice',
      status: 'RUNNING',
      start_time: 1700000000000,
      lifecycle_stage: 'active',
    });
    expect(run.info.run_uuid).toBe(run.info.run_id);
    expect(run.info).not.toHaveProperty('end_time');
    expect(run.data.tags).toEqual(
      expect.arrayContaining([
        { key: 'run_type', value: 'development' },
        { key: 'mlflow.runName', value: 'dev_1' },
      ]),
    );
  });

  it('creates the run in the Default experiment when none is given, as MLflow', async () => {
    const res = await api.post('runs/create', {});
    expect(res.status).toBe(200);
    expect(res.json<{ run: Run }>().run.info.experiment_id).toBe('0');
  });

  it('accepts start_time as decimal text, as protobuf JSON does', async () => {
    const res = await api.post('runs/create', { experiment_id: experimentId, start_time: '1700000000005' });
    expect(res.json<{ run: Run }>().run.info.start_time).toBe(1700000000005);
  });

  it.each([
    [
      { experiment_id: 7 },
      "Invalid value 7 for parameter 'experiment_id' supplied: Hint: Value was of type 'int'.",
    ],
    [
      { start_time: 1.5 },
      "Invalid value 1.5 for parameter 'start_time' supplied: Hint: Value was of type 'float'.",
    ],
    [
      { run_name: ['a'] },
      `Invalid value ["a"] for parameter 'run_name' supplied: Hint: Value was of type 'list'.`,
    ],
  ])('refuses %j', async (body, message) => {
    const res = await api.post('runs/create', body);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message: `${message} ${API_DOCS}` });
  });

  it('answers 404 for an unknown experiment', async () => {
    const res = await api.post('runs/create', { experiment_id: '999999' });
    expect(res.status).toBe(404);
    expect(res.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'No Experiment with id=999999 exists',
    });
  });
});

describe('runs/get', () => {
  it('reads run_id or run_uuid and answers the run with empty outputs, as MLflow', async () => {
    const runId = await api.run(experimentId);
    const queries: Record<string, string>[] = [
      { run_id: runId },
      { run_uuid: runId },
      { run_id: runId, run_uuid: runId },
    ];
    for (const query of queries) {
      const res = await api.get('runs/get', query);
      expect(res.status).toBe(200);
      const { run } = res.json<{ run: Run & { outputs: object } }>();
      expect(Object.keys(run)).toEqual(['info', 'data', 'inputs', 'outputs']);
      expect(run.info.run_id).toBe(runId);
      expect(run.outputs).toEqual({});
    }
  });

  it('answers 404 for an unknown run and 400 without an id', async () => {
    const missing = await api.get('runs/get', { run_id: '0'.repeat(32) });
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Run with id=${'0'.repeat(32)} not found`,
    });
    const none = await api.get('runs/get');
    expect(none.status).toBe(400);
    expect(none.json<{ message: string }>().message).toBe(
      `Missing value for required parameter 'run_id'. ${API_DOCS}`,
    );
  });
});

describe('run names on runs/create and runs/update', () => {
  const atLimit = 'n'.repeat(8000);
  const overLimit = 'n'.repeat(8001);
  const refusal = {
    error_code: 'INVALID_PARAMETER_VALUE',
    message: "'run_name' exceeds the maximum length of 8000 characters",
  };

  it('accepts a name of 8000 characters, the limit of the mlflow.runName tag, and refuses 8001', async () => {
    const created = await api.post('runs/create', { experiment_id: experimentId, run_name: atLimit });
    expect(created.status).toBe(200);
    const { run } = created.json<{ run: Run }>();
    expect(run.info.run_name).toBe(atLimit);
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: atLimit });

    const refused = await api.post('runs/create', { experiment_id: experimentId, run_name: overLimit });
    expect(refused.status).toBe(400);
    expect(refused.json()).toEqual(refusal);
    const search = await api.post('runs/search', {
      experiment_ids: [experimentId],
      filter: `attributes.run_name = '${overLimit}'`,
    });
    expect(search.raw).toBe('{}');
  });

  it('renames to 8000 characters and refuses 8001, keeping the name', async () => {
    const runId = await api.run(experimentId, 'short');
    const renamed = await api.post('runs/update', { run_id: runId, run_name: atLimit });
    expect(renamed.status).toBe(200);
    expect(renamed.json<{ run_info: RunInfo }>().run_info.run_name).toBe(atLimit);

    const refused = await api.post('runs/update', { run_id: runId, run_name: overLimit, status: 'FAILED' });
    expect(refused.status).toBe(400);
    expect(refused.json()).toEqual(refusal);
    const run = await getRun(runId);
    expect(run.info).toMatchObject({ run_name: atLimit, status: 'RUNNING' });
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: atLimit });
  });
});

describe('runs/update, delete, restore', () => {
  it('answers {"run_info": ...} with the new status and end time', async () => {
    const runId = await api.run(experimentId, 'to-finish');
    const res = await api.post('runs/update', {
      run_uuid: runId,
      run_id: runId,
      status: 'FINISHED',
      end_time: 1700000001000,
    });
    expect(res.status).toBe(200);
    const { run_info } = res.json<{ run_info: RunInfo }>();
    expect(Object.keys(res.json())).toEqual(['run_info']);
    expect(run_info).toMatchObject({ run_id: runId, status: 'FINISHED', end_time: 1700000001000 });
  });

  it('accepts a status by its protobuf number and renames the run', async () => {
    const runId = await api.run(experimentId, 'old-name');
    const res = await api.post('runs/update', { run_id: runId, status: 4, run_name: 'new-name' });
    expect(res.json<{ run_info: RunInfo }>().run_info).toMatchObject({
      status: 'FAILED',
      run_name: 'new-name',
    });
    const run = await getRun(runId);
    expect(run.data.tags).toContainEqual({ key: 'mlflow.runName', value: 'new-name' });
  });

  it('refuses an unknown status', async () => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/update', { run_id: runId, status: 'DONE' });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/^Invalid value "DONE" for parameter 'status'/);
  });

  it('deletes and restores a run, answering `{}`', async () => {
    const runId = await api.run(experimentId);
    expect((await api.post('runs/delete', { run_id: runId })).raw).toBe('{}');
    expect((await getRun(runId)).info.lifecycle_stage).toBe('deleted');
    expect((await api.post('runs/restore', { run_id: runId })).raw).toBe('{}');
    expect((await getRun(runId)).info.lifecycle_stage).toBe('active');
  });

  it('refuses writes to a deleted run', async () => {
    const runId = await api.run(experimentId);
    await api.post('runs/delete', { run_id: runId });
    const res = await api.post('runs/set-tag', { run_id: runId, key: 'k', value: 'v' });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toBe(
      `The run ${runId} must be in the 'active' state. Current state is deleted.`,
    );
  });
});

describe('runs/log-metric, log-parameter, set-tag, delete-tag', () => {
  it('logs each and answers `{}`', async () => {
    const runId = await api.run(experimentId);
    for (const [path, body] of [
      ['runs/log-metric', { run_id: runId, key: 'loss', value: 0.25, timestamp: 1700000000000, step: 3 }],
      ['runs/log-parameter', { run_uuid: runId, key: 'lr', value: '0.01' }],
      ['runs/set-tag', { run_id: runId, key: 'env', value: 'dev' }],
      ['runs/set-tag', { run_id: runId, key: 'gone', value: 'soon' }],
      ['runs/delete-tag', { run_id: runId, key: 'gone' }],
    ] as const) {
      const res = await api.post(path, body);
      expect([path, res.status, res.raw]).toEqual([path, 200, '{}']);
    }
    const run = await getRun(runId);
    expect(run.data.metrics).toEqual([{ key: 'loss', value: 0.25, timestamp: 1700000000000, step: 3 }]);
    expect(run.data.params).toEqual([{ key: 'lr', value: '0.01' }]);
    expect(run.data.tags).toContainEqual({ key: 'env', value: 'dev' });
    expect(run.data.tags?.map((t) => t.key)).not.toContain('gone');
  });

  it('logs a parameter without value as the empty string, and refuses to change it', async () => {
    const runId = await api.run(experimentId);
    expect((await api.post('runs/log-parameter', { run_id: runId, key: 'p' })).status).toBe(200);
    expect((await getRun(runId)).data.params).toEqual([{ key: 'p', value: '' }]);
    const changed = await api.post('runs/log-parameter', { run_id: runId, key: 'p', value: 'x' });
    expect(changed.status).toBe(400);
    expect(changed.json<{ message: string }>().message).toMatch(/^Changing param values is not allowed/);
  });

  it.each([
    [{ key: 'acc', timestamp: 1 }, `Missing value for required parameter 'value'. ${API_DOCS}`],
    [{ key: 'acc', value: 1 }, `Missing value for required parameter 'timestamp'. ${API_DOCS}`],
    [{ value: 1, timestamp: 1 }, `Missing value for required parameter 'key'. ${API_DOCS}`],
    [
      { key: 'acc', value: 'high', timestamp: 1 },
      `Invalid value "high" for parameter 'value' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
    [
      { key: 'acc', value: true, timestamp: 1 },
      `Invalid value true for parameter 'value' supplied: Hint: Value was of type 'bool'. ${API_DOCS}`,
    ],
    [
      { key: 'acc', value: 1, timestamp: '2024-01-01' },
      `Invalid value "2024-01-01" for parameter 'timestamp' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
    [
      { key: 'acc', value: 1, timestamp: 1, step: 0.5 },
      `Invalid value 0.5 for parameter 'step' supplied: Hint: Value was of type 'float'. ${API_DOCS}`,
    ],
  ])('log-metric refuses %j', async (fields, message) => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/log-metric', { run_id: runId, ...fields });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
  });

  it('set-tag refuses a bad key with MLflow message', async () => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/set-tag', { run_id: runId, key: 'bad key!', value: 'v' });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(
      /^Invalid value "bad key!" for parameter 'key' supplied: Names may only contain alphanumerics/,
    );
  });

  it('delete-tag answers 404 for a tag the run does not have', async () => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/delete-tag', { run_id: runId, key: 'nope' });
    expect(res.status).toBe(404);
    expect(res.json<{ error_code: string }>().error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });

  it('answers 404 when the run does not exist', async () => {
    const res = await api.post('runs/log-parameter', { run_id: 'f'.repeat(32), key: 'k', value: 'v' });
    expect(res.status).toBe(404);
  });
});

describe('NaN and infinite metric values', () => {
  it('round-trip as "NaN", "Infinity" and "-Infinity" through log-metric, log-batch, get and search', async () => {
    const runId = await api.run(experimentId, 'non-finite');
    for (const [i, value] of ['NaN', 'Infinity', '-Infinity'].entries()) {
      const res = await api.post('runs/log-metric', { run_id: runId, key: `m${i}`, value, timestamp: 10 });
      expect(res.status).toBe(200);
    }
    const batch = await api.post('runs/log-batch', {
      run_id: runId,
      metrics: [{ key: 'b', value: 'NaN', timestamp: '11', step: '1' }],
    });
    expect(batch.status).toBe(200);
    const res = await api.get('runs/get', { run_id: runId });
    expect(res.raw).toContain('"value":"NaN"');
    expect(res.raw).not.toContain('null');
    expect(res.json<{ run: { data: { metrics: unknown[] } } }>().run.data.metrics).toEqual([
      { key: 'b', value: 'NaN', timestamp: 11, step: 1 },
      { key: 'm0', value: 'NaN', timestamp: 10, step: 0 },
      { key: 'm1', value: 'Infinity', timestamp: 10, step: 0 },
      { key: 'm2', value: '-Infinity', timestamp: 10, step: 0 },
    ]);
    const search = await api.post('runs/search', {
      experiment_ids: [experimentId],
      filter: "attributes.run_name = 'non-finite'",
    });
    expect(search.raw).toContain('"value":"-Infinity"');
  });
});

describe('bare NaN, Infinity and -Infinity in a JSON body, as Python JSON reads them', () => {
  it('logs them through log-metric and log-batch and reads them back; strings keep the words', async () => {
    const runId = await api.run(experimentId, 'bare-tokens');
    for (const [key, token] of [
      ['nan', 'NaN'],
      ['inf', 'Infinity'],
      ['neg', '-Infinity'],
    ]) {
      const res = await api.post(
        'runs/log-metric',
        `{"run_id": "${runId}", "key": "${key}", "value": ${token}, "timestamp": 10}`,
      );
      expect(res.status).toBe(200);
      expect(res.raw).toBe('{}');
    }
    const batch = await api.post(
      'runs/log-batch',
      `{"run_id": "${runId}",
        "metrics": [{"key": "b", "value": -Infinity, "timestamp": 11, "step": 1},
                    {"key": "b", "value": NaN, "timestamp": 12, "step": 2}],
        "params": [{"key": "p", "value": "NaN Infinity -Infinity"}],
        "tags": [{"key": "t", "value": "[NaN, \\"Infinity\\"]"}]}`,
    );
    expect(batch.raw).toBe('{}');
    const run = await getRun(runId);
    expect(run.data.metrics).toEqual([
      { key: 'b', value: 'NaN', timestamp: 12, step: 2 },
      { key: 'inf', value: 'Infinity', timestamp: 10, step: 0 },
      { key: 'nan', value: 'NaN', timestamp: 10, step: 0 },
      { key: 'neg', value: '-Infinity', timestamp: 10, step: 0 },
    ]);
    expect(run.data.params).toEqual([{ key: 'p', value: 'NaN Infinity -Infinity' }]);
    expect(run.data.tags).toContainEqual({ key: 't', value: '[NaN, "Infinity"]' });
    const history = await api.get('metrics/get-history', { run_id: runId, metric_key: 'b' });
    expect(history.json<{ metrics: unknown[] }>().metrics).toEqual([
      { key: 'b', value: '-Infinity', timestamp: 11, step: 1 },
      { key: 'b', value: 'NaN', timestamp: 12, step: 2 },
    ]);
  });

  it('refuses a bare token where a string or an integer belongs, naming it as Python does', async () => {
    const runId = await api.run(experimentId);
    const res = await api.post(
      'runs/log-metric',
      `{"run_id": "${runId}", "key": "k", "value": 1, "timestamp": NaN}`,
    );
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: `Invalid value NaN for parameter 'timestamp' supplied: Hint: Value was of type 'float'. ${API_DOCS}`,
    });
  });

  it.each([
    ['nan', '{"run_id": "r", "key": "k", "value": nan, "timestamp": 1}'],
    ['+Infinity', '{"run_id": "r", "key": "k", "value": +Infinity, "timestamp": 1}'],
    ['a trailing comma', '{"run_id": "r", "key": "k", "value": NaN, "timestamp": 1,}'],
  ])('still refuses malformed JSON (%s) with 400', async (_name, body) => {
    const res = await api.post('runs/log-metric', body);
    expect(res.status).toBe(400);
    expect(res.json<{ error_code: string }>().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.json<{ message: string }>().message).toMatch(/^Malformed JSON in request body: /);
  });
});

describe('runs/log-batch', () => {
  it('logs metrics, params and tags, ignoring a metric run_id as MLflow', async () => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'acc', value: 0.8, timestamp: 1, step: 0, run_id: runId },
        { key: 'acc', value: 0.9, timestamp: 2, step: 1, run_id: runId },
      ],
      params: [{ key: 'model', value: 'gpt' }],
      tags: [{ key: 'env', value: 'dev' }],
    });
    expect([res.status, res.raw]).toEqual([200, '{}']);
    const run = await getRun(runId);
    expect(run.data.metrics).toEqual([{ key: 'acc', value: 0.9, timestamp: 2, step: 1 }]);
    expect(run.data.params).toEqual([{ key: 'model', value: 'gpt' }]);
  });

  it.each([
    [
      { metrics: [{ key: 'a', timestamp: 1 }] },
      `Missing value for required parameter 'metrics[0].value'. ${API_DOCS}`,
    ],
    [{ params: [{ value: 'v' }] }, `Missing value for required parameter 'params[0].key'. ${API_DOCS}`],
    [{ tags: [{ key: '' }] }, `Missing value for required parameter 'tags[0].key'. ${API_DOCS}`],
    [
      { metrics: { key: 'a' } },
      `Invalid value {"key":"a"} for parameter 'metrics' supplied: Hint: Value was of type 'dict'. ${API_DOCS}`,
    ],
    [
      { metrics: [{ key: 'a', value: [1], timestamp: 1 }] },
      `Invalid value [1] for parameter 'metrics[0].value' supplied: Hint: Value was of type 'list'. ${API_DOCS}`,
    ],
  ])('refuses %j', async (fields, message) => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/log-batch', { run_id: runId, ...fields });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
  });

  it("refuses more than MLflow's 100 params with its message", async () => {
    const runId = await api.run(experimentId);
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    const res = await api.post('runs/log-batch', { run_id: runId, params });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toBe(
      'A batch logging request can contain at most 100 params. Got 101 params. ' +
        'Please split up params across multiple requests and try again.',
    );
  });

  it('accepts the largest batch MLflow accepts, over 1 MB', async () => {
    const runId = await api.run(experimentId);
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'é'.repeat(6000) }));
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 'é'.repeat(8000) }));
    const body = JSON.stringify({ run_id: runId, params, tags }).replace(/é/g, '\\u00e9');
    expect(body.length).toBeGreaterThan(8_000_000);
    const res = await api.post('runs/log-batch', body);
    expect(res.status).toBe(200);
    expect((await getRun(runId)).data.params).toHaveLength(100);
  });
});

describe('runs/search', () => {
  let searchExperiment: string;
  const runIds: string[] = [];
  beforeAll(async () => {
    searchExperiment = await api.experiment('/Shared/runs-search');
    for (let i = 0; i < 5; i++) {
      const res = await api.post('runs/create', {
        experiment_id: searchExperiment,
        run_name: `r${i}`,
        start_time: 1700000000000 + i,
        tags: [{ key: 'kind', value: i % 2 === 0 ? 'even' : 'odd' }],
      });
      runIds.push(res.json<{ run: Run }>().run.info.run_id);
    }
  });

  it('answers `{}` when nothing matches, and for no experiment at all', async () => {
    const none = await api.post('runs/search', {
      experiment_ids: [searchExperiment],
      filter: "tags.kind = 'nothing'",
    });
    expect([none.status, none.raw]).toEqual([200, '{}']);
    expect((await api.post('runs/search', {})).raw).toBe('{}');
  });

  it('filters and orders, with run_view_type ACTIVE_ONLY by default', async () => {
    const res = await api.post('runs/search', {
      experiment_ids: [searchExperiment],
      filter: "tags.kind = 'even'",
      order_by: ['attributes.start_time DESC'],
    });
    expect(res.json<{ runs: Run[] }>().runs.map((r) => r.info.run_name)).toEqual(['r4', 'r2', 'r0']);
  });

  it('pages with next_page_token, the last page having none', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api.post('runs/search', {
        experiment_ids: [searchExperiment],
        run_view_type: 'ACTIVE_ONLY',
        max_results: 2,
        ...(token ? { page_token: token } : {}),
      });
      const body = res.json<{ runs: Run[]; next_page_token?: string }>();
      seen.push(...body.runs.map((r) => r.info.run_id));
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect([...seen].sort()).toEqual([...runIds].sort());
  });

  it('refuses a page token of another query', async () => {
    const first = await api.post('runs/search', { experiment_ids: [searchExperiment], max_results: 1 });
    const token = first.json<{ next_page_token: string }>().next_page_token;
    const res = await api.post('runs/search', {
      experiment_ids: [searchExperiment],
      max_results: 1,
      filter: "tags.kind = 'odd'",
      page_token: token,
    });
    expect(res.status).toBe(400);
    expect(res.json<{ message: string }>().message).toMatch(/^Invalid page token/);
  });

  it('sees deleted runs with DELETED_ONLY', async () => {
    const runId = await api.run(searchExperiment, 'deleted-one');
    await api.post('runs/delete', { run_id: runId });
    const res = await api.post('runs/search', {
      experiment_ids: [searchExperiment],
      run_view_type: 'DELETED_ONLY',
    });
    expect(res.json<{ runs: Run[] }>().runs.map((r) => r.info.run_id)).toEqual([runId]);
  });

  it.each([
    [{ experiment_ids: '1' }, /^Invalid value "1" for parameter 'experiment_ids' supplied: Hint/],
    [{ experiment_ids: ['abc'] }, /^Invalid experiment ID: 'abc'/],
    [{ max_results: 50001 }, /It must be at most 50000/],
    [{ max_results: '1e3' }, /^Invalid value "1e3" for parameter 'max_results' supplied: Hint/],
    [{ order_by: [1] }, /^Invalid value 1 for parameter 'order_by\[0\]' supplied/],
    [{ order_by: ['foo.bar DESC'] }, /^Invalid entity type 'foo'/],
    [{ filter: "tags.kind = 'a' OR tags.kind = 'b'" }, /./],
    [{ run_view_type: 'NONE' }, /^Invalid value "NONE" for parameter 'run_view_type' supplied/],
  ])('refuses %j', async (fields, message) => {
    const res = await api.post('runs/search', { experiment_ids: [searchExperiment], ...fields });
    expect(res.status).toBe(400);
    expect(res.json<{ error_code: string }>().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.json<{ message: string }>().message).toMatch(message);
  });
});

describe('runs/log-inputs', () => {
  const dataset = { name: 'eval-set', digest: 'abc123', source_type: 'local', source: '/data/eval.json' };

  it('accepts datasets with input tags and answers `{}`', async () => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/log-inputs', {
      run_id: runId,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'eval' }], dataset }],
    });
    expect([res.status, res.raw]).toEqual([200, '{}']);
  });

  it('stores the datasets: runs/get and runs/search answer them in MLflow JSON', async () => {
    const experiment = await api.experiment('/Shared/runs/inputs');
    const runId = await api.run(experiment);
    const logged = {
      run_id: runId,
      datasets: [
        {
          tags: [
            { key: 'mlflow.data.context', value: 'eval' },
            { key: 'mlflow.data.split', value: 'test' },
          ],
          dataset: { ...dataset, schema: '{"mlflow_colspec": []}', profile: '' },
        },
        { dataset: { ...dataset, digest: 'def456' } },
      ],
    };
    const res = await api.post('runs/log-inputs', logged);
    expect([res.status, res.raw]).toEqual([200, '{}']);
    // Logging the same again (as a retry would) changes nothing.
    expect((await api.post('runs/log-inputs', logged)).status).toBe(200);
    const inputs =
      `{"dataset_inputs":[{"tags":[{"key":"mlflow.data.context","value":"eval"},{"key":"mlflow.data.split","value":"test"}],` +
      `"dataset":{"name":"eval-set","digest":"abc123","source_type":"local","source":"/data/eval.json","schema":"{\\"mlflow_colspec\\": []}"}},` +
      `{"dataset":{"name":"eval-set","digest":"def456","source_type":"local","source":"/data/eval.json"}}]}`;
    const got = await api.get('runs/get', { run_id: runId });
    expect(got.raw).toContain(`"inputs":${inputs},"outputs":{}}}`);
    const searched = await api.post('runs/search', {
      experiment_ids: [experiment],
      filter: "datasets.context = 'eval' AND datasets.digest = 'def456'",
    });
    expect(searched.json<{ runs: Run[] }>().runs.map((r) => r.info.run_id)).toEqual([runId]);
    expect(searched.raw).toContain(`"inputs":${inputs}}]`);
    const missed = await api.post('runs/search', {
      experiment_ids: [experiment],
      filter: "datasets.context = 'training'",
    });
    expect(missed.raw).toBe('{}');
  });

  it.each([
    [{ datasets: [{}] }, `Missing value for required parameter 'datasets[0].dataset'. ${API_DOCS}`],
    [
      { datasets: [{ dataset: { ...dataset, name: '' } }] },
      `Missing value for required parameter 'datasets[0].dataset.name'. ${API_DOCS}`,
    ],
    [
      { datasets: [{ dataset: { ...dataset, digest: 'x'.repeat(37) } }] },
      "'datasets[0].dataset.digest' exceeds the maximum length of 36 characters",
    ],
    [
      { datasets: [{ dataset, tags: [{ key: 'k' }] }] },
      `Missing value for required parameter 'datasets[0].tags[0].value'. ${API_DOCS}`,
    ],
    [
      { datasets: [{ dataset, tags: [{ key: 'k', value: 'v'.repeat(501) }] }] },
      "'datasets[0].tags[0].value' exceeds the maximum length of 500 characters",
    ],
    [{ models: [{}] }, `Missing value for required parameter 'models[0].model_id'. ${API_DOCS}`],
    [
      { datasets: 'x' },
      `Invalid value "x" for parameter 'datasets' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
  ])('refuses %j', async (fields, message) => {
    const runId = await api.run(experimentId);
    const res = await api.post('runs/log-inputs', { run_id: runId, ...fields });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
  });

  it('answers 404 for an unknown run and 400 for a deleted one', async () => {
    const unknown = await api.post('runs/log-inputs', { run_id: 'e'.repeat(32), datasets: [{ dataset }] });
    expect(unknown.status).toBe(404);
    const runId = await api.run(experimentId);
    await api.post('runs/delete', { run_id: runId });
    const deleted = await api.post('runs/log-inputs', { run_id: runId, datasets: [{ dataset }] });
    expect(deleted.status).toBe(400);
    expect(deleted.json<{ message: string }>().message).toMatch(/must be in the 'active' state/);
  });
});

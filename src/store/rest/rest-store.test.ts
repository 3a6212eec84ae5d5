import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../client/tracking-client.js';
import { WIRE, type WireExchange } from './__tests__/mlflow-wire.js';
import { startStubServer, type StubServer } from './__tests__/stub-server.js';
import { openRestStore, type RestTrackingStore } from './rest-store.js';
import { rejectionOf } from '../../testing/rejection.js';

const RUN = 'e9fa1f669b634869af492f6f50e21005';
const EVAL_RUN = '01555ffe66c141c3844b80c9a9944cd8';
const EDGE_RUN = 'c30f96a69a074dea8448dae18c519f2a';

/** The run of a recorded response as agentrack reads it: MLflow 3's `outputs` is not part of it. */
describe('RestTrackingStore, replaying recorded MLflow exchanges', () => {
  let stub: StubServer;
  let store: RestTrackingStore;

  beforeEach(async () => {
    stub = await startStubServer();
    store = await openRestStore(stub.url, { env: {}, maxRetries: 0 });
  });
  afterEach(async () => {
    await store.close();
    await stub.stop();
  });

  function replay(exchange: WireExchange): void {
    stub.reply({ status: exchange.status, body: exchange.response });
  }

  /** The one request sent is the recorded one: method, path, query (in order) and body (in order). */
  function expectSent(exchange: WireExchange): void {
    expect(stub.requests).toHaveLength(1);
    const [sent] = stub.requests;
    expect(sent?.method).toBe(exchange.method);
    expect(sent?.path).toBe(exchange.path);
    expect(Object.entries(sent?.query ?? {})).toEqual(Object.entries(exchange.query));
    if (exchange.method === 'POST') {
      expect(sent?.headers['content-type']).toBe('application/json');
      expect(sent?.text).toBe(JSON.stringify(exchange.request));
    } else {
      expect(sent?.text).toBe('');
    }
  }

  // Each call sends exactly what MLflow's Python client sent in the recording.
  it.each([
    [
      'createExperiment',
      WIRE.createExperiment,
      (s: RestTrackingStore) =>
        s.createExperiment({ name: '/Shared/health_monitor_agent/development', tags: [] }),
      '1',
    ],
    [
      'createExperiment with tags',
      WIRE.createExperimentWithTags,
      (s: RestTrackingStore) =>
        s.createExperiment({ name: '/Shared/wire/demo', tags: [{ key: 'team', value: 'core' }] }),
      '1',
    ],
    [
      'getExperiment',
      WIRE.getExperiment,
      (s: RestTrackingStore) => s.getExperiment('1'),
      WIRE.getExperiment.response.experiment,
    ],
    [
      'getExperimentByName',
      WIRE.getExperimentByName,
      (s: RestTrackingStore) => s.getExperimentByName('/Shared/health_monitor_agent/development'),
      WIRE.getExperimentByName.response.experiment,
    ],
    [
      'getExperimentByName of a missing name',
      WIRE.getExperimentByNameMissing,
      (s: RestTrackingStore) => s.getExperimentByName('/Shared/nope/none'),
      null,
    ],
    [
      'searchExperiments',
      WIRE.searchExperiments,
      (s: RestTrackingStore) =>
        s.searchExperiments({
          maxResults: 1000,
          filter: "name LIKE '/Shared/health_monitor_agent/%'",
          viewType: 'ACTIVE_ONLY',
        }),
      { items: WIRE.searchExperiments.response.experiments },
    ],
    [
      'renameExperiment',
      WIRE.renameExperiment,
      (s: RestTrackingStore) => s.renameExperiment('1', '/Shared/wire/renamed'),
      undefined,
    ],
    [
      'setExperimentTag',
      WIRE.setExperimentTag,
      (s: RestTrackingStore) => s.setExperimentTag('1', 'owner', 'core'),
      undefined,
    ],
    ['deleteExperiment', WIRE.deleteExperiment, (s: RestTrackingStore) => s.deleteExperiment('1'), undefined],
    [
      'restoreExperiment',
      WIRE.restoreExperiment,
      (s: RestTrackingStore) => s.restoreExperiment('1'),
      undefined,
    ],
    [
      'createRun',
      WIRE.createRun,
      (s: RestTrackingStore) =>
        s.createRun({
          experimentId: '1',
          userId: 'root',
          runName: 'dev_20261126_162234',
          startTime: 1795710154418,
          tags: [
            { key: 'mlflow.user', value: 'root' },
            { key: 'mlflow.source.name', value: 'workflow.py' },
            { key: 'mlflow.source.type', value: 'LOCAL' },
            { key: 'mlflow.runName', value: 'dev_20261126_162234' },
          ],
        }),
      WIRE.createRun.response.run,
    ],
    [
      'setTag',
      WIRE.setTag,
      (s: RestTrackingStore) => s.setTag(RUN, { key: 'run_type', value: 'development' }),
      undefined,
    ],
    [
      'logParam',
      WIRE.logParam,
      (s: RestTrackingStore) => s.logParam(RUN, { key: 'prompt_template', value: 'v3' }),
      undefined,
    ],
    // Outputs included: MLflow's get answers them (the logged models the run produced).
    ['getRun', WIRE.getRun, (s: RestTrackingStore) => s.getRun(RUN), WIRE.getRun.response.run],
    [
      'logMetric',
      WIRE.logMetric,
      (s: RestTrackingStore) =>
        s.logMetric(RUN, { key: 'latency_ms', value: 120.5, timestamp: 1795710155073, step: 0 }),
      undefined,
    ],
    [
      'updateRun',
      WIRE.updateRun,
      (s: RestTrackingStore) => s.updateRun(RUN, { status: 'FINISHED', endTime: 1795710155789 }),
      WIRE.updateRun.response.run_info,
    ],
    [
      'logBatch',
      WIRE.logBatch,
      (s: RestTrackingStore) =>
        s.logBatch(EVAL_RUN, {
          metrics: [
            { key: 'accuracy', value: 0.81, timestamp: 1795710156986, step: 0 },
            { key: 'relevance', value: 0.7, timestamp: 1795710156986, step: 0 },
          ],
        }),
      undefined,
    ],
    ['deleteRun', WIRE.deleteRun, (s: RestTrackingStore) => s.deleteRun(EDGE_RUN), undefined],
    ['restoreRun', WIRE.restoreRun, (s: RestTrackingStore) => s.restoreRun(EDGE_RUN), undefined],
    [
      'searchRuns',
      WIRE.searchRuns,
      (s: RestTrackingStore) =>
        s.searchRuns({
          experimentIds: ['2'],
          runViewType: 'ACTIVE_ONLY',
          filter: "tags.run_type = 'evaluation'",
          maxResults: 1,
          orderBy: ['start_time DESC'],
        }),
      { items: WIRE.searchRuns.response.runs, nextPageToken: 'eyJvZmZzZXQiOiAxfQ==' },
    ],
    [
      'searchRuns with no match (MLflow leaves out "runs")',
      WIRE.searchRunsEmpty,
      (s: RestTrackingStore) =>
        s.searchRuns({ experimentIds: ['3'], filter: "tags.model_version = '9'", maxResults: 10000 }),
      { items: [] },
    ],
    [
      'getMetricHistory (always with max_results)',
      WIRE.getMetricHistory,
      (s: RestTrackingStore) => s.getMetricHistory(RUN, 'latency_ms'),
      { items: WIRE.getMetricHistory.response.metrics },
    ],
  ] as const)('%s sends what MLflow sends and reads the answer', async (_name, exchange, call, expected) => {
    replay(exchange);
    const result = await call(store);
    expectSent(exchange);
    expect(result).toEqual(expected);
  });

  it.each([
    [
      'a duplicate experiment',
      WIRE.createExperimentDuplicate,
      (s: RestTrackingStore) => s.createExperiment({ name: '/Shared/health_monitor_agent/development' }),
      'RESOURCE_ALREADY_EXISTS',
      'Experiment(name=/Shared/health_monitor_agent/development) already exists.',
    ],
    [
      'a missing experiment',
      WIRE.getExperimentMissing,
      (s: RestTrackingStore) => s.getExperiment('999'),
      'RESOURCE_DOES_NOT_EXIST',
      'No Experiment with id=999 exists',
    ],
    [
      'a changed param',
      WIRE.logBatchChangedParam,
      (s: RestTrackingStore) => s.logBatch(EDGE_RUN, { params: [{ key: 'lr', value: '0.02' }] }),
      'INVALID_PARAMETER_VALUE',
      'Changing param values is not allowed',
    ],
    [
      'a malformed filter',
      WIRE.searchRunsBadFilter,
      (s: RestTrackingStore) =>
        s.searchRuns({ experimentIds: ['2'], filter: 'tags.run_type = evaluation', maxResults: 10000 }),
      'INVALID_PARAMETER_VALUE',
      'Parameter value is either not quoted',
    ],
  ] as const)(
    "reports %s with the server's code and message",
    async (_name, exchange, call, code, message) => {
      replay(exchange);
      const error = await rejectionOf(call(store));
      expectSent(exchange);
      expect(error.code).toBe(code);
      expect(error.message).toContain(message);
    },
  );

  it('reads a missing run as RESOURCE_DOES_NOT_EXIST', async () => {
    replay(WIRE.getRunMissing);
    expect(await rejectionOf(store.getRun('00000000000000000000000000000000'))).toEqual({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Run with id=00000000000000000000000000000000 not found',
    });
  });

  it('reads "NaN" metric values back as NaN, in runs and in histories', async () => {
    replay(WIRE.getRunWithNaN);
    const run = await store.getRun(EDGE_RUN);
    expect(run.data.metrics?.find((m) => m.key === 'loss')?.value).toBeNaN();
    replay(WIRE.getMetricHistoryWithNaN);
    const history = await store.getMetricHistory(EDGE_RUN, 'loss', { maxResults: 25000 });
    expect(history.items.map((m) => m.value)).toEqual([0.5, Number.NaN]);
  });

  it("sends NaN and ±Infinity as MLflow's strings", async () => {
    await store.logMetric(RUN, { key: 'a', value: Number.NaN, timestamp: 1, step: 0 });
    await store.logBatch(RUN, {
      metrics: [
        { key: 'b', value: Infinity, timestamp: 1, step: 0 },
        { key: 'c', value: -Infinity, timestamp: 1, step: 2 },
      ],
    });
    expect(stub.requests[0]?.body).toMatchObject({ key: 'a', value: 'NaN' });
    expect(stub.requests[1]?.body).toEqual({
      run_id: RUN,
      metrics: [
        { key: 'b', value: 'Infinity', timestamp: 1, step: 0, run_id: RUN },
        { key: 'c', value: '-Infinity', timestamp: 1, step: 2, run_id: RUN },
      ],
    });
  });

  it('reads int64 fields sent as strings and enums sent as numbers', async () => {
    stub.reply({
      body: {
        run: {
          info: {
            run_id: RUN,
            experiment_id: 7,
            status: 3,
            start_time: '1795710154418',
            end_time: '1795710155789',
            lifecycle_stage: 'active',
          },
          data: {
            metrics: [{ key: 'm', value: 'Infinity', timestamp: '5', step: '9' }],
            tags: [{ key: 'mlflow.runName', value: 'old-run' }],
          },
        },
      },
    });
    expect(await store.getRun(RUN)).toEqual({
      info: {
        run_uuid: RUN,
        experiment_id: '7',
        run_name: 'old-run',
        user_id: '',
        status: 'FINISHED',
        start_time: 1795710154418,
        end_time: 1795710155789,
        artifact_uri: '',
        lifecycle_stage: 'active',
        run_id: RUN,
      },
      data: {
        metrics: [{ key: 'm', value: Infinity, timestamp: 5, step: 9 }],
        tags: [{ key: 'mlflow.runName', value: 'old-run' }],
      },
      inputs: {},
    });
  });

  it('sends searches with their defaults, page tokens and order_by', async () => {
    await store.searchRuns({ experimentIds: ['1', '2'], pageToken: 'tok', orderBy: ['metrics.m DESC'] });
    await store.searchExperiments({ viewType: 'ALL', orderBy: ['name'], pageToken: 'p2', maxResults: 5 });
    expect(stub.requests.map((r) => r.text)).toEqual([
      JSON.stringify({
        experiment_ids: ['1', '2'],
        run_view_type: 'ACTIVE_ONLY',
        max_results: 1000,
        order_by: ['metrics.m DESC'],
        page_token: 'tok',
      }),
      JSON.stringify({ max_results: 5, page_token: 'p2', order_by: ['name'], view_type: 'ALL' }),
    ]);
  });

  it('reads every page of a metric history when no maxResults is given', async () => {
    const metric = (step: number) => ({ key: 'm', value: step, timestamp: 10, step });
    stub.reply(
      { body: { metrics: [metric(0), metric(1)], next_page_token: 't1' } },
      { body: { metrics: [metric(2)], next_page_token: '' } },
    );
    expect(await store.getMetricHistory(RUN, 'm')).toEqual({ items: [metric(0), metric(1), metric(2)] });
    expect(stub.requests.map((r) => r.query)).toEqual([
      { run_uuid: RUN, metric_key: 'm', run_id: RUN, max_results: '25000' },
      { run_uuid: RUN, metric_key: 'm', run_id: RUN, page_token: 't1', max_results: '25000' },
    ]);
  });

  it('returns one page and its token when maxResults is given', async () => {
    stub.reply({
      body: { metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], next_page_token: 'next' },
    });
    const page = await store.getMetricHistory(RUN, 'm', { maxResults: 1, pageToken: 'prev' });
    expect(page).toEqual({ items: [{ key: 'm', value: 1, timestamp: 1, step: 0 }], nextPageToken: 'next' });
    expect(stub.requests).toHaveLength(1);
    expect(stub.requests[0]?.query).toMatchObject({ page_token: 'prev', max_results: '1' });
  });

  it('refuses a server that hands out the same history page token forever', async () => {
    stub.fallback = () => ({ body: { metrics: [], next_page_token: 'same' } });
    const error = await rejectionOf(store.getMetricHistory(RUN, 'm'));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(stub.requests).toHaveLength(2);
  });

  it('reads the run back when an update answers without run_info', async () => {
    stub.reply({ body: {} }, { body: WIRE.getRun.response });
    const info = await store.updateRun(RUN, { runName: 'renamed' });
    expect(info).toEqual(WIRE.getRun.response.run?.info);
    expect(stub.requests.map((r) => r.path)).toEqual([
      '/api/2.0/mlflow/runs/update',
      '/api/2.0/mlflow/runs/get',
    ]);
    expect(stub.requests[0]?.body).toEqual({ run_uuid: RUN, run_id: RUN, run_name: 'renamed' });
  });

  it('sends deleteTag and deleteExperimentTag as MLflow does', async () => {
    await store.deleteTag(RUN, 'stage');
    await store.deleteExperimentTag('4', 'owner');
    expect(stub.requests.map((r) => [r.method, r.path, r.text])).toEqual([
      [
        'POST',
        '/api/2.0/mlflow/runs/delete-tag',
        '{"run_id":"e9fa1f669b634869af492f6f50e21005","key":"stage"}',
      ],
      ['POST', '/api/2.0/mlflow/experiments/delete-experiment-tag', '{"experiment_id":"4","key":"owner"}'],
    ]);
  });

  it('keeps a path prefix of the tracking URI', async () => {
    const prefixed = await openRestStore(`${stub.url}/mlflow/`, { env: {}, maxRetries: 0 });
    await prefixed.deleteRun(RUN);
    expect(stub.requests[0]?.path).toBe('/mlflow/api/2.0/mlflow/runs/delete');
    await prefixed.close();
  });
});

describe('RestTrackingStore errors', () => {
  let stub: StubServer;
  let store: RestTrackingStore;

  beforeEach(async () => {
    stub = await startStubServer();
    store = await openRestStore(stub.url, { env: {}, maxRetries: 0 });
  });
  afterEach(async () => {
    await store.close();
    await stub.stop();
  });

  it.each([
    [400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'bad' }, 'INVALID_PARAMETER_VALUE', 'bad'],
    [403, { error_code: 'PERMISSION_DENIED', message: 'not yours' }, 'PERMISSION_DENIED', 'not yours'],
    [500, { error_code: 'IO_ERROR', message: 'disk' }, 'INTERNAL_ERROR', 'IO_ERROR: disk'],
    [409, { error_code: 'SOMETHING_NEW', message: 'x' }, 'ALREADY_EXISTS', 'SOMETHING_NEW: x'],
    [429, { error_code: '429', message: 'slow down' }, 'RESOURCE_EXHAUSTED', 'slow down'],
    [401, { message: 'who are you' }, 'UNAUTHENTICATED', 'who are you'],
    [400, { error: { message: 'nested' } }, 'BAD_REQUEST', 'nested'],
    [
      404,
      '<!doctype html><title>404 Not Found</title>',
      'ENDPOINT_NOT_FOUND',
      'HTTP 404; the response body was not',
    ],
    [
      502,
      '<html>Bad Gateway</html>',
      'INTERNAL_ERROR',
      "HTTP 502; the response body was not MLflow's JSON error: '<html>Bad Gateway</html>'",
    ],
    [
      503,
      '',
      'TEMPORARILY_UNAVAILABLE',
      "HTTP 503; the response body was not MLflow's JSON error: an empty body",
    ],
    [504, 'upstream timed out', 'DEADLINE_EXCEEDED', 'upstream timed out'],
    [418, 'teapot', 'INTERNAL_ERROR', 'HTTP 418'],
  ] as const)('HTTP %i %j is %s', async (status, body, code, message) => {
    stub.reply({ status, body });
    const error = await rejectionOf(store.getExperiment('1'));
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it('names the request in errors about bodies that are not JSON', async () => {
    stub.reply({ status: 502, body: 'oops' });
    expect((await rejectionOf(store.getExperiment('1'))).message).toContain(
      `GET ${stub.url}/api/2.0/mlflow/experiments/get?experiment_id=1 failed with HTTP 502`,
    );
  });

  it('refuses a successful answer that is not a JSON object', async () => {
    stub.reply({ status: 200, body: '<html>login page</html>' });
    const error = await rejectionOf(store.getExperiment('1'));
    expect(error.code).toBe('INTERNAL_ERROR');
    expect(error.message).toContain(
      "succeeded but the response body was not in a valid JSON format: '<html>login page</html>'",
    );
  });

  it('refuses an answer without the expected entity', async () => {
    stub.reply({ body: {} }, { body: { experiment_id: '' } });
    expect((await rejectionOf(store.getExperiment('1'))).message).toMatch(
      /expected the experiment as an object, got nothing/,
    );
    expect((await rejectionOf(store.createExperiment({ name: 'x' }))).message).toMatch(/no 'experiment_id'/);
  });

  it('lets other errors of get-by-name through', async () => {
    stub.reply({ status: 403, body: { error_code: 'PERMISSION_DENIED', message: 'no' } });
    expect((await rejectionOf(store.getExperimentByName('/x'))).code).toBe('PERMISSION_DENIED');
  });
});

describe('RestTrackingStore log-batch', () => {
  let stub: StubServer;
  let store: RestTrackingStore;
  const metrics = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ key: `m${i}`, value: i, timestamp: 1, step: 0 }));

  beforeEach(async () => {
    stub = await startStubServer();
    store = await openRestStore(stub.url, { env: {}, maxRetries: 2, backoffFactorMs: 1, backoffJitterMs: 0 });
  });
  afterEach(async () => {
    await store.close();
    await stub.stop();
  });

  it('refuses a batch over the count limits before sending anything, as the other stores do', async () => {
    const error = await rejectionOf(store.logBatch(RUN, { metrics: metrics(1001) }));
    expect(error).toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    expect(error.message).toContain('at most 1000 metrics');
    expect(stub.requests).toEqual([]);
  });

  it('refuses invalid entities and duplicate param keys before sending anything', async () => {
    expect(
      (await rejectionOf(store.logBatch(RUN, { tags: [{ key: 'bad key!', value: 'v' }] }))).message,
    ).toContain("'tags[0].key'");
    expect(
      (
        await rejectionOf(
          store.logBatch(RUN, {
            params: [
              { key: 'p', value: 'a' },
              { key: 'p', value: 'a' },
            ],
          }),
        )
      ).message,
    ).toContain('Duplicate parameter keys');
    expect((await rejectionOf(store.logParam(RUN, { key: 'p', value: 'x'.repeat(6001) }))).message).toContain(
      '6000',
    );
    expect(
      (await rejectionOf(store.logMetric(RUN, { key: 'k', value: 1, timestamp: -1, step: 0 }))).code,
    ).toBe('INVALID_PARAMETER_VALUE');
    expect(stub.requests).toEqual([]);
  });

  it('sends an empty batch, so that the server still checks the run', async () => {
    await store.logBatch(RUN, {});
    expect(stub.requests.map((r) => r.text)).toEqual([`{"run_id":"${RUN}"}`]);
  });

  it('splits a batch over 1 MB into requests within it, params first', async () => {
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v'.repeat(6000) }));
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 't'.repeat(8000) }));
    await store.logBatch(RUN, { params, tags, metrics: metrics(10) });
    expect(stub.requests.length).toBeGreaterThan(1);
    for (const r of stub.requests) expect(Buffer.byteLength(r.text)).toBeLessThanOrEqual(1_000_000);
    const sent = stub.requests.map(
      (r) => r.body as { params?: unknown[]; tags?: unknown[]; metrics?: unknown[] },
    );
    expect(sent.flatMap((b) => b.params ?? [])).toEqual(params);
    expect(sent.flatMap((b) => b.tags ?? [])).toEqual(tags);
    expect(sent.flatMap((b) => b.metrics ?? [])).toHaveLength(10);
    expect(sent[0]?.params).toHaveLength(100);
  });

  it('says how much of a split batch was written when a later request fails', async () => {
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: 'v'.repeat(6000) }));
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: 't'.repeat(8000) }));
    stub.reply(
      { body: {} },
      { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'refused' } },
    );
    const error = await rejectionOf(store.logBatch(RUN, { params, tags }));
    expect(error.code).toBe('INVALID_PARAMETER_VALUE');
    expect(error.message).toMatch(
      /^refused \(This log-batch was sent in 2 requests .*request 2 failed and the 1 before it were written: 100 params, \d+ tags, 0 metrics\.\)$/,
    );
  });

  it('keeps the message of a failure of the first request', async () => {
    stub.reply({ status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'refused' } });
    expect((await rejectionOf(store.logBatch(RUN, { metrics: metrics(3) }))).message).toBe('refused');
  });

  it("splits by counts, as MLflow's Python client does, with splitOversizedBatches", async () => {
    const splitting = await openRestStore(stub.url, { env: {}, splitOversizedBatches: true });
    await splitting.logBatch(RUN, {
      metrics: metrics(1500),
      params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: 'v' })),
    });
    const counts = stub.requests.map((r) => {
      const b = r.body as { params?: unknown[]; metrics?: unknown[] };
      return [b.params?.length ?? 0, b.metrics?.length ?? 0];
    });
    expect(counts).toEqual([
      [100, 0],
      [50, 950],
      [0, 550],
    ]);
    await splitting.close();
  });

  it('retries a log-batch request, which is idempotent', async () => {
    stub.reply({ status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' } });
    await store.logBatch(RUN, { metrics: metrics(2) });
    expect(stub.requests).toHaveLength(2);
    expect(stub.requests[1]?.text).toBe(stub.requests[0]?.text);
  });
});

describe('RestTrackingStore log-inputs', () => {
  let stub: StubServer;
  let store: RestTrackingStore;
  const dataset = { name: 'golden', digest: '5a1f0c2e', source_type: 'local', source: '{"uri": "g.jsonl"}' };

  beforeEach(async () => {
    stub = await startStubServer();
    store = await openRestStore(stub.url, { env: {}, maxRetries: 1, backoffFactorMs: 1, backoffJitterMs: 0 });
  });
  afterEach(async () => {
    await store.close();
    await stub.stop();
  });

  it("sends MLflow's LogInputs body: run_id and datasets, empty tags and schema left out", async () => {
    await store.logInputs(RUN, {
      datasets: [
        { tags: [{ key: 'mlflow.data.context', value: 'eval' }], dataset: { ...dataset, schema: '' } },
        { tags: [], dataset: { ...dataset, digest: 'ffff', profile: '{"rows": 3}' } },
      ],
    });
    expect(stub.requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', '/api/2.0/mlflow/runs/log-inputs'],
    ]);
    expect(stub.requests[0]?.text).toBe(
      JSON.stringify({
        run_id: RUN,
        datasets: [
          { tags: [{ key: 'mlflow.data.context', value: 'eval' }], dataset },
          { dataset: { ...dataset, digest: 'ffff', profile: '{"rows": 3}' } },
        ],
      }),
    );
  });

  it('sends no datasets as MLflow does, so that the server still checks the run', async () => {
    await store.logInputs(RUN, {});
    expect(stub.requests.map((r) => r.text)).toEqual([`{"run_id":"${RUN}"}`]);
  });

  it('refuses invalid datasets before sending anything', async () => {
    const error = await rejectionOf(
      store.logInputs(RUN, { datasets: [{ dataset: { ...dataset, digest: 'd'.repeat(37) } }] }),
    );
    expect(error).toEqual({
      code: 'INVALID_PARAMETER_VALUE',
      message: "'datasets[0].dataset.digest' exceeds the maximum length of 36 characters",
    });
    expect(stub.requests).toEqual([]);
  });

  it('retries a log-inputs request, which is idempotent', async () => {
    stub.reply(
      { status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' } },
      { body: {} },
    );
    await store.logInputs(RUN, { datasets: [{ dataset }] });
    expect(stub.requests).toHaveLength(2);
  });

  it('reads dataset and model inputs back in runs, with empty lists and fields left out', async () => {
    stub.reply({
      body: {
        run: {
          info: {
            run_id: RUN,
            experiment_id: '1',
            status: 'RUNNING',
            start_time: 1,
            lifecycle_stage: 'active',
          },
          data: {},
          inputs: {
            dataset_inputs: [
              {
                tags: [{ key: 'mlflow.data.context', value: 'training' }],
                dataset: { ...dataset, schema: '{}' },
              },
              { tags: [], dataset: { ...dataset, digest: 'ffff', profile: '' } },
            ],
            model_inputs: [{ model_id: 'm-1' }],
          },
          outputs: {},
        },
      },
    });
    expect((await store.getRun(RUN)).inputs).toEqual({
      dataset_inputs: [
        { tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { ...dataset, schema: '{}' } },
        { dataset: { ...dataset, digest: 'ffff' } },
      ],
      model_inputs: [{ model_id: 'm-1' }],
    });
  });
});

describe('TrackingClient over REST', () => {
  it("opens http:// URIs on the REST store and goes through MLflow's endpoints", async () => {
    const stub = await startStubServer();
    stub.reply(
      { body: { experiment_id: '5' } },
      { body: { run: WIRE.createRun.response.run } },
      { body: {} },
      { body: { run_info: WIRE.updateRun.response.run_info } },
    );
    const client = await TrackingClient.open(stub.url, { env: {}, maxRetries: 0, now: () => 1234 });
    expect(client.store.kind).toBe('rest');
    expect(await client.createExperiment('/Shared/a')).toBe('5');
    const run = await client.createRun('5', { runName: 'r', userId: 'u' });
    await client.logMetric(run.info.run_id, 'acc', 0.5);
    await client.setTerminated(run.info.run_id);
    expect(stub.requests.map((r) => r.path.replace('/api/2.0/mlflow/', ''))).toEqual([
      'experiments/create',
      'runs/create',
      'runs/log-metric',
      'runs/update',
    ]);
    expect(stub.requests[1]?.body).toEqual({
      experiment_id: '5',
      user_id: 'u',
      run_name: 'r',
      start_time: 1234,
    });
    expect(stub.requests[2]?.body).toMatchObject({ key: 'acc', value: 0.5, timestamp: 1234, step: 0 });
    await client.close();
    await expect(client.getExperiment('5')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(stub.requests).toHaveLength(4);
    await stub.stop();
  });

  it('takes the URI from MLFLOW_TRACKING_URI in the given environment', async () => {
    const stub = await startStubServer();
    const client = await TrackingClient.open(undefined, {
      env: { MLFLOW_TRACKING_URI: stub.url },
      maxRetries: 0,
    });
    await client.deleteRun(RUN);
    expect(stub.requests).toHaveLength(1);
    await client.close();
    await stub.stop();
  });
});

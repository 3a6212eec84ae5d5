import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Metric } from '../../src/entities/index.js';
import { openApiHarness, type ApiHarness } from './api-harness.js';

let api: ApiHarness;
let runId: string;
beforeAll(async () => {
  api = await openApiHarness();
  runId = await api.run(await api.experiment('/Shared/metrics'));
  const metrics = [0.5, 0.4, 'NaN', 0.3, 0.2].map((value, step) => ({
    key: 'loss',
    value,
    timestamp: 1700000000000 + step,
    step,
  }));
  const res = await api.post('runs/log-batch', { run_id: runId, metrics });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await api.close();
});

describe('metrics/get-history', () => {
  it('answers the whole history without max_results (MLflow answers an empty page)', async () => {
    const res = await api.get('metrics/get-history', { run_id: runId, metric_key: 'loss' });
    expect(res.status).toBe(200);
    const body = res.json<{ metrics: Metric[] }>();
    expect(Object.keys(body)).toEqual(['metrics']);
    expect(body.metrics.map((m) => m.value)).toEqual([0.5, 0.4, 'NaN', 0.3, 0.2]);
    expect(body.metrics[0]).toEqual({ key: 'loss', value: 0.5, timestamp: 1700000000000, step: 0 });
  });

  it('pages with max_results and next_page_token, reading run_uuid too', async () => {
    const values: unknown[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await api.get('metrics/get-history', {
        run_uuid: runId,
        metric_key: 'loss',
        max_results: '2',
        ...(token ? { page_token: token } : {}),
      });
      expect(res.status).toBe(200);
      const body = res.json<{ metrics: Metric[]; next_page_token?: string }>();
      values.push(...body.metrics.map((m) => m.value));
      token = body.next_page_token;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(values).toEqual([0.5, 0.4, 'NaN', 0.3, 0.2]);
  });

  it('answers `{}` for a key without values', async () => {
    const res = await api.get('metrics/get-history', { run_id: runId, metric_key: 'nothing' });
    expect([res.status, res.raw]).toEqual([200, '{}']);
  });

  // `RUN` stands for the run logged above.
  it.each([
    [{ run_id: 'RUN' }, /^Missing value for required parameter 'metric_key'\. See the API docs/],
    [{ metric_key: 'loss' }, /^Missing value for required parameter 'run_id'\. See the API docs/],
    [
      { run_id: 'RUN', metric_key: 'loss', max_results: 'all' },
      /^Invalid value "all" for parameter 'max_results'/,
    ],
    [{ run_id: 'RUN', metric_key: 'loss', max_results: '0' }, /^Invalid value 0 for parameter 'max_results'/],
    [{ run_id: 'RUN', metric_key: 'loss', page_token: 'not-a-token' }, /^Invalid page token/],
  ])('refuses %j', async (query: Record<string, string>, message) => {
    const res = await api.get(
      'metrics/get-history',
      Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v === 'RUN' ? runId : v])),
    );
    expect(res.status).toBe(400);
    expect(res.json<{ error_code: string }>().error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.json<{ message: string }>().message).toMatch(message);
  });
});

const API_DOCS = 'See the API docs for more information about request parameters.';
const AJAX = '/ajax-api/2.0/mlflow/';

/** `GET <prefix><path>?<query>`, the query string written out as MLflow's UI writes it. */
async function getRaw(url: string) {
  const res = await api.app.inject({ method: 'GET', url });
  return { status: res.statusCode, raw: res.body, json: <T>() => JSON.parse(res.body) as T };
}

function refused(res: { status: number; json: <T>() => T }, message: string) {
  expect(res.status).toBe(400);
  expect(res.json()).toEqual({ error_code: 'INVALID_PARAMETER_VALUE', message });
}

describe('metrics/get-history-bulk (MLflow serves it under /ajax-api/ alone)', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    const experiment = await api.experiment('/Shared/metrics/bulk');
    [a, b] = [await api.run(experiment), await api.run(experiment)].sort() as [string, string];
    for (const [run, metrics] of [
      [b, [{ key: 'acc', value: 'NaN', timestamp: 2, step: 1 }]],
      [
        a,
        [
          { key: 'acc', value: 0.5, timestamp: 3, step: 0 },
          { key: 'acc', value: 0.25, timestamp: 1, step: 7 },
        ],
      ],
    ] as const) {
      expect((await api.post('runs/log-batch', { run_id: run, metrics })).status).toBe(200);
    }
  });

  it('reads repeated run_id parameters and answers {"metrics": [...]} by run id, then timestamp', async () => {
    const res = await getRaw(`${AJAX}metrics/get-history-bulk?run_id=${b}&run_id=${a}&metric_key=acc`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      metrics: [
        { key: 'acc', value: 0.25, timestamp: 1, step: 7, run_id: a },
        { key: 'acc', value: 0.5, timestamp: 3, step: 0, run_id: a },
        { key: 'acc', value: 'NaN', timestamp: 2, step: 1, run_id: b },
      ],
    });
    const limited = await getRaw(
      `${AJAX}metrics/get-history-bulk?run_id=${b}&run_id=${a}&metric_key=acc&max_results=1`,
    );
    expect(limited.json<{ metrics: { run_id: string }[] }>().metrics.map((m) => m.run_id)).toEqual([a]);
  });

  it('keeps `metrics` in an empty answer, as MLflow’s plain JSON answer does', async () => {
    const res = await getRaw(`${AJAX}metrics/get-history-bulk?run_id=${a}&metric_key=nothing`);
    expect([res.status, res.raw]).toEqual([200, '{"metrics":[]}']);
  });

  it.each([
    ['metric_key=acc', 'GetMetricHistoryBulk request must specify at least one run_id.'],
    ['run_id=RUN', 'GetMetricHistoryBulk request must specify a metric_key.'],
    [
      `${Array.from({ length: 101 }, (_, i) => `run_id=r${i}`).join('&')}&metric_key=acc`,
      'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.',
    ],
    [
      'run_id=RUN&metric_key=acc&max_results=all',
      `Invalid value "all" for parameter 'max_results' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
  ])('refuses ?%s', async (query, message) => {
    refused(await getRaw(`${AJAX}metrics/get-history-bulk?${query.replace('RUN', a)}`), message);
  });
});

describe('metrics/get-history-bulk-interval', () => {
  let a: string;
  let b: string;
  beforeAll(async () => {
    const experiment = await api.experiment('/Shared/metrics/interval');
    a = await api.run(experiment);
    b = await api.run(experiment);
    const steps = (run: string, list: number[]) =>
      api.post('runs/log-batch', {
        run_id: run,
        metrics: list.map((step) => ({ key: 'loss', value: step / 10, timestamp: 1, step })),
      });
    expect(
      (
        await steps(
          a,
          Array.from({ length: 100 }, (_, i) => i),
        )
      ).status,
    ).toBe(200);
    expect((await steps(b, [5, 42, 95])).status).toBe(200);
  });

  it('answers every value when there are fewer steps than max_results, per run in the order asked', async () => {
    const res = await getRaw(`${AJAX}metrics/get-history-bulk-interval?run_ids=${b}&metric_key=loss`);
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      metrics: [5, 42, 95].map((step) => ({ key: 'loss', value: step / 10, timestamp: 1, step, run_id: b })),
    });
  });

  it('samples max_results steps over both runs, keeping the last step and each run’s first and last', async () => {
    const res = await getRaw(
      `/api/2.0/mlflow/metrics/get-history-bulk-interval?run_ids=${a}&run_ids=${b}&metric_key=loss&max_results=4`,
    );
    expect(res.status).toBe(200);
    const metrics = res.json<{ metrics: { run_id: string; step: number }[] }>().metrics;
    // Every 25th of the 100 steps, the last one (99), and b's first and last (5, 95).
    expect(metrics.filter((m) => m.run_id === a).map((m) => m.step)).toEqual([0, 5, 25, 50, 75, 95, 99]);
    expect(metrics.filter((m) => m.run_id === b).map((m) => m.step)).toEqual([5, 95]);
    expect(metrics.map((m) => m.run_id)).toEqual([...Array<string>(7).fill(a), b, b]);
  });

  it('samples within start_step and end_step', async () => {
    const res = await getRaw(
      `${AJAX}metrics/get-history-bulk-interval?run_ids=${a}&metric_key=loss&start_step=10&end_step=19&max_results=5`,
    );
    expect(res.json<{ metrics: { step: number }[] }>().metrics.map((m) => m.step)).toEqual([
      10, 12, 14, 16, 18, 19,
    ]);
  });

  it('answers `{}` when no value is at a sampled step, as a proto answer', async () => {
    const res = await getRaw(`${AJAX}metrics/get-history-bulk-interval?run_ids=${b}&metric_key=nothing`);
    expect([res.status, res.raw]).toEqual([200, '{}']);
  });

  it.each([
    ['metric_key=loss', `Missing value for required parameter 'run_ids'. ${API_DOCS}`],
    ['run_ids=RUN', `Missing value for required parameter 'metric_key'. ${API_DOCS}`],
    [
      `${Array.from({ length: 101 }, (_, i) => `run_ids=r${i}`).join('&')}&metric_key=loss`,
      `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids. ${API_DOCS}`,
    ],
    ['run_ids=RUN&metric_key=loss&max_results=0', `max_results must be between 1 and 2500. ${API_DOCS}`],
    ['run_ids=RUN&metric_key=loss&max_results=2501', `max_results must be between 1 and 2500. ${API_DOCS}`],
    [
      'run_ids=RUN&metric_key=loss&start_step=x&end_step=2',
      `Invalid value "x" for parameter 'start_step' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    ],
    [
      'run_ids=RUN&metric_key=loss&end_step=2',
      'If either start step or end step are specified, both must be specified.',
    ],
    [
      'run_ids=RUN&metric_key=loss&start_step=9&end_step=2',
      'end_step must be greater than start_step. Found start_step=9 and end_step=2.',
    ],
  ])('refuses ?%s', async (query, message) => {
    refused(await getRaw(`${AJAX}metrics/get-history-bulk-interval?${query.replace('RUN', a)}`), message);
  });
});

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

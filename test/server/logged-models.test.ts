import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiHarness, type ApiHarness } from './api-harness.js';

const API_DOCS = 'See the API docs for more information about request parameters.';

let api: ApiHarness;
let experiment: string;
beforeAll(async () => {
  api = await openApiHarness();
  experiment = await api.experiment('/Shared/logged-models/development');
});
afterAll(async () => {
  await api.close();
});

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

  it('answers {} to the searches of set_active_model and search_logged_models, with order_by and max_results', async () => {
    for (const body of [
      { experiment_ids: [experiment], filter: "name='agent_candidate'", max_results: 2 },
      {
        experiment_ids: [experiment, '999'],
        filter: "tags.flow = 'x'",
        order_by: [{ field_name: 'metrics.accuracy', ascending: false }],
        datasets: [{ dataset_name: 'golden', dataset_digest: 'd1' }],
      },
      { experiment_ids: [] },
    ]) {
      const res = await api.post('logged-models/search', body);
      expect([res.status, res.raw]).toEqual([200, '{}']);
    }
  });

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

  it('leaves the other logged-model endpoints at 501', async () => {
    const res = await api.post('logged-models', { experiment_id: experiment, name: 'm' });
    expect(res.status).toBe(501);
    expect(res.json()).toMatchObject({ error_code: 'NOT_IMPLEMENTED' });
  });
});

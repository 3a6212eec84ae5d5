import { describe, expect, it } from 'vitest';
import type { LoggedModel, LoggedModelMetric } from '../entities/index.js';
import { withoutLocation } from './ast.js';
import { compareLoggedModels, matchesLoggedModel } from './logged-model-evaluator.js';
import { parseLoggedModelFilter, parseLoggedModelOrderBy } from './logged-model-parser.js';
import { latestModelMetric } from './logged-model-sort-key.js';
import { compileLoggedModelSearch } from './logged-model-sql.js';
import { serializeFilter } from './serializer.js';
import { sqliteDialect } from '../store/sqlite/sqlite-dialect.js';

function model(
  id: string,
  fields: {
    name?: string;
    created?: number;
    status?: LoggedModel['info']['status'];
    type?: string;
    tags?: Record<string, string>;
    params?: Record<string, string>;
    metrics?: Partial<LoggedModelMetric>[];
  } = {},
): LoggedModel {
  const pairs = (o: Record<string, string> = {}) => Object.entries(o).map(([key, value]) => ({ key, value }));
  return {
    info: {
      model_id: id,
      experiment_id: '1',
      name: fields.name ?? 'agent',
      creation_timestamp_ms: fields.created ?? 1,
      last_updated_timestamp_ms: fields.created ?? 1,
      artifact_uri: `mlflow-artifacts:/1/models/${id}/artifacts`,
      status: fields.status ?? 'LOGGED_MODEL_PENDING',
      model_type: fields.type ?? '',
      source_run_id: '',
      tags: pairs(fields.tags),
    },
    data: {
      params: pairs(fields.params),
      metrics: (fields.metrics ?? []).map((m) => ({
        key: 'accuracy',
        value: 0,
        timestamp: 0,
        step: 0,
        ...m,
      })),
    },
  };
}

describe('the logged-model filter language', () => {
  it("parses MLflow's entities, bare attributes and their aliases", () => {
    const parsed = parseLoggedModelFilter(
      "metrics.accuracy > 0.9 AND tags.`flow id` = 'a' AND params.lr != '0.1' AND attributes.name LIKE 'ag%' AND creation_time >= 5",
    ).map(withoutLocation);
    expect(parsed).toEqual([
      { type: 'number_comparison', entity: 'metric', key: 'accuracy', comparator: '>', value: 0.9 },
      { type: 'string_comparison', entity: 'tag', key: 'flow id', comparator: '=', value: 'a' },
      { type: 'string_comparison', entity: 'param', key: 'lr', comparator: '!=', value: '0.1' },
      { type: 'string_comparison', entity: 'attribute', key: 'name', comparator: 'LIKE', value: 'ag%' },
      {
        type: 'number_comparison',
        entity: 'attribute',
        key: 'creation_timestamp',
        comparator: '>=',
        value: 5,
      },
    ]);
    expect(parseLoggedModelFilter("name='x'")).toHaveLength(1);
    expect(parseLoggedModelFilter('last_updated_time < 3')[0]).toMatchObject({
      key: 'last_updated_timestamp',
    });
    expect(
      parseLoggedModelFilter(serializeFilter(parseLoggedModelFilter("tags.`a b` ILIKE 'x%'"))),
    ).toHaveLength(1);
  });

  it.each([
    [
      "run.name = 'a'",
      "Invalid entity type 'run'. Valid values are ['attributes', 'metrics', 'params', 'tags'] (at position 0)",
    ],
    ['metric.a > 1', "Invalid entity type 'metric'"],
    ["artifact_location = 'x'", "Invalid attribute key 'artifact_location' specified."],
    [
      "name IN ('a')",
      "Invalid comparator 'IN' not one of ['=', '!=', 'LIKE', 'ILIKE'] for string attribute 'name' (at position 5)",
    ],
    ['metrics.a LIKE 1', "Invalid comparator 'LIKE'"],
    ["creation_timestamp = 'x'", 'Expected numeric value type for numeric attribute: creation_timestamp'],
    ["name = 'a' OR name = 'b'", 'Only AND is supported'],
  ])('refuses %s with INVALID_PARAMETER_VALUE', (filter, message) => {
    expect(() => parseLoggedModelFilter(filter)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
    );
    expect(() => parseLoggedModelFilter(filter)).toThrow(message);
  });

  it('parses order_by entries: attributes and metrics with their dataset, dropping repeats', () => {
    expect(
      parseLoggedModelOrderBy([
        { fieldName: 'metrics.accuracy', ascending: false, datasetName: 'golden', datasetDigest: 'd1' },
        { fieldName: 'creation_time' },
        { fieldName: 'creation_timestamp', ascending: false },
        { fieldName: 'name', datasetName: 'ignored' },
      ]).map(withoutLocation),
    ).toEqual([
      {
        type: 'order_by',
        entity: 'metric',
        key: 'accuracy',
        ascending: false,
        datasetName: 'golden',
        datasetDigest: 'd1',
      },
      { type: 'order_by', entity: 'attribute', key: 'creation_timestamp', ascending: true },
      { type: 'order_by', entity: 'attribute', key: 'name', ascending: true },
    ]);
    expect(() => parseLoggedModelOrderBy([{ fieldName: 'tags.a' }])).toThrow(
      'Invalid order by field name: tags.a. Only metrics are supported (at position 0 of order_by[0])',
    );
    expect(() =>
      parseLoggedModelOrderBy([{ fieldName: 'name', ascending: true }, { fieldName: 'name ASC' }]),
    ).toThrow('order_by[1]');
    expect(() => parseLoggedModelOrderBy([{ fieldName: 'artifact_location' }])).toThrow(
      "Invalid attribute key 'artifact_location'",
    );
  });
});

describe('the logged-model evaluator', () => {
  const a = model('m-a', {
    name: 'agent',
    created: 3,
    status: 'LOGGED_MODEL_READY',
    type: 'agent',
    tags: { stage: 'candidate' },
    params: { lr: '0.1' },
    metrics: [
      { value: 0.7, timestamp: 1, dataset_name: 'golden', dataset_digest: 'd1' },
      { value: 0.95, timestamp: 2, dataset_name: 'train' },
    ],
  });
  const b = model('m-b', {
    name: 'Agent',
    created: 2,
    metrics: [{ value: 0.8, timestamp: 1, dataset_name: 'golden' }],
  });
  const c = model('m-c', { name: 'other', created: 2 });

  it.each([
    ['', [true, true, true]],
    ["name = 'agent'", [true, false, false]],
    ["name ILIKE 'AGENT'", [true, true, false]],
    ["status = 'READY'", [true, false, false]],
    ["status = 'PENDING'", [false, true, true]],
    ["model_type = ''", [false, true, true]],
    ["tags.stage = 'candidate'", [true, false, false]],
    ["tags.stage != 'x'", [true, false, false]],
    ["params.lr = '0.1'", [true, false, false]],
    // Any value ever logged for the metric counts, not only the latest.
    ['metrics.accuracy < 0.75', [true, false, false]],
    ['metrics.accuracy > 0.9', [true, false, false]],
    ['creation_timestamp > 2', [true, false, false]],
  ] as const)('%s', (filter, expected) => {
    expect([a, b, c].map((m) => matchesLoggedModel(filter, m))).toEqual(expected);
  });

  it('reads metrics on the datasets of the search, and keeps only models with values there', () => {
    const golden = [{ datasetName: 'golden' }];
    expect([a, b, c].map((m) => matchesLoggedModel('metrics.accuracy > 0.9', m, golden))).toEqual([
      false,
      false,
      false,
    ]);
    expect([a, b, c].map((m) => matchesLoggedModel('metrics.accuracy >= 0.7', m, golden))).toEqual([
      true,
      true,
      false,
    ]);
    expect(
      [a, b, c].map((m) => matchesLoggedModel('', m, [{ datasetName: 'golden', datasetDigest: 'd1' }])),
    ).toEqual([true, false, false]);
    expect(
      [a, b, c].map((m) => matchesLoggedModel('', m, [{ datasetName: 'train' }, { datasetName: 'golden' }])),
    ).toEqual([true, true, false]);
  });

  it('takes the latest value of a metric by timestamp, then step, a number before NaN, then the greatest', () => {
    const latest = (metrics: Partial<LoggedModelMetric>[]) =>
      latestModelMetric(model('m', { metrics }), 'accuracy')?.value;
    expect(
      latest([
        { value: 1, timestamp: 2, step: 0 },
        { value: 2, timestamp: 1, step: 9 },
      ]),
    ).toBe(1);
    expect(
      latest([
        { value: 1, timestamp: 1, step: 1 },
        { value: 2, timestamp: 1, step: 0 },
      ]),
    ).toBe(1);
    expect(
      latest([
        { value: Number.NaN, timestamp: 1 },
        { value: -5, timestamp: 1 },
      ]),
    ).toBe(-5);
    expect(
      latest([
        { value: 3, timestamp: 1 },
        { value: 4, timestamp: 1 },
      ]),
    ).toBe(4);
    expect(latest([])).toBeUndefined();
  });

  it('orders newest first then by model id by default, and by the latest metric with missing values last', () => {
    const ids = (orderBy: Parameters<typeof compareLoggedModels>[0]) =>
      [c, b, a].sort(compareLoggedModels(orderBy)).map((m) => m.info.model_id);
    expect(ids([])).toEqual(['m-a', 'm-b', 'm-c']);
    expect(ids([{ fieldName: 'metrics.accuracy', ascending: true }])).toEqual(['m-b', 'm-a', 'm-c']);
    expect(ids([{ fieldName: 'metrics.accuracy', ascending: false }])).toEqual(['m-a', 'm-b', 'm-c']);
    expect(ids([{ fieldName: 'metrics.accuracy', ascending: false, datasetName: 'golden' }])).toEqual([
      'm-b',
      'm-a',
      'm-c',
    ]);
    expect(ids([{ fieldName: 'status', ascending: false }])).toEqual(['m-a', 'm-b', 'm-c']);
    expect(ids([{ fieldName: 'name' }])).toEqual(['m-b', 'm-a', 'm-c']);
  });
});

describe('the logged-model SQL compiler', () => {
  it('keeps every value and key out of the SQL text', () => {
    const compiled = compileLoggedModelSearch(sqliteDialect, {
      experimentIds: ['1', '2'],
      filter: "tags.`x'; DROP TABLE runs; --` = 'evil''value' AND metrics.`k'k` > 0.5 AND name LIKE 'a%'",
      datasets: [{ datasetName: "d'1", datasetDigest: 'g' }],
      orderBy: [{ fieldName: "metrics.`o'o`", datasetName: "d'2" }],
      after: [2, null, 0, 5, 0, 'm-x'],
      limit: 10,
    });
    for (const value of ["x'; DROP TABLE runs; --", "evil'value", "k'k", "d'1", "o'o", "d'2", 'm-x']) {
      expect(compiled.sql).not.toContain(value);
      expect(compiled.params).toContain(value);
    }
    expect(compiled.terms.map((t) => `${t.entity}.${t.key} ${t.ascending ? 'ASC' : 'DESC'}`)).toEqual([
      "metric.o'o ASC",
      'attribute.creation_timestamp DESC',
      'attribute.model_id ASC',
    ]);
  });

  it('refuses a page position that does not fit the ordering', () => {
    expect(() =>
      compileLoggedModelSearch(sqliteDialect, { experimentIds: ['1'], after: ['x'], limit: 1 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }));
  });
});

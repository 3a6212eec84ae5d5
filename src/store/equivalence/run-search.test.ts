/**
 * Property test: for random runs (written through each store's API), random filters, orderings,
 * view types and page sizes, the SQLite store and the PostgreSQL store, paged with their page
 * tokens, return exactly the runs, in exactly the order, that the in-memory evaluator gives for
 * the same data. Texts, patterns and numbers come from `__tests__/vocabulary.ts` (case rules,
 * Unicode, NaN, ±Infinity, -0, long texts); runs log dataset inputs too, and orderings include
 * `attributes.duration` over finished and running runs with tied durations.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, RunStatus, ViewType } from '../../entities/index.js';
import {
  compareRuns,
  matchesRun,
  matchesViewType,
  parseRunFilter,
  parseRunOrderBy,
  runOrderTerms,
  runSortKey,
  serializeFilter,
  serializeOrderBy,
  type Comparison,
  type OrderBy,
} from '../../query/index.js';
import { compareText } from '../../query/compare-text.js';
import { runOrderBy } from '../../query/__tests__/arbitraries.js';
import {
  expectSameOrder,
  openBackends,
  pageThrough,
  renameIds,
  stableId,
  type Backend,
  type Backends,
} from './__tests__/backends.js';
import { NO_LOCATION, listClause, numberClause, stringClause } from './__tests__/clauses.js';
import { FILTER_NUMBERS, KEYS, NUMBERS, TEXTS, pick } from './__tests__/vocabulary.js';

/** Run names: the texts short enough for one. */
const NAMES = TEXTS.filter((t) => t.length > 0 && t.length < 100);
const USERS = ['alice', 'Alice', 'bob', 'é', ''];
const TIMES = [0, 1_000, 2_000, 3_000];
const STATUSES: RunStatus[] = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'SCHEDULED'];
const DATASET_NAMES = ['golden', 'Golden', 'train_v1', "o'k", 'é', 'É'];
const DIGESTS = ['a1', 'B2', 'c_3'];
const CONTEXTS = ['training', 'eval', 'Eval', '', 'ß'];
/** The ids the first runs of a scenario get (see `stableId`), and one in capitals. */
const RUN_IDS = [...Array.from({ length: 6 }, (_, i) => stableId(i)), stableId(0).toUpperCase()];

const runSpec = fc.record({
  experiment: fc.integer({ min: 0, max: 2 }),
  name: pick(NAMES),
  status: pick(STATUSES),
  startTime: pick(TIMES),
  endTime: fc.option(pick(TIMES), { nil: undefined }),
  user: pick(USERS),
  deleted: fc.boolean(),
  tags: fc.dictionary(pick(KEYS), pick(TEXTS), { maxKeys: 3 }),
  params: fc.dictionary(pick(KEYS), pick(TEXTS), { maxKeys: 3 }),
  metrics: fc.array(
    fc.record({
      key: pick(KEYS),
      value: pick(NUMBERS),
      step: fc.integer({ min: 0, max: 2 }),
      timestamp: pick(TIMES),
    }),
    { maxLength: 4 },
  ),
  // Logged in one or two calls; a repeated (name, digest) keeps its first context, as in MLflow.
  datasets: fc.array(
    fc.record({
      name: pick(DATASET_NAMES),
      digest: pick(DIGESTS),
      context: fc.option(pick(CONTEXTS), { nil: undefined }),
      secondCall: fc.boolean(),
    }),
    { maxLength: 3 },
  ),
});

type RunSpec = typeof runSpec extends fc.Arbitrary<infer T> ? T : never;

/** Filter clauses drawn from the data's own vocabulary, so that they often match. */
const filterClause: fc.Arbitrary<Comparison> = fc.oneof(
  stringClause('tag', pick(KEYS), TEXTS),
  stringClause('param', pick(KEYS), TEXTS),
  numberClause('metric', pick(KEYS), FILTER_NUMBERS),
  stringClause('attribute', pick(['run_name']), NAMES),
  stringClause('attribute', pick(['status']), STATUSES, pick(['F%', '%ING', 'k%', '%ed', '_UNNING'])),
  stringClause('attribute', pick(['user_id']), USERS),
  stringClause('attribute', pick(['run_id']), RUN_IDS),
  listClause(
    'attribute',
    fc.constant('run_id'),
    fc.subarray([...RUN_IDS, 'nope'], { minLength: 1, maxLength: 4 }),
  ),
  numberClause('attribute', pick(['start_time', 'end_time']), [
    ...TIMES,
    1_500,
    2_500.5,
    -1,
    Infinity,
    -Infinity,
  ]),
  stringClause('dataset', pick(['name']), DATASET_NAMES),
  stringClause('dataset', pick(['digest']), DIGESTS),
  stringClause('dataset', pick(['context']), CONTEXTS),
  listClause(
    'dataset',
    pick(['name', 'digest', 'context']),
    fc.subarray([...DATASET_NAMES, ...DIGESTS, ...CONTEXTS], { minLength: 1, maxLength: 3 }),
  ),
);

/** Half the orderings lead with `attributes.duration`, which a random list names too rarely. */
const orderBy: fc.Arbitrary<OrderBy> = fc.oneof(
  runOrderBy(pick(KEYS)),
  fc.tuple(fc.boolean(), runOrderBy(pick(KEYS))).map(([ascending, rest]) => [
    {
      type: 'order_by' as const,
      entity: 'attribute' as const,
      key: 'duration',
      ascending,
      location: NO_LOCATION,
    },
    ...rest.filter((c) => !(c.entity === 'attribute' && c.key === 'duration')),
  ]),
);

const scenario = fc.record({
  runs: fc.array(runSpec, { minLength: 5, maxLength: 20 }),
  filter: fc.array(filterClause, { maxLength: 2 }),
  orderBy,
  viewType: pick<ViewType>(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']),
  experiments: fc.subarray([0, 1, 2], { minLength: 1 }),
  pageSize: fc.integer({ min: 1, max: 7 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Writes `runs` through `backend`'s store; returns its three experiments' ids. */
async function load(backend: Backend, runs: readonly RunSpec[]): Promise<string[]> {
  const { store } = backend;
  const experimentIds = [
    await store.createExperiment({ name: 'e0' }),
    await store.createExperiment({ name: 'e1' }),
    await store.createExperiment({ name: 'e2' }),
  ];
  const renames = new Map<string, string>();
  for (const [i, spec] of runs.entries()) {
    const run = await store.createRun({
      experimentId: experimentIds[spec.experiment] as string,
      runName: spec.name,
      startTime: spec.startTime,
      userId: spec.user,
      tags: Object.entries(spec.tags).map(([key, value]) => ({ key, value })),
    });
    const id = run.info.run_id;
    renames.set(id, stableId(i));
    await store.logBatch(id, {
      params: Object.entries(spec.params).map(([key, value]) => ({ key, value })),
      metrics: spec.metrics,
    });
    for (const secondCall of [false, true]) {
      const datasets = spec.datasets
        .filter((d) => d.secondCall === secondCall)
        .map(({ name, digest, context }) => ({
          dataset: { name, digest, source_type: 'local', source: `/data/${name}` },
          tags: context === undefined ? [] : [{ key: 'mlflow.data.context', value: context }],
        }));
      if (datasets.length > 0) await store.logInputs(id, { datasets });
    }
    await store.updateRun(id, {
      status: spec.status,
      ...(spec.endTime !== undefined ? { endTime: spec.endTime } : {}),
    });
    if (spec.deleted) await store.deleteRun(id);
  }
  await backend.driver.transaction((tx) => renameIds(tx, 'runs', 'run_uuid', renames, ['artifact_uri']));
  return experimentIds;
}

/** What the in-memory evaluator answers for `s` over every run `backend` holds. */
async function evaluate(backend: Backend, experimentIds: readonly string[], s: Scenario): Promise<Run[]> {
  const searched = s.experiments.map((i) => experimentIds[i] as string);
  const all: Run[] = (await backend.store.searchRuns({ experimentIds, runViewType: 'ALL', maxResults: 1000 }))
    .items;
  return all
    .filter((r) => searched.includes(r.info.experiment_id))
    .filter((r) => matchesViewType(s.viewType, r.info.lifecycle_stage))
    .filter((r) => matchesRun(s.filter, r))
    .sort(compareRuns(s.orderBy));
}

const idsOf = (runs: readonly Run[]) => runs.map((r) => r.info.run_id);

/** True when two neighbours of `runs` (in order) tie on every term `orderBy` names. */
function hasTie(orderBy: OrderBy, runs: readonly Run[]): boolean {
  if (orderBy.length === 0) return false;
  const named = runOrderTerms(orderBy).slice(0, orderBy.length);
  const keys = runs.map((run) => JSON.stringify(runSortKey(named, run)));
  return keys.some((key, i) => i > 0 && key === keys[i - 1]);
}

/** What `backend`'s store answers for `s`, page by page. */
function search(backend: Backend, experimentIds: readonly string[], s: Scenario): Promise<string[]> {
  const filter = serializeFilter(s.filter);
  const orderBy = serializeOrderBy(s.orderBy);
  return pageThrough(
    (pageToken) =>
      backend.store.searchRuns({
        experimentIds: s.experiments.map((i) => experimentIds[i] as string),
        filter,
        orderBy,
        runViewType: s.viewType,
        maxResults: s.pageSize,
        ...(pageToken ? { pageToken } : {}),
      }),
    s.pageSize,
    (run) => run.info.run_id,
  );
}

describe('run search: SQLite, PostgreSQL and the in-memory evaluator agree', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await openBackends();
  });
  afterAll(() => backends.close());

  /** Loads `s.runs` into both stores, checks the three answers agree, and returns the runs found. */
  async function check(s: Scenario): Promise<Run[]> {
    await backends.reset();
    const [sqliteExperiments, postgresExperiments] = (await Promise.all(
      backends.all.map((b) => load(b, s.runs)),
    )) as [string[], string[]];
    const all = (b: Backend, experimentIds: string[]) =>
      b.store.searchRuns({ experimentIds, runViewType: 'ALL', maxResults: 1000 }).then((p) => p.items);
    expect(await all(backends.postgres, postgresExperiments)).toEqual(
      await all(backends.sqlite, sqliteExperiments),
    );
    const expected = await evaluate(backends.sqlite, sqliteExperiments, s);
    expectSameOrder(idsOf(expected), {
      'evaluator on PostgreSQL data': idsOf(await evaluate(backends.postgres, postgresExperiments, s)),
      sqlite: await search(backends.sqlite, sqliteExperiments, s),
      postgresql: await search(backends.postgres, postgresExperiments, s),
    });
    return expected;
  }

  it('for random runs, filters, orderings, view types and page sizes', async () => {
    const seen = { informative: 0, patterns: 0, datasets: 0, duration: 0, ties: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const expected = await check(s);
        if (hasTie(s.orderBy, expected)) seen.ties++;
        if (expected.length > 0 && s.filter.length > 0) seen.informative++;
        if (expected.length > 0 && s.filter.some((c) => c.entity === 'dataset')) seen.datasets++;
        const byDuration = s.orderBy.some((c) => c.entity === 'attribute' && c.key === 'duration');
        if (byDuration && expected.length > s.pageSize) seen.duration++;
        if (expected.length > 0 && s.filter.some((c) => c.comparator.endsWith('LIKE'))) seen.patterns++;
      }),
      { numRuns: 150 },
    );
    // Guard against a generator drift that would make the property vacuous.
    expect(seen.informative).toBeGreaterThan(10);
    expect(seen.datasets).toBeGreaterThan(2);
    expect(seen.duration).toBeGreaterThan(5);
    expect(seen.patterns).toBeGreaterThan(2);
    // Orderings whose own terms left neighbours tied, so that the tie-break decided their order.
    expect(seen.ties).toBeGreaterThan(8);
  });

  // Found by the property: PostgreSQL typed the bound as the column's BIGINT and failed the
  // search (INTERNAL_ERROR) where SQLite and the evaluator compare the numbers.
  it.each([
    ['start_time > 1500.5', ['late']],
    ['start_time >= 999.5', ['early', 'late']],
    ['start_time < 1000.5', ['early']],
    ['start_time <= 1999.9', ['early']],
    ['start_time = 1000.0', ['early']],
    ['start_time = 1000.5', []],
    ['start_time != 1000.5', ['early', 'late']],
    ['end_time != 0.5', ['early']],
    ['start_time < 1e999', ['early', 'late']],
    ['start_time > -1e999', ['early', 'late']],
    ['start_time >= 1e999', []],
    ['end_time < 1e300', ['early']],
    ['start_time > -1e19', ['early', 'late']],
  ])('regression: attributes.%s compares an integer time with any number', async (clause, names) => {
    const run = { ...specOf('early', 1_000), endTime: 3_000 };
    const runs = [run, specOf('late', 2_000)];
    const s: Scenario = {
      runs,
      filter: [...parseRunFilter(`attributes.${clause}`)],
      orderBy: parseRunOrderBy(['attributes.run_name']),
      viewType: 'ALL',
      experiments: [0],
      pageSize: 1,
    };
    const expected = idsOf(await check(s));
    expect(expected).toEqual(names.map((name) => stableId(runs.findIndex((r) => r.name === name))));
  });

  describe("text orders by code point under the cluster's ICU collation", () => {
    /** Texts whose code-point order ICU's English order breaks in many places. */
    const texts = [
      'b',
      'B',
      'a',
      'A',
      'é',
      'e\u0301',
      'f',
      'ß',
      'SS',
      'ı',
      'I',
      'İ',
      'a\u0001c',
      'a\tb',
      '😀',
      '\uffee',
    ];

    it('the database orders text by ICU English unless told otherwise', async () => {
      const provider = await backends.postgres.driver.get<{ provider: string }>(
        'SELECT datlocprovider AS provider FROM pg_database WHERE datname = current_database()',
      );
      expect(provider?.provider).toBe('i');
      const rows = await backends.postgres.driver.all<{ t: string }>(
        'SELECT t FROM unnest(?::text[]) AS u(t) ORDER BY t COLLATE "default"',
        [texts],
      );
      expect(rows.map((r) => r.t)).not.toEqual([...texts].sort(compareText));
    });

    it.each([
      ['tags.a', true],
      ['params.a DESC', false],
      ['attributes.run_name', true],
      ['run_name DESC', false],
    ])('order_by %s', async (orderBy, ascending) => {
      const runs = texts.map((text, i) => ({
        ...specOf(text, 1_000 * (i % 3)),
        tags: { a: text },
        params: { a: text },
      }));
      const s: Scenario = {
        runs,
        filter: [],
        orderBy: parseRunOrderBy([orderBy]),
        viewType: 'ACTIVE_ONLY',
        experiments: [0],
        pageSize: 3,
      };
      const expected = idsOf(await check(s));
      const byCodePoint = [...texts].sort(compareText);
      if (!ascending) byCodePoint.reverse();
      expect(expected).toEqual(byCodePoint.map((text) => stableId(texts.indexOf(text))));
    });
  });
});

/** A run of experiment 0 named `name`, started at `startTime`, with nothing else. */
function specOf(name: string, startTime: number): RunSpec {
  return {
    experiment: 0,
    name,
    status: 'RUNNING',
    startTime,
    endTime: undefined,
    user: '',
    deleted: false,
    tags: {},
    params: {},
    metrics: [],
    datasets: [],
  };
}

/**
 * Property test: for random experiments (written through each store's API: names of every
 * case and script, tags, creation and update times with ties, some deleted), random filters,
 * orderings, view types and page sizes, the SQLite store and the PostgreSQL store, paged with
 * their page tokens, return exactly the experiments, in exactly the order, that the in-memory
 * evaluator gives for the same data.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment, ViewType } from '../../entities/index.js';
import {
  compareExperiments,
  matchesExperiment,
  matchesViewType,
  serializeFilter,
  serializeOrderBy,
  type Comparison,
} from '../../query/index.js';
import { experimentOrderBy } from '../../query/__tests__/arbitraries.js';
import {
  expectSameOrder,
  openBackends,
  pageThrough,
  type Backend,
  type Backends,
} from './__tests__/backends.js';
import { numberClause, stringClause } from './__tests__/clauses.js';
import { KEYS, TEXTS, pick } from './__tests__/vocabulary.js';

/** Experiment names: the texts short enough for one (and not empty). */
const NAMES = TEXTS.filter((t) => t.length > 0 && t.length < 100);
const TIMES = [0, 1_000, 2_000, 3_000];

const experimentSpec = fc.record({
  createdAt: pick(TIMES),
  tags: fc.dictionary(pick(KEYS), pick(TEXTS), { maxKeys: 2 }),
  taggedAt: pick(TIMES),
  deleted: fc.option(pick(TIMES), { nil: undefined }),
});

type ExperimentSpec = typeof experimentSpec extends fc.Arbitrary<infer T> ? T : never;

const filterClause: fc.Arbitrary<Comparison> = fc.oneof(
  stringClause('attribute', fc.constant('name'), NAMES),
  stringClause('tag', pick(KEYS), TEXTS),
  numberClause('attribute', pick(['creation_time', 'last_update_time']), [
    ...TIMES,
    1_500,
    2_999.5,
    -1,
    Infinity,
    -Infinity,
  ]),
);

const scenario = fc.record({
  experiments: fc.uniqueArray(fc.tuple(pick(NAMES), experimentSpec), {
    minLength: 3,
    maxLength: 14,
    selector: ([name]) => name,
  }),
  filter: fc.array(filterClause, { maxLength: 2 }),
  orderBy: experimentOrderBy,
  viewType: pick<ViewType>(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']),
  pageSize: fc.integer({ min: 1, max: 6 }),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Writes `experiments` through `backend`'s store at the times they name (one backend at a time). */
async function load(
  backends: Backends,
  backend: Backend,
  experiments: readonly (readonly [string, ExperimentSpec])[],
): Promise<void> {
  const { store } = backend;
  for (const [name, spec] of experiments) {
    backends.clock = spec.createdAt;
    const id = await store.createExperiment({ name });
    backends.clock = spec.taggedAt;
    for (const [key, value] of Object.entries(spec.tags)) await store.setExperimentTag(id, key, value);
    if (spec.deleted !== undefined) {
      backends.clock = spec.deleted;
      await store.deleteExperiment(id);
    }
  }
}

/** What the in-memory evaluator answers for `s` over the experiments `backend` holds. */
async function evaluate(backend: Backend, s: Scenario): Promise<string[]> {
  const all: Experiment[] = (await backend.store.searchExperiments({ viewType: 'ALL', maxResults: 1000 }))
    .items;
  return all
    .filter((e) => matchesViewType(s.viewType, e.lifecycle_stage))
    .filter((e) => matchesExperiment(s.filter, e))
    .sort(compareExperiments(s.orderBy))
    .map((e) => e.experiment_id);
}

/** What `backend`'s store answers for `s`, page by page. */
function search(backend: Backend, s: Scenario): Promise<string[]> {
  const filter = serializeFilter(s.filter);
  const orderBy = serializeOrderBy(s.orderBy);
  return pageThrough(
    (pageToken) =>
      backend.store.searchExperiments({
        viewType: s.viewType,
        filter,
        orderBy,
        maxResults: s.pageSize,
        ...(pageToken ? { pageToken } : {}),
      }),
    s.pageSize,
    (experiment) => experiment.experiment_id,
  );
}

describe('experiment search: SQLite, PostgreSQL and the in-memory evaluator agree', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await openBackends();
  });
  afterAll(() => backends.close());

  it('for random experiments, filters, orderings, view types and page sizes', async () => {
    const seen = { informative: 0, patterns: 0, ordered: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await backends.reset();
        for (const backend of backends.all) await load(backends, backend, s.experiments);
        const all = (b: Backend) => b.store.searchExperiments({ viewType: 'ALL', maxResults: 1000 });
        expect(await all(backends.postgres)).toEqual(await all(backends.sqlite));
        const expected = await evaluate(backends.sqlite, s);
        expectSameOrder(expected, {
          'evaluator on PostgreSQL data': await evaluate(backends.postgres, s),
          sqlite: await search(backends.sqlite, s),
          postgresql: await search(backends.postgres, s),
        });
        if (expected.length > 0 && s.filter.length > 0) seen.informative++;
        if (expected.length > 0 && s.filter.some((c) => c.comparator.endsWith('LIKE'))) seen.patterns++;
        if (expected.length > s.pageSize && s.orderBy.length > 0) seen.ordered++;
      }),
      { numRuns: 200 },
    );
    // Guard against a generator drift that would make the property vacuous.
    expect(seen.informative).toBeGreaterThan(25);
    expect(seen.patterns).toBeGreaterThan(1);
    expect(seen.ordered).toBeGreaterThan(25);
  });
});

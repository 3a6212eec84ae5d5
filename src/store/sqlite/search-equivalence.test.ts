/**
 * Property test: for random runs, random filters and random orderings, the SQLite store's
 * search (SQL, paged with keyset tokens) returns exactly the runs, in exactly the order,
 * that the in-memory evaluator gives for the same data. Runs log dataset inputs too, so that
 * `datasets.name`, `datasets.digest` and `datasets.context` clauses are compared as well, and
 * orderings include `attributes.duration` over finished and running runs with tied durations.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run, RunStatus, ViewType } from '../../entities/index.js';
import {
  NUMBER_COMPARATORS,
  compareRuns,
  matchesRun,
  matchesViewType,
  serializeFilter,
  serializeOrderBy,
  type Comparison,
} from '../../query/index.js';
import { runOrderBy } from '../../query/__tests__/arbitraries.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openSqliteStore } from './sqlite-store.js';

const KEYS = ['a', 'b', 'my key'];
const STRINGS = ['', 'a', 'A', 'aB', 'b%c', 'dev_1', 'DEV_2', 'é', "o'k"];
/** LIKE / ILIKE patterns that hit the values above in case-sensitive and -insensitive ways. */
const PATTERNS = ['a%', 'A%', '%b%', 'dev\\_%', 'DEV_%', '_', '%', "o'%", 'b%%c', '%é'];
const METRICS = [-Infinity, -1, 0, 0.5, 1, 2.5, Infinity, Number.NaN];
const TIMES = [0, 1_000, 2_000, 3_000];
const STATUSES: RunStatus[] = ['RUNNING', 'FINISHED', 'FAILED', 'KILLED', 'SCHEDULED'];
const DATASET_NAMES = ['golden', 'Golden', 'train_v1', "o'k"];
const DIGESTS = ['a1', 'B2', 'c_3'];
const CONTEXTS = ['training', 'eval', 'Eval', ''];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);

const runSpec = fc.record({
  experiment: fc.integer({ min: 0, max: 2 }),
  name: pick(STRINGS),
  status: pick(STATUSES),
  startTime: pick(TIMES),
  endTime: fc.option(pick(TIMES), { nil: undefined }),
  user: pick(['alice', 'bob', '']),
  deleted: fc.boolean(),
  tags: fc.dictionary(pick(KEYS), pick(STRINGS), { maxKeys: 3 }),
  params: fc.dictionary(pick(KEYS), pick(STRINGS), { maxKeys: 3 }),
  metrics: fc.array(
    fc.record({
      key: pick(KEYS),
      value: pick(METRICS),
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

const at = { start: 0, end: 0 };

function stringClause(
  entity: 'tag' | 'param' | 'attribute' | 'dataset',
  key: fc.Arbitrary<string>,
  values: readonly string[],
  patterns: readonly string[],
) {
  return fc.oneof(
    fc.record({
      type: fc.constant('string_comparison' as const),
      entity: fc.constant(entity),
      key,
      comparator: pick(['=', '!='] as const),
      value: pick(values),
      location: fc.constant(at),
    }),
    fc.record({
      type: fc.constant('string_comparison' as const),
      entity: fc.constant(entity),
      key,
      comparator: pick(['LIKE', 'ILIKE'] as const),
      value: pick(patterns),
      location: fc.constant(at),
    }),
  );
}

function numberClause(entity: 'metric' | 'attribute', key: fc.Arbitrary<string>, values: readonly number[]) {
  return fc.record({
    type: fc.constant('number_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: pick(NUMBER_COMPARATORS),
    value: pick(values),
    location: fc.constant(at),
  });
}

/** Filter clauses drawn from the data's own vocabulary, so that they often match. */
const filterClause: fc.Arbitrary<Comparison> = fc.oneof(
  stringClause('tag', pick(KEYS), STRINGS, PATTERNS),
  stringClause('param', pick(KEYS), STRINGS, PATTERNS),
  numberClause(
    'metric',
    pick(KEYS),
    METRICS.filter((m) => !Number.isNaN(m)),
  ),
  stringClause('attribute', pick(['run_name']), STRINGS, PATTERNS),
  stringClause('attribute', pick(['status']), STATUSES, ['F%', '%ING', 'k%', '%ed']),
  stringClause('attribute', pick(['user_id']), ['alice', 'bob', ''], ['a%', 'B%', '_ob', '%']),
  numberClause('attribute', pick(['start_time', 'end_time']), TIMES),
  stringClause('dataset', pick(['name']), DATASET_NAMES, ['g%', 'G%', '%\\_%', '%_v_', "o'%"]),
  stringClause('dataset', pick(['digest']), DIGESTS, ['a%', 'b%', 'c\\_%', '__']),
  stringClause('dataset', pick(['context']), CONTEXTS, ['%', 'e%', 'E%', '_val', 'train%']),
  fc.record({
    type: fc.constant('list_comparison' as const),
    entity: fc.constant('dataset' as const),
    key: pick(['name', 'digest', 'context']),
    comparator: pick(['IN', 'NOT IN'] as const),
    value: fc.subarray([...DATASET_NAMES, ...DIGESTS, ...CONTEXTS], { minLength: 1, maxLength: 3 }),
    location: fc.constant(at),
  }),
);

/** Half the orderings lead with `attributes.duration`, which a random list names too rarely. */
const orderBy = fc.oneof(
  runOrderBy(pick(KEYS)),
  fc
    .tuple(fc.boolean(), runOrderBy(pick(KEYS)))
    .map(([ascending, rest]) => [
      { type: 'order_by' as const, entity: 'attribute' as const, key: 'duration', ascending, location: at },
      ...rest.filter((c) => !(c.entity === 'attribute' && c.key === 'duration')),
    ]),
);

const scenario = fc.record({
  runs: fc.array(runSpec, { minLength: 5, maxLength: 25 }),
  filter: fc.array(filterClause, { maxLength: 2 }),
  orderBy,
  viewType: pick<ViewType>(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']),
  experiments: fc.subarray([0, 1, 2], { minLength: 1 }),
  pageSize: fc.integer({ min: 1, max: 7 }),
});

describe('SQLite search equals the in-memory evaluator', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it('for random runs, filters, orderings, view types and page sizes', async () => {
    let n = 0;
    let informative = 0;
    let datasetInformative = 0;
    let durationInformative = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const store = await openSqliteStore(join(dir.path, `prop-${n++}.db`));
        try {
          const experimentIds = [
            await store.createExperiment({ name: 'e0' }),
            await store.createExperiment({ name: 'e1' }),
            await store.createExperiment({ name: 'e2' }),
          ];
          for (const spec of s.runs) {
            const run = await store.createRun({
              experimentId: experimentIds[spec.experiment] as string,
              runName: spec.name || 'unnamed',
              startTime: spec.startTime,
              userId: spec.user,
              tags: Object.entries(spec.tags).map(([key, value]) => ({ key, value })),
            });
            const id = run.info.run_id;
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

          const searched = s.experiments.map((i) => experimentIds[i] as string);
          const filter = serializeFilter(s.filter);
          const orderBy = serializeOrderBy(s.orderBy);

          const all: Run[] = (
            await store.searchRuns({ experimentIds: experimentIds, runViewType: 'ALL', maxResults: 1000 })
          ).items;
          const expected = all
            .filter((r) => searched.includes(r.info.experiment_id))
            .filter((r) => matchesViewType(s.viewType, r.info.lifecycle_stage))
            .filter((r) => matchesRun(s.filter, r))
            .sort(compareRuns(s.orderBy))
            .map((r) => r.info.run_id);

          const actual: string[] = [];
          let pageToken: string | undefined;
          do {
            const page = await store.searchRuns({
              experimentIds: searched,
              filter,
              orderBy,
              runViewType: s.viewType,
              maxResults: s.pageSize,
              ...(pageToken ? { pageToken } : {}),
            });
            expect(page.items.length).toBeLessThanOrEqual(s.pageSize);
            actual.push(...page.items.map((r) => r.info.run_id));
            pageToken = page.nextPageToken;
          } while (pageToken);

          expect(actual).toEqual(expected);
          if (expected.length > 0 && s.filter.length > 0) informative++;
          if (expected.length > 0 && s.filter.some((c) => c.entity === 'dataset')) datasetInformative++;
          const byDuration = s.orderBy.some((c) => c.entity === 'attribute' && c.key === 'duration');
          if (byDuration && expected.length > s.pageSize) durationInformative++;
        } finally {
          await store.close();
        }
      }),
      { numRuns: 200 },
    );
    // Guard against a generator drift that would make the property vacuous.
    expect(informative).toBeGreaterThan(15);
    expect(datasetInformative).toBeGreaterThan(5);
    // attributes.duration (agentrack's extension) ordered many searches of several pages.
    expect(durationInformative).toBeGreaterThan(15);
  });
});

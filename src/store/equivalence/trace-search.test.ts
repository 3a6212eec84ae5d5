/**
 * Property test: for random traces (tags, metadata, spans, run links, states, request times
 * with ties, Unicode, names of every case) written as rows into a SQLite and a PostgreSQL
 * database, and random filters and orderings, both stores' trace searches, paged with their
 * page tokens, return exactly the traces, in exactly the order, that the in-memory evaluator
 * gives for the same records.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACE_SOURCE_RUN_KEY, TRACE_STATES } from '../../entities/index.js';
import { makeTraceRecord, traceRecordInserts } from '../../query/__tests__/trace-fixtures.js';
import {
  compareTraces,
  matchesTrace,
  serializeFilter,
  type Comparison,
  type TraceSearchRecord,
} from '../../query/index.js';
import { expectSameOrder, openBackends, pageThrough, type Backends } from './__tests__/backends.js';
import { equalityClause, likeClause, listClause, numberClause } from './__tests__/clauses.js';
import { TEXTS, likePattern, pick } from './__tests__/vocabulary.js';

const KEYS = ['a', 'A', 'my key', 'é'];
const NAMES = ['agent', 'Agent', 'agent_v2', 'ágent', 'a\u0301gent', '😀bot', 'ı', 'I', 'ß', 'SS'];
const RUNS = ['run-a', 'run-b', 'RUN-A'];
const SPAN_NAMES = ['llm', 'LLM', 'retrieve', 'tool_call', 'é', 'É', 'İ', '\uffee', '😀'];
const SPAN_TYPES = ['', 'LLM', 'AGENT', 'TOOL', 'llm'];
const SPAN_STATUSES = ['UNSET', 'OK', 'ERROR'];
const TIMES = [1_000, 2_000, 3_000];
const DURATIONS = [0, 5, 10];
const IDS = Array.from({ length: 40 }, (_, i) => `tr-${((i * 7919) % 4096).toString(16).padStart(4, '0')}`);
/** Client request ids: the texts short enough to be one. */
const CLIENT_IDS = TEXTS.filter((t) => t.length < 100);

const traceSpec = fc.record({
  experiment: fc.integer({ min: 0, max: 2 }),
  requestTime: pick(TIMES),
  executionTime: fc.option(pick(DURATIONS), { nil: null }),
  state: pick(TRACE_STATES),
  clientRequestId: fc.option(pick(CLIENT_IDS), { nil: null }),
  name: fc.option(pick(NAMES), { nil: null }),
  tags: fc.dictionary(pick(KEYS), pick(TEXTS), { maxKeys: 2 }),
  metadata: fc.dictionary(pick(KEYS), pick(TEXTS), { maxKeys: 2 }),
  sourceRun: fc.option(pick(RUNS), { nil: undefined }),
  runIds: fc.uniqueArray(pick(RUNS), { maxLength: 2 }),
  spans: fc.array(
    fc.record({ name: pick(SPAN_NAMES), span_type: pick(SPAN_TYPES), status: pick(SPAN_STATUSES) }),
    { maxLength: 3 },
  ),
});

/** An equality or a pattern clause, or with `lists` a list clause too, equally often. */
function stringClause(
  entity: 'attribute' | 'tag' | 'metadata' | 'span',
  key: fc.Arbitrary<string>,
  values: readonly string[],
  lists: boolean,
): fc.Arbitrary<Comparison> {
  const options = [equalityClause(entity, key, values), likeClause(entity, key, likePattern(values))];
  if (lists) {
    const listEntity = entity as 'attribute' | 'span';
    options.push(listClause(listEntity, key, fc.uniqueArray(pick(values), { minLength: 1, maxLength: 3 })));
  }
  return fc.oneof(...options);
}

const filterClause: fc.Arbitrary<Comparison> = fc.oneof(
  stringClause('attribute', fc.constant('status'), [...TRACE_STATES, 'ok'], true),
  stringClause('attribute', fc.constant('name'), NAMES, true),
  stringClause('attribute', fc.constant('run_id'), RUNS, true),
  stringClause('attribute', fc.constant('request_id'), IDS.slice(0, 8), true),
  stringClause('attribute', fc.constant('client_request_id'), CLIENT_IDS, true),
  numberClause('attribute', fc.constant('timestamp_ms'), [...TIMES, 1_500, 0, 1_999.5, Infinity, -Infinity]),
  numberClause('attribute', fc.constant('execution_time_ms'), [...DURATIONS, 7, 4.5]),
  stringClause('tag', pick([...KEYS, 'mlflow.traceName']), [...TEXTS, ...NAMES], false),
  stringClause('metadata', pick([...KEYS, TRACE_SOURCE_RUN_KEY]), [...TEXTS, ...RUNS], false),
  stringClause('span', fc.constant('name'), SPAN_NAMES, true),
  stringClause('span', fc.constant('type'), SPAN_TYPES, true),
  stringClause('span', fc.constant('status'), SPAN_STATUSES, true),
);

/** Orderable fields, each with the spellings that name it. */
const ORDER_FIELDS: readonly (readonly string[])[] = [
  ['timestamp_ms', 'timestamp', 'trace.timestamp_ms'],
  ['execution_time_ms', 'execution_time', 'attributes.execution_time_ms'],
  ['status', 'trace.status'],
  ['request_id'],
  ['experiment_id'],
  ['name', 'attribute.name'],
  ['run_id'],
  ['tags.a', 'tag.a'],
  ['tags.`my key`'],
  ['tags.`mlflow.traceName`'],
  ['metadata.a', 'request_metadata.a'],
  ['metadata.`mlflow.sourceRun`'],
];

const orderBy = fc
  .uniqueArray(fc.integer({ min: 0, max: ORDER_FIELDS.length - 1 }), { maxLength: 3 })
  .chain((fields) =>
    fc.tuple(
      ...fields.map((i) =>
        fc.tuple(pick(ORDER_FIELDS[i] as readonly string[]), pick(['', ' ASC', ' DESC', ' desc'])),
      ),
    ),
  )
  .map((entries) => entries.map(([field, direction]) => `${field}${direction}`));

const scenario = fc.record({
  traces: fc.uniqueArray(fc.tuple(pick(IDS), traceSpec), {
    minLength: 4,
    maxLength: 16,
    selector: ([id]) => id,
  }),
  filter: fc.array(filterClause, { maxLength: 3 }),
  orderBy,
  experiments: fc.subarray([0, 1, 2], { minLength: 1 }),
  pageSize: fc.integer({ min: 1, max: 6 }),
});

describe('trace search: SQLite, PostgreSQL and the in-memory evaluator agree', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await openBackends();
  });
  afterAll(() => backends.close());

  it('for random traces, filters, orderings and page sizes', async () => {
    const seen = { informative: 0, spanned: 0, ordered: 0, patterns: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        await backends.reset();
        const experimentIds: string[][] = [];
        for (const backend of backends.all) {
          experimentIds.push([
            await backend.store.createExperiment({ name: 'e0' }),
            await backend.store.createExperiment({ name: 'e1' }),
            await backend.store.createExperiment({ name: 'e2' }),
          ]);
        }
        // The same ids on both backends (a fresh numbering after the reset).
        expect(experimentIds[1]).toEqual(experimentIds[0]);
        const ids = experimentIds[0] as string[];
        const records: TraceSearchRecord[] = s.traces.map(([id, spec]) =>
          makeTraceRecord(id, {
            experiment_id: ids[spec.experiment] as string,
            request_time: spec.requestTime,
            execution_time_ms: spec.executionTime,
            state: spec.state,
            client_request_id: spec.clientRequestId,
            name: spec.name,
            tags: spec.tags,
            metadata: {
              ...spec.metadata,
              ...(spec.sourceRun === undefined ? {} : { [TRACE_SOURCE_RUN_KEY]: spec.sourceRun }),
            },
            run_ids: spec.runIds,
            spans: spec.spans,
          }),
        );
        for (const backend of backends.all) {
          await backend.driver.transaction(async (tx) => {
            for (const { sql, params } of traceRecordInserts(records)) await tx.run(sql, params);
          });
        }

        const searched = s.experiments.map((i) => ids[i] as string);
        const expected = records
          .filter((r) => searched.includes(r.experiment_id) && matchesTrace(r, s.filter))
          .sort((a, b) => compareTraces(a, b, s.orderBy))
          .map((r) => r.trace_id);
        const filter = serializeFilter(s.filter);
        const answers: Record<string, string[]> = {};
        for (const backend of backends.all) {
          answers[backend.name] = await pageThrough(
            (pageToken) =>
              backend.store.traces.searchTraces({
                experimentIds: searched,
                filter,
                orderBy: s.orderBy,
                maxResults: s.pageSize,
                ...(pageToken ? { pageToken } : {}),
              }),
            s.pageSize,
            (trace) => trace.trace_id,
          );
        }
        expectSameOrder(expected, answers);

        if (expected.length > 0 && s.filter.length > 0) seen.informative++;
        if (expected.length > 0 && s.filter.some((c) => c.entity === 'span')) seen.spanned++;
        if (expected.length > 1 && s.orderBy.length > 0) seen.ordered++;
        if (expected.length > 0 && s.filter.some((c) => c.comparator.endsWith('LIKE'))) seen.patterns++;
      }),
      { numRuns: 200 },
    );
    // Guards against a generator drift that would make the property vacuous.
    expect(seen.informative).toBeGreaterThan(25);
    expect(seen.spanned).toBeGreaterThan(6);
    expect(seen.ordered).toBeGreaterThan(25);
    expect(seen.patterns).toBeGreaterThan(2);
  });
});

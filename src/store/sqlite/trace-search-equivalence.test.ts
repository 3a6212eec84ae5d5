/**
 * Property test: for random traces (tags, metadata, spans, run links, states, request times
 * with ties, Unicode, names of every case) written as rows into a migrated SQLite file, and
 * random filters and orderings, the compiled trace search, paged with keyset positions,
 * returns exactly the traces, in exactly the order, that the in-memory evaluator gives.
 */
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACE_SOURCE_RUN_KEY, TRACE_STATES } from '../../entities/index.js';
import { insertTraceRecords, makeTraceRecord } from '../../query/__tests__/trace-fixtures.js';
import {
  NUMBER_COMPARATORS,
  compareTraces,
  compileTraceSearch,
  matchesTrace,
  serializeFilter,
  sqliteDialect,
  type Comparison,
  type SqlRow,
  type TraceSearchRecord,
} from '../../query/index.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openSqliteStore } from './sqlite-store.js';

// Case variants, LIKE and GLOB metacharacters, characters beyond ASCII and beyond U+FFFF.
const STRINGS = ['', 'a', 'A', 'aB', 'b%c', 'dev_1', 'DEV_2', 'é', 'É', "o'k", 'x*[y', '😀', '\uffee'];
const PATTERNS = [
  'a%',
  'A%',
  '%b%',
  'dev\\_%',
  'DEV_%',
  '_',
  '%',
  "o'%",
  'b%%c',
  '%é',
  'x*[%',
  '_😀%',
  '%\uffee',
];
const KEYS = ['a', 'my key', 'é'];
const NAMES = ['agent', 'Agent', 'agent_v2', 'ágent', '😀bot'];
const RUNS = ['run-a', 'run-b', 'RUN-A'];
const SPAN_NAMES = ['llm', 'LLM', 'retrieve', 'tool_call', 'é'];
const SPAN_TYPES = ['', 'LLM', 'AGENT', 'TOOL', 'llm'];
const SPAN_STATUSES = ['UNSET', 'OK', 'ERROR'];
const TIMES = [1_000, 2_000, 3_000];
const DURATIONS = [0, 5, 10];
const IDS = Array.from({ length: 40 }, (_, i) => `tr-${((i * 7919) % 4096).toString(16).padStart(4, '0')}`);

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const at = { start: 0, end: 0 };

const traceSpec = fc.record({
  experiment: fc.integer({ min: 0, max: 2 }),
  requestTime: pick(TIMES),
  executionTime: fc.option(pick(DURATIONS), { nil: null }),
  state: pick(TRACE_STATES),
  clientRequestId: fc.option(pick(STRINGS), { nil: null }),
  name: fc.option(pick(NAMES), { nil: null }),
  tags: fc.dictionary(pick(KEYS), pick(STRINGS), { maxKeys: 2 }),
  metadata: fc.dictionary(pick(KEYS), pick(STRINGS), { maxKeys: 2 }),
  sourceRun: fc.option(pick(RUNS), { nil: undefined }),
  runIds: fc.uniqueArray(pick(RUNS), { maxLength: 2 }),
  spans: fc.array(
    fc.record({ name: pick(SPAN_NAMES), span_type: pick(SPAN_TYPES), status: pick(SPAN_STATUSES) }),
    { maxLength: 3 },
  ),
});

type StringEntity = 'attribute' | 'tag' | 'metadata' | 'span';

function stringClause(
  entity: StringEntity,
  key: fc.Arbitrary<string>,
  values: readonly string[],
  lists: boolean,
) {
  const options: fc.Arbitrary<Comparison>[] = [
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
      value: pick(
        PATTERNS.concat(
          values.map((v) => `${v}%`),
          values,
        ),
      ),
      location: fc.constant(at),
    }),
  ];
  if (lists) {
    options.push(
      fc.record({
        type: fc.constant('list_comparison' as const),
        entity: fc.constant(entity as 'attribute' | 'span'),
        key,
        comparator: pick(['IN', 'NOT IN'] as const),
        value: fc.uniqueArray(pick(values), { minLength: 1, maxLength: 3 }),
        location: fc.constant(at),
      }),
    );
  }
  return fc.oneof(...options);
}

function numberClause(key: string, values: readonly number[]) {
  return fc.record({
    type: fc.constant('number_comparison' as const),
    entity: fc.constant('attribute' as const),
    key: fc.constant(key),
    comparator: pick(NUMBER_COMPARATORS),
    value: pick(values),
    location: fc.constant(at),
  });
}

const filterClause: fc.Arbitrary<Comparison> = fc.oneof(
  stringClause('attribute', fc.constant('status'), [...TRACE_STATES, 'ok'], true),
  stringClause('attribute', fc.constant('name'), NAMES, true),
  stringClause('attribute', fc.constant('run_id'), RUNS, true),
  stringClause('attribute', fc.constant('request_id'), IDS.slice(0, 8), true),
  stringClause('attribute', fc.constant('client_request_id'), STRINGS, true),
  numberClause('timestamp_ms', [...TIMES, 1_500, 0]),
  numberClause('execution_time_ms', [...DURATIONS, 7]),
  stringClause('tag', pick([...KEYS, 'mlflow.traceName']), [...STRINGS, ...NAMES], false),
  stringClause('metadata', pick([...KEYS, TRACE_SOURCE_RUN_KEY]), [...STRINGS, ...RUNS], false),
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

describe('SQLite trace search equals the in-memory evaluator', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let experimentIds: string[];

  beforeAll(async () => {
    dir = tempDir();
    const path = join(dir.path, 'trace-search.db');
    const store = await openSqliteStore(path);
    experimentIds = [
      await store.createExperiment({ name: 'e0' }),
      await store.createExperiment({ name: 'e1' }),
      await store.createExperiment({ name: 'e2' }),
    ];
    await store.close();
    db = new Database(path);
  });

  afterAll(() => {
    db.close();
    dir.remove();
  });

  function clear(): void {
    for (const table of ['trace_spans', 'trace_run_links', 'trace_metadata', 'trace_tags', 'trace_info']) {
      db.prepare(`DELETE FROM ${table}`).run();
    }
  }

  it('for random traces, filters, orderings and page sizes', () => {
    let informative = 0;
    let spanned = 0;
    let ordered = 0;
    fc.assert(
      fc.property(scenario, (s) => {
        clear();
        const records: TraceSearchRecord[] = s.traces.map(([id, spec]) =>
          makeTraceRecord(id, {
            experiment_id: experimentIds[spec.experiment] as string,
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
        insertTraceRecords(db, records);

        const searched = s.experiments.map((i) => experimentIds[i] as string);
        const expected = records
          .filter((r) => searched.includes(r.experiment_id) && matchesTrace(r, s.filter))
          .sort((a, b) => compareTraces(a, b, s.orderBy))
          .map((r) => r.trace_id);

        const filter = serializeFilter(s.filter);
        const actual: string[] = [];
        let after: unknown[] | undefined;
        for (;;) {
          const q = compileTraceSearch(sqliteDialect, {
            experimentIds: searched,
            filter,
            orderBy: s.orderBy,
            limit: s.pageSize,
            ...(after === undefined ? {} : { after }),
          });
          const rows = db.prepare(q.sql).all(...q.params) as SqlRow[];
          expect(rows.length).toBeLessThanOrEqual(s.pageSize);
          actual.push(...rows.map((row) => String(row.trace_id)));
          if (rows.length < s.pageSize) break;
          after = JSON.parse(JSON.stringify(q.sortKeyOf(rows.at(-1) as SqlRow))) as unknown[];
        }

        expect(actual).toEqual(expected);
        if (expected.length > 0 && s.filter.length > 0) informative++;
        if (expected.length > 0 && s.filter.some((c) => c.entity === 'span')) spanned++;
        if (expected.length > 1 && s.orderBy.length > 0) ordered++;
      }),
      { numRuns: 300 },
    );
    // Guards against a generator drift that would make the property vacuous.
    expect(informative).toBeGreaterThan(40);
    expect(spanned).toBeGreaterThan(10);
    expect(ordered).toBeGreaterThan(40);
  });
});

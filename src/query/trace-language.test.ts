import { describe, expect, it } from 'vitest';
import { makeTraceRecord } from './__tests__/trace-fixtures.js';
import { withoutLocation } from './ast.js';
import { postgresDialect } from '../store/postgres/postgres-dialect.js';
import { serializeFilter } from './serializer.js';
import { sqliteDialect } from '../store/sqlite/sqlite-dialect.js';
import { compareTraces, matchesTrace } from './trace-evaluator.js';
import { parseTraceFilter, parseTraceOrderBy } from './trace-parser.js';
import { traceOrderTerms } from './trace-sort-key.js';
import { compileTraceSearch } from './trace-sql.js';

function one(filter: string) {
  const [clause, ...rest] = parseTraceFilter(filter).map(withoutLocation);
  expect(rest).toEqual([]);
  return clause;
}

describe('the trace filter language', () => {
  it.each([
    ["request_id = 'tr-1'", 'attribute', 'request_id', 'string_comparison'],
    ["attribute.request_id != 'tr-1'", 'attribute', 'request_id', 'string_comparison'],
    ["attributes.client_request_id = 'c'", 'attribute', 'client_request_id', 'string_comparison'],
    ['trace.timestamp_ms > 5', 'attribute', 'timestamp_ms', 'number_comparison'],
    ['timestamp >= 5', 'attribute', 'timestamp_ms', 'number_comparison'],
    ['trace.execution_time_ms < 5', 'attribute', 'execution_time_ms', 'number_comparison'],
    ['execution_time <= 5', 'attribute', 'execution_time_ms', 'number_comparison'],
    ["trace.status = 'OK'", 'attribute', 'status', 'string_comparison'],
    ["trace.name = 'agent'", 'attribute', 'name', 'string_comparison'],
    ["trace.run_id = 'r'", 'attribute', 'run_id', 'string_comparison'],
    ["attribute.run_id = 'r'", 'attribute', 'run_id', 'string_comparison'],
    ["tag.env = 'prod'", 'tag', 'env', 'string_comparison'],
    ["tags.env = 'prod'", 'tag', 'env', 'string_comparison'],
    ["metadata.`mlflow.user` = 'me'", 'metadata', 'mlflow.user', 'string_comparison'],
    ["request_metadata.`mlflow.user` = 'me'", 'metadata', 'mlflow.user', 'string_comparison'],
    ["span.name = 'llm'", 'span', 'name', 'string_comparison'],
    ["span.type = 'LLM'", 'span', 'type', 'string_comparison'],
    ["span.status = 'ERROR'", 'span', 'status', 'string_comparison'],
  ])('parses %s', (filter, entity, key, type) => {
    expect(one(filter)).toMatchObject({ entity, key, type });
  });

  it('takes every comparator each kind allows, keywords in any case', () => {
    for (const comparator of ['=', '!=', '<', '<=', '>', '>=']) {
      expect(one(`timestamp_ms ${comparator} 1.5`)).toMatchObject({ comparator, value: 1.5 });
    }
    for (const comparator of ['=', '!=', 'LIKE', 'ILIKE']) {
      for (const id of ['status', 'name', 'tags.a', 'metadata.a', 'span.name', 'span.type']) {
        expect(one(`${id} ${comparator.toLowerCase()} 'x%'`)).toMatchObject({ comparator, value: 'x%' });
      }
    }
    for (const id of ['request_id', 'client_request_id', 'status', 'name', 'run_id', 'span.status']) {
      expect(one(`${id} in ('a', "b")`)).toMatchObject({ comparator: 'IN', value: ['a', 'b'] });
      expect(one(`${id} NOT IN ('a')`)).toMatchObject({ comparator: 'NOT IN', value: ['a'] });
    }
  });

  it('unquotes backticked entities and keys, and doubled quotes in values', () => {
    expect(one("`tags`.`my key` = 'it''s'")).toEqual({
      type: 'string_comparison',
      entity: 'tag',
      key: 'my key',
      comparator: '=',
      value: "it's",
    });
    expect(one("`trace`.status = 'OK'")).toMatchObject({ entity: 'attribute', key: 'status' });
    expect(one("tags.`mlflow.traceName` = 'é😀'")).toMatchObject({ key: 'mlflow.traceName', value: 'é😀' });
  });

  it("reads the filters MLflow's client sends", () => {
    expect(
      parseTraceFilter(
        "trace.timestamp >= 1796123639428 AND attribute.run_id = '722d90e70b394edca438ce0643a7259f'",
      ).map(withoutLocation),
    ).toEqual([
      {
        type: 'number_comparison',
        entity: 'attribute',
        key: 'timestamp_ms',
        comparator: '>=',
        value: 1796123639428,
      },
      {
        type: 'string_comparison',
        entity: 'attribute',
        key: 'run_id',
        comparator: '=',
        value: '722d90e70b394edca438ce0643a7259f',
      },
    ]);
    expect(one("request_metadata.`mlflow.modelId` = 'm-1'")).toMatchObject({
      entity: 'metadata',
      key: 'mlflow.modelId',
    });
    // A dotted key needs no backticks: the entity ends at the first dot.
    expect(one("metadata.mlflow.sourceRun = 'r'")).toMatchObject({
      entity: 'metadata',
      key: 'mlflow.sourceRun',
    });
  });

  it('parses the examples of the README', () => {
    const examples = [
      "trace.status = 'ERROR' AND tags.env = 'prod'",
      "attribute.run_id = '722d90e70b394edca438ce0643a7259f'",
      'trace.timestamp >= 1796123639428',
      "request_metadata.`mlflow.modelId` = 'm-6bea06f5'",
      "name ILIKE 'health%'",
      'execution_time_ms > 2000',
      "span.type = 'LLM' AND span.status = 'ERROR'",
      "span.name IN ('retrieve', 'rerank')",
    ];
    for (const filter of examples) expect(parseTraceFilter(filter).length).toBeGreaterThan(0);
    expect(parseTraceOrderBy(['execution_time_ms DESC', 'tags.env'])).toHaveLength(2);
  });

  it('joins comparisons with AND and keeps their locations', () => {
    const filter = "trace.status = 'OK' and span.type = 'LLM' AND execution_time_ms > 10";
    const parsed = parseTraceFilter(filter);
    expect(parsed.map((c) => filter.slice(c.location.start, c.location.end))).toEqual([
      "trace.status = 'OK'",
      "span.type = 'LLM'",
      'execution_time_ms > 10',
    ]);
    expect(parseTraceFilter(serializeFilter(parsed)).map(withoutLocation)).toEqual(
      parsed.map(withoutLocation),
    );
    expect(parseTraceFilter('  ')).toEqual([]);
    expect(parseTraceFilter(undefined)).toEqual([]);
  });

  it.each([
    [
      "run.status = 'OK'",
      "Invalid entity type 'run'. Valid values are {'attribute', 'attributes', 'metadata', 'request_metadata', 'span', 'tag', 'tags', 'trace'} (at position 0)",
    ],
    [
      "trace.state = 'OK'",
      "Invalid attribute key 'state' specified. Valid keys are '['client_request_id', 'execution_time', 'execution_time_ms', 'name', 'request_id', 'run_id', 'status', 'timestamp', 'timestamp_ms']' (at position 0)",
    ],
    [
      "span.kind = 'x'",
      "Invalid span key 'kind' specified. Valid keys are {'name', 'status', 'type'} (at position 0)",
    ],
    [
      "status = 'OK' AND tags.a IN ('x')",
      "Invalid comparator 'IN' not one of '{'=', '!=', 'LIKE', 'ILIKE'}' for tag 'a' (at position 25)",
    ],
    [
      "metadata.a > 'x'",
      "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE'}' for request_metadata 'a' (at position 11)",
    ],
    [
      "timestamp_ms LIKE '1%'",
      "Invalid comparator 'LIKE' not one of '{'=', '!=', '<', '<=', '>', '>='}' for numeric attribute 'timestamp_ms' (at position 13)",
    ],
    [
      "status < 'OK'",
      "Invalid comparator '<' not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}' for string attribute 'status' (at position 7)",
    ],
    [
      "span.name > 'a'",
      "Invalid comparator '>' not one of '{'=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'}' for span 'name' (at position 10)",
    ],
    [
      "timestamp = '5'",
      "Expected numeric value type for numeric attribute: timestamp_ms. Found '5' (at position 12)",
    ],
    [
      'status = 5',
      "Only the '{'execution_time', 'execution_time_ms', 'timestamp', 'timestamp_ms'}' attributes support comparison with numeric values. (at position 9)",
    ],
    ['tags.a = 5', "Expected a quoted string value for tag (e.g. 'my-value'). Got value 5 (at position 9)"],
    [
      'metadata.a = 5',
      "Expected a quoted string value for request_metadata (e.g. 'my-value'). Got value 5 (at position 13)",
    ],
    [
      'span.type = 1',
      'Expected a quoted string value or a list of quoted string values for span. Got value 1 (at position 12)',
    ],
    [
      'name = agent',
      'Parameter value is either not quoted or unidentified quote types used for string value agent. Use either single or double quotes. (at position 7)',
    ],
    ['name IN ()', 'expected a non-empty list of string values, but got empty list (at position 8)'],
    ["status = 'OK' OR status = 'ERROR'", "Invalid clause(s) in filter string: 'OR'. Only AND is supported"],
    ["status = 'OK", "Unterminated string: missing closing ' for 'OK (at position 9)"],
    ["status = 'OK' AND", "Expected a comparison after 'AND', found the end of the filter (at position 17)"],
  ])('refuses %s with INVALID_PARAMETER_VALUE', (filter, message) => {
    expect(() => parseTraceFilter(filter)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
    );
    expect(() => parseTraceFilter(filter)).toThrow(message);
  });
});

describe('the trace order_by language', () => {
  it('parses attributes, their aliases, tags and metadata, ascending by default', () => {
    expect(
      parseTraceOrderBy([
        'timestamp DESC',
        'execution_time',
        'trace.status asc',
        'request_id',
        'experiment_id DESC',
        'name',
        'attributes.run_id',
        'tags.`my key` DESC',
        'request_metadata.a',
      ]).map((c) => [c.entity, c.key, c.ascending]),
    ).toEqual([
      ['attribute', 'timestamp_ms', false],
      ['attribute', 'execution_time_ms', true],
      ['attribute', 'status', true],
      ['attribute', 'request_id', true],
      ['attribute', 'experiment_id', false],
      ['attribute', 'name', true],
      ['attribute', 'run_id', true],
      ['tag', 'my key', false],
      ['metadata', 'a', true],
    ]);
  });

  it('ends with timestamp_ms DESC then request_id ASC unless ordered on', () => {
    const terms = (orderBy: string[]) =>
      traceOrderTerms(parseTraceOrderBy(orderBy)).map((t) => `${t.key} ${t.ascending ? 'ASC' : 'DESC'}`);
    expect(terms([])).toEqual(['timestamp_ms DESC', 'request_id ASC']);
    expect(terms(['tags.a'])).toEqual(['a ASC', 'timestamp_ms DESC', 'request_id ASC']);
    expect(terms(['timestamp_ms', 'request_id DESC'])).toEqual(['timestamp_ms ASC', 'request_id DESC']);
  });

  it.each([
    [
      ['span.name'],
      "Invalid identifier type 'span'. Spans cannot be used in order_by (at position 0 of order_by[0])",
    ],
    [['timestamp', 'timestamp_ms DESC'], '`order_by` contains duplicate fields'],
    [
      ['client_request_id'],
      "Invalid attribute key 'client_request_id' specified. Valid keys are '['execution_time', 'execution_time_ms', 'experiment_id', 'name', 'request_id', 'run_id', 'status', 'timestamp', 'timestamp_ms']' (at position 0 of order_by[0])",
    ],
    [
      ['status sideways'],
      "Invalid ordering key in order_by clause 'status sideways'. (at position 7 of order_by[0])",
    ],
    [['params.a'], "Invalid entity type 'params'"],
  ])('refuses %j', (orderBy, message) => {
    expect(() => parseTraceOrderBy(orderBy)).toThrow(
      expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
    );
    expect(() => parseTraceOrderBy(orderBy)).toThrow(message);
  });
});

describe('the trace evaluator', () => {
  const a = makeTraceRecord('tr-a', {
    request_time: 3,
    execution_time_ms: 40,
    state: 'OK',
    name: 'Agent',
    tags: { env: 'prod' },
    metadata: { 'mlflow.sourceRun': 'run-1' },
    spans: [
      { name: 'plan', span_type: 'LLM', status: 'OK' },
      { name: 'search', span_type: 'TOOL', status: 'ERROR' },
    ],
  });
  const b = makeTraceRecord('tr-b', {
    request_time: 3,
    state: 'IN_PROGRESS',
    run_ids: ['run-1', 'run-2'],
    spans: [{ name: 'plan', span_type: 'LLM', status: 'ERROR' }],
  });
  const c = makeTraceRecord('tr-c', { request_time: 5, state: 'ERROR', tags: { env: 'dev' } });

  it.each([
    ['', [true, true, true]],
    ["status = 'OK'", [true, false, false]],
    ["status IN ('OK', 'ERROR')", [true, false, true]],
    ['timestamp_ms >= 3', [true, true, true]],
    ['timestamp_ms > 3', [false, false, true]],
    // A trace without an execution time, name or tag satisfies no comparison on it, != included.
    ['execution_time_ms != 1', [true, false, false]],
    ["name != 'x'", [true, false, false]],
    ["tags.env != 'prod'", [false, false, true]],
    ["name LIKE 'agent'", [false, false, false]],
    ["name ILIKE 'AGENT'", [true, false, false]],
    // A run: the source-run metadata or a linked run.
    ["run_id = 'run-1'", [true, true, false]],
    ["run_id = 'run-2'", [false, true, false]],
    ["run_id IN ('run-2', 'run-3')", [false, true, false]],
    ["run_id != 'run-1'", [false, true, false]],
    ["metadata.`mlflow.sourceRun` = 'run-1'", [true, false, false]],
    // A span clause holds when some span satisfies it.
    ["span.name = 'plan'", [true, true, false]],
    ["span.name != 'plan'", [true, false, false]],
    ["span.type = 'LLM' AND span.status = 'ERROR'", [true, true, false]],
    ["span.status NOT IN ('ERROR')", [true, false, false]],
  ] as const)('%s', (filter, expected) => {
    expect([a, b, c].map((t) => matchesTrace(t, filter))).toEqual(expected);
  });

  it('lets each span clause find its own span', () => {
    // a's LLM span is fine and its failed span is a tool: both clauses hold, on different spans.
    expect(matchesTrace(a, "span.type = 'LLM' AND span.status = 'ERROR'")).toBe(true);
    expect(matchesTrace(a, "span.type = 'AGENT' AND span.status = 'ERROR'")).toBe(false);
  });

  it('orders newest first then by trace id, and puts missing values last in both directions', () => {
    const ids = (orderBy: string[]) =>
      [c, b, a].sort((x, y) => compareTraces(x, y, orderBy)).map((t) => t.trace_id);
    expect(ids([])).toEqual(['tr-c', 'tr-a', 'tr-b']);
    expect(ids(['timestamp_ms ASC'])).toEqual(['tr-a', 'tr-b', 'tr-c']);
    expect(ids(['execution_time_ms DESC'])).toEqual(['tr-a', 'tr-c', 'tr-b']);
    expect(ids(['execution_time_ms ASC'])).toEqual(['tr-a', 'tr-c', 'tr-b']);
    expect(ids(['tags.env'])).toEqual(['tr-c', 'tr-a', 'tr-b']);
    expect(ids(['status DESC'])).toEqual(['tr-a', 'tr-b', 'tr-c']);
    expect(ids(['run_id'])).toEqual(['tr-a', 'tr-c', 'tr-b']);
  });
});

describe('the trace SQL compiler', () => {
  it('keeps every value and key out of the SQL text', () => {
    const compiled = compileTraceSearch(sqliteDialect, {
      experimentIds: ['1', '2'],
      filter:
        "tags.`x'; DROP TABLE trace_info; --` = 'evil''value' AND span.name LIKE 'p''%' AND run_id IN ('r''1') AND metadata.`m'm` != 'v'",
      orderBy: ["tags.`o'o` DESC"],
      after: [2, null, 0, 5, 0, "tr-'x"],
      limit: 10,
    });
    for (const value of [
      "x'; DROP TABLE trace_info; --",
      "evil'value",
      "p'*",
      "r'1",
      "m'm",
      "o'o",
      "tr-'x",
    ]) {
      expect(compiled.sql).not.toContain(value);
      expect(compiled.params).toContain(value);
    }
    expect(compiled.terms.map((t) => `${t.entity}.${t.key} ${t.ascending ? 'ASC' : 'DESC'}`)).toEqual([
      "tag.o'o DESC",
      'attribute.timestamp_ms DESC',
      'attribute.request_id ASC',
    ]);
  });

  it('numbers PostgreSQL placeholders in textual order and orders text by code point', () => {
    const compiled = compileTraceSearch(postgresDialect, {
      experimentIds: ['1'],
      filter: "run_id IN ('a', 'b') AND tags.t ILIKE 'Ab%' AND span.name LIKE 'x%'",
      orderBy: ['name DESC'],
      after: [0, 'n', 0, 5, 0, 'tr-1'],
      limit: 10,
    });
    const placeholders = [...compiled.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(placeholders).toEqual(compiled.params.map((_, i) => i + 1));
    expect(compiled.sql).not.toContain('?');
    expect(compiled.sql).toContain('o0.value COLLATE "C" DESC');
    expect(compiled.params).toContain('ab%');
  });

  it('matches nothing for experiment ids that are not integers', () => {
    expect(compileTraceSearch(sqliteDialect, { experimentIds: ['x'], limit: 1 }).sql).toContain('1 = 0');
  });

  it('refuses a page position that does not fit the ordering', () => {
    for (const after of [['x'], [0, 'late', 0, 'tr-1'], [2, null, 0, 'tr-1']]) {
      expect(() => compileTraceSearch(sqliteDialect, { experimentIds: ['1'], after, limit: 1 })).toThrow(
        expect.objectContaining({ code: 'INVALID_PARAMETER_VALUE' }),
      );
    }
  });
});

/**
 * Compiles a trace search into one SQL query over the trace tables of
 * `src/store/sql/schema.ts` (`trace_info`, `trace_tags`, `trace_metadata`, `trace_spans`,
 * `trace_run_links`), with the shape and keyset paging of the run search (see
 * `sql-compiler.ts`). Tag, metadata, name, span and run clauses are EXISTS subqueries keyed by
 * `trace_seq`, one per clause (so each span clause finds its own span); an ordering on a tag,
 * a metadata key, the name or the run is a LEFT JOIN on that key. Every value and key is a
 * parameter.
 */
import { TRACE_NAME_TAG, TRACE_SOURCE_RUN_KEY } from '../entities/index.js';
import type { Comparison } from './ast.js';
import type { OrderTerm } from './sort-key.js';
import {
  FALSE,
  assemble,
  column,
  parenthesize,
  valueCondition,
  type CompiledSearch,
  type TermSql,
} from './sql-compiler.js';
import type { SqlDialect } from './sql-dialect.js';
import { param, raw, sql, type SqlFragment } from './sql-fragment.js';
import type { TraceFilter, TraceOrderBy } from './trace-ast.js';
import { asTraceOrderBy } from './trace-evaluator.js';
import { parseTraceFilter } from './trace-parser.js';
import { traceOrderTerms } from './trace-sort-key.js';

/** Options of {@link compileTraceSearch}. */
export interface TraceSearchOptions {
  /** Experiments to search (wire ids); ids that are not integers match nothing. */
  readonly experimentIds: readonly string[];
  /** Parsed filter or filter text. */
  readonly filter?: TraceFilter | string;
  /** Parsed order_by or its text entries. */
  readonly orderBy?: TraceOrderBy | readonly string[];
  /** Sort key of the last row of the previous page (as decoded from a page token; checked here). */
  readonly after?: readonly unknown[];
  /** Maximum number of rows. */
  readonly limit: number;
}

const SELECT = [
  'trace_seq',
  'trace_id',
  'experiment_id',
  'request_time',
  'execution_time_ms',
  'state',
  'client_request_id',
  'request_preview',
  'response_preview',
] as const;

/** Attributes that are columns of `trace_info`. */
const COLUMNS: Readonly<Record<string, string>> = {
  request_id: 'trace_id',
  experiment_id: 'experiment_id',
  timestamp_ms: 'request_time',
  execution_time_ms: 'execution_time_ms',
  status: 'state',
  client_request_id: 'client_request_id',
};

const SPAN_COLUMNS: Readonly<Record<string, string>> = { name: 'name', type: 'span_type', status: 'status' };

const KEY_TABLES = { tag: 'trace_tags', metadata: 'trace_metadata' } as const;

/** `EXISTS` a row of the key/value `table` for this trace, with `key`, whose value satisfies `clause`. */
function keyValueExists(
  dialect: SqlDialect,
  table: string,
  alias: string,
  key: string,
  clause: Comparison,
): SqlFragment {
  return sql`EXISTS (SELECT 1 FROM ${raw(table)} AS ${raw(alias)} WHERE ${column(alias, 'trace_seq')} = t.trace_seq AND ${column(alias, 'key')} = ${param(key)} AND ${valueCondition(dialect, column(alias, 'value'), clause)})`;
}

/**
 * `run_id = ...` / `run_id IN (...)`: a run has few traces, so they are looked up from the
 * indexes on the source-run metadata and on the run links, not checked trace by trace.
 */
function runLookup(clause: Comparison): SqlFragment {
  const values = clause.type === 'list_comparison' ? clause.value : [clause.value];
  const runs = parenthesize(values);
  return sql`t.trace_seq IN (SELECT rm.trace_seq FROM trace_metadata AS rm WHERE rm.key = ${param(TRACE_SOURCE_RUN_KEY)} AND rm.value IN ${runs} UNION ALL SELECT rl.trace_seq FROM trace_run_links AS rl WHERE rl.run_id IN ${runs})`;
}

function condition(dialect: SqlDialect, clause: Comparison, index: number): SqlFragment {
  const alias = `f${index}`;
  switch (clause.entity) {
    case 'attribute': {
      if (clause.key === 'name') return keyValueExists(dialect, 'trace_tags', alias, TRACE_NAME_TAG, clause);
      if (clause.key === 'run_id') {
        if (clause.comparator === '=' || clause.comparator === 'IN') return runLookup(clause);
        const link = `${alias}l`;
        const metadata = keyValueExists(dialect, 'trace_metadata', alias, TRACE_SOURCE_RUN_KEY, clause);
        const linked = sql`EXISTS (SELECT 1 FROM trace_run_links AS ${raw(link)} WHERE ${column(link, 'trace_seq')} = t.trace_seq AND ${valueCondition(dialect, column(link, 'run_id'), clause)})`;
        return sql`(${metadata} OR ${linked})`;
      }
      const name = COLUMNS[clause.key];
      return name === undefined ? FALSE : valueCondition(dialect, column('t', name), clause, 'integer');
    }
    case 'tag':
    case 'metadata':
      return keyValueExists(dialect, KEY_TABLES[clause.entity], alias, clause.key, clause);
    case 'span': {
      const field = column(alias, SPAN_COLUMNS[clause.key] ?? 'name');
      return sql`EXISTS (SELECT 1 FROM trace_spans AS ${raw(alias)} WHERE ${column(alias, 'trace_seq')} = t.trace_seq AND ${valueCondition(dialect, field, clause)})`;
    }
    default:
      return FALSE;
  }
}

/** An ordering term read from the `key` row of `table`, joined as `o<index>`. */
function keyTerm(table: string, key: string, index: number): TermSql {
  const alias = `o${index}`;
  return {
    join: sql` LEFT JOIN ${raw(table)} AS ${raw(alias)} ON ${column(alias, 'trace_seq')} = t.trace_seq AND ${column(alias, 'key')} = ${param(key)}`,
    bucket: sql`CASE WHEN ${column(alias, 'trace_seq')} IS NULL THEN 2 ELSE 0 END`,
    value: column(alias, 'value'),
  };
}

function termSql(term: OrderTerm, index: number): TermSql {
  if (term.entity === 'tag') return keyTerm('trace_tags', term.key, index);
  if (term.entity === 'metadata') return keyTerm('trace_metadata', term.key, index);
  if (term.key === 'name') return keyTerm('trace_tags', TRACE_NAME_TAG, index);
  if (term.key === 'run_id') return keyTerm('trace_metadata', TRACE_SOURCE_RUN_KEY, index);
  const col = column('t', COLUMNS[term.key] ?? 'trace_id');
  return {
    bucket: term.nullable ? sql`CASE WHEN ${col} IS NULL THEN 2 ELSE 0 END` : raw('0'),
    value: col,
  };
}

/**
 * Compiles a trace search over `trace_info AS t`: selects the trace's row (`trace_seq,
 * trace_id, experiment_id, request_time, execution_time_ms, state, client_request_id,
 * request_preview, response_preview`) and the sort-key columns (`sk_b<i>`, `sk_v<i>`), the
 * traces of the experiments matching the filter, in the final order (see
 * `traceOrderTerms`), at most `limit` rows after `after`.
 *
 * @example
 * const q = compileTraceSearch(sqliteDialect, { experimentIds: ['1'],
 *   filter: "trace.status = 'ERROR' AND span.type = 'LLM'", orderBy: ['timestamp_ms DESC'], limit: 100 });
 * const rows = db.prepare(q.sql).all(...q.params);
 * const next = rows.length === 100 ? q.sortKeyOf(rows[99]) : undefined; // `after` of the next page
 */
export function compileTraceSearch(dialect: SqlDialect, options: TraceSearchOptions): CompiledSearch {
  const filter = typeof options.filter === 'object' ? options.filter : parseTraceFilter(options.filter);
  const terms = traceOrderTerms(asTraceOrderBy(options.orderBy));
  const ids = options.experimentIds.filter((id) => /^-?\d+$/.test(id)).map(Number);
  const experiments =
    ids.length === 0
      ? FALSE
      : ids.length === 1
        ? sql`t.experiment_id = ${param(ids[0])}`
        : sql`t.experiment_id IN ${parenthesize(ids)}`;
  return assemble(dialect, {
    select: SELECT,
    alias: 't',
    table: 'trace_info',
    terms,
    termSql: terms.map(termSql),
    conditions: [experiments, ...filter.map((clause, i) => condition(dialect, clause, i))],
    after: options.after,
    limit: options.limit,
  });
}

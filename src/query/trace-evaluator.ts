/**
 * The in-memory evaluator of the trace search: the reference semantics the SQL store
 * reproduces (see {@link TraceFilter} for the meaning of each comparison). Strings compare by
 * code point, LIKE is case-sensitive, ILIKE folds ASCII letters only, as in every search.
 */
import { TRACE_SOURCE_RUN_KEY } from '../entities/index.js';
import type { Comparison } from './ast.js';
import { holds } from './evaluator.js';
import { compareSortKeys } from './sort-key.js';
import type { TraceFilter, TraceOrderBy, TraceSearchRecord, TraceSearchSpan } from './trace-ast.js';
import { parseTraceFilter, parseTraceOrderBy } from './trace-parser.js';
import { traceAttribute, traceOrderTerms, traceSortKey } from './trace-sort-key.js';

const SPAN_FIELDS: Readonly<Record<string, keyof TraceSearchSpan>> = {
  name: 'name',
  type: 'span_type',
  status: 'status',
};

/** The runs a trace belongs to: its `mlflow.sourceRun` metadata and the runs it was linked to. */
export function traceRunIds(trace: TraceSearchRecord): string[] {
  const source = Object.hasOwn(trace.metadata, TRACE_SOURCE_RUN_KEY)
    ? [trace.metadata[TRACE_SOURCE_RUN_KEY] as string]
    : [];
  return [...source, ...trace.run_ids];
}

function clauseHolds(clause: Comparison, trace: TraceSearchRecord): boolean {
  switch (clause.entity) {
    case 'attribute':
      if (clause.key === 'run_id') return traceRunIds(trace).some((runId) => holds(clause, runId));
      return holds(clause, traceAttribute(trace, clause.key));
    case 'tag':
      return holds(clause, Object.hasOwn(trace.tags, clause.key) ? trace.tags[clause.key] : undefined);
    case 'metadata':
      return holds(
        clause,
        Object.hasOwn(trace.metadata, clause.key) ? trace.metadata[clause.key] : undefined,
      );
    case 'span': {
      const field = SPAN_FIELDS[clause.key] ?? 'name';
      return trace.spans.some((span) => holds(clause, span[field]));
    }
    default:
      return false;
  }
}

/**
 * True when `trace` satisfies every clause of `filter` (parsed or text).
 *
 * @example
 * records.filter((t) => matchesTrace(t, "span.type = 'LLM' AND trace.status = 'ERROR'"))
 */
export function matchesTrace(trace: TraceSearchRecord, filter: TraceFilter | string | undefined): boolean {
  const clauses = typeof filter === 'object' ? filter : parseTraceFilter(filter);
  return clauses.every((clause) => clauseHolds(clause, trace));
}

/**
 * Orders two traces by the complete trace ordering of `orderBy` (parsed or text): its clauses,
 * values before missing ones in either direction, then `timestamp_ms DESC` (unless ordered
 * on), then `request_id ASC`. Negative when `a` comes first.
 *
 * @example
 * records.sort((a, b) => compareTraces(a, b, ['execution_time_ms DESC']))
 */
export function compareTraces(
  a: TraceSearchRecord,
  b: TraceSearchRecord,
  orderBy: TraceOrderBy | readonly string[] = [],
): number {
  const terms = traceOrderTerms(asTraceOrderBy(orderBy));
  return compareSortKeys(terms, traceSortKey(terms, a), traceSortKey(terms, b));
}

/** `orderBy` parsed, when it is text entries. */
export function asTraceOrderBy(orderBy: TraceOrderBy | readonly string[] | undefined): TraceOrderBy {
  if (orderBy === undefined || orderBy.length === 0) return [];
  return typeof orderBy[0] === 'string'
    ? parseTraceOrderBy(orderBy as readonly string[])
    : (orderBy as TraceOrderBy);
}

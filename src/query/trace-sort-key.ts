/**
 * The complete final ordering of a trace search and its sort keys (see `sort-key.ts` for the
 * shape of a key): the evaluator sorts by them, the SQL compiler selects and pages by the same
 * values. A trace without the execution time, name, tag or metadata a term orders on comes
 * after every trace with one, in either direction, as in MLflow's SQL store.
 */
import { TRACE_SOURCE_RUN_KEY } from '../entities/index.js';
import { TRACE_ORDER_BY_ATTRIBUTES, type TraceOrderBy, type TraceSearchRecord } from './trace-ast.js';
import { BUCKET_MISSING, BUCKET_VALUE, encodeNumber, type OrderTerm, type SortKey } from './sort-key.js';

const NULLABLE_ATTRIBUTES = new Set(['execution_time_ms', 'name', 'run_id']);

function attributeTerm(key: string, ascending: boolean): OrderTerm {
  return {
    entity: 'attribute',
    key,
    ascending,
    kind: TRACE_ORDER_BY_ATTRIBUTES[key] === 'number' ? 'number' : 'string',
    nullable: NULLABLE_ATTRIBUTES.has(key),
  };
}

/**
 * The final ordering of a trace search: the caller's clauses, then `timestamp_ms DESC` unless
 * ordered on, then `request_id ASC` unless ordered on (MLflow's default and tie-break).
 */
export function traceOrderTerms(orderBy: TraceOrderBy): OrderTerm[] {
  const terms: OrderTerm[] = orderBy.map((clause) =>
    clause.entity === 'attribute'
      ? attributeTerm(clause.key, clause.ascending)
      : {
          entity: clause.entity,
          key: clause.key,
          ascending: clause.ascending,
          kind: 'string',
          nullable: true,
        },
  );
  const has = (key: string) => terms.some((t) => t.entity === 'attribute' && t.key === key);
  if (!has('timestamp_ms')) terms.push(attributeTerm('timestamp_ms', false));
  if (!has('request_id')) terms.push(attributeTerm('request_id', true));
  return terms;
}

function own(record: Readonly<Record<string, string>>, key: string): string | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * A trace attribute by its canonical name, as filters compare it and orderings read it;
 * `undefined` when the trace has none. `run_id` is the `mlflow.sourceRun` metadata here (the
 * value orderings read); filters also look at the linked runs.
 */
export function traceAttribute(trace: TraceSearchRecord, key: string): string | number | undefined {
  switch (key) {
    case 'request_id':
      return trace.trace_id;
    case 'experiment_id':
      return Number(trace.experiment_id);
    case 'timestamp_ms':
      return trace.request_time;
    case 'execution_time_ms':
      return trace.execution_time_ms ?? undefined;
    case 'status':
      return trace.state;
    case 'client_request_id':
      return trace.client_request_id ?? undefined;
    case 'name':
      return trace.name ?? undefined;
    case 'run_id':
      return own(trace.metadata, TRACE_SOURCE_RUN_KEY);
    default:
      return undefined;
  }
}

/** A trace's sort key under `terms` (see {@link traceOrderTerms}). */
export function traceSortKey(terms: readonly OrderTerm[], trace: TraceSearchRecord): SortKey {
  return terms.flatMap((term) => {
    let value: string | number | undefined;
    if (term.entity === 'tag') value = own(trace.tags, term.key);
    else if (term.entity === 'metadata') value = own(trace.metadata, term.key);
    else value = traceAttribute(trace, term.key);
    if (value === undefined) return [BUCKET_MISSING, null];
    return [BUCKET_VALUE, typeof value === 'number' ? encodeNumber(value) : value];
  });
}

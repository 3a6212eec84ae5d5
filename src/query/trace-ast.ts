/**
 * The vocabulary of MLflow's trace search (`SearchTraceUtils`), with agentrack's span
 * extension, and the record the evaluator and the SQL compiler agree on. A filter is a list
 * of comparisons joined by AND with the AST of the run language ({@link Comparison}); an
 * `order_by` entry is `identifier [ASC|DESC]` ({@link OrderByClause}).
 *
 * Entities: `attribute` (also spelled `attributes.`, `trace.`, or no prefix), `tag`
 * (`tag.`, `tags.`), `metadata` (`request_metadata.`, `metadata.`), and agentrack's `span`
 * (`span.name`, `span.type`, `span.status`).
 */
import type { AttributeKind, Comparison, Entity, OrderByClause } from './ast.js';

/**
 * Trace attributes a filter accepts, with their kind. `timestamp_ms` is the request time,
 * `execution_time_ms` the duration (absent while a trace is in progress), `status` the trace's
 * state (`OK`, `ERROR`, `IN_PROGRESS`, `STATE_UNSPECIFIED`), `request_id` the trace id.
 * `name` is the `mlflow.traceName` tag and `run_id` a run the trace belongs to (its
 * `mlflow.sourceRun` metadata or a run it was linked to).
 */
export const TRACE_FILTER_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  client_request_id: 'string',
  execution_time_ms: 'number',
  name: 'string',
  request_id: 'string',
  run_id: 'string',
  status: 'string',
  timestamp_ms: 'number',
};

/**
 * Trace attributes `order_by` accepts: MLflow's (no `client_request_id`, and `experiment_id`
 * as a number). `run_id` orders by the `mlflow.sourceRun` metadata, as MLflow's SQL store does.
 */
export const TRACE_ORDER_BY_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  execution_time_ms: 'number',
  experiment_id: 'number',
  name: 'string',
  request_id: 'string',
  run_id: 'string',
  status: 'string',
  timestamp_ms: 'number',
};

/** MLflow's other names of trace attributes, mapped to the canonical one. */
export const TRACE_ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  execution_time: 'execution_time_ms',
  timestamp: 'timestamp_ms',
};

/** Entity prefixes of trace filters: MLflow's, plus agentrack's `span`. */
export const TRACE_ENTITY_ALIASES: Readonly<Record<string, Entity>> = {
  attribute: 'attribute',
  attributes: 'attribute',
  trace: 'attribute',
  tag: 'tag',
  tags: 'tag',
  request_metadata: 'metadata',
  metadata: 'metadata',
  span: 'span',
};

/** Keys of the `span` entity: a span's name, its `mlflow.spanType`, its status (`UNSET`, `OK`, `ERROR`). */
export const SPAN_KEYS = ['name', 'status', 'type'] as const;

/** The string attributes that take `IN (...)` / `NOT IN (...)`: MLflow's list. */
export const TRACE_LIST_ATTRIBUTES = ['client_request_id', 'name', 'request_id', 'run_id', 'status'] as const;

/**
 * A parsed trace filter: comparisons joined by AND on attributes, tags, metadata and spans.
 *
 * A `span` comparison holds when at least one of the trace's spans satisfies it (`span.name
 * != 'x'` too: some span has another name). Each span comparison picks its own span: `span.type
 * = 'LLM' AND span.status = 'ERROR'` holds for a trace with an LLM span and a failed span,
 * not necessarily the same one. A `run_id` comparison holds when one of the trace's runs (its
 * `mlflow.sourceRun` metadata, the runs it was linked to) satisfies it. A trace lacking the
 * tag, metadata, name or execution time of a comparison never satisfies it, `!=` included.
 */
export type TraceFilter = readonly Comparison[];

/** A parsed trace `order_by` list (attributes, tags, metadata). */
export type TraceOrderBy = readonly OrderByClause[];

/** One span of a trace, as searches read it. */
export interface TraceSearchSpan {
  readonly name: string;
  /** The span's `mlflow.spanType` (`''` when it has none). */
  readonly span_type: string;
  /** `UNSET`, `OK` or `ERROR`. */
  readonly status: string;
}

/**
 * A trace as searches read it: what the in-memory evaluator matches and orders, and what the
 * SQL compiler reads from the trace tables.
 */
export interface TraceSearchRecord {
  readonly trace_id: string;
  /** Wire id (a decimal integer). */
  readonly experiment_id: string;
  /** Epoch milliseconds. */
  readonly request_time: number;
  readonly execution_time_ms: number | null;
  /** `OK`, `ERROR`, `IN_PROGRESS` or `STATE_UNSPECIFIED`. */
  readonly state: string;
  readonly client_request_id?: string | null;
  /** The `mlflow.traceName` tag, or `null`. */
  readonly name: string | null;
  /** Every tag, `mlflow.traceName` included. */
  readonly tags: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  /** The runs the trace was linked to (`link-to-run`), besides its `mlflow.sourceRun` metadata. */
  readonly run_ids: readonly string[];
  readonly spans: readonly TraceSearchSpan[];
}

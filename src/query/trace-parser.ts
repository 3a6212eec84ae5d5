/**
 * The parsers of MLflow's trace search: its filter, with the grammar of the run language and
 * the vocabulary of {@link TRACE_PROFILE}, and its `order_by` entries (`identifier
 * [ASC|DESC]`).
 */
import { LIST_COMPARATORS, NUMBER_COMPARATORS, STRING_COMPARATORS, type Comparator } from './ast.js';
import type { Identifier, Profile } from './_parser.js';
import { parseFilter } from './filter-parser.js';
import { parseOrderBy, refuseDuplicates } from './order-by-parser.js';
import {
  SPAN_KEYS,
  TRACE_ATTRIBUTE_ALIASES,
  TRACE_ENTITY_ALIASES,
  TRACE_FILTER_ATTRIBUTES,
  TRACE_LIST_ATTRIBUTES,
  TRACE_ORDER_BY_ATTRIBUTES,
  type TraceFilter,
  type TraceOrderBy,
} from './trace-ast.js';
import type { Token } from './scanner.js';

/** `{'a', 'b'}`: how MLflow's messages show a set of names. */
function pythonSet(values: readonly string[]): string {
  return `{${values.map((v) => `'${v}'`).join(', ')}}`;
}

const STRING_OR_LIST: readonly Comparator[] = [...STRING_COMPARATORS, ...LIST_COMPARATORS];
const NUMERIC_ATTRIBUTES = Object.keys(TRACE_FILTER_ATTRIBUTES)
  .filter((key) => TRACE_FILTER_ATTRIBUTES[key] === 'number')
  .flatMap((key) => [
    key,
    ...Object.keys(TRACE_ATTRIBUTE_ALIASES).filter((a) => TRACE_ATTRIBUTE_ALIASES[a] === key),
  ])
  .sort();

function gotValue(token: Token): string {
  return token.kind === 'eof' ? '(none)' : token.text;
}

function label(id: Identifier): string {
  switch (id.entity) {
    case 'attribute':
      return `${id.kind === 'number' ? 'numeric' : 'string'} attribute '${id.key}'`;
    case 'metadata':
      return `request_metadata '${id.key}'`;
    default:
      return `${id.entity} '${id.key}'`;
  }
}

/**
 * Traces: MLflow's `SearchTraceUtils` (entities `attribute.`/`attributes.`/`trace.`,
 * `tag.`/`tags.`, `request_metadata.`/`metadata.`; bare names are attributes) and agentrack's
 * `span.` entity. Timestamps and execution times compare as numbers; string attributes,
 * tags, metadata and spans take `=`, `!=`, `LIKE` and `ILIKE`; `IN` / `NOT IN` lists are for
 * `request_id`, `client_request_id`, `status`, `name`, `run_id` and the span keys.
 */
export const TRACE_PROFILE: Profile = {
  entityAliases: TRACE_ENTITY_ALIASES,
  invalidEntityMessage: (name) =>
    `Invalid entity type '${name}'. Valid values are ${pythonSet(Object.keys(TRACE_ENTITY_ALIASES).sort())}`,
  filterAttributes: TRACE_FILTER_ATTRIBUTES,
  filterAliases: TRACE_ATTRIBUTE_ALIASES,
  orderByAttributes: TRACE_ORDER_BY_ATTRIBUTES,
  orderByAliases: TRACE_ATTRIBUTE_ALIASES,
  orderByAttributesOnly: false,
  comparators: (entity, kind) => {
    if (entity === 'attribute') return kind === 'number' ? NUMBER_COMPARATORS : STRING_OR_LIST;
    if (entity === 'span') return STRING_OR_LIST;
    return STRING_COMPARATORS;
  },
  acceptsList: (entity, key) =>
    entity === 'span' ||
    (entity === 'attribute' && (TRACE_LIST_ATTRIBUTES as readonly string[]).includes(key)),
  invalidKeyMessage: (entity, key) =>
    entity === 'span' && !(SPAN_KEYS as readonly string[]).includes(key)
      ? `Invalid span key '${key}' specified. Valid keys are ${pythonSet(SPAN_KEYS)}`
      : undefined,
  messages: {
    invalidComparator: (id, comparator, allowed) =>
      `Invalid comparator '${comparator}' not one of '${pythonSet(allowed)}' for ${label(id)}`,
    listNotAccepted: () =>
      `Only attributes in ${pythonSet(TRACE_LIST_ATTRIBUTES)} supports comparison with a list of quoted string values.`,
    expectedNumber: (id, token) =>
      `Expected numeric value type for numeric attribute: ${id.key}. Found ${gotValue(token)}`,
    expectedString: (id, token) => {
      switch (id.entity) {
        case 'tag':
          return `Expected a quoted string value for tag (e.g. 'my-value'). Got value ${gotValue(token)}`;
        case 'metadata':
          return `Expected a quoted string value for request_metadata (e.g. 'my-value'). Got value ${gotValue(token)}`;
        case 'span':
          return `Expected a quoted string value or a list of quoted string values for span. Got value ${gotValue(token)}`;
        default:
          if (token.kind === 'number') {
            return `Only the '${pythonSet(NUMERIC_ATTRIBUTES)}' attributes support comparison with numeric values.`;
          }
          return `Expected a quoted string value or a list of quoted string values for attributes. Got value ${gotValue(token)}`;
      }
    },
  },
};

/**
 * Parses a trace filter. An absent, empty or blank filter is the empty list. Throws
 * `INVALID_PARAMETER_VALUE` naming the offending token and its offset. See {@link TraceFilter}
 * for what each comparison means (a span comparison: some span of the trace satisfies it).
 *
 * @example
 * parseTraceFilter("trace.status = 'OK' AND tags.env = 'prod' AND span.type = 'LLM'")
 */
export function parseTraceFilter(filter?: string): TraceFilter {
  return parseFilter(filter, TRACE_PROFILE);
}

/**
 * Parses a trace `order_by` list: attributes (`timestamp_ms`, `execution_time_ms`, `status`,
 * `request_id`, `experiment_id`, `name`, `run_id`), tags and metadata, each at most once, with
 * `ASC` (the default) or `DESC`. Spans do not order traces. Absent or empty means MLflow's
 * default order, `timestamp_ms DESC` then `request_id ASC`.
 *
 * @example
 * parseTraceOrderBy(['execution_time_ms DESC', 'tags.env'])
 */
export function parseTraceOrderBy(orderBy?: readonly string[]): TraceOrderBy {
  return refuseDuplicates(parseOrderBy(orderBy, TRACE_PROFILE), orderBy);
}

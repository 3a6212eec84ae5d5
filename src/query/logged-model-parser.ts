/**
 * The parsers of MLflow's logged-model search: its filter, with the grammar of the run
 * language and the vocabulary of {@link LOGGED_MODEL_PROFILE}, and its structured `order_by`
 * entries, whose `field_name` is one identifier of that vocabulary.
 */
import { invalidParameter } from '../errors.js';
import { NUMBER_COMPARATORS, STRING_COMPARATORS } from './ast.js';
import { orderByErrors, parseIdentifier, RUN_PROFILE, type Profile } from './_parser.js';
import { parseFilter } from './filter-parser.js';
import {
  LOGGED_MODEL_ATTRIBUTE_ALIASES,
  LOGGED_MODEL_ATTRIBUTES,
  LOGGED_MODEL_ENTITY_ALIASES,
  type LoggedModelFilter,
  type LoggedModelOrderBy,
  type LoggedModelOrderByClause,
  type LoggedModelOrderByInput,
} from './logged-model-ast.js';
import { createScanner } from './scanner.js';

/**
 * Logged models: MLflow's `search_logged_model_utils` (entities `attributes.`, `metrics.`,
 * `params.`, `tags.`; bare names are attributes). Metrics and timestamps compare as numbers,
 * everything else as strings (`=`, `!=`, `LIKE`, `ILIKE`); no list comparisons; the run
 * search's error messages.
 */
export const LOGGED_MODEL_PROFILE: Profile = {
  entityAliases: LOGGED_MODEL_ENTITY_ALIASES,
  invalidEntityMessage: (name) =>
    `Invalid entity type '${name}'. Valid values are ['attributes', 'metrics', 'params', 'tags']`,
  filterAttributes: LOGGED_MODEL_ATTRIBUTES,
  filterAliases: LOGGED_MODEL_ATTRIBUTE_ALIASES,
  orderByAttributes: LOGGED_MODEL_ATTRIBUTES,
  orderByAliases: LOGGED_MODEL_ATTRIBUTE_ALIASES,
  orderByAttributesOnly: false,
  comparators: (entity, kind) =>
    entity === 'metric' || (entity === 'attribute' && kind === 'number')
      ? NUMBER_COMPARATORS
      : STRING_COMPARATORS,
  acceptsList: () => false,
  messages: RUN_PROFILE.messages,
};

/**
 * Parses a logged-model filter. An absent, empty or blank filter is the empty list. Throws
 * `INVALID_PARAMETER_VALUE` naming the offending token and its offset.
 *
 * @example
 * parseLoggedModelFilter("metrics.accuracy > 0.9 AND tags.flow = 'a1' AND name LIKE 'agent%'")
 */
export function parseLoggedModelFilter(filter?: string): LoggedModelFilter {
  return parseFilter(filter, LOGGED_MODEL_PROFILE);
}

/**
 * Parses a logged-model `order_by` list: each entry's `field_name` names an attribute
 * (`creation_timestamp`, `name`, ...) or a metric (`metrics.accuracy`), whose values it reads
 * on the entry's dataset when it names one. MLflow orders by attributes and metrics only: a
 * param or a tag is INVALID_PARAMETER_VALUE. An attribute, or a metric on the same dataset,
 * named again after its first entry cannot change the order and is dropped.
 *
 * @example
 * parseLoggedModelOrderBy([{ fieldName: 'metrics.accuracy', ascending: false, datasetName: 'golden' }])
 */
export function parseLoggedModelOrderBy(orderBy?: readonly LoggedModelOrderByInput[]): LoggedModelOrderBy {
  const clauses: LoggedModelOrderByClause[] = [];
  const seen = new Set<string>();
  (orderBy ?? []).forEach((entry, index) => {
    const clause = parseEntry(entry, index);
    const identity = JSON.stringify([clause.entity, clause.key, clause.datasetName, clause.datasetDigest]);
    if (seen.has(identity)) return;
    seen.add(identity);
    clauses.push(clause);
  });
  return clauses;
}

function parseEntry(entry: LoggedModelOrderByInput, index: number): LoggedModelOrderByClause {
  const errors = orderByErrors(index);
  const text = entry.fieldName;
  if (typeof text !== 'string' || text.trim() === '') {
    throw invalidParameter(`Missing value for required parameter 'order_by[${index}].field_name'.`);
  }
  const scanner = createScanner(text);
  const id = parseIdentifier(scanner, LOGGED_MODEL_PROFILE, 'order_by', errors);
  if (id.entity === 'param' || id.entity === 'tag') {
    errors.fail(`Invalid order by field name: ${text}. Only metrics are supported`, id.start);
  }
  const extra = scanner.scan();
  if (extra.kind !== 'eof') {
    errors.fail(
      `Invalid order by field name '${text}': expected one field name (the direction is 'ascending')`,
      extra.start,
    );
  }
  const ascending = entry.ascending !== false;
  const location = { start: id.start, end: id.end };
  if (id.entity === 'attribute')
    return { type: 'order_by', entity: 'attribute', key: id.key, ascending, location };
  return {
    type: 'order_by',
    entity: 'metric',
    key: id.key,
    ascending,
    ...(entry.datasetName ? { datasetName: entry.datasetName } : {}),
    ...(entry.datasetDigest ? { datasetDigest: entry.datasetDigest } : {}),
    location,
  };
}

/**
 * Parsers for MLflow's `order_by` lists: each entry is `identifier [ASC|DESC]`.
 */
import { invalidParameter } from '../errors.js';
import type { OrderBy, OrderByClause } from './ast.js';
import {
  EXPERIMENT_PROFILE,
  MODEL_VERSION_PROFILE,
  REGISTERED_MODEL_PROFILE,
  RUN_PROFILE,
  orderByErrors,
  parseIdentifier,
  type Profile,
} from './_parser.js';
import { createScanner } from './scanner.js';

/**
 * Parses a search-runs `order_by` list: metrics, params, tags and run attributes,
 * each at most once. Absent or empty means MLflow's default order.
 *
 * @example
 * parseRunOrderBy(['metrics.rmse ASC', 'start_time DESC'])
 */
export function parseRunOrderBy(orderBy?: readonly string[]): OrderBy {
  return refuseDuplicates(parseOrderBy(orderBy, RUN_PROFILE), orderBy);
}

/**
 * Parses a search-experiments `order_by` list: `name`, `experiment_id`, `creation_time`,
 * `last_update_time`.
 *
 * @example
 * parseExperimentOrderBy(['name ASC'])
 */
export function parseExperimentOrderBy(orderBy?: readonly string[]): OrderBy {
  return parseOrderBy(orderBy, EXPERIMENT_PROFILE);
}

/**
 * Parses a search-registered-models `order_by` list as MLflow's SQL registry does: `name`,
 * `last_updated_timestamp` and its other name `timestamp` (the same field, so not both), each at
 * most once; anything else, `creation_timestamp` included, is refused.
 *
 * @example
 * parseRegisteredModelOrderBy(['timestamp DESC']) // last_updated_timestamp, descending
 */
export function parseRegisteredModelOrderBy(orderBy?: readonly string[]): OrderBy {
  return refuseDuplicates(parseOrderBy(orderBy, REGISTERED_MODEL_PROFILE), orderBy);
}

/**
 * Parses a search-model-versions `order_by` list: `name`, `version_number`,
 * `creation_timestamp`, `last_updated_timestamp`, each at most once.
 *
 * @example
 * parseModelVersionOrderBy(['version_number DESC'])
 */
export function parseModelVersionOrderBy(orderBy?: readonly string[]): OrderBy {
  return refuseDuplicates(parseOrderBy(orderBy, MODEL_VERSION_PROFILE), orderBy);
}

/** MLflow refuses an order_by that names one field twice (aliases included). */
export function refuseDuplicates(
  clauses: OrderByClause[],
  orderBy: readonly string[] | undefined,
): OrderByClause[] {
  const seen = new Map<string, number>();
  clauses.forEach((clause, index) => {
    const id = `${clause.entity}\u0000${clause.key}`;
    const first = seen.get(id);
    if (first !== undefined) {
      throw invalidParameter(
        `\`order_by\` contains duplicate fields: [${(orderBy ?? []).map((s) => `'${s}'`).join(', ')}] ` +
          `(order_by[${index}] repeats order_by[${first}])`,
      );
    }
    seen.set(id, index);
  });
  return clauses;
}

/** Parses an `order_by` list with the vocabulary of `profile`: what each search's own parser calls. */
export function parseOrderBy(orderBy: readonly string[] | undefined, profile: Profile): OrderByClause[] {
  return (orderBy ?? []).map((text, index) => parseEntry(text, index, profile));
}

function parseEntry(text: string, index: number, profile: Profile): OrderByClause {
  const errors = orderByErrors(index);
  const scanner = createScanner(text);
  const unparsable = `Invalid order_by clause '${text}'. Could not be parsed.`;
  if (scanner.peek().kind === 'eof') errors.fail(unparsable, 0);

  const id = parseIdentifier(scanner, profile, 'order_by', errors);
  if (id.entity === 'dataset') {
    errors.fail(`Invalid identifier type 'dataset'. Datasets cannot be used in order_by`, id.start);
  }
  if (id.entity === 'span') {
    errors.fail(`Invalid identifier type 'span'. Spans cannot be used in order_by`, id.start);
  }
  if (profile.orderByAttributesOnly && id.entity !== 'attribute') {
    errors.fail(`Invalid order_by entity: ${id.entity}`, id.start);
  }

  let ascending = true;
  let end = id.end;
  const direction = scanner.scan();
  if (direction.kind !== 'eof') {
    const word = direction.kind === 'word' ? direction.text.toLowerCase() : '';
    if (word !== 'asc' && word !== 'desc') {
      errors.fail(`Invalid ordering key in order_by clause '${text}'.`, direction.start);
    }
    ascending = word === 'asc';
    end = direction.end;
    const extra = scanner.scan();
    if (extra.kind !== 'eof') errors.fail(unparsable, extra.start);
  }
  return {
    type: 'order_by',
    entity: id.entity as OrderByClause['entity'],
    key: id.key,
    ascending,
    location: { start: id.start, end },
  };
}

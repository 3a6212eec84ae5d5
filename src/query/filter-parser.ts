/**
 * Parsers for MLflow's `filter` strings (search runs, experiments, registered models, model
 * versions).
 *
 * Grammar: `comparison (AND comparison)*`, where a comparison is
 * `identifier comparator value`. Keywords are case-insensitive; entity prefixes and
 * attribute names are case-sensitive, as in MLflow. Strings take single or double quotes;
 * a doubled quote inside stands for one quote character.
 */
import {
  LIST_COMPARATORS,
  NUMBER_COMPARATORS,
  type Comparator,
  type Comparison,
  type ExperimentFilter,
  type ListComparator,
  type ModelVersionFilter,
  type NumberComparator,
  type RegisteredModelFilter,
  type RunFilter,
  type StringComparator,
} from './ast.js';
import {
  EXPERIMENT_PROFILE,
  MODEL_VERSION_PROFILE,
  REGISTERED_MODEL_PROFILE,
  RUN_PROFILE,
  describeToken,
  filterErrors,
  parseIdentifier,
  unquotedValueMessage,
  type ErrorSink,
  type Profile,
} from './_parser.js';
import { createScanner, numberLiteral, type Scanner, type Token } from './scanner.js';

/**
 * Parses a search-runs filter. An absent, empty or blank filter is the empty list.
 * Throws `INVALID_PARAMETER_VALUE` naming the offending token and its offset.
 *
 * @example
 * parseRunFilter("metrics.rmse < 1 and params.model_class = 'LogisticRegression'")
 */
export function parseRunFilter(filter?: string): RunFilter {
  return parseFilter(filter, RUN_PROFILE);
}

/**
 * Parses a search-experiments filter (`name`, `creation_time`, `last_update_time`, `tags.<key>`).
 *
 * @example
 * parseExperimentFilter("name LIKE '/Shared/%' AND tags.team = 'core'")
 */
export function parseExperimentFilter(filter?: string): ExperimentFilter {
  return parseFilter(filter, EXPERIMENT_PROFILE);
}

/**
 * Parses a search-registered-models filter: `name` (`=`, `!=`, `LIKE`, `ILIKE`) and tags
 * (`tags.<key>`, `tag.<key>`), as MLflow's SQL registry accepts them.
 *
 * @example
 * parseRegisteredModelFilter("name LIKE 'health%' AND tag.`mlflow.prompt.is_prompt` != 'true'")
 */
export function parseRegisteredModelFilter(filter?: string): RegisteredModelFilter {
  return parseFilter(filter, REGISTERED_MODEL_PROFILE);
}

/**
 * Parses a search-model-versions filter: `name` (the registered model's), `version_number`
 * (numeric), `run_id` (also `IN (...)`), `source_path` and tags, as MLflow's SQL registry
 * accepts them.
 *
 * @example
 * parseModelVersionFilter("name = 'agent' AND version_number > 2 AND run_id IN ('a1', 'b2')")
 */
export function parseModelVersionFilter(filter?: string): ModelVersionFilter {
  return parseFilter(filter, MODEL_VERSION_PROFILE);
}

/**
 * Parses a filter with the vocabulary of `profile` (the entities, attributes and comparators
 * one search accepts): what each search's own parser calls.
 */
export function parseFilter(filter: string | undefined, profile: Profile): Comparison[] {
  if (filter === undefined || filter.trim() === '') return [];
  const scanner = createScanner(filter);
  const errors = filterErrors();
  const clauses: Comparison[] = [];
  for (;;) {
    clauses.push(parseComparison(scanner, profile, errors));
    const next = scanner.scan();
    if (next.kind === 'eof') return clauses;
    const keyword = next.kind === 'word' ? next.text.toUpperCase() : '';
    if (keyword === 'AND') {
      if (scanner.peek().kind === 'eof') {
        errors.fail(`Expected a comparison after 'AND', found the end of the filter`, scanner.peek().start);
      }
      continue;
    }
    const hint =
      keyword === 'OR'
        ? 'Only AND is supported between comparisons'
        : 'Expected AND or the end of the filter';
    errors.fail(`Invalid clause(s) in filter string: '${next.text}'. ${hint}`, next.start);
  }
}

function parseComparator(scanner: Scanner, errors: ErrorSink): { comparator: string; token: Token } {
  const token = scanner.scan();
  if (token.kind === 'operator') return { comparator: token.text, token };
  if (token.kind === 'word') {
    const word = token.text.toUpperCase();
    if (word === 'NOT') {
      const second = scanner.peek();
      if (second.kind === 'word') {
        scanner.scan();
        return { comparator: `NOT ${second.text.toUpperCase()}`, token };
      }
    }
    if (word === 'LIKE' || word === 'ILIKE' || word === 'IN' || word === 'NOT') {
      return { comparator: word, token };
    }
  }
  return errors.fail(
    `Invalid comparison clause. Expected comparison found ${describeToken(token)}`,
    token.start,
  );
}

function parseComparison(scanner: Scanner, profile: Profile, errors: ErrorSink): Comparison {
  const first = scanner.peek();
  if (first.kind === 'eof') errors.fail('Expected a comparison, found the end of the filter', first.start);
  if (first.kind === 'word' && /^(AND|OR)$/i.test(first.text)) {
    errors.fail(`Invalid clause(s) in filter string: '${first.text}'. Expected a comparison`, first.start);
  }
  const id = parseIdentifier(scanner, profile, 'filter', errors);
  const { comparator, token: comparatorToken } = parseComparator(scanner, errors);
  const allowed = profile.comparators(id.entity, id.kind, id.key);
  if (!(allowed as readonly string[]).includes(comparator)) {
    errors.fail(profile.messages.invalidComparator(id, comparator, allowed), comparatorToken.start);
  }
  const checked = comparator as Comparator;

  if ((LIST_COMPARATORS as readonly string[]).includes(checked)) {
    if (!profile.acceptsList(id.entity, id.key)) {
      errors.fail(profile.messages.listNotAccepted(id), comparatorToken.start);
    }
    const { values, end } = parseList(scanner, errors);
    return {
      type: 'list_comparison',
      entity: id.entity as 'attribute' | 'dataset',
      key: id.key,
      comparator: checked as ListComparator,
      value: values,
      location: { start: id.start, end },
    };
  }

  const token = scanner.scan();
  if (token.kind === 'quoted') checkClosed(token, errors);
  if (id.kind === 'number' && (NUMBER_COMPARATORS as readonly string[]).includes(checked)) {
    let value = token.kind === 'number' ? (token.value as number) : undefined;
    if (
      value === undefined &&
      profile.quotedNumbers === true &&
      token.kind === 'quoted' &&
      token.quote !== '`'
    ) {
      value = numberLiteral(String(token.value));
    }
    if (value === undefined) return errors.fail(profile.messages.expectedNumber(id, token), token.start);
    return {
      type: 'number_comparison',
      entity: id.entity as 'metric' | 'attribute',
      key: id.key,
      comparator: checked as NumberComparator,
      value,
      location: { start: id.start, end: token.end },
    };
  }

  if (token.kind === 'quoted' && token.quote !== '`') {
    return {
      type: 'string_comparison',
      entity: id.entity as 'param' | 'tag' | 'attribute' | 'dataset',
      key: id.key,
      comparator: checked as StringComparator,
      value: String(token.value),
      location: { start: id.start, end: token.end },
    };
  }
  if (token.kind === 'word' || token.kind === 'quoted') errors.fail(unquotedValueMessage(token), token.start);
  return errors.fail(profile.messages.expectedString(id, token), token.start);
}

function checkClosed(token: Token, errors: ErrorSink): void {
  if (token.unterminated === true) {
    errors.fail(`Unterminated string: missing closing ${token.quote ?? ''} for ${token.text}`, token.start);
  }
}

function parseList(scanner: Scanner, errors: ErrorSink): { values: string[]; end: number } {
  const open = scanner.scan();
  if (open.kind !== 'lparen') {
    errors.fail(`Expected a parenthesized list of quoted strings, found ${describeToken(open)}`, open.start);
  }
  const values: string[] = [];
  for (;;) {
    const token = scanner.scan();
    if (token.kind === 'rparen') {
      if (values.length === 0) {
        errors.fail(
          'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
          open.start,
        );
      }
      return { values, end: token.end };
    }
    if (token.kind === 'quoted' && token.quote !== '`') {
      checkClosed(token, errors);
      values.push(String(token.value));
      const separator = scanner.peek();
      if (separator.kind === 'comma') scanner.scan();
      else if (separator.kind !== 'rparen') {
        errors.fail(
          `While parsing a list in the query, expected ',' or ')' but found ${describeToken(separator)}`,
          separator.start,
        );
      }
      continue;
    }
    if (token.kind === 'eof') {
      errors.fail(
        "While parsing a list in the query, expected ')' but found the end of the filter",
        token.start,
      );
    }
    if (token.kind === 'quoted') checkClosed(token, errors);
    errors.fail(
      'While parsing a list in the query, expected string value, punctuation, or whitespace, ' +
        `but got different type in list: ${token.text}`,
      token.start,
    );
  }
}

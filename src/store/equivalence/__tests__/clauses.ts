/**
 * Generators of the filter clauses the equivalence property tests search with: the same
 * comparison shapes for every search, over the values each test file stores.
 */
import fc from 'fast-check';
import type { Comparison, ListComparison, NumberComparison, StringComparison } from '../../../query/index.js';
import { NUMBER_COMPARATORS } from '../../../query/index.js';
import { likePattern, pick } from './vocabulary.js';

/** The location of a generated clause: it was never written as text. */
export const NO_LOCATION = { start: 0, end: 0 };

/** `entity.key = value` or `!=`, with one of `values`. */
export function equalityClause(
  entity: StringComparison['entity'],
  key: fc.Arbitrary<string>,
  values: readonly string[],
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('string_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: pick(['=', '!='] as const),
    value: pick(values),
    location: fc.constant(NO_LOCATION),
  });
}

/** `entity.key LIKE pattern` or `ILIKE`, with one of `patterns`. */
export function likeClause(
  entity: StringComparison['entity'],
  key: fc.Arbitrary<string>,
  patterns: fc.Arbitrary<string>,
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('string_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: pick(['LIKE', 'ILIKE'] as const),
    value: patterns,
    location: fc.constant(NO_LOCATION),
  });
}

/**
 * An equality or a pattern clause, equally often: over `values`, and patterns that are by
 * default those {@link likePattern} makes from `values`.
 */
export function stringClause(
  entity: StringComparison['entity'],
  key: fc.Arbitrary<string>,
  values: readonly string[],
  patterns: fc.Arbitrary<string> = likePattern(values),
): fc.Arbitrary<Comparison> {
  return fc.oneof(equalityClause(entity, key, values), likeClause(entity, key, patterns));
}

/** `entity.key IN (...)` or `NOT IN`, with a list of `lists`. */
export function listClause(
  entity: ListComparison['entity'],
  key: fc.Arbitrary<string>,
  lists: fc.Arbitrary<string[]>,
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('list_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: pick(['IN', 'NOT IN'] as const),
    value: lists,
    location: fc.constant(NO_LOCATION),
  });
}

/** `entity.key` compared by any number comparator with one of `values`. */
export function numberClause(
  entity: NumberComparison['entity'],
  key: fc.Arbitrary<string>,
  values: readonly number[],
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('number_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: pick(NUMBER_COMPARATORS),
    value: pick(values),
    location: fc.constant(NO_LOCATION),
  });
}

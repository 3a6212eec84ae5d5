/**
 * fast-check generators of parsed filters and order_by lists, for property tests.
 */
import fc from 'fast-check';
import {
  DATASET_KEYS,
  EXPERIMENT_FILTER_ATTRIBUTES,
  EXPERIMENT_ORDER_BY_ATTRIBUTES,
  LIST_COMPARATORS,
  NUMBER_COMPARATORS,
  RUN_ATTRIBUTES,
  STRING_COMPARATORS,
  type Comparison,
  type OrderByClause,
} from '../ast.js';

const at = { start: 0, end: 0 };

const SPECIAL_CHARS = [
  "'",
  '"',
  '`',
  '%',
  '_',
  '*',
  '?',
  '[',
  ']',
  '\\',
  ' ',
  '.',
  ',',
  '(',
  ')',
  '\n',
  'a',
  'A',
  'z',
  'Z',
  '0',
  'é',
  'É',
  '😀',
];

/** Any string, lone surrogates included, biased towards quotes, wildcards and case. */
export const anyString = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...SPECIAL_CHARS),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});

const number = fc.double({ noNaN: true });

function numberComparison(
  entity: 'metric' | 'attribute',
  key: fc.Arbitrary<string>,
  value: fc.Arbitrary<number> = number,
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('number_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: fc.constantFrom(...NUMBER_COMPARATORS),
    value,
    location: fc.constant(at),
  });
}

function stringComparison(
  entity: 'param' | 'tag' | 'attribute' | 'dataset',
  key: fc.Arbitrary<string>,
  value: fc.Arbitrary<string> = anyString,
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('string_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: fc.constantFrom(...STRING_COMPARATORS),
    value,
    location: fc.constant(at),
  });
}

function listComparison(
  entity: 'attribute' | 'dataset',
  key: fc.Arbitrary<string>,
  value: fc.Arbitrary<string> = anyString,
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('list_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: fc.constantFrom(...LIST_COMPARATORS),
    value: fc.array(value, { minLength: 1, maxLength: 4 }),
    location: fc.constant(at),
  });
}

const keysOf = (record: Readonly<Record<string, string>>, kind: string) =>
  Object.keys(record).filter((k) => record[k] === kind);

/** Vocabularies a generated comparison draws from (narrow them to make matches likely). */
export interface ComparisonVocabulary {
  key?: fc.Arbitrary<string>;
  string?: fc.Arbitrary<string>;
  metric?: fc.Arbitrary<number>;
  time?: fc.Arbitrary<number>;
}

/** One run filter comparison of any shape the run grammar allows. */
export function runComparison(vocabulary: ComparisonVocabulary = {}): fc.Arbitrary<Comparison> {
  const key = vocabulary.key ?? anyString;
  const value = vocabulary.string ?? anyString;
  return fc.oneof(
    numberComparison('metric', key, vocabulary.metric),
    stringComparison('param', key, value),
    stringComparison('tag', key, value),
    numberComparison('attribute', fc.constantFrom(...keysOf(RUN_ATTRIBUTES, 'number')), vocabulary.time),
    stringComparison('attribute', fc.constantFrom(...keysOf(RUN_ATTRIBUTES, 'string')), value),
    listComparison('attribute', fc.constant('run_id'), value),
    stringComparison('dataset', fc.constantFrom(...DATASET_KEYS), value),
    listComparison('dataset', fc.constantFrom(...DATASET_KEYS), value),
  );
}

/** A run filter (0 to 5 comparisons). */
export const runFilter = fc.array(runComparison(), { maxLength: 5 });

/** An experiment filter (0 to 5 comparisons). */
export const experimentFilter = fc.array(
  fc.oneof(
    numberComparison('attribute', fc.constantFrom(...keysOf(EXPERIMENT_FILTER_ATTRIBUTES, 'number'))),
    stringComparison('attribute', fc.constant('name')),
    stringComparison('tag', anyString),
  ),
  { maxLength: 5 },
);

function orderByClause(
  entity: OrderByClause['entity'],
  key: fc.Arbitrary<string>,
): fc.Arbitrary<OrderByClause> {
  return fc.record({
    type: fc.constant('order_by' as const),
    entity: fc.constant(entity),
    key,
    ascending: fc.boolean(),
    location: fc.constant(at),
  });
}

/** A run order_by list without repeated fields. */
export function runOrderBy(key: fc.Arbitrary<string> = anyString) {
  return fc.uniqueArray(
    fc.oneof(
      orderByClause('metric', key),
      orderByClause('param', key),
      orderByClause('tag', key),
      orderByClause('attribute', fc.constantFrom(...Object.keys(RUN_ATTRIBUTES))),
    ),
    { maxLength: 4, selector: (c) => `${c.entity}.${c.key}` },
  );
}

/** An experiment order_by list. */
export const experimentOrderBy = fc.array(
  orderByClause('attribute', fc.constantFrom(...Object.keys(EXPERIMENT_ORDER_BY_ATTRIBUTES))),
  { maxLength: 4 },
);

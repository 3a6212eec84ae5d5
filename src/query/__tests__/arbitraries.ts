/**
 * fast-check generators of parsed filters and order_by lists, for property tests.
 */
import fc from 'fast-check';
import {
  DATASET_KEYS,
  EXPERIMENT_FILTER_ATTRIBUTES,
  EXPERIMENT_ORDER_BY_ATTRIBUTES,
  LIST_COMPARATORS,
  MODEL_VERSION_ORDER_BY_ATTRIBUTES,
  NUMBER_COMPARATORS,
  REGISTERED_MODEL_ORDER_BY_ATTRIBUTES,
  RUN_ATTRIBUTES,
  RUN_ORDER_BY_ATTRIBUTES,
  STRING_COMPARATORS,
  type Comparison,
  type ListComparator,
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
  '\u0301',
  'ß',
  'ẞ',
  'ı',
  'İ',
  '\u0001',
  '\uFFEE',
  '😀',
];

/**
 * Any string, lone surrogates included, biased towards quotes, wildcards, case (ASCII and
 * not: ß/ẞ, dotted and dotless i), a combining accent, a control character, and U+FFEE beside
 * an emoji (UTF-16 order is not code-point order there).
 */
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
  comparators: readonly ListComparator[] = LIST_COMPARATORS,
): fc.Arbitrary<Comparison> {
  return fc.record({
    type: fc.constant('list_comparison' as const),
    entity: fc.constant(entity),
    key,
    comparator: fc.constantFrom(...comparators),
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

/** A registered-model filter (0 to 5 comparisons). */
export const registeredModelFilter = fc.array(
  fc.oneof(stringComparison('attribute', fc.constant('name')), stringComparison('tag', anyString)),
  { maxLength: 5 },
);

/** A model-version filter (0 to 5 comparisons; `run_id` lists take `IN` only). */
export const modelVersionFilter = fc.array(
  fc.oneof(
    stringComparison('attribute', fc.constantFrom('name', 'run_id', 'source_path')),
    numberComparison('attribute', fc.constant('version_number')),
    listComparison('attribute', fc.constant('run_id'), anyString, ['IN']),
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

/** A run order_by list without repeated fields (agentrack's `duration` included). */
export function runOrderBy(key: fc.Arbitrary<string> = anyString) {
  return fc.uniqueArray(
    fc.oneof(
      orderByClause('metric', key),
      orderByClause('param', key),
      orderByClause('tag', key),
      orderByClause('attribute', fc.constantFrom(...Object.keys(RUN_ORDER_BY_ATTRIBUTES))),
    ),
    { maxLength: 4, selector: (c) => `${c.entity}.${c.key}` },
  );
}

/** An experiment order_by list. */
export const experimentOrderBy = fc.array(
  orderByClause('attribute', fc.constantFrom(...Object.keys(EXPERIMENT_ORDER_BY_ATTRIBUTES))),
  { maxLength: 4 },
);

/** A registered-model order_by list without repeated fields. */
export const registeredModelOrderBy = fc.uniqueArray(
  orderByClause('attribute', fc.constantFrom(...Object.keys(REGISTERED_MODEL_ORDER_BY_ATTRIBUTES))),
  { maxLength: 2, selector: (c) => c.key },
);

/** A model-version order_by list without repeated fields. */
export const modelVersionOrderBy = fc.uniqueArray(
  orderByClause('attribute', fc.constantFrom(...Object.keys(MODEL_VERSION_ORDER_BY_ATTRIBUTES))),
  { maxLength: 4, selector: (c) => c.key },
);

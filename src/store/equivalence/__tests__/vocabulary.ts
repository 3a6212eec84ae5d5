/**
 * The values the equivalence property tests store, filter on and order by: few enough that
 * generated filters often match and orderings often tie, and chosen where SQLite, PostgreSQL
 * (under its ICU English collation) and the in-memory evaluator are most likely to part ways.
 */
import fc from 'fast-check';

/** A long text, and one equal to it but for its last character. */
const LONG = 'x'.repeat(1_000);

/**
 * Texts that differ by case (ASCII and not), by normalization (a precomposed and a combining
 * accent), by a control character, only at the end of a long text; the letters whose case
 * rules differ between locales (`ß`/`ẞ`/`SS`, Turkish dotted and dotless i); characters
 * beyond U+FFFF and in U+E000..U+FFFF (UTF-16 order is not code-point order there); quotes,
 * LIKE and GLOB metacharacters and a backslash.
 */
export const TEXTS: readonly string[] = [
  '',
  'a',
  'A',
  'aB',
  'b',
  'B',
  'b%c',
  'dev_1',
  'DEV_2',
  'é',
  'É',
  'e\u0301',
  'E\u0301',
  'f',
  'ß',
  'ẞ',
  'SS',
  'ss',
  'i',
  'I',
  'ı',
  'İ',
  'a\u0001b',
  'a\u0001c',
  'a\tb',
  '\u007f',
  '😀',
  '😀bot',
  '\uFFFD',
  '\uffee',
  "o'k",
  'x*[y',
  'a\\b',
  `${LONG}a`,
  `${LONG}B`,
];

/**
 * MLflow LIKE patterns over {@link TEXTS}: case variants, `_` against one code point (an
 * emoji, a combining accent), `%` runs, literal backslashes, control characters, and the long
 * texts' shared prefix.
 */
export const PATTERNS: readonly string[] = [
  '%',
  '_',
  '__',
  'a%',
  'A%',
  '%b%',
  '%B',
  'dev\\_%',
  'DEV_%',
  'b%%c',
  'é%',
  'É%',
  'e_',
  'E%',
  '%\u0301',
  'ß',
  'SS',
  's%',
  'i',
  'I',
  'ı',
  'İ%',
  'a\u0001%',
  'a_b',
  '😀%',
  '_bot',
  '%\uffee',
  "o'%",
  'x*[%',
  'a\\b',
  'a\\%',
  `${LONG}%`,
  `%${'x'.repeat(999)}_`,
];

/** Stored metric values: NaN, ±Infinity, -0 beside 0, the extremes of a double, ties. */
export const NUMBERS: readonly number[] = [
  Number.NaN,
  -Infinity,
  -1.7976931348623157e308,
  -1,
  -0,
  0,
  5e-324,
  0.1,
  0.5,
  1,
  2.5,
  1.7976931348623157e308,
  Infinity,
];

/** Numbers a filter compares with: {@link NUMBERS} but NaN, which the filter language cannot write. */
export const FILTER_NUMBERS: readonly number[] = NUMBERS.filter((n) => !Number.isNaN(n));

/** Metric, param and tag keys: case variants and a letter beyond ASCII (keys compare with `=`). */
export const KEYS: readonly string[] = ['a', 'A', 'my key', 'é'];

/** One of `values`. */
export const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

/**
 * A pattern made from one of `values`, so that it matches it (or, `case`, an ASCII case
 * variant): some characters replaced by `%` or `_`, some with their case flipped, by a cycle
 * of at most `maxEdits` edits.
 */
export function derivedPattern(values: readonly string[], maxEdits = 6): fc.Arbitrary<string> {
  return fc
    .tuple(pick(values), fc.array(pick(['keep', 'any', 'one', 'case'] as const), { maxLength: maxEdits }))
    .map(([source, edits]) =>
      Array.from(source)
        .map((char, i) => {
          const edit = edits[i % Math.max(edits.length, 1)] ?? 'keep';
          if (edit === 'any') return '%';
          if (edit === 'one') return '_';
          if (edit === 'case') return char === char.toLowerCase() ? char.toUpperCase() : char.toLowerCase();
          return char;
        })
        .join(''),
    );
}

/** A LIKE/ILIKE pattern: one of {@link PATTERNS}, or (more often) one derived from `values`. */
export function likePattern(values: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 1, arbitrary: pick(PATTERNS) }, { weight: 2, arbitrary: derivedPattern(values) });
}

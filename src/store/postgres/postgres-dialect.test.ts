import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compareText } from '../../query/compare-text.js';
import { ilikeMatches, likeMatches } from '../../query/like.js';
import { param, raw, renderSql, sql, type SqlFragment } from '../../query/sql-fragment.js';
import { freshDatabase } from '../../testing/postgres.js';
import { derivedPattern } from '../equivalence/__tests__/vocabulary.js';
import { postgresDialect } from './postgres-dialect.js';
import { PostgresDriver } from './postgres-driver.js';

// The run's cluster has ICU's English collation by default (test/setup/postgres.ts): its own
// ordering, lower() and ILIKE differ from the evaluator's, so only the dialect's SQL can agree.

let driver: PostgresDriver;

beforeAll(async () => {
  driver = PostgresDriver.open({ connectionString: (await freshDatabase()).url });
});

afterAll(() => driver.close());

/** The column of {@link candidates}' rows. */
const s = raw('t.s');

/** The positions (1-based) of the `texts` that `condition` keeps, asked of PostgreSQL in one statement. */
async function matching(texts: readonly string[], condition: SqlFragment): Promise<number[]> {
  const query = renderSql(
    sql`SELECT t.i FROM unnest(${param(texts)}::text[]) WITH ORDINALITY AS t(s, i) WHERE ${condition} ORDER BY t.i`,
    postgresDialect.placeholder,
  );
  const rows = await driver.all<{ i: number }>(query.sql, query.params);
  return rows.map((row) => row.i);
}

/** The positions (1-based) of the `texts` that `matches` keeps, in memory. */
function expected(texts: readonly string[], matches: (text: string) => boolean): number[] {
  return texts.flatMap((text, i) => (matches(text) ? [i + 1] : []));
}

/** `text LIKE pattern` as the dialect compiles it. */
const like = (pattern: string) => postgresDialect.like(s, param(postgresDialect.likeParam(pattern)));
/** `text ILIKE pattern` as the dialect compiles it. */
const ilike = (pattern: string) => postgresDialect.ilike(s, param(postgresDialect.ilikeParam(pattern)));

/** Characters where databases and the evaluator are most likely to part ways. */
const TRICKY = [
  'a',
  'A',
  'b',
  'B',
  'é',
  'É',
  'ß',
  'ẞ',
  'İ',
  'ı',
  'K',
  'k',
  'ǅ',
  'Σ',
  'σ',
  'ς',
  '😀',
  '\\',
  "'",
  '"',
];
const WILDCARDS = ['%', '_'];

/** A valid UTF-8 character PostgreSQL's text can hold: no NUL, no lone surrogate. */
const anyChar = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 1 })
  .filter((c) => c !== '\0' && !/^[\uD800-\uDFFF]$/.test(c));

/** Texts from a small alphabet (so that patterns often match) or from all of Unicode. */
const text = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...TRICKY, ...WILDCARDS) },
    { weight: 1, arbitrary: anyChar },
  ),
  maxLength: 8,
});
const texts = fc.array(text, { minLength: 1, maxLength: 24 });

/** MLflow patterns: mostly wildcards and the tricky letters, backslashes included. */
const pattern = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...WILDCARDS) },
    { weight: 4, arbitrary: fc.constantFrom(...TRICKY) },
    { weight: 1, arbitrary: anyChar },
  ),
  maxLength: 6,
});

describe('postgresDialect on PostgreSQL agrees with the in-memory evaluator', () => {
  test('LIKE: case-sensitive, % and _ the only special characters', async () => {
    await fc.assert(
      fc.asyncProperty(
        texts.chain((ts) => fc.tuple(fc.constant(ts), fc.oneof(pattern, derivedPattern(ts, 8)))),
        async ([ts, p]) => {
          expect(await matching(ts, like(p))).toEqual(expected(ts, (t) => likeMatches(t, p)));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('ILIKE: folds ASCII letters only', async () => {
    await fc.assert(
      fc.asyncProperty(
        texts.chain((ts) => fc.tuple(fc.constant(ts), fc.oneof(pattern, derivedPattern(ts, 8)))),
        async ([ts, p]) => {
          expect(await matching(ts, ilike(p))).toEqual(expected(ts, (t) => ilikeMatches(t, p)));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('ORDER BY binaryText: code-point order', async () => {
    await fc.assert(
      fc.asyncProperty(texts, async (ts) => {
        const query = renderSql(
          sql`SELECT t.s FROM unnest(${param(ts)}::text[]) AS t(s) ORDER BY ${postgresDialect.binaryText(s)}`,
          postgresDialect.placeholder,
        );
        const rows = await driver.all<{ s: string }>(query.sql, query.params);
        expect(rows.map((row) => row.s)).toEqual([...ts].sort(compareText));
      }),
      { numRuns: 300 },
    );
  });

  test('comparisons under binaryText are code-point comparisons', async () => {
    await fc.assert(
      fc.asyncProperty(texts, text, async (ts, bound) => {
        const condition = sql`${postgresDialect.binaryText(s)} < ${param(bound)}`;
        expect(await matching(ts, condition)).toEqual(expected(ts, (t) => compareText(t, bound) < 0));
      }),
      { numRuns: 200 },
    );
  });
});

describe('the cases the database would get wrong by itself', () => {
  test("a backslash matches a backslash (PostgreSQL's LIKE would take it as an escape)", async () => {
    const ts = ['a\\b', 'a%b', 'a\\%', 'ab'];
    expect(await matching(ts, like('a\\b'))).toEqual([1]);
    expect(await matching(ts, like('a\\%'))).toEqual([1, 3]);
    expect(await matching(ts, like('a\\_'))).toEqual([1, 3]);
    expect(await matching(ts, like('a\\%b'))).toEqual([1]);
    // PostgreSQL's own LIKE reads a\%b as a, a literal %, b.
    expect(await matching(ts, sql`${s} LIKE ${param('a\\%b')}`)).toEqual([2]);
  });

  test("ILIKE folds A-Z and nothing else: 'É' and 'é' stay apart (the locale would join them)", async () => {
    const ts = ['É', 'é', 'ÉCOLE', 'école', 'Ecole', 'ß', 'SS', 'İ', 'i', '\u212A'];
    expect(await matching(ts, ilike('é'))).toEqual([2]);
    expect(await matching(ts, ilike('É'))).toEqual([1]);
    expect(await matching(ts, ilike('%cole'))).toEqual([3, 4, 5]);
    expect(await matching(ts, ilike('ECOLE'))).toEqual([5]);
    expect(await matching(ts, ilike('i'))).toEqual([9]);
    // The Kelvin sign, which Unicode lowers to k.
    expect(await matching(ts, ilike('k'))).toEqual([]);
    // What PostgreSQL does by itself here: its ILIKE and lower() fold by locale.
    expect(await matching(ts, sql`${s} ILIKE ${param('é')}`)).toEqual([1, 2]);
    expect(await matching(ts, sql`lower(${s}) = ${param('é')}`)).toEqual([1, 2]);
  });

  test('LIKE is case-sensitive on every letter', async () => {
    const ts = ['É', 'é', 'A', 'a'];
    expect(await matching(ts, like('é'))).toEqual([2]);
    expect(await matching(ts, like('A'))).toEqual([3]);
    expect(await matching(ts, like('_'))).toEqual([1, 2, 3, 4]);
  });

  test('_ is one code point, an emoji included', async () => {
    expect(await matching(['😀', '😀😀', 'é'], like('_'))).toEqual([1, 3]);
  });

  test("binaryText orders by code point where the database's collation would not", async () => {
    const ts = ['b', 'B', 'a', 'A', 'é', 'e', 'Z', '\uFFFD', '😀'];
    const ordered = async (order: SqlFragment) => {
      const query = renderSql(
        sql`SELECT t.s FROM unnest(${param(ts)}::text[]) AS t(s) ORDER BY ${order}`,
        postgresDialect.placeholder,
      );
      return (await driver.all<{ s: string }>(query.sql, query.params)).map((row) => row.s);
    };
    expect(await ordered(postgresDialect.binaryText(s))).toEqual([
      'A',
      'B',
      'Z',
      'a',
      'b',
      'e',
      'é',
      '\uFFFD',
      '😀',
    ]);
    expect(await ordered(s)).not.toEqual(await ordered(postgresDialect.binaryText(s)));
  });

  test('placeholders are numbered from 1', () => {
    expect([1, 2, 10].map(postgresDialect.placeholder)).toEqual(['$1', '$2', '$10']);
  });
});

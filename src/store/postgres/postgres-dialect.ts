import { asciiLower } from '../../query/like.js';
import type { SqlDialect } from '../../query/sql-dialect.js';
import { sql } from '../../query/sql-fragment.js';

/**
 * The search compiler's PostgreSQL hooks, with the semantics of the in-memory evaluator
 * (`src/query/like.ts`) whatever the database's locale:
 *
 * - placeholders are `$1, $2, ...`;
 * - `like`: `LIKE ... ESCAPE ''`, so only `%` and `_` are special (PostgreSQL's LIKE otherwise
 *   takes a backslash as an escape), on the text under `COLLATE "C"`, so characters compare
 *   by their bytes even on a column with another collation;
 * - `ilike`: the same LIKE on both sides folded with `translate` over A-Z only, as `asciiLower`
 *   and SQLite's `lower()` fold; PostgreSQL's `lower()` and `ILIKE` follow the locale and would
 *   also fold `É` to `é`;
 * - `binaryText`: `COLLATE "C"`, byte order of UTF-8, which is code-point order.
 */
export const postgresDialect: SqlDialect = Object.freeze({
  name: 'postgresql',
  placeholder: (index: number) => `$${index}`,
  like: (expr, pattern) => sql`${expr} COLLATE "C" LIKE ${pattern} ESCAPE ''`,
  likeParam: (pattern: string) => pattern,
  ilike: (expr, pattern) =>
    sql`translate(${expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C" LIKE ${pattern} ESCAPE ''`,
  ilikeParam: asciiLower,
  binaryText: (expr) => sql`${expr} COLLATE "C"`,
} satisfies SqlDialect);

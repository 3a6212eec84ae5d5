import { asciiLower } from './like.js';
import type { SqlDialect } from './sql-dialect.js';
import { sql } from './sql-fragment.js';

/**
 * PostgreSQL. `ESCAPE ''` turns off LIKE's default backslash escape so that only `%` and `_`
 * are special; ILIKE folds ASCII letters with `translate` to agree with SQLite and the
 * evaluator (PostgreSQL's own ILIKE and `lower()` follow the locale); `COLLATE "C"` gives
 * byte order whatever the database collation.
 */
export const postgresDialect: SqlDialect = Object.freeze({
  name: 'postgresql',
  placeholder: (index: number) => `$${index}`,
  like: (expr, pattern) => sql`${expr} LIKE ${pattern} ESCAPE ''`,
  likeParam: (pattern: string) => pattern,
  ilike: (expr, pattern) =>
    sql`translate(${expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE ${pattern} ESCAPE ''`,
  ilikeParam: asciiLower,
  binaryText: (expr) => sql`${expr} COLLATE "C"`,
} satisfies SqlDialect);

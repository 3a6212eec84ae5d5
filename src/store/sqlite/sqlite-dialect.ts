import { asciiLower } from '../../query/like.js';
import type { SqlDialect } from '../../query/sql-dialect.js';
import { sql } from '../../query/sql-fragment.js';

/**
 * An MLflow LIKE pattern as a GLOB pattern: `%` → `*`, `_` → `?`, and GLOB's own
 * metacharacters `*`, `?`, `[` bracketed so they match themselves.
 */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const char of pattern) {
    if (char === '%') out += '*';
    else if (char === '_') out += '?';
    else if (char === '*' || char === '?' || char === '[') out += `[${char}]`;
    else out += char;
  }
  return out;
}

/**
 * SQLite. `LIKE` is case-insensitive there unless a connection pragma says otherwise
 * (MLflow sets `case_sensitive_like`), so LIKE compiles to `GLOB`, which is always
 * case-sensitive; ILIKE lowers both sides (SQLite's `lower()` folds ASCII only). TEXT
 * compares bytewise by default.
 */
export const sqliteDialect: SqlDialect = Object.freeze({
  name: 'sqlite',
  placeholder: () => '?',
  like: (expr, pattern) => sql`${expr} GLOB ${pattern}`,
  likeParam: likeToGlob,
  ilike: (expr, pattern) => sql`lower(${expr}) GLOB ${pattern}`,
  ilikeParam: (pattern) => likeToGlob(asciiLower(pattern)),
  binaryText: (expr) => expr,
} satisfies SqlDialect);

/**
 * What differs between the SQL databases the search compiler targets. Each hook is small;
 * the compiler never branches on the database itself.
 */
import type { SqlFragment } from './sql-fragment.js';

/** Dialect hooks of the search compiler. */
export interface SqlDialect {
  /** Which database this is. */
  readonly name: 'sqlite' | 'postgresql';
  /** Placeholder text of the `index`-th parameter, 1-based (`?` or `$1`). */
  placeholder(index: number): string;
  /** Case-sensitive LIKE of `expr` against a pattern parameter made by {@link likeParam}. */
  like(expr: SqlFragment, pattern: SqlFragment): SqlFragment;
  /** The parameter value `like` expects for MLflow pattern `pattern` (`%`, `_` wildcards). */
  likeParam(pattern: string): string;
  /** ASCII-case-insensitive LIKE of `expr` against a pattern made by {@link ilikeParam}. */
  ilike(expr: SqlFragment, pattern: SqlFragment): SqlFragment;
  /** The parameter value `ilike` expects for MLflow pattern `pattern`. */
  ilikeParam(pattern: string): string;
  /** `expr` (text) so that it compares and sorts by code point, i.e. UTF-8 byte order. */
  binaryText(expr: SqlFragment): SqlFragment;
}

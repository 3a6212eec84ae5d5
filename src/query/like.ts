/**
 * SQL `LIKE` semantics for the in-memory evaluator, matching what the SQL compiler emits:
 * `%` matches any run of characters, `_` exactly one character (code point), everything else
 * (backslash included) is literal. `LIKE` is case-sensitive; `ILIKE` folds ASCII letters
 * only, because SQLite's `lower()` does too.
 */

/** `text` with ASCII `A`-`Z` lowered and every other character unchanged. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** Case-sensitive LIKE: does `text` match `pattern`? */
export function likeMatches(text: string, pattern: string): boolean {
  const t = Array.from(text);
  const p = Array.from(pattern);
  let ti = 0;
  let pi = 0;
  // Greedy wildcard matching with one backtrack point: the last `%` seen.
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    const pc = p[pi];
    if (pc === '%') {
      starP = pi;
      starT = ti;
      pi += 1;
    } else if (pc !== undefined && (pc === '_' || pc === t[ti])) {
      pi += 1;
      ti += 1;
    } else if (starP >= 0) {
      pi = starP + 1;
      starT += 1;
      ti = starT;
    } else {
      return false;
    }
  }
  while (p[pi] === '%') pi += 1;
  return pi === p.length;
}

/** ASCII-case-insensitive LIKE (MLflow's ILIKE). */
export function ilikeMatches(text: string, pattern: string): boolean {
  return likeMatches(asciiLower(text), asciiLower(pattern));
}

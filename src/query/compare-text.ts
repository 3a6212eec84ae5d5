/**
 * String order of the search engine: by Unicode code point, which is the byte order of
 * UTF-8 and so SQLite's default BINARY collation (PostgreSQL gets `COLLATE "C"`).
 * JavaScript's `<` compares UTF-16 code units instead, which disagrees once characters
 * beyond U+FFFF meet characters in U+E000..U+FFFF.
 */

/** Negative, zero or positive as `a` sorts before, with or after `b` in code point order. */
export function compareText(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Only where the two strings first differ does surrogate-ness matter: a surrogate stands
    // for a code point above U+FFFF, so it outranks any non-surrogate unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

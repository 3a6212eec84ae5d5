/**
 * A converter of SQL written with `?` placeholders into the driver's own syntax: unchanged for
 * SQLite, `$1, $2, ...` for PostgreSQL. Each text is converted once and then read from a cache,
 * since the stores send the same statements over and over.
 */
export function driverSql(dialect: 'sqlite' | 'postgres'): (text: string) => string {
  if (dialect !== 'postgres') return (text) => text;
  const cache = new Map<string, string>();
  return (text) => {
    let out = cache.get(text);
    if (out === undefined) {
      let i = 0;
      out = text.replace(/\?/g, () => `$${++i}`);
      cache.set(text, out);
    }
    return out;
  };
}

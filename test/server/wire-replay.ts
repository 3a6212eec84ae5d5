/**
 * What the replays of MLflow's recorded exchanges (test/fixtures/mlflow-wire/) share: how a
 * recorded response is compared with this server's.
 */

/** Server times: they differ by nature, so only their type is compared. */
const VOLATILE = new Set(['creation_time', 'last_update_time']);

/** Replaces every recorded run id (32 hex digits) by the id this server gave, wherever it occurs in text or JSON. */
export function mapRunIdsInText<T>(value: T, ids: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') {
    let out: string = value;
    for (const [recorded, actual] of ids) if (recorded.length === 32) out = out.replaceAll(recorded, actual);
    return out as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => mapRunIdsInText(v, ids)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapRunIdsInText(v, ids)])) as T;
  }
  return value;
}

/**
 * A JSON response reduced to what must match: server times become their type, key/value lists
 * are sorted by key, and page tokens are left out (opaque, and MLflow hands one out for a full
 * last page where agentrack knows there is no next page).
 */
export function canonical(value: unknown, key = ''): unknown {
  if (VOLATILE.has(key)) return `<${typeof value}>`;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    const keyed = items.every((v) => typeof v === 'object' && v !== null && 'key' in v);
    return keyed ? [...items].sort((a, b) => compareText(keyOf(a), keyOf(b))) : items;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([k]) => k !== 'next_page_token');
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v, k)]));
  }
  return value;
}

function keyOf(item: unknown): string {
  return String((item as { key: unknown }).key);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

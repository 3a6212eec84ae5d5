/**
 * JSON text of any value a traced function takes or returns, as MLflow's tracing encodes span
 * inputs, outputs and attributes: never throws. Values JSON cannot hold are written as close
 * as they can be (a bigint as its digits, an Error as its name and message, a Map as an
 * object, a Set as a list, `undefined` and functions as null); a cycle is `"[Circular]"`.
 *
 * @example toJsonText({ host: 'web-1', at: new Date(0) }) // '{"host":"web-1","at":"1970-01-01T00:00:00.000Z"}'
 */
export function toJsonText(value: unknown): string {
  try {
    return JSON.stringify(toJsonable(value, new Set())) ?? 'null';
  } catch {
    return JSON.stringify(safeString(value));
  }
}

/** `text` cut to at most `max` characters, ending with `...` when it was cut (as MLflow truncates previews). */
export function truncateText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 3))}...`;
}

function toJsonable(value: unknown, seen: Set<object>): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return null;
    default:
      break;
  }
  const object = value as object;
  if (seen.has(object)) return '[Circular]';
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (object instanceof Error) return { name: object.name, message: object.message };
  if (typeof (object as { toJSON?: unknown }).toJSON === 'function') {
    return toJsonable((object as { toJSON: () => unknown }).toJSON(), seen);
  }
  seen.add(object);
  try {
    if (Array.isArray(object)) return object.map((item) => toJsonable(item, seen));
    if (object instanceof Set) return [...object].map((item) => toJsonable(item, seen));
    if (object instanceof Map) {
      return Object.fromEntries([...object].map(([key, item]) => [String(key), toJsonable(item, seen)]));
    }
    if (ArrayBuffer.isView(object)) return safeString(object);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(object)) {
      if (item !== undefined && typeof item !== 'function') out[key] = toJsonable(item, seen);
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

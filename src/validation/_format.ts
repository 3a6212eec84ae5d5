import { invalidParameter } from '../errors.js';

// Message builders that reproduce MLflow's wording, which clients match on, and the Python
// formatting it embeds (`json.dumps`, `repr`, f-strings), so texts read as MLflow's do.

/** Throws MLflow's INVALID_PARAMETER_VALUE error with `message`. */
export function fail(message: string): never {
  throw invalidParameter(message);
}

/** A field's path inside a request, as MLflow writes it: `value`, `metrics[2].value`. */
export function jsonPath(prefix: string, field: string): string {
  return prefix === '' ? field : `${prefix}.${field}`;
}

/** MLflow's "invalid value" message. */
export function invalidValue(path: string, value: unknown, detail?: string): string {
  const shown = formatJson(value);
  return detail === undefined
    ? `Invalid value ${shown} for parameter '${path}' supplied.`
    : `Invalid value ${shown} for parameter '${path}' supplied: ${detail}`;
}

/** MLflow's "missing value" message. */
export function missingValue(path: string): string {
  return `Missing value for required parameter '${path}'.`;
}

/** MLflow's length-limit message. */
export function exceedsMaximumLength(path: string, limit: number): string {
  return `'${path}' exceeds the maximum length of ${limit} characters`;
}

/** Length in code points, as Python's `len(str)` counts. */
export function codePointLength(text: string): number {
  let n = text.length;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const p = text.charCodeAt(i - 1);
    if (c >= 0xdc00 && c <= 0xdfff && p >= 0xd800 && p <= 0xdbff) n--;
  }
  return n;
}

/** The first `limit` code points of `text`, as Python's `text[:limit]`. */
export function truncateCodePoints(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return Array.from(text).slice(0, limit).join('');
}

/** `json.dumps(value, sort_keys=True, separators=(",", ":"))`: ASCII-only, NaN as `NaN`. */
export function formatJson(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (value === Infinity) return 'Infinity';
    if (value === -Infinity) return '-Infinity';
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `[${value.map(formatJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${jsonString(k)}:${formatJson(v)}`).join(',')}}`;
  }
  return jsonString(String(value));
}

function jsonString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ch = text[i] as string;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** How a Python f-string shows a value: `None`, `True`, `nan`, `inf`, strings unquoted. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pyRepr(value);
}

/** Python's `repr()` of a JSON-like value: `'text'`, `None`, `['a', 'b']`, `{'offset': 0}`. */
export function pyRepr(value: unknown): string {
  if (value === undefined || value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  if (typeof value === 'string') return pyStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  }
  return String(value);
}

// Python's `str.isprintable()` is false for these (the space excepted).
const NOT_PRINTABLE = /^[\p{C}\p{Z}]$/u;

function pyEscape(codePoint: number): string {
  const hex = codePoint.toString(16);
  if (codePoint <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (codePoint <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) out += pyEscape(c);
    else out += ch;
  }
  return out + quote;
}

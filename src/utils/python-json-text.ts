import { invalidParameter } from '../errors.js';

/** Options of {@link pythonJsonText}. */
export interface PythonJsonOptions {
  /** Spaces per level, as `json.dumps(indent=...)`; absent: one line with `', '` and `': '` between items. */
  indent?: number;
}

/**
 * Serializes `value` as Python's `json.dumps` writes it (what MLflow's client writes for
 * `log_dict` and its JSON tags): non-ASCII escaped (`\u00e9`), NaN and ±Infinity as the bare
 * words Python reads back, non-integer numbers as Python's `repr` of a float (`1e-05`), and
 * anything that is not JSON turned into a string, as `default=str` does (a `toJSON` method
 * first, so a Date becomes its ISO form). Keys keep the object's order.
 *
 * @example pythonJsonText({ a: [1, 'é'] }) // '{"a": [1, "\\u00e9"]}'
 * @example pythonJsonText({ a: 1 }, { indent: 2 }) // '{\n  "a": 1\n}'
 */
export function pythonJsonText(value: unknown, options: PythonJsonOptions = {}): string {
  const indent = options.indent;
  const seen = new Set<object>();
  const write = (item: unknown, depth: number): string => {
    const plain = jsonValue(item);
    if (plain === null) return 'null';
    if (typeof plain === 'boolean') return plain ? 'true' : 'false';
    if (typeof plain === 'number') return pythonNumberRepr(plain);
    if (typeof plain === 'string') return pythonJsonString(plain);
    if (seen.has(plain)) throw invalidParameter('Cannot write a value that contains itself as JSON.');
    seen.add(plain);
    const entries: Array<[string | undefined, unknown]> = Array.isArray(plain)
      ? plain.map((v) => [undefined, v])
      : Object.entries(plain).filter(([, v]) => v !== undefined && typeof v !== 'function');
    const [open, close] = Array.isArray(plain) ? ['[', ']'] : ['{', '}'];
    let text: string;
    if (entries.length === 0) {
      text = open + close;
    } else {
      const inner = entries.map(([key, v]) => {
        const body = write(v === undefined || typeof v === 'function' ? null : v, depth + 1);
        return key === undefined ? body : `${pythonJsonString(key)}: ${body}`;
      });
      if (indent === undefined) {
        text = `${open}${inner.join(', ')}${close}`;
      } else {
        const pad = '\n' + ' '.repeat(indent * (depth + 1));
        text = `${open}${pad}${inner.join(`,${pad}`)}\n${' '.repeat(indent * depth)}${close}`;
      }
    }
    seen.delete(plain);
    return text;
  };
  return write(value, 0);
}

/**
 * `value` as JSON sees it: `toJSON()` applied, bigints as numbers, other non-JSON values
 * (symbols, functions, class instances without `toJSON` count as objects) as strings.
 */
function jsonValue(value: unknown): null | boolean | number | string | object {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON: () => unknown }).toJSON();
  }
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object') return v;
  return String(v);
}

/**
 * A number as Python writes it: a whole number below 10^21 as an integer (what it would be in
 * Python, had it come from JSON), anything else as `repr(float)` (`0.5`, `1e-05`, `1.5e+21`),
 * NaN and ±Infinity as `NaN`, `Infinity`, `-Infinity`.
 */
export function pythonNumberRepr(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  return pythonFloatRepr(value);
}

/** `repr()` of a finite Python float: the shortest digits that read back, exponent form below 1e-4 and from 1e16. */
export function pythonFloatRepr(value: number): string {
  const [mantissa = '0', exponentText = '0'] = value.toExponential().split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const exponent = Number(exponentText);
  let text: string;
  if (exponent < -4 || exponent >= 16) {
    const rest = digits.slice(1);
    const sign = exponent < 0 ? '-' : '+';
    text = `${digits[0]}${rest === '' ? '' : `.${rest}`}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  } else if (exponent < 0) {
    text = `0.${'0'.repeat(-exponent - 1)}${digits}`;
  } else {
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    const fraction = digits.slice(exponent + 1);
    text = `${whole}.${fraction === '' ? '0' : fraction}`;
  }
  return negative ? `-${text}` : text;
}

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * A JSON string literal as Python's `json` writes it with `ensure_ascii` (its default):
 * everything outside printable ASCII as `\uXXXX` (lower-case hex, UTF-16 units).
 * `escapeSlash` writes `/` as `\/`, as pandas' JSON writer does.
 */
export function pythonJsonString(text: string, options: { escapeSlash?: boolean } = {}): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    const code = text.charCodeAt(i);
    const escape = ESCAPES[ch];
    if (escape !== undefined) out += escape;
    else if (ch === '/' && options.escapeSlash) out += '\\/';
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

import type { KeyValue, Metric } from '../../entities/index.js';
import { invalidParameter, type AgentrackError } from '../../errors.js';

// MLflow's server appends this to every message of its request checks; clients show it as is.
const API_DOCS = ' See the API docs for more information about request parameters.';

/** MLflow's error for a required request parameter that is absent or empty. */
export function missingParameter(path: string): AgentrackError {
  return invalidParameter(`Missing value for required parameter '${path}'.${API_DOCS}`);
}

/** MLflow's error for a request parameter of the wrong JSON type. */
export function wrongType(path: string, value: unknown): AgentrackError {
  return invalidParameter(
    `Invalid value ${shown(value)} for parameter '${path}' supplied: Hint: Value was of type ` +
      `'${pythonType(value)}'.${API_DOCS}`,
  );
}

/**
 * The parameters of one request, read with protobuf's JSON rules as MLflow's server reads
 * them: GET requests carry them in the query string (a repeated field may repeat its key),
 * POST requests in a JSON object. `null` is an absent field; integers may be sent as decimal
 * strings and doubles also as `"NaN"`, `"Infinity"` and `"-Infinity"` (or, in a body, as
 * the bare tokens Python's JSON reads). Every accessor checks
 * the type and throws MLflow's INVALID_PARAMETER_VALUE error naming the parameter.
 *
 * @example RequestParams.fromJson({ run_id: 'abc', key: 'loss' }).runId() // 'abc'
 */
export class RequestParams {
  readonly #values: Readonly<Record<string, unknown>>;
  readonly #fromQuery: boolean;

  private constructor(values: Readonly<Record<string, unknown>>, fromQuery: boolean) {
    this.#values = values;
    this.#fromQuery = fromQuery;
  }

  /** Parameters of a GET request: the parsed query string (a repeated key gives a list). */
  static fromQuery(query: unknown): RequestParams {
    const values = typeof query === 'object' && query !== null ? (query as Record<string, unknown>) : {};
    return new RequestParams(values, true);
  }

  /** Parameters of a POST request: its JSON body. */
  static fromJson(body: Readonly<Record<string, unknown>>): RequestParams {
    return new RequestParams(body, false);
  }

  /** A string parameter; `undefined` when absent. */
  string(name: string): string | undefined {
    return toText(this.#scalar(name), name);
  }

  /** A string parameter that must be present and non-empty. */
  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  /**
   * An `int64`/`int32` parameter; `undefined` when absent. With `max`, a larger value is refused
   * as a value of the wrong type is, naming it as sent (MLflow's limits on `max_results`).
   */
  integer(name: string, options: { max?: number } = {}): number | undefined {
    const raw = this.#scalar(name);
    const value = toInteger(raw, name);
    if (value !== undefined && options.max !== undefined && value > options.max) throw wrongType(name, raw);
    return value;
  }

  /** A `bool` parameter: `true` or `false` (in a query string, their text); `undefined` when absent. */
  boolean(name: string): boolean | undefined {
    const value = this.#scalar(name);
    if (value === undefined) return undefined;
    if (typeof value === 'boolean') return value;
    if (this.#fromQuery && (value === 'true' || value === 'false')) return value === 'true';
    throw wrongType(name, value);
  }

  /** An `int64` parameter that must be present. */
  requiredInteger(name: string): number {
    const value = this.#scalar(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return toInteger(value, name) as number;
  }

  /** A `double` parameter that must be present. */
  requiredDouble(name: string): number {
    const value = this.#scalar(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return toDouble(value, name) as number;
  }

  /** An enum parameter: its name, or its protobuf number. The store checks the value. */
  enumeration(name: string): string | number | undefined {
    const value = this.#scalar(name);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return this.#fromQuery && /^[0-9]+$/.test(value) ? Number(value) : value;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    throw wrongType(name, value);
  }

  /** A repeated string parameter; `undefined` when absent. */
  stringList(name: string): string[] | undefined {
    const list = this.#list(name);
    return list?.map((item, i) => {
      if (typeof item !== 'string') throw wrongType(`${name}[${i}]`, item);
      return item;
    });
  }

  /** The run a request is about: `run_id`, or the deprecated `run_uuid` MLflow's clients also send. */
  runId(): string {
    const id = this.string('run_id') || this.string('run_uuid');
    if (!id) throw missingParameter('run_id');
    return id;
  }

  /**
   * A repeated key/value message (tags, params). An absent value is the empty string, as
   * protobuf reads it; with `keyRequired`, an absent key is refused here, as MLflow's
   * log-batch does; otherwise the store reports it.
   */
  keyValues(name: string, options: { keyRequired?: boolean } = {}): KeyValue[] | undefined {
    return this.#objects(name)?.map((item, i) => {
      const key = toText(present(item.key), `${name}[${i}].key`);
      if (options.keyRequired && (key === undefined || key === ''))
        throw missingParameter(`${name}[${i}].key`);
      return { key: key ?? '', value: toText(present(item.value), `${name}[${i}].value`) ?? '' };
    });
  }

  /**
   * A repeated metric message: key, value and timestamp required, step 0 when absent; the
   * model and dataset MLflow 3 logs a metric with (`model_id`, `dataset_name`,
   * `dataset_digest`) kept when given.
   */
  metrics(name: string): Metric[] | undefined {
    return this.#objects(name)?.map((item, i) => {
      const path = `${name}[${i}]`;
      for (const field of ['key', 'value', 'timestamp']) {
        const value = present(item[field]);
        if (value === undefined || value === '') throw missingParameter(`${path}.${field}`);
      }
      return {
        key: toText(item.key, `${path}.key`) as string,
        value: toDouble(item.value, `${path}.value`) as number,
        timestamp: toInteger(item.timestamp, `${path}.timestamp`) as number,
        step: toInteger(present(item.step), `${path}.step`) ?? 0,
        ...modelFields((field) => toText(present(item[field]), `${path}.${field}`)),
      };
    });
  }

  /** The model and dataset of a single metric (`runs/log-metric`): `model_id`, `dataset_name`, `dataset_digest`. */
  metricModel(): Pick<Metric, 'model_id' | 'dataset_name' | 'dataset_digest'> {
    return modelFields((field) => this.string(field));
  }

  /** A message parameter: a JSON object (`{"trace": {...}}`); `undefined` when absent. */
  object(name: string): Record<string, unknown> | undefined {
    const value = present(this.#values[name]);
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) throw wrongType(name, value);
    return value as Record<string, unknown>;
  }

  /** A repeated message parameter, each element a JSON object; `undefined` when absent. */
  objects(name: string): Record<string, unknown>[] | undefined {
    return this.#objects(name);
  }

  #scalar(name: string): unknown {
    const value = present(this.#values[name]);
    if (this.#fromQuery && Array.isArray(value)) return value[0];
    return value;
  }

  #list(name: string): unknown[] | undefined {
    const value = present(this.#values[name]);
    if (value === undefined) return undefined;
    if (Array.isArray(value)) return value;
    if (this.#fromQuery) return [value];
    throw wrongType(name, value);
  }

  #objects(name: string): Record<string, unknown>[] | undefined {
    return this.#list(name)?.map((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item))
        throw wrongType(`${name}[${i}]`, item);
      return item as Record<string, unknown>;
    });
  }
}

/** Reads a JSON value as a protobuf `string`. */
export function toText(value: unknown, path: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  throw wrongType(path, value);
}

/** Reads a JSON value as a protobuf `int64`: an integer, or its decimal text. */
export function toInteger(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*[+-]?[0-9]+\s*$/.test(value)) return Number(value);
  throw wrongType(path, value);
}

const SPECIAL_DOUBLES: ReadonlyMap<string, number> = new Map([
  ['NaN', Number.NaN],
  ['Infinity', Number.POSITIVE_INFINITY],
  ['-Infinity', Number.NEGATIVE_INFINITY],
]);
const DECIMAL = /^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$/;

/** Reads a JSON value as a protobuf `double`: a number, its decimal text, `"NaN"` or `"±Infinity"`. */
export function toDouble(value: unknown, path: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') {
    const special = SPECIAL_DOUBLES.get(value);
    if (special !== undefined) return special;
    if (DECIMAL.test(value)) return Number(value);
  }
  throw wrongType(path, value);
}

const MODEL_FIELDS = ['model_id', 'dataset_name', 'dataset_digest'] as const;

/** The non-empty ones of a metric's model fields, as `read` reads each. */
function modelFields(
  read: (field: (typeof MODEL_FIELDS)[number]) => string | undefined,
): Pick<Metric, 'model_id' | 'dataset_name' | 'dataset_digest'> {
  const out: Pick<Metric, 'model_id' | 'dataset_name' | 'dataset_digest'> = {};
  for (const field of MODEL_FIELDS) {
    const value = read(field);
    if (value) out[field] = value;
  }
  return out;
}

function present(value: unknown): unknown {
  return value === null ? undefined : value;
}

function pythonType(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'float';
    case 'object':
      return 'dict';
    default:
      return typeof value;
  }
}

// `json.dumps(value, sort_keys=True)` as MLflow shows a value (NaN and the infinities as
// Python writes them), without its ASCII escaping.
function shown(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  }
  if (Array.isArray(value)) return `[${value.map(shown).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${shown(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

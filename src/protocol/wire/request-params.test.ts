import { describe, expect, it } from 'vitest';
import { rejection as message } from '../../testing/rejection.js';
import { RequestParams, toDouble, toInteger } from './request-params.js';

const API_DOCS = 'See the API docs for more information about request parameters.';

describe('toInteger', () => {
  it.each([
    ['1700000000000', 1700000000000],
    [' 42 ', 42],
    ['-3', -3],
    [7, 7],
    [1e3, 1000],
  ] as const)('%j is %d', (input, expected) => {
    expect(toInteger(input, 'timestamp')).toBe(expected);
  });

  it.each([
    [1.5, "Invalid value 1.5 for parameter 'timestamp' supplied: Hint: Value was of type 'float'."],
    ['1.5', `Invalid value "1.5" for parameter 'timestamp' supplied: Hint: Value was of type 'str'.`],
    [true, "Invalid value true for parameter 'timestamp' supplied: Hint: Value was of type 'bool'."],
    [[1], "Invalid value [1] for parameter 'timestamp' supplied: Hint: Value was of type 'list'."],
  ] as const)('%j is refused', (input, expected) => {
    expect(message(() => toInteger(input, 'timestamp'))).toBe(`${expected} ${API_DOCS}`);
  });

  it.each([
    [
      'NaN',
      Number.NaN,
      "Invalid value NaN for parameter 'timestamp' supplied: Hint: Value was of type 'float'.",
    ],
    [
      'a list holding infinities',
      [-Infinity, { b: Infinity, a: 1 }],
      `Invalid value [-Infinity,{"a":1,"b":Infinity}] for parameter 'timestamp' supplied: Hint: Value was of type 'list'.`,
    ],
  ] as const)('%s is refused, shown as Python shows it', (_name, input, expected) => {
    expect(message(() => toInteger(input, 'timestamp'))).toBe(`${expected} ${API_DOCS}`);
  });
});

describe('toDouble', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['0.5', 0.5],
    ['-1e-3', -0.001],
    ['.5', 0.5],
    [2, 2],
  ] as const)('%j is %d', (input, expected) => {
    expect(toDouble(input, 'value')).toBe(expected);
  });

  it.each([['nan'], ['abc'], [''], [false], [{ a: 1 }]] as const)('%j is refused', (input) => {
    expect(message(() => toDouble(input, 'value'))).toMatch(
      /^Invalid value .* for parameter 'value' supplied/,
    );
  });
});

describe('RequestParams from JSON', () => {
  it('reads strings, treating null as absent', () => {
    const params = RequestParams.fromJson({ name: 'x', artifact_location: null });
    expect(params.string('name')).toBe('x');
    expect(params.string('artifact_location')).toBeUndefined();
  });

  it('refuses an absent or empty required string with MLflow message', () => {
    expect(message(() => RequestParams.fromJson({}).requiredString('name'))).toBe(
      `Missing value for required parameter 'name'. ${API_DOCS}`,
    );
    expect(message(() => RequestParams.fromJson({ name: '' }).requiredString('name'))).toBe(
      `Missing value for required parameter 'name'. ${API_DOCS}`,
    );
  });

  it('refuses a string parameter of another type, naming the Python type', () => {
    expect(message(() => RequestParams.fromJson({ name: { a: 1 } }).string('name'))).toBe(
      `Invalid value {"a":1} for parameter 'name' supplied: Hint: Value was of type 'dict'. ${API_DOCS}`,
    );
  });

  it('prefers run_id and falls back to run_uuid', () => {
    expect(RequestParams.fromJson({ run_id: 'a', run_uuid: 'b' }).runId()).toBe('a');
    expect(RequestParams.fromJson({ run_uuid: 'b' }).runId()).toBe('b');
    expect(RequestParams.fromJson({ run_id: '', run_uuid: 'b' }).runId()).toBe('b');
    expect(message(() => RequestParams.fromJson({}).runId())).toMatch(/^Missing value .* 'run_id'/);
  });

  it('refuses a scalar where a list is expected', () => {
    expect(message(() => RequestParams.fromJson({ experiment_ids: '1' }).stringList('experiment_ids'))).toBe(
      `Invalid value "1" for parameter 'experiment_ids' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    );
  });

  it('refuses a list item that is not a string', () => {
    expect(message(() => RequestParams.fromJson({ order_by: ['name', 3] }).stringList('order_by'))).toMatch(
      /^Invalid value 3 for parameter 'order_by\[1\]' supplied/,
    );
  });

  it('reads key/value lists, an absent value being empty', () => {
    const params = RequestParams.fromJson({ tags: [{ key: 'a', value: 'b' }, { key: 'c' }] });
    expect(params.keyValues('tags')).toEqual([
      { key: 'a', value: 'b' },
      { key: 'c', value: '' },
    ]);
  });

  it('requires keys of key/value lists when asked, naming the element', () => {
    const params = RequestParams.fromJson({ params: [{ key: 'a' }, { value: 'b' }] });
    expect(message(() => params.keyValues('params', { keyRequired: true }))).toBe(
      `Missing value for required parameter 'params[1].key'. ${API_DOCS}`,
    );
    expect(params.keyValues('params')?.[1]).toEqual({ key: '', value: 'b' });
  });

  it('refuses an element that is not an object', () => {
    expect(message(() => RequestParams.fromJson({ tags: ['a'] }).keyValues('tags'))).toMatch(
      /^Invalid value "a" for parameter 'tags\[0\]' supplied/,
    );
  });

  it('reads metrics with protobuf conversions and a default step', () => {
    const params = RequestParams.fromJson({
      metrics: [
        { key: 'loss', value: 'NaN', timestamp: '5', run_id: 'ignored' },
        { key: 'acc', value: 0.5, timestamp: 6, step: 2 },
      ],
    });
    expect(params.metrics('metrics')).toEqual([
      { key: 'loss', value: Number.NaN, timestamp: 5, step: 0 },
      { key: 'acc', value: 0.5, timestamp: 6, step: 2 },
    ]);
  });

  it.each([
    [{ value: 1, timestamp: 1 }, 'metrics[0].key'],
    [{ key: 'k', timestamp: 1 }, 'metrics[0].value'],
    [{ key: 'k', value: 1 }, 'metrics[0].timestamp'],
    [{ key: 'k', value: '', timestamp: 1 }, 'metrics[0].value'],
  ])('a metric %j misses %s', (metric, path) => {
    expect(message(() => RequestParams.fromJson({ metrics: [metric] }).metrics('metrics'))).toBe(
      `Missing value for required parameter '${path}'. ${API_DOCS}`,
    );
  });

  it('keeps a value of 0 as present', () => {
    expect(RequestParams.fromJson({ value: 0 }).requiredDouble('value')).toBe(0);
  });

  it('reads enums as names or numbers', () => {
    expect(RequestParams.fromJson({ status: 'FINISHED' }).enumeration('status')).toBe('FINISHED');
    expect(RequestParams.fromJson({ status: 3 }).enumeration('status')).toBe(3);
    expect(message(() => RequestParams.fromJson({ status: 1.5 }).enumeration('status'))).toMatch(
      /^Invalid value 1.5 for parameter 'status'/,
    );
  });
});

describe('RequestParams from a query string', () => {
  it('reads repeated keys as lists and single ones as one-element lists', () => {
    expect(RequestParams.fromQuery({ order_by: ['a', 'b'] }).stringList('order_by')).toEqual(['a', 'b']);
    expect(RequestParams.fromQuery({ order_by: 'a' }).stringList('order_by')).toEqual(['a']);
  });

  it('takes the first value of a repeated scalar', () => {
    expect(RequestParams.fromQuery({ run_id: ['a', 'b'] }).runId()).toBe('a');
  });

  it('reads numbers and enum numbers from text', () => {
    const params = RequestParams.fromQuery({ max_results: '25000', view_type: '3' });
    expect(params.integer('max_results')).toBe(25000);
    expect(params.enumeration('view_type')).toBe(3);
    expect(RequestParams.fromQuery({ view_type: 'ALL' }).enumeration('view_type')).toBe('ALL');
  });

  it('refuses a number that is not one', () => {
    expect(message(() => RequestParams.fromQuery({ max_results: 'ten' }).integer('max_results'))).toBe(
      `Invalid value "ten" for parameter 'max_results' supplied: Hint: Value was of type 'str'. ${API_DOCS}`,
    );
  });
});

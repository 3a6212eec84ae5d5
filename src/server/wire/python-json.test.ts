import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePythonJson } from './python-json.js';

/** `json.dumps` of Python: standard JSON, with NaN and the infinities as bare tokens. */
function pythonDumps(value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Object.is(value, -0) ? '-0.0' : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(pythonDumps).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pythonDumps(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return JSON.stringify(value);
}

const pythonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.double(),
    fc.constantFrom(Number.NaN, Infinity, -Infinity),
    fc.string({ unit: 'binary' }),
    fc.constantFrom('NaN', 'Infinity', '-Infinity', ' NaN, ', '\\"NaN\\"'),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('parsePythonJson', () => {
  it.each<[string, unknown]>([
    ['NaN', Number.NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
    ['[NaN,Infinity,-Infinity]', [Number.NaN, Infinity, -Infinity]],
    [' {"value" : NaN , "b":[ -Infinity ]} ', { value: Number.NaN, b: [-Infinity] }],
    [
      '{"a": "NaN", "b": "x Infinity -Infinity", "c": NaN}',
      { a: 'NaN', b: 'x Infinity -Infinity', c: Number.NaN },
    ],
    ['["\\"NaN\\"", "\\\\", NaN]', ['"NaN"', '\\', Number.NaN]],
    [
      '{"k\\u0041": "\\u00e9\\n", "n": -1.5e-3, "t": true, "f": false, "z": null}',
      { kA: 'é\n', n: -0.0015, t: true, f: false, z: null },
    ],
    ['{"a": 1, "a": NaN}', { a: Number.NaN }],
    ['[]', []],
    ['{}', {}],
  ])('reads %s', (text, expected) => {
    expect(parsePythonJson(text)).toEqual(expected);
  });

  it('reads a `__proto__` key as data, as JSON.parse does', () => {
    const parsed = parsePythonJson('{"__proto__": {"polluted": NaN}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    'nan',
    'NAN',
    '+Infinity',
    '-NaN',
    'infinity',
    'NaNa',
    '[NaN NaN]',
    '[NaN,]',
    '{"a": NaN,}',
    '{NaN: 1}',
    '{"a" NaN}',
    '"NaN',
    '["a\u0001", NaN]',
    '["\\x", NaN]',
    '01',
    '1.',
    '.5',
    '[NaN',
    '',
    ' ',
  ])('refuses %j, as Python does', (text) => {
    expect(() => parsePythonJson(text)).toThrow(SyntaxError);
  });

  it('refuses nesting too deep for the stack rather than failing otherwise', () => {
    expect(() => parsePythonJson(`${'['.repeat(1_000_000)}NaN${']'.repeat(1_000_000)}`)).toThrow();
  });

  it('reads any standard JSON as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(parsePythonJson(text)).toEqual(JSON.parse(text));
      }),
    );
  });

  it("reads back whatever Python's json.dumps writes, non-finite numbers included", () => {
    fc.assert(
      fc.property(pythonValue, (value) => {
        expect(parsePythonJson(pythonDumps(value))).toEqual(value);
      }),
    );
  });
});

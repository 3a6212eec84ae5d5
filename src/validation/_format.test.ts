import { describe, expect, it } from 'vitest';
import { codePointLength, formatJson, invalidValue, pyRepr, truncateCodePoints } from './_format.js';

// Expected values printed by Python's `json.dumps(v, sort_keys=True, separators=(",", ":"))`.
describe('formatJson', () => {
  it.each([
    ['bad key!', '"bad key!"'],
    ['é', '"\\u00e9"'],
    ['a"b', '"a\\"b"'],
    ['tab\t', '"tab\\t"'],
    ['\u2028', '"\\u2028"'],
    [1.5, '1.5'],
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
    [null, 'null'],
    [undefined, 'null'],
    [true, 'true'],
    [[1, 'a'], '[1,"a"]'],
    [{ b: 1, a: 2 }, '{"a":2,"b":1}'],
  ] as const)('%j', (value, expected) => {
    expect(formatJson(value)).toBe(expected);
  });
});

// Expected values printed by Python's `repr`.
describe('pyRepr', () => {
  it.each([
    ["it's", `"it's"`],
    ['say "hi"', `'say "hi"'`],
    [`both ' and "`, `'both \\' and "'`],
    ['back\\slash', `'back\\\\slash'`],
    ['nl\n', `'nl\\n'`],
    ['\x01', `'\\x01'`],
    ['é', `'é'`],
    ['\u2028', `'\\u2028'`],
    [null, 'None'],
    [false, 'False'],
    [NaN, 'nan'],
    [['a', 'b'], "['a', 'b']"],
    [{ offset: 0 }, "{'offset': 0}"],
  ] as const)('%j', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });
});

describe('code points', () => {
  it('counts an astral character once, as Python does', () => {
    expect(codePointLength('a𝒜b')).toBe(3);
    expect(truncateCodePoints('𝒜𝒜𝒜', 2)).toBe('𝒜𝒜');
  });
});

describe('invalidValue', () => {
  it('writes MLflow sentence with and without detail', () => {
    expect(invalidValue('run_id', 'x!')).toBe(`Invalid value "x!" for parameter 'run_id' supplied.`);
    expect(invalidValue('key', '', 'Why.')).toBe(`Invalid value "" for parameter 'key' supplied: Why.`);
  });
});

import { describe, expect, it } from 'vitest';
import { toJsonText, truncateText } from './json-text.js';

describe('toJsonText', () => {
  it('writes any value without throwing, as close to JSON as it can be', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    expect(toJsonText(loop)).toBe('{"name":"loop","self":"[Circular]"}');
    expect(toJsonText({ big: 10n, nan: NaN, when: new Date(0), skip: undefined, fn: () => 1 })).toBe(
      '{"big":"10","nan":"NaN","when":"1970-01-01T00:00:00.000Z"}',
    );
    expect(toJsonText([new Map([['a', 1]]), new Set([1, 2]), new TypeError('bad'), undefined])).toBe(
      '[{"a":1},[1,2],{"name":"TypeError","message":"bad"},null]',
    );
    const shared = { id: 1 };
    expect(toJsonText({ a: shared, b: shared })).toBe('{"a":{"id":1},"b":{"id":1}}');
    expect(toJsonText(undefined)).toBe('null');
    const hostile = {
      toJSON() {
        throw new Error('no');
      },
    };
    expect(toJsonText(hostile)).toBe('"[object Object]"');
  });

  it('truncates with an ellipsis only when the text is longer than the limit', () => {
    expect(truncateText('abcdef', 6)).toBe('abcdef');
    expect(truncateText('abcdefg', 6)).toBe('abc...');
  });
});

import { describe, expect, test } from 'vitest';
import { compareText } from './compare-text.js';
import { asciiLower, ilikeMatches, likeMatches } from './like.js';
import { likeToGlob } from '../store/sqlite/sqlite-dialect.js';

describe('likeMatches', () => {
  test.each([
    ['dev_1', 'dev_%', true],
    ['dev_', 'dev_%', true],
    ['dev', 'dev_%', false],
    ['DEV_1', 'dev_%', false],
    ['abc', '%', true],
    ['', '%', true],
    ['', '_', false],
    ['😀', '_', true],
    ['a.c', 'a.c', true],
    ['abc', 'a.c', false],
    ['a\\c', 'a\\c', true],
    ['a*c', 'a*c', true],
    ['abc', 'a*c', false],
    ['abcabd', '%ab_', true],
    ['xaaab', '%a%b', true],
    ['xaaac', '%a%b', false],
    ['ab', 'a%%b', true],
  ])('%j LIKE %j is %s', (text, pattern, expected) => {
    expect(likeMatches(text, pattern)).toBe(expected);
  });

  test('ILIKE folds ASCII letters only', () => {
    expect(ilikeMatches('DEV_1', 'dev_%')).toBe(true);
    expect(ilikeMatches('dev', 'DEV')).toBe(true);
    expect(ilikeMatches('É', 'é')).toBe(false);
    expect(asciiLower('ÀBc')).toBe('Àbc');
  });
});

describe('likeToGlob', () => {
  test('translates wildcards and brackets GLOB metacharacters', () => {
    expect(likeToGlob('a%b_c*d?e[f]g')).toBe('a*b?c[*]d[?]e[[]f]g');
  });
});

describe('compareText', () => {
  test('orders by code point, not UTF-16 unit', () => {
    // U+FFFD is one UTF-16 unit above the surrogates, but U+1F600 is the larger code point.
    expect(compareText('\uFFFD', '😀')).toBeLessThan(0);
    expect('\uFFFD' < '😀').toBe(false);
    expect(compareText('B', 'a')).toBeLessThan(0);
    expect(compareText('Z', 'é')).toBeLessThan(0);
    expect(compareText('ab', 'abc')).toBeLessThan(0);
    expect(compareText('x', 'x')).toBe(0);
  });
});

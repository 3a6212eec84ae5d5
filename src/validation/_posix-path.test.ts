import { describe, expect, it } from 'vitest';
import { isPathUnique, normalizePosixPath } from './_posix-path.js';

// Expected values printed by Python's `posixpath.normpath`.
const NORMALIZED: [string, string][] = [
  ['', '.'],
  ['.', '.'],
  ['..', '..'],
  ['a', 'a'],
  ['a/b', 'a/b'],
  ['a//b', 'a/b'],
  ['a/./b', 'a/b'],
  ['a/../b', 'b'],
  ['../a', '../a'],
  ['/a', '/a'],
  ['//a', '//a'],
  ['///a', '/a'],
  ['a/', 'a'],
  ['a/b/..', 'a'],
  ['a/..', '.'],
  ['./a', 'a'],
  ['a/../../b', '../b'],
  ['//a/../..', '//'],
  ['/..', '/'],
  ['x/./', 'x'],
  [' ', ' '],
  ['eval/acc', 'eval/acc'],
];

describe('normalizePosixPath', () => {
  it.each(NORMALIZED)('%j', (path, expected) => {
    expect(normalizePosixPath(path)).toBe(expected);
  });
});

describe('isPathUnique', () => {
  it.each([
    ['eval/acc', true],
    ['.hidden', true],
    ['a.', true],
    ['a/b', true],
    ['', false],
    ['.', false],
    ['..a', false],
    ['../a', false],
    ['/a', false],
    ['a/', false],
    ['a//b', false],
  ] as const)('%j', (name, unique) => {
    expect(isPathUnique(name)).toBe(unique);
  });
});

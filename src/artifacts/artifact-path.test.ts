import { describe, expect, it } from 'vitest';
import { expectError } from '../client/tracking-client.contract.js';
import {
  artifactBaseName,
  isSafeArtifactPath,
  joinArtifactPath,
  validateArtifactPath,
} from './artifact-path.js';

// Paths every artifact operation refuses, with the reason the message gives (the contract suite runs them through every operation).
const UNSAFE_PATHS: [string, RegExp][] = [
  // MLflow's recorded traversal attempts (download, listing and upload paths).
  ['../../../../etc/passwd', /'\.\.' is not allowed/],
  ['1/%2E%2E/%2E%2E/%2E%2E/etc/passwd', /'\.\.' is not allowed as a path segment once percent-decoded/],
  ['..%2F..%2F..%2Fetc%2Fpasswd', /'\.\.' is not allowed as a path segment once percent-decoded/],
  ['../../../etc', /'\.\.' is not allowed/],
  ['/etc', /must be relative/],
  ['1/%2E%2E/%2E%2E/flows-traversal-probe.txt', /once percent-decoded/],
  // Double and mixed encodings.
  ['%252E%252E/secret', /once percent-decoded/],
  ['a/%2e./b', /once percent-decoded/],
  ['%2Fetc%2Fpasswd', /must be relative, not absolute once percent-decoded/],
  ['%25252525252525252525252E%2E/x', /too many levels of percent-encoding/],
  ['a/..', /'\.\.' is not allowed/],
  ['..', /'\.\.' is not allowed/],
  // Other separators, drives and characters.
  ['..\\..\\etc\\passwd', /backslashes/],
  ['a\\b', /backslashes/],
  ['a%5C..%5Cb', /backslashes are not allowed once percent-decoded/],
  ['C:/Windows/win.ini', /not on a drive/],
  ['a\u0000b', /control characters/],
  ['a%00b', /control characters are not allowed once percent-decoded/],
  ['line\nbreak', /control characters/],
  ['a#b', /'#'/],
  ['a%23b', /'#' is not allowed once percent-decoded/],
  // Names that would not be unique.
  ['a//b', /empty path segments/],
  ['a/', /empty path segments/],
  ['./a', /'\.' is not allowed/],
  ['a/./b', /'\.' is not allowed/],
  ['', /must not be empty/],
];

describe('validateArtifactPath', () => {
  it.each(UNSAFE_PATHS)('refuses %j with "Invalid path"', async (path, reason) => {
    await expectError(
      Promise.resolve().then(() => validateArtifactPath(path)),
      'INVALID_PARAMETER_VALUE',
      /^Invalid path: /,
    );
    expect(() => validateArtifactPath(path)).toThrow(reason);
    expect(isSafeArtifactPath(path)).toBe(false);
  });

  it.each([
    'a',
    'run/artifacts/model.pkl',
    'ünïcödé/файл 1.txt',
    '100%.txt',
    'a%20b.txt',
    '%zz',
    '...',
    '..a/b..',
    '.hidden/.env',
    'a b/c d',
    'x:y',
    'c:relative',
  ])('accepts %j as it is', (path) => {
    expect(validateArtifactPath(path)).toBe(path);
    expect(isSafeArtifactPath(path)).toBe(true);
  });

  it('accepts the root and one trailing slash for folders only', () => {
    expect(validateArtifactPath('', 'folder')).toBe('');
    expect(validateArtifactPath('configs/', 'folder')).toBe('configs');
    expect(validateArtifactPath('a/b', 'folder')).toBe('a/b');
    expect(() => validateArtifactPath('/', 'folder')).toThrow(/must be relative/);
    expect(() => validateArtifactPath('a//', 'folder')).toThrow(/empty path segments/);
    expect(() => validateArtifactPath('../', 'folder')).toThrow(/'\.\.'/);
    expect(() => validateArtifactPath('configs/')).toThrow(/empty path segments/);
  });

  it('refuses what is not a string', () => {
    expect(() => validateArtifactPath(undefined)).toThrow(
      /Invalid path: a path must be a string \(undefined\)/,
    );
    expect(() => validateArtifactPath(['a'])).toThrow(/must be a string/);
  });

  it('shortens a long path in the message', () => {
    expect(() => validateArtifactPath(`../${'x'.repeat(5000)}`)).toThrow(/x{197}\.\.\."\)\.$/);
  });
});

describe('joinArtifactPath and artifactBaseName', () => {
  it('join canonical paths, the root being empty', () => {
    expect(joinArtifactPath('', 'a')).toBe('a');
    expect(joinArtifactPath('a', 'b/c')).toBe('a/b/c');
    expect(joinArtifactPath('a', '')).toBe('a');
    expect(artifactBaseName('a/b/c.txt')).toBe('c.txt');
    expect(artifactBaseName('c.txt')).toBe('c.txt');
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareArtifactNames, sortArtifactInfos, type ArtifactInfo } from './artifact-repository.js';

/** Code-point order as MLflow (Python) sorts: the names' UTF-8 bytes. */
const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

describe('artifact name order', () => {
  // Plain letters, characters just below and above the surrogates, and characters above U+FFFF.
  const name = fc.string({
    unit: fc.constantFrom(
      'a',
      'b',
      'Z',
      '~',
      '\u00e9',
      '\ud7ff',
      '\ue000',
      '\uff5e',
      '\u{1f600}',
      '\u{10000}',
    ),
    maxLength: 4,
  });

  it('compares names by code point, with or without characters above U+FFFF', () => {
    fc.assert(
      fc.property(name, name, (a, b) => {
        expect(Math.sign(compareArtifactNames(a, b))).toBe(Math.sign(byUtf8(a, b)));
      }),
    );
  });

  it('sorts by code point, files before folders of the same name, without changing the input', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ name, isDir: fc.boolean() }), { maxLength: 30 }), (entries) => {
        const infos: ArtifactInfo[] = entries.map(({ name, isDir }) => ({ path: name, name, isDir }));
        const before = infos.slice();
        const sorted = sortArtifactInfos(infos);
        expect(infos).toEqual(before);
        expect(sorted).toEqual(
          infos.slice().sort((a, b) => byUtf8(a.name, b.name) || Number(a.isDir) - Number(b.isDir)),
        );
      }),
    );
  });
});

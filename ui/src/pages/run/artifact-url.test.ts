import { describe, expect, it } from 'vitest';
import { folderAncestors, openFromUrl, toggleFolder, withAncestors, writeOpen } from './artifact-url.js';

describe('the artifact tree in the URL', () => {
  it('names the folders above a file, and adds only those missing', () => {
    expect(folderAncestors('a/b/c.txt')).toEqual(['a', 'a/b']);
    expect(folderAncestors('top.txt')).toEqual([]);
    const open = new Set(['a', 'a/b']);
    expect(withAncestors(open, 'a/b/c.txt')).toBe(open);
    expect([...withAncestors(new Set(['x']), 'a/b/c.txt')]).toEqual(['x', 'a', 'a/b']);
  });

  it('closes the folders inside a folder closed, and no folder of the same prefix', () => {
    const open = new Set(['a', 'a/b', 'a/b/c', 'ab']);
    expect([...toggleFolder(open, 'a', false)]).toEqual(['ab']);
    expect([...toggleFolder(open, 'z', true)]).toEqual(['a', 'a/b', 'a/b/c', 'ab', 'z']);
  });

  it('writes the folders in path order, an empty open= when none is and a nested file is previewed', () => {
    const search = new URLSearchParams('artifact=a/b/c.txt&open=old');
    expect(writeOpen(search, new Set(['b', 'a'])).toString()).toBe('artifact=a%2Fb%2Fc.txt&open=a&open=b');
    expect(writeOpen(search, new Set()).toString()).toBe('artifact=a%2Fb%2Fc.txt&open=');
    expect([...openFromUrl(search)]).toEqual([]);
    expect(writeOpen(new URLSearchParams('artifact=top.txt'), new Set()).toString()).toBe('artifact=top.txt');
  });
});

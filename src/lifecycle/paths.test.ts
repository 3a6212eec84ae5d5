import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { normalizeExperimentPath } from './paths.js';

describe('normalizeExperimentPath', () => {
  it.each<[string, string]>([
    ['/Shared/bot/development', '/Shared/bot/development'],
    ['  /Shared/bot  ', '/Shared/bot'],
    ['/Shared//bot///development', '/Shared/bot/development'],
    ['/Shared/bot/', '/Shared/bot'],
    ['/Shared/bot///', '/Shared/bot'],
    ['//Shared/bot', '/Shared/bot'],
    ['/Workspace/Shared/bot', '/Shared/bot'],
    ['/Workspace//Shared/bot/', '/Shared/bot'],
    ['//Workspace/Users/a@b.com/bot', '/Users/a@b.com/bot'],
    ['/WorkspaceX/bot', '/WorkspaceX/bot'],
    ['/workspace/bot', '/workspace/bot'],
    ['/Shared/my bot/.hidden', '/Shared/my bot/.hidden'],
    ['/Shared/a..b', '/Shared/a..b'],
    ['/x', '/x'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeExperimentPath(input)).toBe(expected);
  });

  it.each<[string, string]>([
    ['', 'experiment path: must not be empty; give an absolute path like /Shared/<agent>'],
    ['   ', 'experiment path: must not be empty'],
    ['Shared/bot', "experiment path: 'Shared/bot' is not an absolute path; start it with / (/Shared/...)"],
    ['./bot', "'./bot' is not an absolute path"],
    ['/', "experiment path: '/' is the root folder, not an experiment path"],
    ['///', "'///' is the root folder"],
    ['/Workspace', "experiment path: '/Workspace' is the workspace root, not an experiment path"],
    ['/Workspace//', "'/Workspace//' is the workspace root"],
    ['/Workspace/Workspace/bot', "'/Workspace/Workspace/bot' repeats the /Workspace prefix"],
    ['/Workspace/Workspace', 'repeats the /Workspace prefix'],
    [
      '/Shared/../bot',
      "experiment path: '/Shared/../bot' contains a '..' segment; write the path out in full",
    ],
    ['/Shared/./bot', "contains a '.' segment"],
    ['/Shared/bot/..', "contains a '..' segment"],
    ['/Shared/b\not', 'experiment path: "/Shared/b\\not" contains a control character'],
    ['/Shared/bot /x', "experiment path: '/Shared/bot /x' has a name with spaces around it: 'bot '"],
    ['/bot /', "has a name with spaces around it: 'bot '"],
    ['/ /bot', "has a name with spaces around it: ' '"],
    [`/${'x'.repeat(500)}`, 'is longer than 500 characters'],
  ])('%j is refused', (input, fragment) => {
    expect(rejection(() => normalizeExperimentPath(input))).toContain(fragment);
  });

  it('names the field in its messages', () => {
    expect(rejection(() => normalizeExperimentPath('bot', 'experiments.evaluation'))).toBe(
      "experiments.evaluation: 'bot' is not an absolute path; start it with / (/Shared/...)",
    );
  });

  it('refuses a value that is not a string', () => {
    expect(rejection(() => normalizeExperimentPath(42 as unknown as string, 'basePath'))).toBe(
      'basePath: must be a string, got the number 42',
    );
  });

  it('accepts a path of exactly 500 characters', () => {
    const path = `/${'x'.repeat(499)}`;
    expect(normalizeExperimentPath(path)).toBe(path);
  });

  const segment = fc.constantFrom('Shared', 'Workspace', 'bot', '.', '..', '', ' ', 'a b', 'x.y', 'Users');
  const pathText = fc
    .tuple(
      fc.constantFrom('', ' ', '/', '//'),
      fc.array(segment, { maxLength: 6 }),
      fc.constantFrom('', '/', ' '),
    )
    .map(([head, parts, tail]) => head + parts.join('/') + tail);

  it('is idempotent: a normalized path normalizes to itself', () => {
    let accepted = 0;
    fc.assert(
      fc.property(pathText, (input) => {
        let once: string;
        try {
          once = normalizeExperimentPath(input);
        } catch {
          return;
        }
        accepted++;
        expect(normalizeExperimentPath(once)).toBe(once);
        expect(once).toMatch(/^\/[^/]/);
        expect(once).not.toMatch(/\/\/|\/$|^\/Workspace(\/|$)/);
      }),
      { numRuns: 2000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});

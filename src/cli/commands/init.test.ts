import { describe, expect, it } from 'vitest';
import { agentNameFromFolder, formatEnsuredExperiments } from './init.js';

describe('agentNameFromFolder', () => {
  it.each([
    ['/home/me/support-bot', 'support-bot'],
    ['/home/me/My Bot!', 'My_Bot_'],
    ['/x/.hidden', 'hidden'],
    ['/x/__init', 'init'],
    ['/x/日本', 'agent'],
    ['/', 'agent'],
    [`/x/${'a'.repeat(300)}`, 'a'.repeat(250)],
  ])('%s', (folder, expected) => {
    expect(agentNameFromFolder(folder)).toBe(expected);
  });
});

describe('formatEnsuredExperiments', () => {
  it('says what happened to each experiment, aligned', () => {
    expect(
      formatEnsuredExperiments([
        { runType: 'development', path: '/Shared/a/development', experimentId: '1', outcome: 'created' },
        { runType: 'evaluation', path: '/Shared/a/evaluation', experimentId: '12', outcome: 'existed' },
        { runType: 'deployment', path: '/Shared/a/deployment', experimentId: '3', outcome: 'restored' },
      ]),
    ).toBe(
      [
        'created          /Shared/a/development  (id 1)',
        'already existed  /Shared/a/evaluation   (id 12)',
        'restored         /Shared/a/deployment   (id 3)',
        '',
      ].join('\n'),
    );
  });
});

import { describe, expect, it } from 'vitest';
import { colorEnabled, createPaint, visibleLength } from './color.js';

describe('colorEnabled', () => {
  it.each([
    ['a terminal', true, {}, true, true],
    ['a pipe', false, {}, true, false],
    ['an unknown stream', undefined, {}, true, false],
    ['NO_COLOR=1', true, { NO_COLOR: '1' }, true, false],
    ['an empty NO_COLOR', true, { NO_COLOR: '' }, true, false],
    ['--no-color', true, {}, false, false],
  ] as const)('%s', (_name, isTTY, env, flag, expected) => {
    expect(colorEnabled(isTTY, env, flag)).toBe(expected);
  });
});

describe('createPaint', () => {
  it('wraps text in ANSI styles when enabled, and leaves it alone when not', () => {
    expect(createPaint(true).red('x')).toBe('\u001b[31mx\u001b[0m');
    expect(createPaint(true).enabled).toBe(true);
    const plain = createPaint(false);
    expect([plain.red('x'), plain.green('x'), plain.yellow('x'), plain.bold('x'), plain.dim('x')]).toEqual([
      'x',
      'x',
      'x',
      'x',
      'x',
    ]);
  });

  it('measures text without its styles, by code point', () => {
    expect(visibleLength(createPaint(true).bold(createPaint(true).green('✓ PASS')))).toBe(6);
  });
});

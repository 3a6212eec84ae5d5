import { describe, expect, it } from 'vitest';
import { collect, parsePositiveInteger, parseRunTypeArgument, parseTagOptions } from './arguments.js';
import { CliError } from './cli-error.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 2, code: 'INVALID_PARAMETER_VALUE', name: 'CliError' });
    return (error as Error).message;
  }
  throw new Error('no error');
}

describe('parseRunTypeArgument', () => {
  it.each([
    ['dev', 'development'],
    ['development', 'development'],
    ['eval', 'evaluation'],
    ['deploy', 'deployment'],
  ] as const)('%s', (text, expected) => {
    expect(parseRunTypeArgument(text)).toBe(expected);
  });

  it('refuses other names, and types not allowed here', () => {
    expect(usageMessage(() => parseRunTypeArgument('Dev'))).toBe(
      "unknown run type 'Dev': use dev, eval or deploy",
    );
    expect(usageMessage(() => parseRunTypeArgument('dev', ['evaluation', 'deployment']))).toBe(
      "unknown run type 'dev': use eval or deploy",
    );
  });
});

describe('parseTagOptions', () => {
  it('splits at the first =, keeping the rest of the value', () => {
    expect(parseTagOptions(['team=core', 'q=a=b', 'empty='])).toEqual({ team: 'core', q: 'a=b', empty: '' });
  });

  it.each(['novalue', '=v'])('%s', (text) => {
    expect(usageMessage(() => parseTagOptions([text]))).toBe(`--tag '${text}': write key=value`);
  });
});

describe('parsePositiveInteger', () => {
  it('reads whole numbers from 1 on', () => {
    expect(parsePositiveInteger('50', '--max-results')).toBe(50);
  });

  it.each(['0', '-1', '1.5', 'ten', '', '99999999999999999999'])('%s', (text) => {
    expect(usageMessage(() => parsePositiveInteger(text, '--n'))).toBe(
      `--n '${text}': expected a whole number from 1 on`,
    );
  });
});

describe('collect', () => {
  it('appends repeated option values', () => {
    expect(collect('b', collect('a'))).toEqual(['a', 'b']);
  });
});

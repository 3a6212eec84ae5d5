import { RUN_TYPE_ALIASES, RUN_TYPES, type RunType } from '../lifecycle/conventions.js';
import { usageError } from './cli-error.js';

/** The short name of each run type on the command line. */
export const RUN_TYPE_SHORT_NAMES: Readonly<Record<RunType, string>> = {
  development: 'dev',
  evaluation: 'eval',
  deployment: 'deploy',
};

/** Commander's collector for a repeatable option (`--tag a=1 --tag b=2`). */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * A run type given on the command line (`dev`, `eval`, `deploy` or the full name), among
 * `allowed`; anything else is a usage error.
 */
export function parseRunTypeArgument(value: string, allowed: readonly RunType[] = RUN_TYPES): RunType {
  const runType = RUN_TYPE_ALIASES[value];
  if (runType === undefined || !allowed.includes(runType)) {
    const choices = allowed.map((t) => RUN_TYPE_SHORT_NAMES[t]);
    const list =
      choices.length === 2 ? choices.join(' or ') : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
    throw usageError(`unknown run type '${value}': use ${list}`);
  }
  return runType;
}

/** `--tag key=value` options as tags; the value is everything after the first `=`. */
export function parseTagOptions(values: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const text of values) {
    const at = text.indexOf('=');
    if (at <= 0) throw usageError(`--tag '${text}': write key=value`);
    tags[text.slice(0, at)] = text.slice(at + 1);
  }
  return tags;
}

/** A whole number from 1 on, given to `option`. */
export function parsePositiveInteger(value: string, option: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw usageError(`${option} '${value}': expected a whole number from 1 on`);
  }
  return Number(value);
}

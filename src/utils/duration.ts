import { invalidParameter } from '../errors.js';

const NUMBER = String.raw`(\d+(?:\.\d*)?|\.\d+)`;
const DURATION = new RegExp(`^(?:${NUMBER}d)?(?:${NUMBER}h)?(?:${NUMBER}m)?(?:${NUMBER}s)?$`);
const UNIT_MS = [86_400_000, 3_600_000, 60_000, 1000] as const;

/**
 * A duration in MLflow's `#d#h#m#s` form (`mlflow gc --older-than`), in whole milliseconds:
 * days, hours, minutes and seconds in that order, each optional and each a decimal number
 * (`1d2h3m4s`, `1.5h`, `90s`). Anything else, the empty string included, is
 * INVALID_PARAMETER_VALUE.
 *
 * @example parseDuration('1d2h3m4s') // 93_784_000
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text);
  if (text === '' || !match) {
    throw invalidParameter(
      `Could not parse any time information from '${text}'. Examples of valid strings: '8h', '2d8h5m20s', '2m4s'.`,
    );
  }
  const ms = Math.trunc(UNIT_MS.reduce((total, unit, i) => total + Number(match[i + 1] ?? 0) * unit, 0));
  if (!Number.isSafeInteger(ms)) throw invalidParameter(`The duration '${text}' is too long.`);
  return ms;
}

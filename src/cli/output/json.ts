import { toMlflowJson } from '../../entities/index.js';

/**
 * `--json` output: indented JSON with a final newline, where NaN and ±Infinity metric values
 * are written as MLflow writes them (`"NaN"`, `"Infinity"`, `"-Infinity"`) instead of `null`.
 */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(JSON.parse(toMlflowJson(value)), null, 2)}\n`;
}

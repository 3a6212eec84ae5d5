import { visibleLength } from './color.js';

/**
 * A key/value block: `key:` then the value, values aligned; a value with several lines
 * continues under the first.
 *
 * @example formatKeyValues([['name', 'dev_20261126_101500'], ['status', 'FINISHED']])
 */
export function formatKeyValues(
  entries: ReadonlyArray<readonly [string, string | readonly string[]]>,
): string {
  const width = Math.max(0, ...entries.map(([key]) => visibleLength(key) + 1));
  const lines: string[] = [];
  for (const [key, value] of entries) {
    const values = typeof value === 'string' ? [value] : value.length > 0 ? value : ['-'];
    values.forEach((line, i) => {
      const label = i === 0 ? `${key}:` : '';
      lines.push(`${label.padEnd(width)}  ${line}`.trimEnd());
    });
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

import { visibleLength } from './color.js';

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Text before every line; default none. */
  indent?: string;
  /** Spaces between columns; default 2. */
  gap?: number;
}

/**
 * Aligned plain-text columns, each as wide as its widest cell (ANSI styles do not count);
 * the last column is not padded. `headers` may be omitted for a headerless listing.
 * Returns `''` when there is nothing to show, else lines ending in a newline.
 *
 * @example formatTable(['NAME', 'STATUS'], [['dev_20261126_101500', 'FINISHED']])
 */
export function formatTable(
  headers: readonly string[] | undefined,
  rows: ReadonlyArray<readonly string[]>,
  options: TableOptions = {},
): string {
  const all = headers ? [headers, ...rows] : [...rows];
  if (all.length === 0) return '';
  const columns = Math.max(...all.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, c) =>
    Math.max(...all.map((row) => visibleLength(row[c] ?? ''))),
  );
  const gap = ' '.repeat(options.gap ?? 2);
  const indent = options.indent ?? '';
  const lines = all.map((row) => {
    const cells = Array.from({ length: columns }, (_, c) => {
      const cell = row[c] ?? '';
      return c === columns - 1 ? cell : cell + ' '.repeat((widths[c] as number) - visibleLength(cell));
    });
    return `${indent}${cells.join(gap)}`.trimEnd();
  });
  return `${lines.join('\n')}\n`;
}

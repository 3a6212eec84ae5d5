/** One line of a side-by-side table: its label, and how one column's figures read in it. */
export type SideBySideRow<F> = readonly [label: string, cell: (figures: F) => string];

/**
 * Prints `title`, a header of the columns' names (one per backend), then one line per row:
 * the label, then each column's cell right-aligned under its name.
 *
 * @example printSideBySide('side by side:', [['p50, ms', (f) => f.p50.toFixed(2)]], [['SQLite', a], ['PostgreSQL', b]]);
 */
export function printSideBySide<F>(
  title: string,
  rows: readonly SideBySideRow<F>[],
  columns: readonly (readonly [name: string, figures: F])[],
): void {
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  const cells = rows.map(([, cell]) => columns.map(([, figures]) => cell(figures)));
  const widths = columns.map(([name], c) =>
    Math.max(name.length, ...cells.map((row) => row[c]?.length ?? 0)),
  );
  const line = (label: string, values: readonly string[]) =>
    `  ${label.padEnd(labelWidth)}  ${values.map((v, c) => v.padStart(widths[c] ?? 0)).join('  ')}`;
  console.log(title);
  console.log(
    line(
      '',
      columns.map(([name]) => name),
    ),
  );
  rows.forEach(([label], r) => console.log(line(label, cells[r] ?? [])));
}

import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type OnChangeFn,
  type Row,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

/** Options of {@link DataTable}. */
export interface DataTableProps<T> {
  /** TanStack Table columns; `enableSorting: false` on a column that cannot be sorted. */
  columns: ColumnDef<T, unknown>[];
  data: T[];
  getRowId: (row: T) => string;
  /** What the table holds, for assistive technology (a visually hidden caption). */
  caption: string;
  /** Sorting is the server's (keyset pages): the table only shows and changes it. */
  sorting?: SortingState;
  onSortingChange?: OnChangeFn<SortingState>;
  /** Called when the last rows come into view: load the next page. */
  onEndReached?: () => void;
  /** Enter or a double click on a row. */
  onRowActivate?: (row: T) => void;
  /** Space on a focused row (e.g. select it, as its checkbox does). */
  onRowToggle?: (row: T) => void;
  /** A row's height in pixels (rows are virtualized: only those in view are in the page). */
  rowHeight?: number;
  /** The scrolling area's height in pixels. */
  height?: number;
  /** Shown under the rows (e.g. "loading more…", "all 1,234 runs"). */
  footer?: ReactNode;
  /** The total the server knows of, when it knows it (`aria-rowcount`). */
  totalRows?: number;
}

/**
 * A big table done right once: TanStack Table for columns and sorting, TanStack Virtual so
 * 100,000 rows cost what the visible ones do, a real `<table>` for screen readers (with
 * `aria-rowcount`/`aria-rowindex`), sortable headers as buttons, and keyboard navigation of
 * rows (one row in the tab order; arrows, Page Up/Down, Home/End move; Enter activates, Space
 * toggles).
 */
export function DataTable<T>({
  columns,
  data,
  getRowId,
  caption,
  sorting,
  onSortingChange,
  onEndReached,
  onRowActivate,
  onRowToggle,
  rowHeight = 32,
  height = 560,
  footer,
  totalRows,
}: DataTableProps<T>) {
  const table = useReactTable<T>({
    columns,
    data,
    getRowId: (row) => getRowId(row),
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    enableSortingRemoval: false,
    state: sorting ? { sorting } : {},
    ...(onSortingChange ? { onSortingChange } : {}),
  });
  const rows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const [active, setActive] = useState(0);

  const lastIndex = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (onEndReached && rows.length > 0 && lastIndex >= rows.length - 1 - 5) onEndReached();
  }, [lastIndex, rows.length, onEndReached]);

  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    // The row is rendered after the scroll: focus it on the next frame.
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus();
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableSectionElement>) => {
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: active + 1,
      ArrowUp: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      focusRow(target);
    } else if (event.key === 'Enter' && onRowActivate) {
      const row = rows[active];
      if (row) onRowActivate(row.original);
    } else if (event.key === ' ' && onRowToggle && event.target instanceof HTMLTableRowElement) {
      // On the row itself (a checkbox or button in it has its own Space); not a scroll of the table.
      event.preventDefault();
      const row = rows[active];
      if (row) onRowToggle(row.original);
    }
  };

  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  const columnCount = table.getVisibleLeafColumns().length;

  return (
    <div className="data-table">
      <div ref={scrollRef} className="data-table-scroll" style={{ height, overflow: 'auto' }}>
        <table aria-rowcount={(totalRows ?? rows.length) + 1}>
          <caption className="visually-hidden">{caption}</caption>
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id} aria-rowindex={1}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  const canSort = header.column.getCanSort() && onSortingChange !== undefined;
                  const label = header.isPlaceholder
                    ? null
                    : flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      style={{ width: header.getSize() }}
                      aria-sort={
                        sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined
                      }
                    >
                      {canSort ? (
                        <button
                          type="button"
                          className="sort-button"
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          {label}
                          <span aria-hidden="true">
                            {sorted === 'asc' ? ' ▲' : sorted === 'desc' ? ' ▼' : ''}
                          </span>
                        </button>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody onKeyDown={onKeyDown}>
            {padTop > 0 ? (
              <tr aria-hidden="true" style={{ height: padTop }}>
                <td colSpan={columnCount} />
              </tr>
            ) : null}
            {items.map((item) => {
              const row = rows[item.index] as Row<T>;
              return (
                <tr
                  key={row.id}
                  data-index={item.index}
                  aria-rowindex={item.index + 2}
                  tabIndex={item.index === active ? 0 : -1}
                  style={{ height: rowHeight }}
                  onFocus={() => setActive(item.index)}
                  onDoubleClick={onRowActivate ? () => onRowActivate(row.original) : undefined}
                >
                  {row.getVisibleCells().map((cell) => (
                    <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                  ))}
                </tr>
              );
            })}
            {padBottom > 0 ? (
              <tr aria-hidden="true" style={{ height: padBottom }}>
                <td colSpan={columnCount} />
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {footer ? <div className="data-table-footer">{footer}</div> : null}
    </div>
  );
}

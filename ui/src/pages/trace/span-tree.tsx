import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { Duration } from '../../components/format.js';
import { spanDurationMs, visibleRows, type SpanTree } from './trace-spans.js';

const ROW_HEIGHT = 28;
const TREE_HEIGHT = 520;

/**
 * The spans of a trace as a tree with a timeline: one row per span (indented by depth, its
 * type, status and duration, a bar placed on the trace's time axis), virtualized so only the
 * rows in view are in the page. Keyboard: Up/Down (Home/End, Page Up/Down) move, Left
 * collapses or goes to the parent, Right expands or goes to the first child, Enter (or a click)
 * selects. What is collapsed is the caller's (the page's URL).
 */
export function SpanTreeView({
  tree,
  selectedId,
  onSelect,
  collapsed: fromUrl,
  onToggle,
}: {
  tree: SpanTree;
  selectedId: string | undefined;
  onSelect: (spanId: string) => void;
  /** The spans whose children are hidden (the page keeps them in its URL). */
  collapsed: ReadonlySet<string>;
  /** Expand (`open`) or collapse a span. */
  onToggle: (spanId: string, open: boolean) => void;
}) {
  // The URL catches up in a transition: the tree answers a key at once from its own copy,
  // replaced by the URL's whenever that changes.
  const [mirror, setMirror] = useState({ from: fromUrl, collapsed: fromUrl });
  let collapsed = mirror.collapsed;
  if (mirror.from !== fromUrl) {
    collapsed = fromUrl;
    setMirror({ from: fromUrl, collapsed: fromUrl });
  }
  const toggle = (spanId: string, open: boolean) => {
    const next = new Set(collapsed);
    if (open) next.delete(spanId);
    else next.add(spanId);
    setMirror({ from: fromUrl, collapsed: next });
    onToggle(spanId, open);
  };
  const rows = useMemo(() => visibleRows(tree, collapsed), [tree, collapsed]);
  const indexOf = useMemo(() => new Map(rows.map((row, i) => [row.span.spanId, i])), [rows]);
  const [active, setActive] = useState(() => (selectedId ? (indexOf.get(selectedId) ?? 0) : 0));
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 16,
  });

  // A selection from the URL (a reload, a shared link): bring it into view once.
  const scrolledTo = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!selectedId || scrolledTo.current === selectedId) return;
    const index = indexOf.get(selectedId);
    if (index === undefined) return;
    scrolledTo.current = selectedId;
    setActive(index);
    virtualizer.scrollToIndex(index, { align: 'auto' });
  }, [selectedId, indexOf, virtualizer]);

  const activeIndex = Math.min(active, rows.length - 1);

  const focusRow = (index: number) => {
    const next = Math.max(0, Math.min(rows.length - 1, index));
    setActive(next);
    virtualizer.scrollToIndex(next, { align: 'auto' });
    requestAnimationFrame(() => {
      scrollRef.current?.querySelector<HTMLElement>(`[data-index="${next}"]`)?.focus();
    });
  };

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    const row = rows[activeIndex];
    if (!row) return;
    const page = Math.max(1, Math.floor(TREE_HEIGHT / ROW_HEIGHT) - 1);
    const id = row.span.spanId;
    const open = row.hasChildren && !collapsed.has(id);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        focusRow(activeIndex + 1);
        break;
      case 'ArrowUp':
        focusRow(activeIndex - 1);
        break;
      case 'PageDown':
        focusRow(activeIndex + page);
        break;
      case 'PageUp':
        focusRow(activeIndex - page);
        break;
      case 'Home':
        focusRow(0);
        break;
      case 'End':
        focusRow(rows.length - 1);
        break;
      case 'ArrowRight':
        if (row.hasChildren && !open) toggle(id, true);
        else if (open) focusRow(activeIndex + 1);
        break;
      case 'ArrowLeft':
        if (open) toggle(id, false);
        else if (row.span.parentId !== undefined) {
          const parent = indexOf.get(row.span.parentId);
          if (parent !== undefined) focusRow(parent);
        }
        break;
      case 'Enter':
      case ' ':
        onSelect(id);
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };

  const items = virtualizer.getVirtualItems();
  return (
    <div className="span-tree">
      <div className="span-tree-head" aria-hidden="true">
        <span>Span</span>
        <span>Timeline</span>
      </div>
      <div
        ref={scrollRef}
        className="span-tree-scroll"
        style={{ height: Math.min(TREE_HEIGHT, Math.max(rows.length, 1) * ROW_HEIGHT + 2) }}
      >
        <div
          role="tree"
          aria-label={`Spans (${tree.byId.size.toLocaleString('en-US')})`}
          onKeyDown={onKeyDown}
          style={{ height: virtualizer.getTotalSize(), position: 'relative' }}
        >
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const { span, depth, hasChildren } = row;
            const open = hasChildren && !collapsed.has(span.spanId);
            const duration = spanDurationMs(span);
            const offset = Number(span.startNs - tree.startNs) / tree.totalNs;
            const width =
              span.endNs === undefined ? 1 - offset : Number(span.endNs - span.startNs) / tree.totalNs;
            const selected = span.spanId === selectedId;
            return (
              <div
                key={span.spanId}
                role="treeitem"
                id={`span-row-${span.spanId}`}
                data-index={item.index}
                aria-level={depth + 1}
                aria-expanded={hasChildren ? open : undefined}
                aria-selected={selected}
                tabIndex={item.index === activeIndex ? 0 : -1}
                className={`span-row${selected ? ' selected' : ''}${span.status === 'ERROR' ? ' failed' : ''}`}
                style={{ transform: `translateY(${item.start}px)`, height: ROW_HEIGHT }}
                onFocus={() => setActive(item.index)}
                onClick={() => {
                  setActive(item.index);
                  onSelect(span.spanId);
                }}
              >
                <span className="span-row-label" style={{ paddingLeft: depth * 14 }}>
                  <span
                    className="span-toggle"
                    aria-hidden="true"
                    onClick={(event) => {
                      if (!hasChildren) return;
                      event.stopPropagation();
                      toggle(span.spanId, !open);
                    }}
                  >
                    {hasChildren ? (open ? '▾' : '▸') : ''}
                  </span>
                  <span className="span-name" title={span.name}>
                    {span.name || '(unnamed)'}
                  </span>
                  <span className="badge span-type">{span.type}</span>
                  {span.status === 'ERROR' ? <span className="badge bad">ERROR</span> : null}
                  <Duration ms={duration} />
                </span>
                <span className="span-timeline" aria-hidden="true">
                  <span
                    className="span-bar"
                    style={{
                      left: `${Math.max(0, Math.min(1, offset)) * 100}%`,
                      width: `max(2px, ${Math.max(0, Math.min(1, width)) * 100}%)`,
                    }}
                  />
                </span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

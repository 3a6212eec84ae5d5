import { useQuery } from '@tanstack/react-query';
import { Fragment, useRef, useState, type KeyboardEvent } from 'react';
import { formatBytes } from '../../lib/format.js';
import { folderAncestors, toggleFolder } from './artifact-url.js';
import { listArtifacts, millis, type WireFile } from './run-api.js';

/** The last part of an artifact path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

interface LevelProps {
  runId: string;
  path: string;
  level: number;
  expanded: ReadonlySet<string>;
  selected: string | undefined;
  focused: string | undefined;
  onToggle: (path: string) => void;
  onSelect: (file: WireFile) => void;
  onFocus: (path: string) => void;
}

function Level({ runId, path, level, ...props }: LevelProps) {
  const listing = useQuery({
    queryKey: ['artifacts', runId, path],
    queryFn: ({ signal }) => listArtifacts(runId, path, signal),
  });
  if (listing.isPending || listing.isError || listing.data.length === 0) {
    const text = listing.isPending
      ? 'Loading…'
      : listing.isError
        ? `Could not list: ${listing.error.message}`
        : 'Empty folder';
    return (
      <li role="treeitem" aria-disabled="true" aria-level={level} aria-selected={false} className="tree-note">
        {text}
      </li>
    );
  }
  return (
    <>
      {listing.data.map((file) => {
        const open = file.is_dir && props.expanded.has(file.path);
        const name = baseName(file.path);
        return (
          <Fragment key={file.path}>
            <li
              role="treeitem"
              aria-level={level}
              aria-expanded={file.is_dir ? open : undefined}
              aria-selected={file.path === props.selected}
              data-path={file.path}
              data-dir={file.is_dir ? 'true' : undefined}
              tabIndex={file.path === props.focused ? 0 : -1}
              onFocus={(event) => {
                if (event.target === event.currentTarget) props.onFocus(file.path);
              }}
              className="tree-item"
            >
              <span
                className="tree-row"
                style={{ paddingLeft: `${(level - 1) * 16 + 4}px` }}
                onClick={() => (file.is_dir ? props.onToggle(file.path) : props.onSelect(file))}
              >
                <span aria-hidden="true" className="tree-icon">
                  {file.is_dir ? (open ? '▾' : '▸') : '·'}
                </span>
                {name}
                {!file.is_dir ? (
                  <span className="tree-size">{formatBytes(millis(file.file_size))}</span>
                ) : null}
              </span>
            </li>
            {open ? <Level runId={runId} path={file.path} level={level + 1} {...props} /> : null}
          </Fragment>
        );
      })}
    </>
  );
}

/**
 * The run's artifacts as a tree (a flat list of items with their `aria-level`, so that each
 * item is named by its own row alone): folders listed when opened, one item in the tab order,
 * arrows to move (Right opens a folder or enters it, Left closes it or goes to its parent),
 * Home/End, Enter or Space to open a folder or preview a file. Which folders are open is the
 * caller's (the page's URL).
 */
export function ArtifactTree({
  runId,
  selected,
  onSelect,
  expanded: fromUrl,
  onExpand,
}: {
  runId: string;
  selected: string | undefined;
  onSelect: (file: WireFile) => void;
  /** The open folders (the page keeps them in its URL). */
  expanded: ReadonlySet<string>;
  /** Open (`open`) or close a folder. */
  onExpand: (path: string, open: boolean) => void;
}) {
  const [focused, setFocused] = useState<string | undefined>(selected);
  const treeRef = useRef<HTMLUListElement>(null);

  const items = () => [
    ...(treeRef.current?.querySelectorAll<HTMLElement>('[role="treeitem"][data-path]') ?? []),
  ];
  const focusItem = (element: HTMLElement | undefined) => {
    if (!element) return;
    setFocused(element.dataset.path);
    element.focus();
  };
  // The URL catches up in a transition: the tree answers a key at once from its own copy,
  // replaced by the URL's whenever that changes.
  const [mirror, setMirror] = useState({ from: fromUrl, open: fromUrl });
  let expanded = mirror.open;
  if (mirror.from !== fromUrl) {
    expanded = fromUrl;
    setMirror({ from: fromUrl, open: fromUrl });
  }
  const toggle = (path: string) => {
    const open = !expanded.has(path);
    setMirror({ from: fromUrl, open: toggleFolder(expanded, path, open) });
    onExpand(path, open);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    const current = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"][data-path]');
    if (!current) return;
    const all = items();
    const index = all.indexOf(current);
    const path = current.dataset.path ?? '';
    const isDir = current.dataset.dir === 'true';
    const isOpen = expanded.has(path);
    let handled = true;
    switch (event.key) {
      case 'ArrowDown':
        focusItem(all[index + 1]);
        break;
      case 'ArrowUp':
        focusItem(all[index - 1]);
        break;
      case 'Home':
        focusItem(all[0]);
        break;
      case 'End':
        focusItem(all.at(-1));
        break;
      case 'ArrowRight':
        if (isDir && !isOpen) toggle(path);
        else if (isDir)
          focusItem(all[index + 1]?.dataset.path?.startsWith(`${path}/`) ? all[index + 1] : undefined);
        break;
      case 'ArrowLeft':
        if (isDir && isOpen) toggle(path);
        else focusItem(all.find((e) => e.dataset.path === path.slice(0, path.lastIndexOf('/'))));
        break;
      case 'Enter':
      case ' ':
        if (isDir) toggle(path);
        else onSelect({ path, is_dir: false });
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  };

  // Until an item has been focused, the first one is in the tab order.
  const root = useQuery({
    queryKey: ['artifacts', runId, ''],
    queryFn: ({ signal }) => listArtifacts(runId, '', signal),
  });
  // An item inside a folder since closed leaves the tab order to the folder that hides it.
  const hiddenBy = focused === undefined ? undefined : folderAncestors(focused).find((f) => !expanded.has(f));
  const tabbable = hiddenBy ?? focused ?? root.data?.[0]?.path;

  return (
    <ul role="tree" aria-label="Artifacts" className="artifact-tree" ref={treeRef} onKeyDown={onKeyDown}>
      <Level
        runId={runId}
        path=""
        level={1}
        expanded={expanded}
        selected={selected}
        focused={tabbable}
        onToggle={(path) => {
          setFocused(path);
          toggle(path);
        }}
        onSelect={(file) => {
          setFocused(file.path);
          onSelect(file);
        }}
        onFocus={setFocused}
      />
    </ul>
  );
}

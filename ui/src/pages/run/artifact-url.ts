/** The search param repeated once per open folder of the artifact tree (`?open=config&open=eval`). */
export const OPEN_PARAM = 'open';

/** The open folders `search` names (an empty `open=` names none). */
export function openFromUrl(search: URLSearchParams): Set<string> {
  return new Set(search.getAll(OPEN_PARAM).filter((folder) => folder !== ''));
}

/** The folders above `path` (`a`, `a/b` for `a/b/c.txt`). */
export function folderAncestors(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** `open` with the folders above `path` added; `open` itself when they all are already. */
export function withAncestors(open: ReadonlySet<string>, path: string): ReadonlySet<string> {
  const missing = folderAncestors(path).filter((folder) => !open.has(folder));
  return missing.length === 0 ? open : new Set([...open, ...missing]);
}

/**
 * `open` with `folder` opened or closed. Closing a folder closes the folders inside it too, so
 * the URL names only the folders on screen.
 */
export function toggleFolder(open: ReadonlySet<string>, folder: string, on: boolean): Set<string> {
  const next = new Set(open);
  if (on) next.add(folder);
  else for (const path of open) if (path === folder || path.startsWith(`${folder}/`)) next.delete(path);
  return next;
}

/**
 * `search` with its `open` params replaced by `open`, in path order. With every folder closed
 * while a file inside one is previewed, an empty `open=` says so: a link without `open` opens
 * the previewed file's folders.
 */
export function writeOpen(search: URLSearchParams, open: ReadonlySet<string>): URLSearchParams {
  search.delete(OPEN_PARAM);
  for (const folder of [...open].sort()) search.append(OPEN_PARAM, folder);
  if (open.size === 0 && search.get('artifact')?.includes('/')) search.append(OPEN_PARAM, '');
  return search;
}

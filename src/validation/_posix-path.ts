/**
 * Python's `posixpath.normpath`: collapses `//`, `.` and `a/..`; keeps exactly two leading
 * slashes (POSIX leaves their meaning open); the empty path normalizes to `.`.
 */
export function normalizePosixPath(path: string): string {
  if (path === '') return '.';
  let leadingSlashes = path.startsWith('/') ? 1 : 0;
  if (leadingSlashes === 1 && path.startsWith('//') && !path.startsWith('///')) leadingSlashes = 2;
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    const last = parts[parts.length - 1];
    if (part !== '..' || (leadingSlashes === 0 && parts.length === 0) || last === '..') parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  const joined = '/'.repeat(leadingSlashes) + parts.join('/');
  return joined === '' ? '.' : joined;
}

/** MLflow's rule: a key must not name a different file once normalized, nor `.`, `..` or an absolute path. */
export function isPathUnique(name: string): boolean {
  const normalized = normalizePosixPath(name);
  return !(
    normalized !== name ||
    normalized === '.' ||
    normalized.startsWith('..') ||
    normalized.startsWith('/')
  );
}

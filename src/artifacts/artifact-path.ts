import { AgentrackError } from '../errors.js';

/** What a path names: a file (never the root), or a folder (`''` is the repository root). */
export type ArtifactPathKind = 'file' | 'folder';

/** How many rounds of percent-decoding are looked through, as MLflow's server does. */
const MAX_DECODING_ROUNDS = 10;

/**
 * Checks an artifact path and returns it in canonical form: a POSIX path relative to the
 * repository root, segments joined by single slashes, `''` for the root (folders only).
 *
 * Refused with INVALID_PARAMETER_VALUE "Invalid path" (MLflow's error), also when the path
 * only turns unsafe once percent-decoded (`%2E%2E`, `..%2F`, double-encoded `%252E`): a `..`
 * segment, an absolute path (`/etc`, `C:/x`), a backslash, `#`, NUL and other control
 * characters; and, in the path as given, empty segments (`a//b`) and `.` segments, which would
 * name the same file twice. A folder may end with one `/`.
 *
 * The path is kept as given, never decoded: `a%20b.txt` names a file with `%20` in its name.
 *
 * @example validateArtifactPath('run/artifacts/model.pkl') // 'run/artifacts/model.pkl'
 * @example validateArtifactPath('configs/', 'folder') // 'configs'
 * @example validateArtifactPath('%2E%2E/etc/passwd') // throws "Invalid path: ..."
 */
export function validateArtifactPath(path: unknown, kind: ArtifactPathKind = 'file'): string {
  if (typeof path !== 'string') throw invalidPath('a path must be a string', path);
  let canonical = path;
  if (kind === 'folder' && canonical.endsWith('/') && canonical.length > 1)
    canonical = canonical.slice(0, -1);
  if (canonical === '') {
    if (kind === 'folder') return '';
    throw invalidPath('a file path must not be empty', path);
  }
  for (const variant of decodings(canonical, path)) {
    const problem = unsafeIn(variant);
    if (problem !== undefined) {
      throw invalidPath(variant === canonical ? problem : `${problem} once percent-decoded`, path);
    }
  }
  for (const segment of canonical.split('/')) {
    if (segment === '') throw invalidPath('empty path segments (//) are not allowed', path);
    if (segment === '.') throw invalidPath("'.' is not allowed as a path segment", path);
  }
  return canonical;
}

/** True when {@link validateArtifactPath} accepts `path` as a `kind`. */
export function isSafeArtifactPath(path: unknown, kind: ArtifactPathKind = 'file'): boolean {
  try {
    validateArtifactPath(path, kind);
    return true;
  } catch {
    return false;
  }
}

/**
 * Joins canonical artifact paths (`''` is the root).
 *
 * @example joinArtifactPath('', 'a') // 'a'
 * @example joinArtifactPath('a', 'b/c') // 'a/b/c'
 */
export function joinArtifactPath(...parts: readonly string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

/** The last segment of a canonical artifact path. */
export function artifactBaseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The path, then each percent-decoding of it until it no longer changes. */
function decodings(path: string, original: string): string[] {
  const variants = [path];
  let current = path;
  for (let round = 0; round < MAX_DECODING_ROUNDS; round++) {
    const next = percentDecode(current);
    if (next === current) return variants;
    variants.push(next);
    current = next;
  }
  throw invalidPath('too many levels of percent-encoding', original);
}

/** Python's `urllib.parse.unquote`: `%XX` runs decoded as UTF-8, malformed escapes left alone. */
function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
    Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'),
  );
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

/** Why `path` is unsafe to join below a trusted root, if it is. */
function unsafeIn(path: string): string | undefined {
  if (CONTROL_CHARACTERS.test(path)) return 'NUL and other control characters are not allowed';
  if (path.includes('\\')) return 'backslashes are not allowed';
  if (path.includes('#')) return "'#' is not allowed";
  if (path.startsWith('/')) return 'the path must be relative, not absolute';
  if (/^[A-Za-z]:\//.test(path)) return 'the path must be relative, not on a drive';
  if (path.split('/').includes('..')) return "'..' is not allowed as a path segment";
  return undefined;
}

/** MLflow's "Invalid path" error (INVALID_PARAMETER_VALUE), with the reason and the path (shortened) after it. */
export function invalidPath(reason: string, path: unknown): AgentrackError {
  const shown =
    typeof path === 'string'
      ? JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}...` : path)
      : typeof path;
  return new AgentrackError('INVALID_PARAMETER_VALUE', `Invalid path: ${reason} (${shown}).`);
}

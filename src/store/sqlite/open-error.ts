import { AgentrackError, type ErrorCode } from '../../errors.js';

/** What an operating-system error code means, in words. */
const ERRNO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'it is a folder',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files',
  EIO: 'an input/output error',
  EBUSY: 'the device is busy',
};

/** What a SQLite result code means for opening a database, in words. */
const SQLITE_REASONS: ReadonlyArray<readonly [prefix: string, reason: string]> = [
  [
    'SQLITE_READONLY_DIRECTORY',
    'its folder is not writable, and SQLite needs to create the -wal and -shm files beside a WAL database',
  ],
  ['SQLITE_READONLY', 'the file is read-only'],
  ['SQLITE_CANTOPEN', 'SQLite cannot open the file'],
  ['SQLITE_NOTADB', 'the file is not a SQLite database'],
  ['SQLITE_CORRUPT', 'the database file is corrupt'],
  ['SQLITE_FULL', 'the disk is full'],
  ['SQLITE_IOERR', 'an input/output error'],
  ['SQLITE_PERM', 'permission denied'],
  ['SQLITE_AUTH', 'permission denied'],
  ['SQLITE_BUSY', 'another process holds a lock on the database'],
  ['SQLITE_LOCKED', 'another process holds a lock on the database'],
  ['SQLITE_NOLFS', 'the file is too large for this system'],
];

const PERMISSION_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'SQLITE_PERM', 'SQLITE_AUTH']);
const PATH_CODES = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG', 'ELOOP', 'SQLITE_NOTADB']);

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The SQLite or operating-system error at the bottom of `error` (agentrack wraps SQLite's once). */
function rootCause(error: unknown): unknown {
  if (error instanceof AgentrackError && error.cause !== undefined) return error.cause;
  return error;
}

function errorCodeFor(cause: string | undefined): ErrorCode {
  if (cause === undefined) return 'INTERNAL_ERROR';
  if (PERMISSION_CODES.has(cause) || cause.startsWith('SQLITE_READONLY')) return 'PERMISSION_DENIED';
  if (cause.startsWith('SQLITE_BUSY') || cause.startsWith('SQLITE_LOCKED')) return 'TEMPORARILY_UNAVAILABLE';
  if (PATH_CODES.has(cause)) return 'INVALID_PARAMETER_VALUE';
  return 'INTERNAL_ERROR';
}

/** `error` (from Node's `fs` or from SQLite) in words, with its code: `permission denied (EACCES)`. */
function reasonOf(error: unknown): string {
  const cause = rootCause(error);
  const code = codeOf(cause);
  if (code?.startsWith('SQLITE_')) {
    const reason = SQLITE_REASONS.find(([prefix]) => code.startsWith(prefix))?.[1];
    const message = cause instanceof Error ? cause.message : String(cause);
    return reason ? `${reason} (${code}: ${message})` : `${message} (${code})`;
  }
  if (code !== undefined && ERRNO_REASONS[code]) return `${ERRNO_REASONS[code]} (${code})`;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * The one error for a database that cannot be opened: `cannot open <path>: <what failed>: <why>`.
 * `error` is the failure underneath (a Node `fs` error, a SQLite error, or agentrack's wrapper of
 * one); its code picks the error code: PERMISSION_DENIED for access, INVALID_PARAMETER_VALUE
 * for a path that cannot name a database, TEMPORARILY_UNAVAILABLE for a lock, else INTERNAL_ERROR.
 * An agentrack error in words that already names the path is returned as it is, so wrapping
 * twice does no harm.
 *
 * @example cannotOpen('/proc/x.db', error, 'cannot create the file') // cannot open /proc/x.db: cannot create the file: no such file or folder (ENOENT)
 */
export function cannotOpen(path: string, error: unknown, step?: string): AgentrackError {
  if (error instanceof AgentrackError && codeOf(rootCause(error))?.startsWith('SQLITE_') !== true) {
    // Already in words (a schema check, a lock timeout): say which file it is about, once.
    if (error.message.includes(path)) return error;
    return new AgentrackError(error.code, `cannot open ${path}: ${error.message}`, { cause: error });
  }
  const why = reasonOf(error);
  return new AgentrackError(
    errorCodeFor(codeOf(rootCause(error))),
    `cannot open ${path}: ${step ? `${step}: ` : ''}${why}`,
    { cause: rootCause(error) },
  );
}

/** A database that cannot be opened for a reason given in words (no error underneath). */
export function cannotOpenBecause(path: string, reason: string, code: ErrorCode): AgentrackError {
  return new AgentrackError(code, `cannot open ${path}: ${reason}`);
}

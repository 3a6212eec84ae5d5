import { AgentrackError, isAgentrackError, type ErrorCode } from '../errors.js';

/** File-system failures by errno code: the error code they stand for, and how to say it. */
const FS_ERRORS: Readonly<Record<string, readonly [ErrorCode, string]>> = {
  ENOENT: ['RESOURCE_DOES_NOT_EXIST', 'no such file or folder'],
  EACCES: ['PERMISSION_DENIED', 'permission denied'],
  EPERM: ['PERMISSION_DENIED', 'operation not permitted'],
  EROFS: ['PERMISSION_DENIED', 'read-only file system'],
  ENOSPC: ['RESOURCE_EXHAUSTED', 'no space left on the device'],
  EDQUOT: ['RESOURCE_EXHAUSTED', 'disk quota exceeded'],
  EISDIR: ['INVALID_PARAMETER_VALUE', 'a folder is in the way'],
  ENOTDIR: ['INVALID_PARAMETER_VALUE', 'a file is in the way'],
  EEXIST: ['INVALID_PARAMETER_VALUE', 'a file is in the way'],
  ENAMETOOLONG: ['INVALID_PARAMETER_VALUE', 'a name is too long'],
};

/**
 * A file-system failure as an {@link AgentrackError}: `Could not <action> <what>: <reason>.`,
 * with the error code its errno stands for (INTERNAL_ERROR for any other failure). `what`
 * says what was acted on as the caller may show it (an artifact, not a server's folder).
 * An AgentrackError is returned as it is.
 */
export function fsError(error: unknown, action: string, what: string): AgentrackError {
  if (isAgentrackError(error)) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const known = typeof code === 'string' ? FS_ERRORS[code] : undefined;
  const reason = known
    ? `${known[1]} (${String(code)})`
    : typeof code === 'string' && /^E[A-Z]+$/.test(code)
      ? code
      : String((error as Error | null)?.message ?? error);
  return new AgentrackError(known?.[0] ?? 'INTERNAL_ERROR', `Could not ${action} ${what}: ${reason}.`, {
    cause: error,
  });
}

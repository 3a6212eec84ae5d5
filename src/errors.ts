/**
 * One error class for the whole library, carrying MLflow's `error_code`.
 *
 * Every failure that reaches a caller is an {@link AgentrackError}; guards check
 * `error.code` (a string from {@link ERROR_CODES}) rather than `instanceof`, so errors
 * that crossed a process or HTTP boundary are recognised too.
 */

/** MLflow's error codes (from `databricks.proto`), the ones agentrack raises or maps. */
export const ERROR_CODES = [
  'INTERNAL_ERROR',
  'TEMPORARILY_UNAVAILABLE',
  'BAD_REQUEST',
  'INVALID_PARAMETER_VALUE',
  'ENDPOINT_NOT_FOUND',
  'MALFORMED_REQUEST',
  'INVALID_STATE',
  'PERMISSION_DENIED',
  'UNAUTHENTICATED',
  'CUSTOMER_UNAUTHORIZED',
  'REQUEST_LIMIT_EXCEEDED',
  'RESOURCE_EXHAUSTED',
  'RESOURCE_CONFLICT',
  'ABORTED',
  'CANCELLED',
  'DEADLINE_EXCEEDED',
  'DATA_LOSS',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'NOT_IMPLEMENTED',
  'RESOURCE_ALREADY_EXISTS',
  'RESOURCE_DOES_NOT_EXIST',
] as const;

/** A code from {@link ERROR_CODES}. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** MLflow's HTTP status for each error code; any code not listed is 500. */
const HTTP_STATUS: Partial<Record<ErrorCode, number>> = {
  INTERNAL_ERROR: 500,
  INVALID_STATE: 500,
  DATA_LOSS: 500,
  NOT_IMPLEMENTED: 501,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
  REQUEST_LIMIT_EXCEEDED: 429,
  CANCELLED: 499,
  RESOURCE_EXHAUSTED: 429,
  ABORTED: 409,
  RESOURCE_CONFLICT: 409,
  ALREADY_EXISTS: 409,
  NOT_FOUND: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_DOES_NOT_EXIST: 404,
  PERMISSION_DENIED: 403,
  CUSTOMER_UNAUTHORIZED: 401,
  UNAUTHENTICATED: 401,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_PARAMETER_VALUE: 400,
};

/** The HTTP status MLflow's server answers with for `code`. */
export function httpStatusFor(code: string): number {
  return HTTP_STATUS[code as ErrorCode] ?? 500;
}

/** True when `value` is one of MLflow's error codes known to agentrack. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * The error every agentrack operation throws.
 *
 * @example
 * try { await client.getExperiment('42') }
 * catch (e) { if (isAgentrackError(e) && e.code === 'RESOURCE_DOES_NOT_EXIST') ... }
 */
export class AgentrackError extends Error {
  /** MLflow's error code, e.g. `INVALID_PARAMETER_VALUE`. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentrackError';
    this.code = code;
  }

  /** MLflow's HTTP status for this error's code. */
  get httpStatus(): number {
    return httpStatusFor(this.code);
  }

  /** MLflow's JSON error body: `{"error_code": ..., "message": ...}`. */
  toJSON(): { error_code: ErrorCode; message: string } {
    return { error_code: this.code, message: this.message };
  }
}

/** True when `error` is an agentrack error (optionally with the given code). */
export function isAgentrackError(error: unknown, code?: ErrorCode): error is AgentrackError {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; code?: unknown };
  return e.name === 'AgentrackError' && isErrorCode(e.code) && (code === undefined || e.code === code);
}

/** Shorthand for an INVALID_PARAMETER_VALUE error. */
export function invalidParameter(message: string): AgentrackError {
  return new AgentrackError('INVALID_PARAMETER_VALUE', message);
}

/** Shorthand for a RESOURCE_DOES_NOT_EXIST error. */
export function notFound(message: string): AgentrackError {
  return new AgentrackError('RESOURCE_DOES_NOT_EXIST', message);
}

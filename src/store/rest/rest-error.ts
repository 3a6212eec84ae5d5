import { AgentrackError, isErrorCode, type ErrorCode } from '../../errors.js';

// MLflow's `HTTP_STATUS_TO_ERROR_CODE` (mlflow/exceptions.py): the code a client reports for
// an error response that names no code it knows. Any other status is INTERNAL_ERROR.
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'ENDPOINT_NOT_FOUND',
  409: 'ALREADY_EXISTS',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL_ERROR',
  501: 'NOT_IMPLEMENTED',
  503: 'TEMPORARILY_UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Longest part of a response body quoted in a message. */
const QUOTED_BODY = 500;

/** The error code MLflow's client gives an HTTP status that came without a known error code. */
export function errorCodeForStatus(status: number): ErrorCode {
  return STATUS_CODES[status] ?? 'INTERNAL_ERROR';
}

/**
 * The {@link AgentrackError} for an error response: MLflow's `{"error_code", "message"}` keeps
 * its code and message; an unknown code is mapped by the HTTP status (and named in the
 * message), as MLflow's `RestException` does; a body that is not JSON gives a message with
 * the status and the start of the body.
 *
 * @example restError(404, '{"error_code":"RESOURCE_DOES_NOT_EXIST","message":"No Experiment with id=9 exists"}', 'GET .../experiments/get')
 */
export function restError(status: number, bodyText: string, request: string): AgentrackError {
  const body = parseObject(bodyText);
  if (body) {
    const rawCode = body.error_code;
    const message = messageOf(body) ?? `${request} failed with HTTP ${status}: ${quote(bodyText)}`;
    if (isErrorCode(rawCode)) return new AgentrackError(rawCode, message);
    if (typeof rawCode === 'string' && /^\d{3}$/.test(rawCode)) {
      return new AgentrackError(errorCodeForStatus(Number(rawCode)), message);
    }
    if (typeof rawCode === 'string' && rawCode !== '') {
      return new AgentrackError(errorCodeForStatus(status), `${rawCode}: ${message}`);
    }
    return new AgentrackError(errorCodeForStatus(status), message);
  }
  const shown = bodyText.trim() === '' ? 'an empty body' : `'${quote(bodyText)}'`;
  return new AgentrackError(
    errorCodeForStatus(status),
    `${request} failed with HTTP ${status}; the response body was not MLflow's JSON error: ${shown}`,
  );
}

/** The body as a JSON object, or `undefined` when it is not one. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The error for a successful response whose body is not a JSON object, as MLflow's client reports it. */
export function unreadableResponse(bodyText: string, request: string): AgentrackError {
  return new AgentrackError(
    'INTERNAL_ERROR',
    `${request} succeeded but the response body was not in a valid JSON format: '${quote(bodyText)}'`,
  );
}

function messageOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.message === 'string' && body.message !== '') return body.message;
  const nested = body.error;
  if (typeof nested === 'object' && nested !== null) {
    const m = (nested as Record<string, unknown>).message;
    if (typeof m === 'string' && m !== '') return m;
  }
  if (typeof body.detail === 'string' && body.detail !== '') return body.detail;
  return undefined;
}

function quote(text: string): string {
  const flat = text.trim().replace(/\s+/g, ' ');
  return flat.length > QUOTED_BODY ? `${flat.slice(0, QUOTED_BODY)}...` : flat;
}

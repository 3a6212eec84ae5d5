import { httpStatusFor, isAgentrackError, type ErrorCode } from '../errors.js';
import { MAX_REQUEST_BODY_BYTES } from './wire/json-body.js';

/** MLflow's JSON error body. */
export interface ErrorBody {
  error_code: ErrorCode;
  message: string;
}

/** How the server answers an error: MLflow's status and body, and whether it is worth logging. */
export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  /** `false` for server faults (5xx), which are logged with their stack. */
  expected: boolean;
}

/** The only message a client sees for a fault of the server; the details go to the log. */
export const INTERNAL_ERROR_MESSAGE = 'Internal server error. The server log has the details.';

/**
 * Maps any error thrown while serving a request to MLflow's answer: an agentrack error keeps
 * its code and message with MLflow's status for that code; a body over the limit is a 400
 * INVALID_PARAMETER_VALUE, as MLflow answers input over its limits; another client error
 * of the HTTP layer (a malformed URL, a bad Content-Length) keeps its 4xx status with
 * BAD_REQUEST, MLflow's code for a request refused as malformed; anything else is a 500
 * INTERNAL_ERROR whose message says nothing of the cause.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (isAgentrackError(error)) {
    const status = httpStatusFor(error.code);
    return { status, body: { error_code: error.code, message: error.message }, expected: status < 500 };
  }
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (e?.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return clientError(
      'INVALID_PARAMETER_VALUE',
      `The request body is larger than the server's limit of ${MAX_REQUEST_BODY_BYTES} bytes.`,
    );
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const message = typeof e.message === 'string' ? e.message : 'Bad request.';
    return { status: e.statusCode, body: { error_code: 'BAD_REQUEST', message }, expected: true };
  }
  return {
    status: 500,
    body: { error_code: 'INTERNAL_ERROR', message: INTERNAL_ERROR_MESSAGE },
    expected: false,
  };
}

function clientError(code: ErrorCode, message: string): ErrorResponse {
  return { status: 400, body: { error_code: code, message }, expected: true };
}

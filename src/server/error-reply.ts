import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorResponse, type ErrorBody } from './errors.js';

const JSON_TYPE = 'application/json';

/** Sends MLflow's JSON error body with `status`. */
export function sendError(reply: FastifyReply, status: number, body: ErrorBody): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(JSON.stringify(body));
}

/**
 * Answers 405 for a path served with other methods, in MLflow's JSON, with the `Allow`
 * header listing `allowed`.
 */
export function sendMethodNotAllowed(
  reply: FastifyReply,
  method: string,
  path: string,
  allowed: readonly string[],
): FastifyReply {
  reply.header('allow', allowed.join(', '));
  return sendError(reply, 405, {
    error_code: 'BAD_REQUEST',
    message: `Method ${method} is not allowed for ${path}; it accepts ${allowed.join(', ')}.`,
  });
}

/**
 * A Fastify error handler that answers as MLflow does (see {@link toErrorResponse}) and logs
 * server faults with their stack. Every plugin of the app sets it on its own context, so that
 * each answers in MLflow's shape also when mounted alone.
 */
export function mlflowErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const { status, body, expected } = toErrorResponse(error);
  if (!expected) request.log.error({ err: error }, `${request.method} ${pathOf(request)} failed`);
  return sendError(reply, status, body);
}

/** The request's path, without its query string, as sent (not decoded). */
export function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

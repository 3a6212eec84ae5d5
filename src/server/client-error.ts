import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { ErrorBody, ErrorResponse } from './errors.js';

/**
 * Largest request line and headers together that the server reads, in bytes (Node's
 * `maxHeaderSize`, whose default is 16 KiB). MLflow's server reads a `runs/get` with a
 * 20,000-character `run_id`, which MLflow's client sends twice (as `run_id` and `run_uuid`):
 * about 40 KB of request line. 64 KiB admits that with room for the headers clients and
 * proxies add, and still bounds what one connection makes the server hold; a larger head is
 * answered 431.
 */
export const MAX_REQUEST_HEAD_BYTES = 64 * 1024;

/**
 * MLflow's answer to a request Node's HTTP parser refused before any route saw it: 431 for a
 * request line and headers over {@link MAX_REQUEST_HEAD_BYTES}, 408 for a request not
 * received in time, 400 for anything else that is not valid HTTP/1.1. The statuses are
 * HTTP's; the code is BAD_REQUEST, MLflow's code for a request refused as malformed: no
 * MLflow code stands for 408 or 431, and the ones for limits (REQUEST_LIMIT_EXCEEDED,
 * RESOURCE_EXHAUSTED) mean 429, which MLflow's client retries, resending the same request.
 */
export function parserErrorResponse(error: { code?: unknown; reason?: unknown }): ErrorResponse {
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return refused(
      431,
      `The request line and headers are larger than the server's limit of ${MAX_REQUEST_HEAD_BYTES} bytes.`,
    );
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return refused(408, 'The request was not received in time.');
  }
  const reason =
    typeof error.reason === 'string' && error.reason !== '' ? error.reason : 'not valid HTTP/1.1';
  return refused(400, `Malformed HTTP request: ${reason.charAt(0).toLowerCase()}${reason.slice(1)}.`);
}

/**
 * Fastify's `clientErrorHandler`: answers a request Node's HTTP parser refused with
 * {@link parserErrorResponse}, written on the raw socket, then closes the connection, whose
 * remaining bytes cannot be trusted to start a request.
 */
export function answerClientError(
  this: FastifyInstance,
  error: Error & { code?: string; reason?: unknown },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, body } = parserErrorResponse(error);
  this.log.debug({ err: error }, `refused a request: ${body.message}`);
  if (socket.writable) socket.write(rawResponse(status, body));
  socket.destroy();
}

/**
 * The server's `checkExpectation` listener: answers a request whose `Expect` header asks for
 * anything but `100-continue` (which Node serves) with 417 and BAD_REQUEST in MLflow's shape,
 * where Node would answer with an empty body.
 */
export function answerUnmetExpectation(request: IncomingMessage, response: ServerResponse): void {
  const text = JSON.stringify({
    error_code: 'BAD_REQUEST',
    message: `The server cannot meet the request's expectation '${request.headers.expect ?? ''}'; only 100-continue is supported.`,
  } satisfies ErrorBody);
  response.writeHead(417, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    connection: 'close',
  });
  response.end(text);
}

function refused(status: number, message: string): ErrorResponse {
  return { status, body: { error_code: 'BAD_REQUEST', message }, expected: true };
}

function rawResponse(status: number, body: ErrorBody): string {
  const text = JSON.stringify(body);
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
    'Content-Type: application/json\r\n' +
    `Content-Length: ${Buffer.byteLength(text)}\r\n` +
    'Connection: close\r\n\r\n' +
    text
  );
}

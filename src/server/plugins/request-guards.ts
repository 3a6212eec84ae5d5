import type { FastifyPluginAsync } from 'fastify';
import { answerUnmetExpectation } from '../client-error.js';
import { sendError } from '../error-reply.js';
import { sharedContext } from './shared-context.js';

/**
 * What the HTTP layer refuses before any route answers, in MLflow's error shape: an
 * expectation other than 100-continue (417), an HTTP/1.1 request without Host (400), and a
 * request arriving once the app closes (503 TEMPORARILY_UNAVAILABLE, ending its connection).
 * Shared with the context it is registered in, as its hooks must run for every route.
 */
export const requestGuards: FastifyPluginAsync = sharedContext(async (app) => {
  app.server.on('checkExpectation', answerUnmetExpectation);

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (request, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      sendError(reply, 503, {
        error_code: 'TEMPORARILY_UNAVAILABLE',
        message: 'The server is shutting down; send the request again to a server that is running.',
      });
      return reply;
    }
    // Node would answer a missing Host itself, with an empty body (requireHostHeader: false).
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      sendError(reply, 400, {
        error_code: 'BAD_REQUEST',
        message: 'Malformed HTTP request: an HTTP/1.1 request must have a Host header.',
      });
      return reply;
    }
    return undefined;
  });
}, 'agentrack-request-guards');

import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { HTTP_METHODS } from '../../protocol/endpoint.js';
import { mlflowErrorHandler, pathOf, sendError, sendMethodNotAllowed } from '../error-reply.js';
import { readBodiesAsText } from './text-bodies.js';

/**
 * The app's answer to a request no route takes, in MLflow's JSON: 405 with an `Allow` header
 * when the path is served with other methods (whichever plugin serves it), else 404
 * ENDPOINT_NOT_FOUND. Its not-found handler is the app's (Fastify encapsulates it by prefix,
 * and this plugin has none) but runs in this plugin's context, whose body parsing reads any
 * body as text: a path that is no endpoint never has its body refused.
 */
export const unmatchedRoutes: FastifyPluginAsync = async (app) => {
  readBodiesAsText(app);
  app.setErrorHandler(mlflowErrorHandler);
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const allowed = allowedMethods(app, path);
    if (allowed.length > 0) return sendMethodNotAllowed(reply, request.method, path, allowed);
    return sendError(reply, 404, {
      error_code: 'ENDPOINT_NOT_FOUND',
      message: `No API endpoint ${request.method} ${path}.`,
    });
  });
};

/** The methods a route serves `path` with, HEAD last; none for a path no route serves as such. */
function allowedMethods(app: FastifyInstance, path: string): string[] {
  // The router looks routes up by pattern: a path that would read as one matches nothing here.
  if (/[:*]/.test(path)) return [];
  return [...HTTP_METHODS, 'HEAD' as const].filter((method) => app.hasRoute({ method, url: path }));
}

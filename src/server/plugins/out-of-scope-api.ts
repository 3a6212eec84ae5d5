import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { HTTP_METHODS } from '../../protocol/endpoint.js';
import { mlflowErrorHandler, pathOf, sendError } from '../error-reply.js';
import { OUT_OF_SCOPE_ROOT_PATHS, outOfScopeArea } from '../out-of-scope.js';
import { readBodiesAsText } from './text-bodies.js';

// Every path MLflow serves its APIs under; the routes the app serves are more specific and win.
const FAMILIES = ['/api/*', '/ajax-api/*', ...OUT_OF_SCOPE_ROOT_PATHS];

/**
 * MLflow's API areas agentrack does not implement (webhooks, GraphQL, ...): any method on their paths answers 501 NOT_IMPLEMENTED naming the area (see
 * {@link outOfScopeArea}). Any other path below the API prefixes, and a path an endpoint of
 * the app serves with other methods (`GET logged-models/search`), goes on to the app's
 * not-found handler (404, or 405). Encapsulated.
 */
export const outOfScopeApi: FastifyPluginAsync = async (app) => {
  readBodiesAsText(app);
  app.setErrorHandler(mlflowErrorHandler);
  for (const url of FAMILIES) {
    app.all(url, async (request, reply) => {
      const path = pathOf(request);
      const area = outOfScopeArea(path);
      // The root paths are this plugin's own routes; below the prefixes, another route may serve the path.
      if (!area || (url.endsWith('*') && servedAsRoute(app, path))) return reply.callNotFound();
      return sendError(reply, 501, {
        error_code: 'NOT_IMPLEMENTED',
        message:
          `${request.method} ${path} is part of MLflow's ${area} API, which agentrack does not implement: ` +
          'agentrack serves the tracking API (experiments, runs, metrics, traces) and the model registry.',
      });
    });
  }
};

/** True when a route of the app serves `path` itself, with some method. */
function servedAsRoute(app: FastifyInstance, path: string): boolean {
  // The router looks routes up by pattern: a path that would read as one matches nothing here.
  if (/[:*]/.test(path)) return false;
  return HTTP_METHODS.some((method) => app.hasRoute({ method, url: path }));
}

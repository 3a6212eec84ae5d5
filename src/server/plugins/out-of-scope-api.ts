import type { FastifyPluginAsync } from 'fastify';
import { mlflowErrorHandler, pathOf, sendError } from '../error-reply.js';
import { outOfScopeArea } from '../out-of-scope.js';
import { readBodiesAsText } from './text-bodies.js';

// Every path MLflow serves its APIs under; the routes the app serves are more specific and win.
const FAMILIES = ['/api/*', '/ajax-api/*', '/get-artifact', '/model-versions/get-artifact'];

/**
 * MLflow's API areas agentrack does not implement (model registry, artifacts, tracing, ...):
 * any method on their paths answers 501 NOT_IMPLEMENTED naming the area (see
 * {@link outOfScopeArea}); any other path below the API prefixes goes on to the app's
 * not-found handler. Encapsulated.
 */
export const outOfScopeApi: FastifyPluginAsync = async (app) => {
  readBodiesAsText(app);
  app.setErrorHandler(mlflowErrorHandler);
  for (const url of FAMILIES) {
    app.all(url, async (request, reply) => {
      const path = pathOf(request);
      const area = outOfScopeArea(path);
      if (!area) return reply.callNotFound();
      return sendError(reply, 501, {
        error_code: 'NOT_IMPLEMENTED',
        message:
          `${request.method} ${path} is part of MLflow's ${area} API, which agentrack does not implement: ` +
          'agentrack serves the tracking API (experiments, runs, metrics).',
      });
    });
  }
};

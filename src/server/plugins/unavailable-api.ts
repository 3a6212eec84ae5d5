import type { FastifyPluginAsync } from 'fastify';
import { servedMethods, type HttpMethod } from '../../protocol/endpoint.js';
import { sendError } from '../error-reply.js';
import { refuseOtherMethods, routePattern } from './serve-endpoints.js';

/** Options of {@link unavailableApi}. */
export interface UnavailableApiOptions {
  /** The endpoints (of any table) to answer for, each under each of its prefixes with its methods. */
  endpoints: readonly {
    method: HttpMethod;
    alsoServed?: readonly HttpMethod[];
    path: string;
    prefixes: readonly string[];
  }[];
  /** The message, for the route (in MLflow's notation, e.g. `/api/2.0/mlflow-artifacts/artifacts/<path:artifact_path>`). */
  message: (route: string) => string;
}

/**
 * The endpoints of an API the server is configured not to serve, as MLflow answers them: 503
 * TEMPORARILY_UNAVAILABLE with a message naming the route and why (`--no-serve-artifacts`,
 * `--artifacts-only`), before any body is read (a body still arriving is not read: the
 * connection ends with the answer). The routes are the endpoints' own, so that another method
 * on their paths is still 405. Encapsulated.
 */
export const unavailableApi: FastifyPluginAsync<UnavailableApiOptions> = async (
  app,
  { endpoints, message },
) => {
  for (const endpoint of endpoints) {
    for (const prefix of endpoint.prefixes) {
      const route = prefix + endpoint.path;
      app.route({
        method: servedMethods(endpoint),
        url: prefix + routePattern(endpoint.path),
        onRequest: async (request, reply) => {
          if (!request.raw.complete) reply.header('connection', 'close');
          sendError(reply, 503, { error_code: 'TEMPORARILY_UNAVAILABLE', message: message(route) });
          return reply;
        },
        handler: async () => undefined,
      });
    }
  }
  refuseOtherMethods(app, endpoints);
};

/** MLflow's reason for its artifact endpoints under `--no-serve-artifacts`. */
export function artifactsNotServed(route: string): string {
  return (
    `Endpoint: ${route} disabled due to the server running with \`--no-serve-artifacts\`. ` +
    'To enable artifacts server functionality, run `agentrack server` with `--serve-artifacts`'
  );
}

/** MLflow's reason for its tracking endpoints under `--artifacts-only`. */
export function trackingNotServed(route: string): string {
  return (
    `Endpoint: ${route} disabled due to the server running in \`--artifacts-only\` mode. ` +
    'To enable tracking server functionality, run `agentrack server` without `--artifacts-only`'
  );
}

import type { FastifyPluginAsync } from 'fastify';
import type { Principal } from '../../auth/index.js';
import type { Authenticate } from '../access.js';
import { pathOf, sendError } from '../error-reply.js';
import { sharedContext } from './shared-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who sent the request, as the authentication plugin identified them; unset without it. */
    principal?: Principal;
  }
}

/** Options of {@link authentication}. */
export interface AuthenticationOptions {
  /** Identifies callers; without it every request is served anonymously. */
  authenticate?: Authenticate;
  /** Paths served without credentials, whatever the method (the probes). */
  openPaths?: readonly string[];
}

/**
 * Identifies the sender of every request before anything else reads it, and sets
 * `request.principal`; a request it cannot identify is answered 401 UNAUTHENTICATED with a
 * `WWW-Authenticate` challenge, whether or not a route would serve it. Shared with the context
 * it is registered in: its hook must run for every route, and its decoration is read by the
 * API plugins.
 */
export const authentication: FastifyPluginAsync<AuthenticationOptions> = sharedContext(
  async (app, { authenticate, openPaths = [] }) => {
    app.decorateRequest('principal', undefined);
    if (!authenticate) return;
    const open = new Set(openPaths);
    app.addHook('onRequest', async (request, reply) => {
      if (open.has(pathOf(request))) return;
      const principal = await authenticate(request);
      if (principal) {
        request.principal = principal;
        return;
      }
      reply.header('www-authenticate', 'Basic realm="agentrack"');
      sendError(reply, 401, {
        error_code: 'UNAUTHENTICATED',
        message:
          'Authentication required: send an Authorization header with a Bearer token or Basic credentials.',
      });
      return reply;
    });
  },
  'agentrack-authentication',
);

import type { FastifyPluginAsync } from 'fastify';
import type { Principal } from '../../auth/index.js';
import { claimedUser, type LoginThrottle } from '../../auth/login-throttle.js';
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
  /** Limits failed logins per user and address; without it they are not limited. */
  throttle?: LoginThrottle;
}

/**
 * Identifies the sender of every request before anything else reads it, and sets
 * `request.principal`; a request it cannot identify is answered 401 UNAUTHENTICATED with a
 * `WWW-Authenticate` challenge, whether or not a route would serve it. With a `throttle`, a
 * user and address (or an address) past its failed logins is answered 429
 * REQUEST_LIMIT_EXCEEDED with `Retry-After`, before its credentials are checked. Shared with the context
 * it is registered in: its hook must run for every route, and its decoration is read by the
 * API plugins.
 */
export const authentication: FastifyPluginAsync<AuthenticationOptions> = sharedContext(
  async (app, { authenticate, openPaths = [], throttle }) => {
    app.decorateRequest('principal', undefined);
    if (!authenticate) return;
    const open = new Set(openPaths);
    app.addHook('onRequest', async (request, reply) => {
      if (open.has(pathOf(request))) return;
      const header = request.headers.authorization;
      const user = claimedUser(header);
      const address = request.ip;
      if (throttle && header) {
        const waitMs = throttle.refusedFor(user, address);
        if (waitMs > 0) {
          const seconds = Math.max(1, Math.ceil(waitMs / 1000));
          reply.header('retry-after', String(seconds));
          sendError(reply, 429, {
            error_code: 'REQUEST_LIMIT_EXCEEDED',
            message: `Too many failed logins from this address: try again in ${seconds} s.`,
          });
          return reply;
        }
      }
      const principal = await authenticate(request);
      if (principal) {
        throttle?.succeeded(user, address);
        request.principal = principal;
        return;
      }
      if (header) throttle?.failed(user, address);
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

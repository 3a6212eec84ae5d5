import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/index.js';
import type { AccessTarget } from '../protocol/access-target.js';

export type { AccessTarget } from '../protocol/access-target.js';

/** Everything an authorization hook needs to decide on one request. */
export interface AccessRequest extends AccessTarget {
  /** Who sent it; `undefined` when the app authenticates nobody. */
  principal: Principal | undefined;
  /** The endpoint below the API prefix, e.g. `runs/log-batch`. */
  endpoint: string;
  /** `true` when the endpoint changes data. */
  write: boolean;
  /** The HTTP request, for anything else. */
  request: FastifyRequest;
}

/**
 * Identifies the sender of a request, e.g. from its `Authorization` header. `undefined` means
 * unauthenticated: the app answers 401 UNAUTHENTICATED. Called for every request except
 * `GET /health` and `GET /version`, before its body is read.
 */
export type Authenticate = (request: FastifyRequest) => Promise<Principal | undefined>;

/**
 * Decides whether a request may proceed, once its parameters are read and before the store
 * is called; refuses by throwing an `AgentrackError` (PERMISSION_DENIED gives a 403).
 * Called exactly once per request to a tracking endpoint, reads included (`write: false`).
 */
export type Authorize = (access: AccessRequest) => Promise<void>;

import { verifyPassword, verifyToken } from './passwords.js';
import type { Users } from './users-file.js';

/** Who made a request. */
export interface Principal {
  user: string;
}

/**
 * Authenticates an `Authorization` header as MLflow's clients send it: `Bearer <token>`
 * (MLFLOW_TRACKING_TOKEN) or `Basic <base64 user:password>` (MLFLOW_TRACKING_USERNAME and
 * MLFLOW_TRACKING_PASSWORD). A bearer token is matched against every user's token hash; a
 * Basic password against the named user's password hash. `undefined` when absent or wrong.
 */
export async function authenticate(header: string | undefined, users: Users): Promise<Principal | undefined> {
  if (!header) return undefined;
  const space = header.indexOf(' ');
  if (space < 0) return undefined;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer') {
    for (const entry of users.values()) {
      if (entry.token_sha256 && verifyToken(value, entry.token_sha256)) return { user: entry.user };
    }
    return undefined;
  }
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const entry = users.get(decoded.slice(0, colon));
    const password = decoded.slice(colon + 1);
    if (!entry) return undefined;
    if (entry.password_hash && (await verifyPassword(password, entry.password_hash)))
      return { user: entry.user };
    // MLflow's clients also send a token as a Basic password.
    if (entry.token_sha256 && verifyToken(password, entry.token_sha256)) return { user: entry.user };
    return undefined;
  }
  return undefined;
}

/**
 * Whether `user` may write to the experiment named `experimentName`, as in a workspace:
 * `/Users/<user>/...` only by that user; everything else (`/Shared/...` included) by every
 * authenticated user. Reads are open to every authenticated user.
 */
export function canWrite(user: string, experimentName: string): boolean {
  const match = /^\/Users\/([^/]+)(\/|$)/.exec(experimentName);
  return match === null || match[1] === user;
}

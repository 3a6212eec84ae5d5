import { createHash } from 'node:crypto';
import { invalidParameter } from '../errors.js';

/**
 * Opaque page tokens for keyset pagination.
 *
 * A token carries the sort key of the last item of the page it ends and a fingerprint of
 * the query that produced it. The next page starts strictly after that key, so results
 * created between two calls neither shift the page boundary (no skips, no repeats) as an
 * offset would, and a token replayed against a different query is refused.
 */
interface TokenBody {
  v: 1;
  /** Fingerprint of the query. */
  q: string;
  /** Sort key of the last item returned. */
  k: unknown[];
}

/** A stable fingerprint of the query arguments that define an ordering. */
export function queryFingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** Encodes the token that resumes after `sortKey`. */
export function encodePageToken(fingerprint: string, sortKey: unknown[]): string {
  const body: TokenBody = { v: 1, q: fingerprint, k: sortKey };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decodes a token given back by a caller; `undefined` for no token. */
export function decodePageToken(token: string | undefined, fingerprint: string): unknown[] | undefined {
  if (token === undefined || token === '') return undefined;
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidParameter(`Invalid page token '${shorten(token)}': it is not a token this server issued.`);
  }
  const b = body as Partial<TokenBody> | null;
  if (!b || b.v !== 1 || typeof b.q !== 'string' || !Array.isArray(b.k)) {
    throw invalidParameter(`Invalid page token '${shorten(token)}': it is not a token this server issued.`);
  }
  if (b.q !== fingerprint) {
    throw invalidParameter(
      `Invalid page token: it belongs to a different query (filter, order_by, experiment_ids or view type changed).`,
    );
  }
  return b.k;
}

function shorten(token: string): string {
  return token.length > 40 ? `${token.slice(0, 40)}...` : token;
}

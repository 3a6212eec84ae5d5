import { createHash } from 'node:crypto';

/** How failed logins are limited: see {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Failed attempts of one user from one address before that pair is refused for a while (default 5). */
  maxFailuresPerUser?: number;
  /** Failed attempts from one address, whatever the user, before the address is refused (default 20). */
  maxFailuresPerAddress?: number;
  /** How long failures are remembered, and how long a refusal lasts after the last one, in ms (default 60 000). */
  windowMs?: number;
  /** The most pairs and addresses remembered; the oldest are forgotten first (default 10 000). */
  maxEntries?: number;
  now?: () => number;
}

interface Failures {
  count: number;
  /** When the first failure of the current window was. */
  since: number;
  /** When the latest one was. */
  last: number;
}

/**
 * Counts failed logins per user and address, and per address alone, in a window; once either
 * passes its limit, further attempts are refused until the window has passed since the last
 * failure, without checking the credentials (so a password cannot be guessed faster than the
 * limit, and a refused attempt costs no password hash). A success clears the pair's count.
 * Memory is bounded: the oldest entries are dropped past `maxEntries`.
 *
 * @example
 * const throttle = new LoginThrottle();
 * const wait = throttle.refusedFor('alice', '10.0.0.7'); // ms to wait, or 0
 * throttle.failed('alice', '10.0.0.7');
 */
export class LoginThrottle {
  readonly #maxPerUser: number;
  readonly #maxPerAddress: number;
  readonly #windowMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  /** Keyed by `address` alone, and by `address` + NUL + `user`; insertion order is age order. */
  readonly #failures = new Map<string, Failures>();

  constructor(options: LoginThrottleOptions = {}) {
    this.#maxPerUser = options.maxFailuresPerUser ?? 5;
    this.#maxPerAddress = options.maxFailuresPerAddress ?? 20;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** How long (ms) attempts of `user` from `address` are still refused; 0 when they may go on. */
  refusedFor(user: string, address: string): number {
    const now = this.#now();
    const waits = [
      this.#wait(pairKey(user, address), this.#maxPerUser, now),
      this.#wait(address, this.#maxPerAddress, now),
    ];
    return Math.max(...waits);
  }

  /** Records a failed attempt of `user` (see {@link claimedUser}) from `address`. */
  failed(user: string, address: string): void {
    const now = this.#now();
    this.#count(pairKey(user, address), now);
    this.#count(address, now);
  }

  /** Records a successful login: the pair starts over (the address's count stays). */
  succeeded(user: string, address: string): void {
    this.#failures.delete(pairKey(user, address));
  }

  #wait(key: string, limit: number, now: number): number {
    const entry = this.#failures.get(key);
    if (!entry) return 0;
    if (now - entry.last >= this.#windowMs) {
      this.#failures.delete(key);
      return 0;
    }
    return entry.count >= limit ? this.#windowMs - (now - entry.last) : 0;
  }

  #count(key: string, now: number): void {
    const entry = this.#failures.get(key);
    const fresh = !entry || now - entry.last >= this.#windowMs;
    this.#failures.delete(key);
    this.#failures.set(
      key,
      fresh ? { count: 1, since: now, last: now } : { ...entry, count: entry.count + 1, last: now },
    );
    while (this.#failures.size > this.#maxEntries) {
      const oldest = this.#failures.keys().next().value as string;
      this.#failures.delete(oldest);
    }
  }
}

function pairKey(user: string, address: string): string {
  return `${address}\u0000${user}`;
}

/**
 * Whom an `Authorization` header claims to be, as the throttle counts it: the user a Basic
 * header names, or for a bearer token a fingerprint of the token (so one wrong token, retried,
 * blocks itself and not the valid tokens sent from the same address; guessing many tokens is
 * what the per-address limit stops). '' for anything else.
 */
export function claimedUser(header: string | undefined): string {
  if (header && /^bearer\s/i.test(header)) {
    const token = header.slice(header.indexOf(' ') + 1).trim();
    return `token:${createHash('sha256').update(token).digest('hex').slice(0, 16)}`;
  }
  if (!header || !/^basic\s/i.test(header)) return '';
  const decoded = Buffer.from(header.slice(header.indexOf(' ') + 1).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? '' : decoded.slice(0, colon);
}

/** How long to wait between attempts of a request. */
export interface BackoffSettings {
  /** Wait before the first retry; it doubles with each further retry. */
  backoffFactorMs: number;
  /** Up to this much random time is added to each wait, so that clients do not retry in step. */
  backoffJitterMs: number;
  /** Longest wait, also for a server's `Retry-After`. */
  backoffMaxMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first): `factor * 2^(retry - 1)` capped at
 * the maximum, plus jitter; or the server's `Retry-After` (capped the same way) when it sent one.
 *
 * @example retryDelayMs(3, { backoffFactorMs: 2000, backoffJitterMs: 0, backoffMaxMs: 120_000 }) // 8000
 */
export function retryDelayMs(
  retry: number,
  settings: BackoffSettings,
  retryAfterMs?: number,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), settings.backoffMaxMs);
  const exponential = Math.min(settings.backoffFactorMs * 2 ** Math.max(0, retry - 1), settings.backoffMaxMs);
  return exponential + random() * settings.backoffJitterMs;
}

/**
 * A `Retry-After` header in milliseconds: delay seconds or an HTTP date; `undefined` when
 * absent or unreadable.
 *
 * @example parseRetryAfter('3') // 3000
 */
export function parseRetryAfter(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its month; V8 would read bare numbers such as '1.5' as dates too.
  const date = /[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * What the HTTP client tells its `onRetry` hook before it waits to repeat a request.
 *
 * @example
 * { kind: 'unreachable', reason: 'connection refused', code: 'ECONNREFUSED', baseUrl: 'http://127.0.0.1:5098',
 *   request: 'GET experiments/get-by-name', retry: 2, maxRetries: 4, delayMs: 1000 }
 */
export interface RetryNotice {
  /**
   * What failed: `unreachable`, no connection could be made (the request was never sent);
   * `status`, the server answered with an error status; `timeout`, no complete answer in
   * time; `transport`, the connection broke during the exchange.
   */
  kind: 'unreachable' | 'status' | 'timeout' | 'transport';
  /**
   * What happened, in a few words: `connection refused`, `HTTP 503`, `no answer within 120 s`;
   * for `transport`, the network error's message, e.g. `other side closed`.
   */
  reason: string;
  /** The network error's code for `unreachable`, e.g. `ECONNREFUSED`. */
  code?: string;
  /** The HTTP status for `status`. */
  status?: number;
  /** The server's base URL, without credentials. */
  baseUrl: string;
  /** The method and endpoint, e.g. `POST runs/search`. */
  request: string;
  /** The retry about to be made: 1 for the first, so also the number of attempts that failed. */
  retry: number;
  /** The most retries this kind of failure gets. */
  maxRetries: number;
  /** The wait before the retry, in milliseconds. */
  delayMs: number;
}

/**
 * A retry notice as one line, without a trailing newline.
 *
 * @example formatRetryNotice(notice) // 'connection refused by http://127.0.0.1:5098, retry 2/4 in 1.0 s'
 */
export function formatRetryNotice(notice: RetryNotice): string {
  return `${what(notice)}, retry ${notice.retry}/${notice.maxRetries} in ${(notice.delayMs / 1000).toFixed(1)} s`;
}

function what({ kind, reason, code, baseUrl }: RetryNotice): string {
  switch (kind) {
    case 'unreachable':
      return code === 'ECONNREFUSED' ? `${reason} by ${baseUrl}` : `cannot connect to ${baseUrl} (${reason})`;
    case 'status':
    case 'timeout':
      return `${reason} from ${baseUrl}`;
    case 'transport':
      return `connection to ${baseUrl} lost (${reason})`;
  }
}

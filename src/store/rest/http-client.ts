import { setMaxListeners } from 'node:events';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { AgentrackError, isAgentrackError } from '../../errors.js';
import { toMlflowJson } from '../../entities/index.js';
import { MLFLOW_API_2, type HttpMethod, type RawBody } from '../../protocol/endpoint.js';
import { parseObject, restError, unreadableResponse } from './rest-error.js';
import { parseRetryAfter, retryDelayMs, type BackoffSettings } from './retry-delay.js';
import type { RetryNotice } from './retry-notice.js';
import { streamingRequest } from './streaming-request.js';

/** Where MLflow's REST API 2.0 lives below a server's base URL. */
export const API_PREFIX: string = MLFLOW_API_2[0];

/** Retries of a connection that could not be made; see {@link HttpClientOptions.connectRetry}. */
export interface ConnectRetrySettings {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Wait before the first retry; it doubles with each further retry (up to `backoffMaxMs`). */
  backoffFactorMs: number;
  /** Up to this much random time is added to each wait. */
  backoffJitterMs: number;
}

/** Settings of an {@link HttpClient}. */
export interface HttpClientOptions extends BackoffSettings {
  /** The server's base URL, without credentials or trailing slash: `http://127.0.0.1:5000`. */
  baseUrl: string;
  /** The `Authorization` header value, if any. */
  authorization?: string;
  /** Extra headers sent with every request. */
  headers?: Readonly<Record<string, string>>;
  /** Time allowed for one attempt, from sending to the end of the response body. */
  timeoutMs: number;
  /** Retries after the first attempt, for failures that allow one. */
  maxRetries: number;
  /** Wait as long as a 429 or 503 response's `Retry-After` says (capped at `backoffMaxMs`). */
  respectRetryAfter: boolean;
  /** The fetch implementation; Node's global `fetch` by default. */
  fetch?: typeof fetch;
  /**
   * Retries for a connection that could not be made at all (refused, host or network
   * unreachable): the request never reached a server, so it is repeated even when not
   * idempotent, but nobody may be there to answer, so a short budget fits. Without it, such
   * failures get `maxRetries` and the backoff settings like every other.
   */
  connectRetry?: ConnectRetrySettings;
  /**
   * Called before each wait for a retry. Nothing is printed without it. An exception it
   * throws ends the call with that exception.
   */
  onRetry?: (notice: RetryNotice) => void;
  /** Random numbers in [0, 1) for the jitter. */
  random?: () => number;
  /** Waits `ms` milliseconds, rejecting when `signal` aborts; a timer by default. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** A clock in milliseconds, for the time spent retrying; `performance.now` by default. */
  now?: () => number;
}

/** One call of an MLflow REST endpoint. */
export interface RestCall {
  /** GET (or a call with a raw `body`) sends the parameters as the query string, any other method as a JSON body. */
  method: HttpMethod;
  /** Where the API lives below the server's base URL; default {@link API_PREFIX}. */
  prefix?: string;
  /** The endpoint below the prefix, e.g. `experiments/get`, its path parameters filled in and encoded. */
  endpoint: string;
  /** Query parameters of a GET, JSON body of other methods; `undefined` members are left out. */
  params: Readonly<Record<string, unknown>>;
  /**
   * Raw bytes to send as the body, streamed (with `Content-Length` when its size is known), the
   * parameters then going in the query string. Such a call is repeated only when no byte of
   * the body was read: a stream cannot be sent twice. When the body fails, the call fails
   * with the body's error.
   */
  body?: RawBody;
  /**
   * True when repeating the call after a failure cannot change its outcome: it is then retried
   * on 408, 429 and 5xx answers, lost connections and timeouts. Other calls are retried only
   * when the server certainly did not act on them (connection refused, 408, 429).
   */
  idempotent: boolean;
}

// MLflow's `_TRANSIENT_FAILURE_RESPONSE_CODES`.
const RETRY_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);
// Answers that say the request was not acted on.
const UNPROCESSED_STATUSES: ReadonlySet<number> = new Set([408, 429]);
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503]);
// Network errors raised before any byte of the request reached a server, in a few words.
const UNSENT_CODES: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['EADDRNOTAVAIL', 'address not available'],
  ['EAI_AGAIN', 'host name lookup failed for now'],
  ['UND_ERR_CONNECT_TIMEOUT', 'connection timed out'],
]);

const TIMED_OUT = Symbol('timed out');
const CLOSED = Symbol('closed');

/** An answer read as JSON, with its headers. */
export interface JsonAnswer {
  /** The JSON object (`{}` for an empty body). */
  body: Record<string, unknown>;
  headers: Headers;
}

/** An answer whose body is streamed to the caller. */
export interface StreamAnswer {
  /**
   * The body. Read it to the end or destroy it: until then the connection stays busy. It fails
   * with TEMPORARILY_UNAVAILABLE when the connection breaks, DEADLINE_EXCEEDED when nothing
   * arrives for the timeout, CANCELLED when the client closes.
   */
  body: Readable;
  headers: Headers;
}

type AnswerKind = 'json' | 'stream';
type Answer<K extends AnswerKind> = K extends 'json' ? JsonAnswer : StreamAnswer;

type Failure =
  | { kind: 'status'; status: number; error: AgentrackError; retryAfterMs?: number }
  | { kind: 'unsent'; detail: string; code: string; reason: string }
  | { kind: 'permanent'; detail: string; code: string }
  | { kind: 'transport'; detail: string }
  | { kind: 'timeout' };

/**
 * Calls MLflow REST endpoints with `fetch`: JSON in and out (NaN and ±Infinity as MLflow's
 * strings), MLflow's error bodies turned into {@link AgentrackError}s, retries with exponential
 * backoff and jitter, a timeout per attempt, and {@link HttpClient.close} aborting every
 * request in flight.
 */
export class HttpClient {
  /** The server's base URL. */
  readonly baseUrl: string;
  readonly #options: HttpClientOptions;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #now: () => number;
  readonly #headers: Record<string, string>;
  readonly #closing = new AbortController();

  constructor(options: HttpClientOptions) {
    this.#options = Object.freeze({ ...options });
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#sleep = options.sleep ?? ((ms, signal) => sleep(ms, undefined, { signal }));
    this.#now = options.now ?? (() => performance.now());
    // Every request in flight listens for close(); many at once are normal, not a leak.
    setMaxListeners(0, this.#closing.signal);
    this.#headers = {
      'User-Agent': 'agentrack',
      ...options.headers,
      ...(options.authorization ? { Authorization: options.authorization } : {}),
    };
  }

  /** True once {@link HttpClient.close} was called. */
  get closed(): boolean {
    return this.#closing.signal.aborted;
  }

  /** Throws INVALID_STATE once the client is closed. */
  assertOpen(): void {
    if (this.closed) throw new AgentrackError('INVALID_STATE', 'The tracking store is closed.');
  }

  /** Calls an endpoint and returns its JSON object (`{}` for an empty body). */
  async call(call: RestCall): Promise<Record<string, unknown>> {
    return (await this.exchange(call, 'json')).body;
  }

  /**
   * Calls an endpoint and returns its answer: the JSON object and the headers (`'json'`), or
   * the headers and the body as a stream (`'stream'`), once the headers arrived. Failures
   * before then are retried as for {@link HttpClient.call}.
   */
  async exchange<K extends AnswerKind>(call: RestCall, kind: K): Promise<Answer<K>> {
    this.assertOpen();
    const { url, init } = this.#request(call);
    const label = `${call.method} ${url}`;
    const started = this.#now();
    const body = call.body ? new OutgoingBody(call.body.stream) : undefined;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.#attempt(url, init, label, kind, body);
      if ('answer' in outcome) return outcome.answer as Answer<K>;
      const failure = outcome.failure;
      const budget = this.#budget(failure);
      const repeatable = body === undefined || !body.started;
      if (attempt > budget.maxRetries || !repeatable || !retryable(failure, call.idempotent)) {
        body?.source.destroy();
        throw this.#error(failure, label, attempt, call.idempotent, this.#now() - started);
      }
      const wait = retryDelayMs(
        attempt,
        budget,
        failure.kind === 'status' ? failure.retryAfterMs : undefined,
        this.#options.random,
      );
      this.#options.onRetry?.({
        ...describeFailure(failure, this.#options.timeoutMs),
        baseUrl: this.baseUrl,
        request: `${call.method} ${call.endpoint}`,
        retry: attempt,
        maxRetries: budget.maxRetries,
        delayMs: wait,
      });
      if (this.closed) throw cancelled(label);
      try {
        await this.#sleep(wait, this.#closing.signal);
      } catch {
        body?.source.destroy();
        throw cancelled(label);
      }
    }
  }

  /** Closes the client: requests in flight and waiting retries fail with CANCELLED, later calls with INVALID_STATE. */
  close(): void {
    this.#closing.abort(CLOSED);
  }

  /** The retries and waits a failure gets: the short connect budget for a connection never made. */
  #budget(failure: Failure): BackoffSettings & { maxRetries: number } {
    const connect = this.#options.connectRetry;
    if (failure.kind === 'unsent' && connect) return { ...connect, backoffMaxMs: this.#options.backoffMaxMs };
    return this.#options;
  }

  #request(call: RestCall): { url: string; init: RequestInit } {
    const entries = Object.entries(call.params).filter(([, v]) => v !== undefined);
    let url = `${this.baseUrl}${call.prefix ?? API_PREFIX}${call.endpoint}`;
    if (call.method === 'GET' || call.body) {
      const query = new URLSearchParams();
      for (const [key, value] of entries) {
        for (const item of Array.isArray(value) ? value : [value]) query.append(key, String(item));
      }
      const text = query.toString();
      if (text !== '') url += `?${text}`;
    }
    if (call.body) {
      const { size, contentType } = call.body;
      const headers: Record<string, string> = { ...this.#headers };
      if (size !== undefined) headers['Content-Length'] = String(size);
      if (contentType !== undefined) headers['Content-Type'] = contentType;
      return { url, init: { method: call.method, headers } };
    }
    if (call.method === 'GET') return { url, init: { method: 'GET', headers: this.#headers } };
    return {
      url,
      init: {
        method: call.method,
        headers: { ...this.#headers, 'Content-Type': 'application/json' },
        body: toMlflowJson(Object.fromEntries(entries)),
      },
    };
  }

  /**
   * One attempt. The timeout runs from sending until the answer is read; while a body streams
   * (up or down) it counts from the last chunk that moved, so that a large transfer is timed
   * out only when it stalls.
   */
  async #attempt(
    url: string,
    init: RequestInit,
    label: string,
    kind: AnswerKind,
    body: OutgoingBody | undefined,
  ): Promise<{ answer: JsonAnswer | StreamAnswer } | { failure: Failure }> {
    const controller = new AbortController();
    const timeoutMs = this.#options.timeoutMs;
    let timer = setTimeout(() => controller.abort(TIMED_OUT), timeoutMs);
    const rearm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(TIMED_OUT), timeoutMs);
    };
    const onClose = () => controller.abort(CLOSED);
    this.#closing.signal.addEventListener('abort', onClose, { once: true });
    const release = () => {
      clearTimeout(timer);
      this.#closing.signal.removeEventListener('abort', onClose);
    };
    let streaming = false;
    body?.onProgress(rearm);
    try {
      const signal = controller.signal;
      // A streamed body goes over node:http unless a fetch of the caller's own is given: Node's fetch holds it all.
      const response =
        body && !this.#options.fetch
          ? await streamingRequest(url, {
              method: init.method ?? 'PUT',
              headers: init.headers as Record<string, string>,
              body: body.open(),
              signal,
            })
          : await this.#fetch(url, {
              ...init,
              ...(body ? { body: body.open(), duplex: 'half' } : {}),
              signal,
            });
      if (response.ok && kind === 'stream') {
        streaming = true;
        return {
          answer: {
            headers: response.headers,
            body: this.#streamBody(response, label, controller, rearm, release),
          },
        };
      }
      const text = await response.text();
      if (response.ok) {
        if (text.trim() === '') return { answer: { body: {}, headers: response.headers } };
        const parsed = parseObject(text);
        if (!parsed) throw unreadableResponse(text, label);
        return { answer: { body: parsed, headers: response.headers } };
      }
      const failure: Failure = {
        kind: 'status',
        status: response.status,
        error: restError(response.status, text, label),
      };
      if (this.#options.respectRetryAfter && RETRY_AFTER_STATUSES.has(response.status)) {
        const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
        if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
      }
      return { failure };
    } catch (error) {
      // The body's own failure (a short body, a broken source) is the call's, whatever fetch says.
      if (body?.error !== undefined) throw bodyFailure(body.error, label);
      if (controller.signal.aborted) {
        if (controller.signal.reason === TIMED_OUT) return { failure: { kind: 'timeout' } };
        throw cancelled(label);
      }
      if (error instanceof AgentrackError) throw error;
      return { failure: networkFailure(error) };
    } finally {
      if (!streaming) release();
    }
  }

  /** The body of a streamed answer as a Node stream that rearms the timeout per chunk and reports failures as agentrack errors. */
  #streamBody(
    response: Response,
    label: string,
    controller: AbortController,
    rearm: () => void,
    release: () => void,
  ): Readable {
    const timeoutMs = this.#options.timeoutMs;
    const source = response.body
      ? Readable.fromWeb(response.body as WebReadableStream<Uint8Array>)
      : Readable.from([]);
    const output = new Transform({
      transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
        rearm();
        callback(null, chunk);
      },
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      release();
    };
    source.on('error', (error: unknown) => {
      finish();
      const reason = controller.signal.reason;
      output.destroy(
        reason === TIMED_OUT
          ? new AgentrackError('DEADLINE_EXCEEDED', `${label}: no data arrived for ${timeoutMs / 1000} s.`)
          : reason === CLOSED
            ? cancelled(label)
            : new AgentrackError(
                'TEMPORARILY_UNAVAILABLE',
                `${label} broke off while reading the answer: ${describeError(error, errorCode(error))}.`,
                { cause: error },
              ),
      );
    });
    source.on('end', finish);
    // The reader gave up: stop the transfer and free the connection.
    output.on('close', () => {
      if (!source.readableEnded) {
        source.destroy();
        controller.abort(CLOSED);
      }
      finish();
    });
    source.pipe(output);
    return output;
  }

  #error(
    failure: Failure,
    label: string,
    attempts: number,
    idempotent: boolean,
    elapsedMs: number,
  ): AgentrackError {
    const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
    const mayHaveApplied = idempotent
      ? ''
      : ' The server may have applied it: it is not repeated automatically, as a repeat could apply it twice.';
    switch (failure.kind) {
      case 'status':
        return failure.error;
      case 'timeout':
        return new AgentrackError(
          'DEADLINE_EXCEEDED',
          `${label} timed out after ${this.#options.timeoutMs / 1000} s${tries}.${mayHaveApplied} To wait ` +
            `longer, set MLFLOW_HTTP_REQUEST_TIMEOUT (seconds) or the timeoutMs option.`,
        );
      case 'unsent': {
        const detail = failure.detail === failure.code ? '' : ` (${failure.detail})`;
        const retries = attempts - 1;
        const gaveUp =
          retries > 0
            ? `; gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'} in ${(elapsedMs / 1000).toFixed(1)} s`
            : '';
        const hint = this.#options.connectRetry
          ? ' To retry for longer, set MLFLOW_HTTP_REQUEST_MAX_RETRIES or the maxRetries option.'
          : '';
        return new AgentrackError(
          'TEMPORARILY_UNAVAILABLE',
          `Cannot reach ${this.baseUrl}: ${failure.reason}${detail}${gaveUp}.${retries > 0 ? hint : ''}`,
        );
      }
      case 'permanent':
        return new AgentrackError(
          'TEMPORARILY_UNAVAILABLE',
          failure.code === 'ENOTFOUND'
            ? `Could not resolve the host of the tracking server ${this.baseUrl}: ${failure.detail}.`
            : `Could not open a secure connection to the tracking server ${this.baseUrl}: ${failure.detail}. ` +
                `For a private certificate authority, start Node with NODE_EXTRA_CA_CERTS=<ca.pem>.`,
        );
      case 'transport':
        return new AgentrackError(
          'TEMPORARILY_UNAVAILABLE',
          `${label} failed: ${failure.detail}${tries}.${mayHaveApplied}`,
        );
    }
  }
}

function retryable(failure: Failure, idempotent: boolean): boolean {
  switch (failure.kind) {
    case 'status':
      return idempotent ? RETRY_STATUSES.has(failure.status) : UNPROCESSED_STATUSES.has(failure.status);
    case 'unsent':
      return true;
    case 'permanent':
      return false;
    case 'transport':
    case 'timeout':
      return idempotent;
  }
}

function networkFailure(error: unknown): Failure {
  const code = errorCode(error);
  const detail = describeError(error, code);
  if (code === 'ENOTFOUND' || (code !== undefined && /CERT|^ERR_TLS|^ERR_SSL|SIGNATURE/.test(code))) {
    return { kind: 'permanent', detail, code };
  }
  const reason = code === undefined ? undefined : UNSENT_CODES.get(code);
  if (code !== undefined && reason !== undefined) return { kind: 'unsent', detail, code, reason };
  return { kind: 'transport', detail };
}

/** What a retry notice says about a failure. */
function describeFailure(
  failure: Failure,
  timeoutMs: number,
): Pick<RetryNotice, 'kind' | 'reason' | 'code' | 'status'> {
  switch (failure.kind) {
    case 'status':
      return { kind: 'status', reason: `HTTP ${failure.status}`, status: failure.status };
    case 'unsent':
      return { kind: 'unreachable', reason: failure.reason, code: failure.code };
    case 'timeout':
      return { kind: 'timeout', reason: `no answer within ${timeoutMs / 1000} s` };
    case 'transport':
    case 'permanent':
      return { kind: 'transport', reason: failure.detail };
  }
}

/** The `code` of an error or of the errors that caused it (fetch wraps the socket's error). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    current = cause;
  }
  return undefined;
}

/** The most specific message of an error chain: `connect ECONNREFUSED 127.0.0.1:5000`. */
function describeError(error: unknown, code: string | undefined): string {
  let message = error instanceof Error ? error.message : String(error);
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message === 'fetch failed' && code !== undefined ? code : message;
}

/** The error of a call whose body failed: the body's own agentrack error, or INTERNAL_ERROR saying why. */
function bodyFailure(error: unknown, label: string): AgentrackError {
  if (isAgentrackError(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new AgentrackError('INTERNAL_ERROR', `${label} failed: its body could not be read: ${reason}`, {
    cause: error,
  });
}

function cancelled(label: string): AgentrackError {
  return new AgentrackError('CANCELLED', `${label} was cancelled: the tracking store was closed.`);
}

/**
 * A raw request body, handed to fetch once per attempt: it says whether any of it was read
 * (after which the call cannot be repeated), reports each chunk that moves, and keeps the
 * error the source failed with.
 */
class OutgoingBody {
  readonly source: Readable;
  started = false;
  error: unknown;
  #progress: (() => void) | undefined;

  constructor(source: Readable) {
    this.source = source;
  }

  onProgress(listener: () => void): void {
    this.#progress = listener;
  }

  /** The body for one attempt: nothing of the source is read until fetch pulls the first chunk. */
  open(): AsyncIterable<Uint8Array> {
    return { [Symbol.asyncIterator]: () => this.#chunks() };
  }

  async *#chunks(): AsyncGenerator<Uint8Array> {
    this.started = true;
    try {
      for await (const chunk of this.source as AsyncIterable<Buffer | string>) {
        this.#progress?.();
        yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      }
    } catch (error) {
      this.error = error ?? new Error('the body failed');
      throw error;
    }
  }
}

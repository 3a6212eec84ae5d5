import type { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';

/** One HTTP request autocannon sends, optionally rebuilt before every send. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called before every send: the path or body that replace this request's. */
  vary?: () => { path?: string; body?: string };
}

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /**
   * Origin of the server, `http://host:port`; or several servers' origins, the connections
   * spread over them round-robin (connection `i` to `url[i % url.length]`).
   */
  url: string | readonly string[];
  connections: number;
  seconds: number;
  request: LoadRequest;
  /** A 2xx response whose body fails this counts as a mismatch. */
  verifyBody?: (body: string) => boolean;
}

/** Figures of one {@link runLoad}; latencies in ms, of 2xx responses only. */
export interface LoadResult {
  connections: number;
  seconds: number;
  ok: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Non-2xx responses plus socket errors (timeouts included). */
  errors: number;
  non2xx: number;
  socketErrors: number;
  mismatches: number;
  /** Connections that got at least one answer; fewer than `connections` means some waited the whole run. */
  answeredConnections: number;
  /** The slowest first answer on a connection: it includes waiting for the server to accept it. */
  slowestFirstAnswer: number;
  /** p99 of the answers after each connection's first one. */
  p99AfterFirst: number;
  statusCodes: Record<string, number>;
  /** The body of the first non-2xx response, to say what went wrong. */
  firstErrorBody?: string;
}

/** The subset of autocannon's programmatic API used here (it ships no types). */
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest, context: object) => AutocannonRequest;
  onResponse?: (status: number, body: string) => void;
}

interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  mismatches: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonInstance extends EventEmitter, PromiseLike<AutocannonResult> {}

type Autocannon = (options: {
  url: string | string[];
  connections: number;
  duration: number;
  timeout: number;
  requests: AutocannonRequest[];
  verifyBody?: (body: string) => boolean;
}) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
const REQUEST_TIMEOUT_SECONDS = 30;

/** The `p`-th percentile (nearest rank) of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/**
 * Drives `connections` keep-alive connections, each sending `request` back to back, for
 * `seconds` (to one server, or spread over several, all measured together). Latencies come from autocannon's per-response timings (sub-millisecond), not
 * from its histogram, which rounds to whole milliseconds.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { request } = options;
  let firstErrorBody: string | undefined;
  const { vary } = request;
  const instance = autocannon({
    url: typeof options.url === 'string' ? options.url : [...options.url],
    connections: options.connections,
    duration: options.seconds,
    timeout: REQUEST_TIMEOUT_SECONDS,
    requests: [
      {
        method: request.method,
        path: request.path,
        ...(request.headers ? { headers: request.headers } : {}),
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(vary ? { setupRequest: (built: AutocannonRequest) => ({ ...built, ...vary() }) } : {}),
        onResponse: (status: number, body: string) => {
          if ((status < 200 || status > 299) && firstErrorBody === undefined) firstErrorBody = body;
        },
      },
    ],
    ...(options.verifyBody ? { verifyBody: options.verifyBody } : {}),
  });
  const latencies: number[] = [];
  const afterFirst: number[] = [];
  const answered = new Set<unknown>();
  let slowestFirstAnswer = 0;
  instance.on('response', (client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    const first = !answered.has(client);
    if (first) {
      answered.add(client);
      slowestFirstAnswer = Math.max(slowestFirstAnswer, responseTime);
    }
    if (statusCode < 200 || statusCode > 299) return;
    latencies.push(responseTime);
    if (!first) afterFirst.push(responseTime);
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  afterFirst.sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats)) statusCodes[code] = count;
  return {
    connections: options.connections,
    seconds: result.duration,
    ok: latencies.length,
    perSecond: latencies.length / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: result.non2xx + result.errors,
    non2xx: result.non2xx,
    socketErrors: result.errors,
    mismatches: result.mismatches,
    answeredConnections: answered.size,
    slowestFirstAnswer,
    p99AfterFirst: percentile(afterFirst, 99),
    statusCodes,
    ...(firstErrorBody !== undefined ? { firstErrorBody } : {}),
  };
}

import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the stub received. */
export interface StubRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** The raw query string, without `?`. */
  search: string;
  /** Query parameters, as the recordings hold them. */
  query: Record<string, string>;
  /** The raw body. */
  text: string;
  /** The body as JSON (`null` when empty or not JSON). */
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** What the stub answers: a JSON body (or raw text), a status, headers; or no answer at all. */
export interface StubReply {
  status?: number;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
  /** Close the connection without answering. */
  drop?: boolean;
}

/** A local HTTP server on 127.0.0.1 that records requests and answers from a script. */
export interface StubServer {
  url: string;
  port: number;
  requests: StubRequest[];
  /** Queues replies, used one per request in order; once empty, `fallback` answers. */
  reply(...replies: StubReply[]): void;
  /** The answer when no reply is queued (default: 200 `{}`). */
  fallback: (request: StubRequest) => StubReply;
  /** Stops listening (the port then refuses connections) and drops open connections. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
}

/** Starts a stub server on a random port of 127.0.0.1. */
export async function startStubServer(port = 0): Promise<StubServer> {
  const queue: StubReply[] = [];
  let server: Server;
  const stub: StubServer = {
    url: '',
    port: 0,
    requests: [],
    reply: (...replies) => queue.push(...replies),
    fallback: () => ({ status: 200, body: {} }),
    stop: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
    restart: async () => {
      server = listen();
      server.listen(stub.port, '127.0.0.1');
      await once(server, 'listening');
    },
  };
  const listen = () =>
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://stub');
        const request: StubRequest = {
          method: req.method ?? '',
          path: url.pathname,
          search: url.search.replace(/^\?/, ''),
          query: Object.fromEntries(url.searchParams),
          text,
          body: parse(text),
          headers: req.headers,
        };
        stub.requests.push(request);
        void answer(res, queue.shift() ?? stub.fallback(request));
      });
    });
  server = listen();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  stub.port = (server.address() as AddressInfo).port;
  stub.url = `http://127.0.0.1:${stub.port}`;
  return stub;
}

async function answer(res: ServerResponse, reply: StubReply): Promise<void> {
  if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
  if (reply.hang) return;
  if (reply.drop) {
    res.socket?.destroy();
    return;
  }
  const body =
    reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status ?? 200, {
    ...(typeof reply.body === 'string' ? {} : { 'Content-Type': 'application/json' }),
    ...reply.headers,
  });
  res.end(body);
}

function parse(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

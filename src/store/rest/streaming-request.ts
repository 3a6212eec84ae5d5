import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/** What {@link streamingRequest} sends: a method, headers, a body streamed from an async iterable, an abort signal. */
export interface StreamingRequestInit {
  method: string;
  headers: Readonly<Record<string, string>>;
  body: AsyncIterable<Uint8Array>;
  signal: AbortSignal;
}

/**
 * `fetch` for a request whose body streams, over `node:http` / `node:https`: Node's `fetch`
 * keeps every chunk of a streamed request body until the request ends (a 1 GiB upload holds
 * 1 GiB), where a plain request holds only what the socket has not taken yet. The body is
 * read once a connection is made, and written as fast as the connection takes it; an answer
 * that comes before the body is sent (a refusal) stops it. TLS is Node's, trusting `NODE_EXTRA_CA_CERTS`.
 */
export function streamingRequest(url: string, init: StreamingRequestInit): Promise<Response> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(url, { method: init.method, headers: { ...init.headers }, signal: init.signal });
    let answered = false;
    req.on('error', reject);
    req.once('response', (res: IncomingMessage) => {
      answered = true;
      resolve(toResponse(res, req));
    });
    const write = async () => {
      try {
        for await (const chunk of init.body) {
          if (answered) break;
          if (!req.write(chunk)) await once(req, 'drain', { signal: init.signal });
        }
        if (!answered) req.end();
      } catch (error) {
        req.destroy(error as Error);
      }
    };
    // Nothing of the body is read before a connection is made: a refused one can be tried again.
    req.once('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => void write());
      else void write();
    });
  });
}

/** The answer as fetch's `Response`; reading it to its end frees the connection (or closes it, when the body was cut short). */
function toResponse(res: IncomingMessage, req: ReturnType<typeof httpRequest>): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  res.once('end', () => {
    if (!req.writableFinished) req.destroy();
  });
  const status = res.statusCode ?? 500;
  const body =
    status === 204 || status === 304 ? null : (Readable.toWeb(res) as WebReadableStream<Uint8Array>);
  return new Response(body as ReadableStream<Uint8Array> | null, {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}

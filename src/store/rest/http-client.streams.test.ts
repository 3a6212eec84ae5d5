import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort } from '../../testing/closed-port.js';
import { rejectionOf } from '../../testing/rejection.js';
import { HttpClient, type HttpClientOptions } from './http-client.js';

// Streamed calls of the HTTP client, against plain Node servers on loopback that answer as told.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server | undefined;
const clients: HttpClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  if (server) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
    server = undefined;
  }
});

async function serve(handler: Handler): Promise<string> {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function client(baseUrl: string, options: Partial<HttpClientOptions> = {}): HttpClient {
  const http = new HttpClient({
    baseUrl,
    timeoutMs: 5_000,
    maxRetries: 3,
    backoffFactorMs: 1,
    backoffJitterMs: 0,
    backoffMaxMs: 5,
    respectRetryAfter: false,
    ...options,
  });
  clients.push(http);
  return http;
}

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += (chunk as Buffer).toString();
  return out;
}

describe('HttpClient: raw bodies and streamed answers', () => {
  it('sends a raw body with its length and type, the parameters in the query, and reads the JSON and headers', async () => {
    const seen: string[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        seen.push(
          `${req.method} ${req.url} ${req.headers['content-length']} ${req.headers['content-type']} ${body}`,
        );
        res.setHeader('etag', '"e1"');
        res.setHeader('content-type', 'application/json');
        res.end('{"ok": true}');
      });
    });
    const answer = await client(url).exchange(
      {
        method: 'PUT',
        prefix: '/files/',
        endpoint: 'a%20b.txt',
        params: { tag: 'v 1', none: undefined },
        idempotent: true,
        body: {
          stream: Readable.from([Buffer.from('hello '), Buffer.from('world')]),
          size: 11,
          contentType: 'text/plain',
        },
      },
      'json',
    );
    expect(answer.body).toEqual({ ok: true });
    expect(answer.headers.get('etag')).toBe('"e1"');
    expect(seen).toEqual(['PUT /files/a%20b.txt?tag=v+1 11 text/plain hello world']);
  });

  it("never repeats an upload once its body was read, and fails with the server's error", async () => {
    let requests = 0;
    const url = await serve((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        res.statusCode = 503;
        res.end('{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "busy"}');
      });
    });
    const body = Readable.from([Buffer.from('once')]);
    const failure = await rejectionOf(
      client(url).exchange(
        { method: 'PUT', endpoint: 'x', params: {}, idempotent: true, body: { stream: body } },
        'json',
      ),
    );
    expect(failure).toEqual({ code: 'TEMPORARILY_UNAVAILABLE', message: 'busy' });
    expect(requests).toBe(1);
  });

  it('retries an upload whose connection was refused, as nothing of its body was read, then gives up', async () => {
    const port = await closedPort();
    let reads = 0;
    const body = new Readable({
      read() {
        reads++;
        this.push(null);
      },
    });
    const http = client(`http://127.0.0.1:${port}`, {
      connectRetry: { maxRetries: 2, backoffFactorMs: 1, backoffJitterMs: 0 },
    });
    const failure = await rejectionOf(
      http.exchange(
        { method: 'PUT', endpoint: 'x', params: {}, idempotent: true, body: { stream: body } },
        'json',
      ),
    );
    expect(failure.code).toBe('TEMPORARILY_UNAVAILABLE');
    expect(failure.message).toMatch(/connection refused.*gave up after 2 retries/);
    expect(reads).toBe(0);
    expect(body.destroyed).toBe(true);
  });

  it("fails an upload with its body's own error when the body breaks", async () => {
    const url = await serve((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    let sent = false;
    const body = new Readable({
      read() {
        if (sent) return void this.destroy(new Error('disk read error'));
        sent = true;
        this.push(Buffer.alloc(1024));
      },
    });
    const failure = await rejectionOf(
      client(url).exchange(
        { method: 'PUT', endpoint: 'x', params: {}, idempotent: true, body: { stream: body, size: 4096 } },
        'json',
      ),
    );
    expect(failure.code).toBe('INTERNAL_ERROR');
    expect(failure.message).toMatch(
      /^PUT http:\/\/127\.0\.0\.1:\d+\/api\/2\.0\/mlflow\/x failed: its body could not be read: disk read error$/,
    );
  });

  it('streams an answer, retrying failures before its body starts', async () => {
    let requests = 0;
    const url = await serve((_req, res) => {
      if (++requests === 1) {
        res.statusCode = 502;
        return void res.end('bad gateway');
      }
      res.setHeader('content-type', 'text/plain');
      res.write('first ');
      setTimeout(() => res.end('second'), 20);
    });
    const answer = await client(url).exchange(
      { method: 'GET', endpoint: 'file', params: {}, idempotent: true },
      'stream',
    );
    expect(answer.headers.get('content-type')).toBe('text/plain');
    expect(await text(answer.body)).toBe('first second');
    expect(requests).toBe(2);
  });

  it('fails a streamed answer that breaks off with TEMPORARILY_UNAVAILABLE, and one that stalls with DEADLINE_EXCEEDED', async () => {
    const url = await serve((req, res) => {
      res.write('partial');
      if (req.url?.includes('break')) setTimeout(() => res.socket?.destroy(), 20);
    });
    const broken = await client(url).exchange(
      { method: 'GET', endpoint: 'break', params: {}, idempotent: true },
      'stream',
    );
    expect(await rejectionOf(text(broken.body))).toMatchObject({
      code: 'TEMPORARILY_UNAVAILABLE',
      message: expect.stringMatching(/broke off while reading the answer/),
    });
    const stalled = await client(url, { timeoutMs: 200 }).exchange(
      { method: 'GET', endpoint: 'stall', params: {}, idempotent: true },
      'stream',
    );
    expect(await rejectionOf(text(stalled.body))).toMatchObject({
      code: 'DEADLINE_EXCEEDED',
      message: expect.stringMatching(/no data arrived for 0\.2 s/),
    });
  });

  it('cancels a streamed answer in flight when the client closes', async () => {
    const url = await serve((_req, res) => res.write('partial'));
    const http = client(url);
    const answer = await http.exchange(
      { method: 'GET', endpoint: 'file', params: {}, idempotent: true },
      'stream',
    );
    const reading = text(answer.body);
    http.close();
    expect((await rejectionOf(reading)).code).toBe('CANCELLED');
  });
});

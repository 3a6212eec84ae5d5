import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentrackError } from '../../errors.js';
import type { Endpoint, OperationName, RawBody } from '../../protocol/endpoint.js';
import { callEndpoint } from '../../store/rest/endpoint-call.js';
import { HttpClient } from '../../store/rest/http-client.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { serveEndpoints } from './serve-endpoints.js';

// A service of its own, with one endpoint of each new kind: a raw-body request whose path
// parameter names a file, and a streamed response; JSON and parameters on the other side.
interface FileService {
  store(
    name: string,
    body: { stream: Readable; size?: number; contentType?: string },
    tag: string,
  ): Promise<{ bytes: number; sha256: string; tag: string; type?: string }>;
  fetch(name: string): Promise<RawBody>;
}

type FileEndpoint<N extends OperationName<FileService>> = Endpoint<FileService, N>;

const PREFIX = ['/files/'] as const;

const storeEndpoint: FileEndpoint<'store'> = {
  name: 'store',
  method: 'PUT',
  path: 'put/<path:name>',
  prefixes: PREFIX,
  write: true,
  idempotent: true,
  access: ([name]) => ({ experimentName: name }),
  request: {
    kind: 'raw',
    encodePath: ([name]) => ({ name }),
    encode: ([, body, tag]) => ({ params: { tag }, body }),
    decode: (body, params, request) => [request.path.name ?? '', body, params.requiredString('tag')],
  },
  response: {
    kind: 'json',
    encode: (result) => ({ bytes: result.bytes, sha256: result.sha256, tag: result.tag, type: result.type }),
    headers: (result) => ({ etag: `"${result.sha256.slice(0, 8)}"` }),
    decode: (body, _args, headers) => ({
      bytes: body.bytes as number,
      sha256: body.sha256 as string,
      tag: `${body.tag as string} ${headers.get('etag') ?? ''}`,
      type: body.type as string,
    }),
  },
};

const fetchEndpoint: FileEndpoint<'fetch'> = {
  name: 'fetch',
  method: 'GET',
  path: 'get/<path:name>',
  prefixes: PREFIX,
  write: false,
  idempotent: true,
  access: ([name]) => ({ experimentName: name }),
  request: {
    kind: 'params',
    encodePath: ([name]) => ({ name }),
    encode: () => ({}),
    decode: (_params, request) => [request.path.name ?? ''],
  },
  response: {
    kind: 'stream',
    encode: (file, [name]) => ({
      stream: file.stream,
      contentType: 'application/octet-stream',
      fileName: name.split('/').pop() ?? name,
    }),
    decode: (body) => body,
  },
};

const stored = new Map<string, Buffer>();
const seen: { name: string; write: boolean }[] = [];
const service: FileService = {
  async store(name, body, tag) {
    const chunks: Buffer[] = [];
    for await (const chunk of body.stream) chunks.push(chunk as Buffer);
    const data = Buffer.concat(chunks);
    stored.set(name, data);
    return {
      bytes: data.length,
      sha256: createHash('sha256').update(data).digest('hex'),
      tag,
      ...(body.contentType ? { type: `${body.contentType} (${body.size})` } : {}),
    };
  },
  async fetch(name) {
    const data = stored.get(name);
    if (!data) throw new AgentrackError('RESOURCE_DOES_NOT_EXIST', `No file '${name}'.`);
    return { stream: Readable.from([data.subarray(0, 10), data.subarray(10)]) };
  },
};

let app: FastifyInstance;
let http: HttpClient;
let port: number;

beforeAll(async () => {
  app = Fastify({ logger: false });
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.setErrorHandler(mlflowErrorHandler);
    serveEndpoints(scope, {
      service,
      endpoints: [storeEndpoint, fetchEndpoint] as never,
      authorize: async (access) => {
        seen.push({ name: access.experimentName ?? '', write: access.write });
      },
    });
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
  http = new HttpClient({
    baseUrl: `http://127.0.0.1:${port}`,
    timeoutMs: 10_000,
    maxRetries: 0,
    backoffFactorMs: 1,
    backoffJitterMs: 0,
    backoffMaxMs: 1,
    respectRetryAfter: false,
  });
});
afterAll(async () => {
  http?.close();
  await app?.close();
});

describe('serveEndpoints and callEndpoint: raw bodies, path parameters and streamed answers', () => {
  it('streams a raw body to the operation, with its path parameter, query, size and type, and answers JSON with headers', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 5);
    const result = await callEndpoint(http, storeEndpoint, [
      'dir/a b%20c/ü.bin',
      {
        stream: Readable.from([data.subarray(0, 100), data.subarray(100)]),
        size: data.length,
        contentType: 'application/x-test',
      },
      'v1',
    ]);
    const sha256 = createHash('sha256').update(data).digest('hex');
    expect(result).toEqual({
      bytes: data.length,
      sha256,
      tag: `v1 "${sha256.slice(0, 8)}"`,
      type: `application/x-test (${data.length})`,
    });
    // Each segment was encoded once on the way and decoded once on arrival: '%20' stays in the name.
    expect([...stored.keys()]).toContain('dir/a b%20c/ü.bin');
    expect(seen).toContainEqual({ name: 'dir/a b%20c/ü.bin', write: true });
  });

  it('answers a streamed file chunked, as an attachment that is never sniffed', async () => {
    stored.set('docs/page.html', Buffer.from('<html><script>alert(1)</script></html>'));
    const res = await new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
      (resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path: '/files/get/docs/page.html' }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body }),
          );
        })
          .on('error', reject)
          .end();
      },
    );
    expect(res.status).toBe(200);
    expect(res.body).toBe('<html><script>alert(1)</script></html>');
    expect(res.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-disposition': 'attachment; filename=page.html',
      'x-content-type-options': 'nosniff',
      'transfer-encoding': 'chunked',
    });
    expect(res.headers['content-length']).toBeUndefined();
  });

  it('names files outside plain ASCII in Content-Disposition as RFC 6266 does', async () => {
    stored.set('résumé final.txt', Buffer.from('x'));
    const res = await app.inject({
      method: 'GET',
      url: `/files/get/${encodeURIComponent('résumé final.txt')}`,
    });
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="r_sum_ final.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20final.txt`,
    );
  });

  it('gives the client the streamed body with its headers, and the error of a failed call', async () => {
    stored.set('plain.txt', Buffer.from('streamed back to the client'));
    const body = await callEndpoint(http, fetchEndpoint, ['plain.txt']);
    expect([body.size, body.contentType]).toEqual([undefined, 'application/octet-stream']);
    const chunks: Buffer[] = [];
    for await (const chunk of body.stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('streamed back to the client');
    await expect(callEndpoint(http, fetchEndpoint, ['missing.txt'])).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: "No file 'missing.txt'.",
    });
  });

  it("refuses a raw-body request whose parameters are wrong with MLflow's error", async () => {
    const res = await app.inject({
      method: 'PUT',
      url: '/files/put/x.bin',
      payload: 'not read',
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/'tag'/),
    });
  });
});

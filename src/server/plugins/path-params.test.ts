import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentrackError } from '../../errors.js';
import { fillPath, pathParams, type Endpoint, type OperationName } from '../../protocol/endpoint.js';
import { callEndpoint } from '../../store/rest/endpoint-call.js';
import { HttpClient } from '../../store/rest/http-client.js';
import { mlflowErrorHandler } from '../error-reply.js';
import { refuseOtherMethods, routePattern, serveEndpoints } from './serve-endpoints.js';
import { readBodiesAsText } from './text-bodies.js';

// A service of its own whose endpoints name what they act on in one-segment path parameters
// (`<book>`, `<note>`), with the methods MLflow 3's logged models use: GET, PATCH and DELETE,
// a DELETE with a JSON body and one without, and a static path beside a parametric one.
interface NotesService {
  read(book: string): Promise<{ book: string; notes: Record<string, string> }>;
  write(book: string, note: string, text: string): Promise<void>;
  erase(book: string, note: string): Promise<void>;
  burn(book: string, reason: string): Promise<void>;
  index(): Promise<string[]>;
}

type NotesEndpoint<N extends OperationName<NotesService>> = Endpoint<NotesService, N>;
const PREFIX = ['/notes/'] as const;
const books = new Map<string, Record<string, string>>();

const read: NotesEndpoint<'read'> = {
  name: 'read',
  method: 'GET',
  path: 'books/<book>',
  prefixes: PREFIX,
  write: false,
  idempotent: true,
  access: () => ({}),
  request: {
    kind: 'params',
    encodePath: ([book]) => ({ book }),
    encode: () => ({}),
    decode: (_params, request) => [request.path.book ?? ''],
  },
  response: {
    kind: 'json',
    encode: (result) => result,
    decode: (body) => body as { book: string; notes: Record<string, string> },
  },
};

const write: NotesEndpoint<'write'> = {
  name: 'write',
  method: 'PATCH',
  path: 'books/<book>/notes/<note>',
  prefixes: PREFIX,
  write: true,
  idempotent: true,
  access: () => ({}),
  request: {
    kind: 'params',
    encodePath: ([book, note]) => ({ book, note }),
    encode: ([, , text]) => ({ text }),
    decode: (params, request) => [
      request.path.book ?? '',
      request.path.note ?? '',
      params.requiredString('text'),
    ],
  },
  response: { kind: 'json', encode: () => ({}), decode: () => undefined },
};

const erase: NotesEndpoint<'erase'> = {
  name: 'erase',
  method: 'DELETE',
  path: 'books/<book>/notes/<note>',
  prefixes: PREFIX,
  write: true,
  idempotent: true,
  access: () => ({}),
  request: {
    kind: 'params',
    encodePath: ([book, note]) => ({ book, note }),
    encode: () => ({}),
    decode: (_params, request) => [request.path.book ?? '', request.path.note ?? ''],
  },
  response: { kind: 'json', encode: () => ({}), decode: () => undefined },
};

const burn: NotesEndpoint<'burn'> = {
  name: 'burn',
  method: 'DELETE',
  path: 'books/<book>',
  prefixes: PREFIX,
  write: true,
  idempotent: true,
  access: () => ({}),
  request: {
    kind: 'params',
    encodePath: ([book]) => ({ book }),
    encode: ([, reason]) => ({ reason }),
    decode: (params, request) => [request.path.book ?? '', params.requiredString('reason')],
  },
  response: { kind: 'json', encode: () => ({}), decode: () => undefined },
};

const index: NotesEndpoint<'index'> = {
  name: 'index',
  method: 'POST',
  path: 'books/index',
  prefixes: PREFIX,
  write: false,
  idempotent: true,
  access: () => ({}),
  request: { kind: 'params', encode: () => ({}), decode: () => [] },
  response: { kind: 'json', encode: (names) => ({ names }), decode: (body) => body.names as string[] },
};

const endpoints = { read, write, erase, burn, index };

const service: NotesService = {
  read: async (book) => {
    const notes = books.get(book);
    if (!notes) throw new AgentrackError('RESOURCE_DOES_NOT_EXIST', `No book '${book}'.`);
    return { book, notes };
  },
  write: async (book, note, text) => {
    books.set(book, { ...books.get(book), [note]: text });
  },
  erase: async (book, note) => {
    const notes = { ...books.get(book) };
    delete notes[note];
    books.set(book, notes);
  },
  burn: async (book, reason) => {
    if (reason !== 'done') throw new AgentrackError('INVALID_PARAMETER_VALUE', `Not for '${reason}'.`);
    books.delete(book);
  },
  index: async () => [...books.keys()].sort(),
};

const all = Object.values(endpoints) as unknown as Endpoint<NotesService, OperationName<NotesService>>[];
let app: FastifyInstance;
let http: HttpClient;

beforeAll(async () => {
  app = Fastify({ logger: false });
  readBodiesAsText(app);
  app.setErrorHandler(mlflowErrorHandler);
  serveEndpoints(app, { service, endpoints: all });
  refuseOtherMethods(app, all);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  http = new HttpClient({
    baseUrl: url,
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
  await app.close();
});

describe('path parameters of one segment', () => {
  it('are read from the notation, filled percent-encoded whole and routed as parameters', () => {
    expect(pathParams('books/<book>/notes/<note>')).toEqual([
      { name: 'book', rest: false },
      { name: 'note', rest: false },
    ]);
    expect(pathParams('artifacts/<path:artifact_path>')).toEqual([{ name: 'artifact_path', rest: true }]);
    expect(fillPath('books/<book>/notes/<note>', { book: 'a b', note: 'x/y?' })).toBe(
      'books/a%20b/notes/x%2Fy%3F',
    );
    expect(routePattern('books/<book>/notes/<note>')).toBe('books/:book/notes/:note');
    expect(() => fillPath('books/<book>', {})).toThrow("No value for the path parameter 'book'");
  });

  it('carry what the client names to the server, decoded once, with PATCH and DELETE bodies or none', async () => {
    await callEndpoint(http, endpoints.write, ['my book', 'a/b?c', 'first']);
    await callEndpoint(http, endpoints.write, ['my book', 'plain', 'second']);
    await callEndpoint(http, endpoints.erase, ['my book', 'plain']);
    expect(await callEndpoint(http, endpoints.read, ['my book'])).toEqual({
      book: 'my book',
      notes: { 'a/b?c': 'first' },
    });
    expect(await callEndpoint(http, endpoints.index, [])).toEqual(['my book']);
    await expect(callEndpoint(http, endpoints.burn, ['my book', 'spite'])).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: "Not for 'spite'.",
    });
    await callEndpoint(http, endpoints.burn, ['my book', 'done']);
    await expect(callEndpoint(http, endpoints.read, ['my book'])).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
  });

  it('read a DELETE sent without a body from its query string', async () => {
    books.set('b', { n: 'x' });
    const res = await app.inject({ method: 'DELETE', url: '/notes/books/b/notes/n' });
    expect([res.statusCode, res.body]).toEqual([200, '{}']);
    expect(books.get('b')).toEqual({});
  });

  it('answer another method 405 with the methods of the parametric path, or of a static path beside it', async () => {
    const parametric = await app.inject({ method: 'PUT', url: '/notes/books/b' });
    expect([parametric.statusCode, parametric.headers.allow]).toEqual([405, 'GET, DELETE, HEAD']);
    const nested = await app.inject({ method: 'POST', url: '/notes/books/b/notes/n' });
    expect([nested.statusCode, nested.headers.allow]).toEqual([405, 'PATCH, DELETE']);
    const beside = await app.inject({ method: 'PUT', url: '/notes/books/index' });
    expect([beside.statusCode, beside.headers.allow]).toEqual([405, 'POST']);
  });
});

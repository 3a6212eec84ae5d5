import { once } from 'node:events';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createApp,
  MAX_REQUEST_HEAD_BYTES,
  startServer,
  type RunningServer,
} from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';

/** An HTTP answer as it came over the socket. */
interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends `request` as is over a new connection and reads the answer until the server closes
 * the connection, so that what Node's HTTP parser refuses is seen as a client sees it.
 */
async function rawRequest(port: number, request: string): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  // The server may close while the request is still being sent: the answer came before.
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(request);
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString('utf8');
  const headEnd = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, headEnd).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(headEnd + 4) };
}

/** Expects MLflow's JSON error body, with its length announced right. */
function expectMlflowError(response: RawResponse, status: number, errorCode: string): string {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(Number(response.headers['content-length'])).toBe(Buffer.byteLength(response.body));
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['error_code', 'message']);
  expect(body.error_code).toBe(errorCode);
  expect(typeof body.message).toBe('string');
  return body.message as string;
}

const API = '/api/2.0/mlflow/';

describe('errors of the HTTP layer, over a real port', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  beforeAll(async () => {
    dir = tempDir();
    server = await startServer({
      store: await openSqliteStore(join(dir.path, 'http.db')),
      port: 0,
      logger: false,
    });
  });
  afterAll(async () => {
    await server.close();
    dir.remove();
  });

  const get = (target: string, headers = '') =>
    `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`;

  it("reads a 20,000-character run_id, sent as MLflow's client sends it (run_uuid too), and answers 404 as MLflow", async () => {
    const id = 'a'.repeat(20_000);
    const response = await rawRequest(server.port, get(`${API}runs/get?run_uuid=${id}&run_id=${id}`));
    expect(expectMlflowError(response, 404, 'RESOURCE_DOES_NOT_EXIST')).toBe(`Run with id=${id} not found`);
    const history = await rawRequest(server.port, get(`${API}metrics/get-history?run_id=${id}&metric_key=m`));
    expect(history.status).toBe(200);
    expect(JSON.parse(history.body)).toEqual({});
  });

  it("accepts a request head up to the limit and answers 431 above it, in MLflow's shape", async () => {
    const request = (headBytes: number) => {
      const head = get(`${API}experiments/get?experiment_id=0`, 'x-fill: ');
      return get(
        `${API}experiments/get?experiment_id=0`,
        `x-fill: ${'f'.repeat(headBytes - head.length - 2)}\r\n`,
      );
    };
    expect(Buffer.byteLength(request(MAX_REQUEST_HEAD_BYTES - 100))).toBe(MAX_REQUEST_HEAD_BYTES - 100);
    expect((await rawRequest(server.port, request(MAX_REQUEST_HEAD_BYTES - 100))).status).toBe(200);
    const refused = await rawRequest(server.port, request(MAX_REQUEST_HEAD_BYTES + 1024));
    expect(expectMlflowError(refused, 431, 'BAD_REQUEST')).toBe(
      `The request line and headers are larger than the server's limit of ${MAX_REQUEST_HEAD_BYTES} bytes.`,
    );
  });

  it.each([
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n'],
    ['a header without a name', `GET ${API}experiments/search HTTP/1.1\r\nHost: h\r\n: x\r\n\r\n`],
    [
      'a Content-Length that is not a number',
      `POST ${API}experiments/create HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n{}`,
    ],
    [
      'both Content-Length and chunked Transfer-Encoding',
      `POST ${API}experiments/create HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}`,
    ],
    [
      'a chunk size that is not hexadecimal',
      `POST ${API}experiments/create HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    ],
  ])("answers %s with 400 BAD_REQUEST in MLflow's shape", async (_name, request) => {
    const message = expectMlflowError(await rawRequest(server.port, request), 400, 'BAD_REQUEST');
    expect(message).toMatch(/^Malformed HTTP request: ./);
  });

  it("answers an HTTP/1.1 request without Host with 400 BAD_REQUEST in MLflow's shape", async () => {
    const response = await rawRequest(
      server.port,
      `GET ${API}experiments/search HTTP/1.1\r\nConnection: close\r\n\r\n`,
    );
    expect(expectMlflowError(response, 400, 'BAD_REQUEST')).toBe(
      'Malformed HTTP request: an HTTP/1.1 request must have a Host header.',
    );
  });

  it("answers an expectation it cannot meet with 417 in MLflow's shape, and serves 100-continue", async () => {
    const body = '{"name": "/Shared/http/continue"}';
    const post = (expect: string) =>
      `POST ${API}experiments/create HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\nExpect: ${expect}\r\nConnection: close\r\n\r\n${body}`;
    const refused = await rawRequest(server.port, post('something-else'));
    expect(expectMlflowError(refused, 417, 'BAD_REQUEST')).toBe(
      "The server cannot meet the request's expectation 'something-else'; only 100-continue is supported.",
    );
    const served = await rawRequest(server.port, post('100-continue'));
    expect(served.status).toBe(100);
    expect(served.body).toContain('"experiment_id"');
  });

  it("answers a request that arrives while the app closes with 503 TEMPORARILY_UNAVAILABLE in MLflow's shape", async () => {
    const store = await openSqliteStore(join(dir.path, 'closing.db'));
    const slow: TrackingStore = Object.create(store) as TrackingStore;
    slow.searchExperiments = async (input) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return store.searchExperiments(input);
    };
    const app = createApp({ store: slow, logger: false });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    // One keep-alive connection, busy when close() begins, so that it stays open and the
    // next request on it arrives while the app closes.
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    await once(socket, 'connect');
    const request = (target: string) => `GET ${API}${target} HTTP/1.1\r\nHost: h\r\n\r\n`;
    socket.write(request('experiments/search?max_results=5'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(request('experiments/get?experiment_id=0'));
    await Promise.all([once(socket, 'close'), closing]);
    await store.close();
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers.map((answer) => answer.slice(0, 12))).toEqual(['HTTP/1.1 200', 'HTTP/1.1 503']);
    const refused = answers[1] ?? '';
    expect(refused).toMatch(/\r\ncontent-type: application\/json/i);
    expect(refused).toMatch(/\r\nconnection: close/i);
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toEqual({
      error_code: 'TEMPORARILY_UNAVAILABLE',
      message: 'The server is shutting down; send the request again to a server that is running.',
    });
  });
});

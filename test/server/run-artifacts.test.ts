import { mkdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, parseUsers } from '../../src/auth/index.js';
import { LocalArtifactRepository, openArtifactRepository } from '../../src/artifacts/index.js';
import { createApp, startServer, type RunningServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { closedPort } from '../../src/testing/closed-port.js';
import { startS3Server, type S3TestServer } from '../../src/testing/s3-server.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import {
  ARTIFACTS,
  eventually,
  filesBelow,
  send,
  startArtifactServer,
  type ArtifactServer,
  type RawAnswer,
} from './artifact-harness.js';

// The tracking API's own endpoints on a run's artifacts, over a real server on loopback with a
// real SQLite file and a local destination: artifacts/list (MLflow's ListArtifacts).

const LIST = '/api/2.0/mlflow/artifacts/list';

let harness: ArtifactServer;
let dir: { path: string; remove: () => void };

beforeAll(async () => {
  harness = await startArtifactServer();
  dir = tempDir('agentrack-run-artifacts-');
});
afterAll(async () => {
  await harness?.close();
  dir?.remove();
});

function get(path: string, query: Record<string, string> = {}, headers: Record<string, string> = {}) {
  const qs = new URLSearchParams(query).toString();
  return harness.send({ method: 'GET', path: qs ? `${path}?${qs}` : path, headers });
}

/** A run in a new experiment of the store (proxied root by default, or at `artifactLocation`). */
async function newRun(store: TrackingStore, name: string, artifactLocation?: string) {
  const experimentId = await store.createExperiment({
    name,
    ...(artifactLocation !== undefined ? { artifactLocation } : {}),
  });
  return (await store.createRun({ experimentId })).info;
}

/** Uploads files below a proxied run's root through the artifact service, as MLflow's client does. */
async function upload(artifactUri: string, files: Record<string, string>): Promise<void> {
  const root = artifactUri.replace(/^mlflow-artifacts:\//, '');
  for (const [path, text] of Object.entries(files)) {
    const res = await harness.send({ method: 'PUT', path: `${ARTIFACTS}/${root}/${path}`, body: text });
    expect([path, res.status]).toEqual([path, 200]);
  }
}

function expectError(res: RawAnswer, status: number, code: string, message?: string | RegExp): void {
  expect([res.status, res.json<{ error_code: string }>().error_code]).toEqual([status, code]);
  if (message !== undefined) expect(res.json<{ message: string }>().message).toMatch(message);
}

describe('GET artifacts/list', () => {
  it("lists a proxied run's folders from the destination, paths from the run's root, under both prefixes", async () => {
    const run = await newRun(harness.store, 'list-proxied');
    expect(run.artifact_uri).toMatch(/^mlflow-artifacts:\/\d+\/[0-9a-f]{32}\/artifacts$/);
    await upload(run.artifact_uri, {
      'notes.md': '# notes\n',
      'configs/agent.json': '{"temperature": 0.2}',
      'configs/nested/deep.txt': 'deep',
    });
    for (const prefix of ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/']) {
      const root = await get(`${prefix}artifacts/list`, { run_id: run.run_id });
      expect([root.status, root.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8']);
      expect(root.json()).toEqual({
        root_uri: run.artifact_uri,
        files: [
          { path: 'configs', is_dir: true },
          { path: 'notes.md', is_dir: false, file_size: 8 },
        ],
      });
    }
    const folder = await get(LIST, { run_uuid: run.run_id, path: 'configs' });
    expect(folder.json()).toEqual({
      root_uri: run.artifact_uri,
      files: [
        { path: 'configs/agent.json', is_dir: false, file_size: 20 },
        { path: 'configs/nested', is_dir: true },
      ],
    });
    const nested = await get(LIST, { run_id: run.run_id, path: 'configs/nested/' });
    expect(nested.json()).toEqual({
      root_uri: run.artifact_uri,
      files: [{ path: 'configs/nested/deep.txt', is_dir: false, file_size: 4 }],
    });
  });

  it('answers root_uri alone (no files) for a file, a missing folder and a run without artifacts', async () => {
    const run = await newRun(harness.store, 'list-empty');
    expect((await get(LIST, { run_id: run.run_id })).json()).toEqual({ root_uri: run.artifact_uri });
    await upload(run.artifact_uri, { 'a.txt': 'a' });
    for (const path of ['a.txt', 'missing', 'missing/deeper']) {
      const res = await get(LIST, { run_id: run.run_id, path });
      expect([path, res.status, res.json()]).toEqual([path, 200, { root_uri: run.artifact_uri }]);
    }
  });

  it('answers the whole folder at once: a page_token is read and no next_page_token is ever given', async () => {
    const run = await newRun(harness.store, 'list-pages');
    const files = Object.fromEntries(
      Array.from({ length: 120 }, (_, i) => [`f${String(i).padStart(3, '0')}`, 'x']),
    );
    await upload(run.artifact_uri, files);
    const first = await get(LIST, { run_id: run.run_id });
    expect(first.json<{ files: unknown[] }>().files).toHaveLength(120);
    expect(first.json()).not.toHaveProperty('next_page_token');
    const again = await get(LIST, { run_id: run.run_id, page_token: 'anything' });
    expect(again.json()).toEqual(first.json());
  });

  it('lists a run whose root is a local folder (file:) from that folder, not the destination', async () => {
    const location = join(dir.path, 'file-root');
    const run = await newRun(harness.store, 'list-file', pathToFileURL(location).href);
    expect(run.artifact_uri).toBe(`${pathToFileURL(location).href}/${run.run_id}/artifacts`);
    mkdirSync(join(location, run.run_id, 'artifacts', 'dir'), { recursive: true });
    writeFileSync(join(location, run.run_id, 'artifacts', 'my.file'), 'Hello, World!');
    writeFileSync(join(location, run.run_id, 'artifacts', 'dir', 'my.file'), 'Hello, World!');
    const root = await get(LIST, { run_id: run.run_id });
    expect(root.json()).toEqual({
      root_uri: run.artifact_uri,
      files: [
        { path: 'dir', is_dir: true },
        { path: 'my.file', is_dir: false, file_size: 13 },
      ],
    });
    expect((await get(LIST, { run_id: run.run_id, path: 'dir' })).json()).toEqual({
      root_uri: run.artifact_uri,
      files: [{ path: 'dir/my.file', is_dir: false, file_size: 13 }],
    });
  });

  it.each([
    ['../x', /^Invalid path/],
    ['/etc', /^Invalid path/],
    ['%2E%2E/%2E%2E/etc', /^Invalid path/],
    ['a/..%2F..%2Fb', /^Invalid path/],
    ['a\\b', /^Invalid path/],
  ])('refuses the path %s with 400 INVALID_PARAMETER_VALUE "Invalid path"', async (path, message) => {
    const run = await newRun(harness.store, `list-invalid-${encodeURIComponent(path)}`);
    expectError(await get(LIST, { run_id: run.run_id, path }), 400, 'INVALID_PARAMETER_VALUE', message);
  });

  it('answers an unknown run 404 and a request without a run 400, as MLflow', async () => {
    expectError(await get(LIST, { run_id: 'f'.repeat(32) }), 404, 'RESOURCE_DOES_NOT_EXIST', /not found/);
    expectError(
      await get(LIST, { path: 'x' }),
      400,
      'INVALID_PARAMETER_VALUE',
      "Missing value for required parameter 'run_id'.",
    );
  });

  it('is a GET: another method is 405', async () => {
    const res = await harness.send({
      method: 'POST',
      path: LIST,
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect([res.status, res.headers.allow]).toEqual([405, 'GET, HEAD']);
  });
});

describe('GET /get-artifact', () => {
  const GET_ARTIFACT = '/get-artifact';

  it("streams a proxied run's file as the artifact service does: typed from its name, an attachment, never sniffed", async () => {
    const run = await newRun(harness.store, 'get-proxied');
    await upload(run.artifact_uri, {
      'notes/release.md': 'Release — ünïcode\n',
      'config/agent.json': '{"a": 1}',
      'model/MLmodel': 'flavors: {}\n',
      'page.html': '<script>alert(1)</script>',
      'weights.pkl': 'binary',
    });
    const cases: [string, string, string][] = [
      ['notes/release.md', 'text/plain', 'release.md'],
      ['config/agent.json', 'text/plain', 'agent.json'],
      ['model/MLmodel', 'text/plain', 'MLmodel'],
      ['page.html', 'text/html', 'page.html'],
      ['weights.pkl', 'application/octet-stream', 'weights.pkl'],
    ];
    for (const [path, type, name] of cases) {
      const res = await get(GET_ARTIFACT, { run_id: run.run_id, path });
      expect([path, res.status]).toEqual([path, 200]);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-disposition']).toBe(`attachment; filename=${name}`);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['transfer-encoding']).toBe('chunked');
    }
    const text = await get(GET_ARTIFACT, { run_uuid: run.run_id, path: 'notes/release.md' });
    expect(text.body.toString('utf8')).toBe('Release — ünïcode\n');
  });

  it('answers HEAD with the headers alone', async () => {
    const run = await newRun(harness.store, 'get-head');
    await upload(run.artifact_uri, { 'a.txt': 'abc' });
    const head = await harness.send({
      method: 'HEAD',
      path: `${GET_ARTIFACT}?run_id=${run.run_id}&path=a.txt`,
    });
    expect([head.status, head.body.length, head.headers['content-disposition']]).toEqual([
      200,
      0,
      'attachment; filename=a.txt',
    ]);
  });

  it("reads a file: run's file from its folder", async () => {
    const location = join(dir.path, 'get-file-root');
    const run = await newRun(harness.store, 'get-file', pathToFileURL(location).href);
    mkdirSync(join(location, run.run_id, 'artifacts', 'dir'), { recursive: true });
    writeFileSync(join(location, run.run_id, 'artifacts', 'dir', 'my.file'), 'Hello, World!');
    const res = await get(GET_ARTIFACT, { run_id: run.run_id, path: 'dir/my.file' });
    expect([res.status, res.body.toString(), res.headers['content-disposition']]).toEqual([
      200,
      'Hello, World!',
      'attachment; filename=my.file',
    ]);
  });

  it('answers a missing file, a folder and an unknown run 404 RESOURCE_DOES_NOT_EXIST (MLflow answers 500)', async () => {
    const run = await newRun(harness.store, 'get-missing');
    await upload(run.artifact_uri, { 'dir/a.txt': 'a' });
    for (const path of ['missing.txt', 'dir', 'dir/missing/deeper.txt']) {
      const res = await get(GET_ARTIFACT, { run_id: run.run_id, path });
      expectError(
        res,
        404,
        'RESOURCE_DOES_NOT_EXIST',
        `Artifact '${path}' not found in run '${run.run_id}'.`,
      );
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
    expectError(
      await get(GET_ARTIFACT, { run_id: 'f'.repeat(32), path: 'a.txt' }),
      404,
      'RESOURCE_DOES_NOT_EXIST',
    );
  });

  it.each([
    ['../x'],
    ['../../../../etc/passwd'],
    ['/etc/passwd'],
    ['%2E%2E/%2E%2E/etc/passwd'],
    ['a/..%2F..%2Fb'],
    ['a//b'],
  ])('refuses the path %s with 400 "Invalid path"', async (path) => {
    const run = await newRun(harness.store, `get-invalid-${encodeURIComponent(path)}`);
    expectError(
      await get(GET_ARTIFACT, { run_id: run.run_id, path }),
      400,
      'INVALID_PARAMETER_VALUE',
      /^Invalid path/,
    );
  });

  it('needs a run and a path', async () => {
    const run = await newRun(harness.store, 'get-params');
    expectError(
      await get(GET_ARTIFACT, { run_id: run.run_id }),
      400,
      'INVALID_PARAMETER_VALUE',
      "Missing value for required parameter 'path'.",
    );
    expectError(
      await get(GET_ARTIFACT, { run_id: run.run_id, path: '' }),
      400,
      'INVALID_PARAMETER_VALUE',
      "Missing value for required parameter 'path'.",
    );
    expectError(
      await get(GET_ARTIFACT, { path: 'a.txt' }),
      400,
      'INVALID_PARAMETER_VALUE',
      "Missing value for required parameter 'run_id'.",
    );
  });

  it('is served at the root alone, as MLflow serves it', async () => {
    const run = await newRun(harness.store, 'get-where');
    const res = await get('/ajax-api/2.0/mlflow/get-artifact', { run_id: run.run_id, path: 'a.txt' });
    expectError(res, 404, 'ENDPOINT_NOT_FOUND');
    const post = await harness.send({ method: 'POST', path: GET_ARTIFACT });
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
  });
});

describe('POST /ajax-api/2.0/mlflow/upload-artifact', () => {
  const UPLOAD = '/ajax-api/2.0/mlflow/upload-artifact';
  const MiB = 1024 * 1024;

  function post(query: Record<string, string>, body?: Buffer | string, headers: Record<string, string> = {}) {
    const qs = new URLSearchParams(query).toString();
    return harness.send({
      method: 'POST',
      path: qs ? `${UPLOAD}?${qs}` : UPLOAD,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
  }

  /** Sends the body chunked (no Content-Length), as a browser streaming a file may. */
  function postChunked(query: Record<string, string>, chunks: Buffer[]): Promise<RawAnswer> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: harness.server.port,
          method: 'POST',
          path: `${UPLOAD}?${new URLSearchParams(query)}`,
          agent: false,
          headers: { 'transfer-encoding': 'chunked' },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () => {
            const data = Buffer.concat(parts);
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: data,
              json: <T>() => JSON.parse(data.toString('utf8')) as T,
            });
          });
        },
      );
      // The server may answer and close before the whole body went.
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });
  }

  /** The files below a proxied run's root in the destination. */
  function stored(artifactUri: string): Record<string, number> {
    return filesBelow(join(harness.root, artifactUri.replace(/^mlflow-artifacts:\//, '')));
  }

  it("stores the raw body under a proxied run's root, answers {} in JSON, and the run lists and serves it", async () => {
    const run = await newRun(harness.store, 'upload-proxied');
    const res = await post({ run_uuid: run.run_id, path: 'test.txt' }, 'hello world');
    expect([res.status, res.headers['content-type'], res.json()]).toEqual([
      200,
      'application/json; charset=utf-8',
      {},
    ]);
    // A JSON body is stored as sent, never parsed; folders are made as needed.
    const json = await post({ run_uuid: run.run_id, path: 'configs/agent.json' }, '{"not": ', {
      'content-type': 'application/json',
    });
    expect(json.status).toBe(200);
    expect(stored(run.artifact_uri)).toEqual({ 'test.txt': 11, 'configs/agent.json': 8 });
    const listed = await get(LIST, { run_id: run.run_id });
    expect(listed.json()).toEqual({
      root_uri: run.artifact_uri,
      files: [
        { path: 'configs', is_dir: true },
        { path: 'test.txt', is_dir: false, file_size: 11 },
      ],
    });
    const again = await post({ run_uuid: run.run_id, path: 'test.txt' }, 'replaced');
    expect(again.status).toBe(200);
    const read = await get('/get-artifact', { run_uuid: run.run_id, path: 'test.txt' });
    expect(read.body.toString()).toBe('replaced');
  });

  it("stores into a file: run's folder", async () => {
    const location = join(dir.path, 'upload-file-root');
    const run = await newRun(harness.store, 'upload-file', location);
    const res = await post({ run_uuid: run.run_id, path: 'dir/my.file' }, 'Hello, World!');
    expect(res.status).toBe(200);
    expect(filesBelow(join(location, run.run_id, 'artifacts'))).toEqual({ 'dir/my.file': 13 });
  });

  it("refuses what MLflow's upload refuses, with its messages and in its order, storing nothing", async () => {
    const run = await newRun(harness.store, 'upload-invalid');
    const cases: [Record<string, string>, string | undefined, string | RegExp][] = [
      [{}, undefined, 'Request must specify run_uuid.'],
      [{ run_id: run.run_id, path: 'a.txt' }, 'x', 'Request must specify run_uuid.'],
      [{ run_uuid: run.run_id }, 'x', 'Request must specify path.'],
      [{ run_uuid: run.run_id, path: '' }, 'x', 'Request must specify path.'],
      [{ run_uuid: run.run_id, path: '../test.txt' }, 'x', /^Invalid path/],
      [{ run_uuid: run.run_id, path: '%2E%2E/%2E%2E/test.txt' }, 'x', /^Invalid path/],
      [{ run_uuid: run.run_id, path: '/etc/passwd' }, 'x', /^Invalid path/],
      [{ run_uuid: run.run_id, path: 'dir/' }, 'x', /^Invalid path/],
      [{ run_uuid: run.run_id, path: 'test.txt' }, undefined, 'Request must specify data.'],
      [{ run_uuid: run.run_id, path: 'test.txt' }, '', 'Request must specify data.'],
    ];
    for (const [query, body, message] of cases) {
      expectError(await post(query, body), 400, 'INVALID_PARAMETER_VALUE', message);
    }
    const chunkedEmpty = await postChunked({ run_uuid: run.run_id, path: 'test.txt' }, []);
    expectError(chunkedEmpty, 400, 'INVALID_PARAMETER_VALUE', 'Request must specify data.');
    expect(stored(run.artifact_uri)).toEqual({});
    expectError(
      await post({ run_uuid: 'f'.repeat(32), path: 'a.txt' }, 'x'),
      404,
      'RESOURCE_DOES_NOT_EXIST',
      /not found/,
    );
  });

  it('takes at most 10 MiB, whether announced or sent chunked, and stores nothing of a larger body', async () => {
    const run = await newRun(harness.store, 'upload-limit');
    const limit = Buffer.alloc(10 * MiB, 7);
    const atLimit = await post({ run_uuid: run.run_id, path: 'limit.bin' }, limit);
    expect(atLimit.status).toBe(200);
    expect(stored(run.artifact_uri)).toEqual({ 'limit.bin': 10 * MiB });

    const announced = await post({ run_uuid: run.run_id, path: 'big.bin' }, Buffer.alloc(10 * MiB + 1, 1));
    expectError(announced, 400, 'INVALID_PARAMETER_VALUE', 'Artifact size is too large. Max size is 10MB.');
    expect(announced.headers.connection).toBe('close');

    const chunks = Array.from({ length: 11 }, () => Buffer.alloc(MiB, 2));
    const chunked = await postChunked({ run_uuid: run.run_id, path: 'big.bin' }, chunks);
    expectError(chunked, 400, 'INVALID_PARAMETER_VALUE', 'Artifact size is too large. Max size is 10MB.');
    await eventually(
      () => !Object.keys(filesBelow(harness.root)).some((f) => f.includes('.agentrack-upload-')),
      'no upload left behind',
    );
    expect(stored(run.artifact_uri)).toEqual({ 'limit.bin': 10 * MiB });

    const chunkedSmall = await postChunked({ run_uuid: run.run_id, path: 'small.bin' }, [
      Buffer.from('ab'),
      Buffer.from('c'),
    ]);
    expect(chunkedSmall.status).toBe(200);
    expect(stored(run.artifact_uri)).toEqual({ 'limit.bin': 10 * MiB, 'small.bin': 3 });
  });

  it('is a POST under /ajax-api/ alone', async () => {
    const res = await harness.send({ method: 'GET', path: UPLOAD });
    expect([res.status, res.headers.allow]).toEqual([405, 'POST']);
    const api = await harness.send({ method: 'POST', path: '/api/2.0/mlflow/upload-artifact', body: 'x' });
    expectError(api, 404, 'ENDPOINT_NOT_FOUND');
  });
});

describe('GET artifacts/list on S3', () => {
  let s3: S3TestServer;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    s3 = await startS3Server('runs');
    for (const [key, value] of Object.entries(s3.env)) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await s3?.stop();
  });

  it('lists a run whose root is s3:// from the bucket', async () => {
    const run = await newRun(harness.store, 'list-s3', 's3://runs/experiments');
    const repo = await openArtifactRepository(run.artifact_uri);
    try {
      await repo.put('model/MLmodel', Readable.from([Buffer.from('flavors: {}\n')]));
      await repo.put('metrics.json', Readable.from([Buffer.from('{}')]));
    } finally {
      await repo.close();
    }
    expect((await get(LIST, { run_id: run.run_id })).json()).toEqual({
      root_uri: run.artifact_uri,
      files: [
        { path: 'metrics.json', is_dir: false, file_size: 2 },
        { path: 'model', is_dir: true },
      ],
    });
    expect((await get(LIST, { run_id: run.run_id, path: 'model' })).json()).toEqual({
      root_uri: run.artifact_uri,
      files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }],
    });
  });
});

describe('the run artifact endpoints and how the server is run', () => {
  let store: TrackingStore;
  let server: RunningServer | undefined;
  let storeDir: { path: string; remove: () => void };
  beforeAll(async () => {
    storeDir = tempDir('agentrack-run-artifacts-modes-');
    store = await openSqliteStore(join(storeDir.path, 'agentrack.db'));
  });
  afterAll(async () => {
    await server?.close();
    await store?.close();
    storeDir?.remove();
  });

  it('refuses a proxied run without an artifact destination (--no-serve-artifacts), and still lists a file: run', async () => {
    server = await startServer({ store, port: 0, logger: false, closeStore: false });
    const proxied = await newRun(store, 'no-serve-proxied');
    const location = join(storeDir.path, 'local');
    const local = await newRun(store, 'no-serve-local', location);
    mkdirSync(join(location, local.run_id, 'artifacts'), { recursive: true });
    writeFileSync(join(location, local.run_id, 'artifacts', 'a.txt'), 'a');
    const refused = await send(server.port, { method: 'GET', path: `${LIST}?run_id=${proxied.run_id}` });
    expectError(refused, 400, 'INVALID_PARAMETER_VALUE', /--no-serve-artifacts/);
    const listed = await send(server.port, { method: 'GET', path: `${LIST}?run_id=${local.run_id}` });
    expect(listed.json()).toEqual({
      root_uri: local.artifact_uri,
      files: [{ path: 'a.txt', is_dir: false, file_size: 1 }],
    });
    await server.close();
    server = undefined;
  });

  it('answers 503 in artifacts-only mode as the tracking endpoints, get-artifact and upload-artifact too: there is no tracking store', async () => {
    const app = createApp({
      store,
      logger: false,
      artifactsOnly: true,
      artifactDestination: new LocalArtifactRepository(join(storeDir.path, 'only')),
    });
    try {
      const requests: [string, 'GET' | 'POST'][] = [
        ['/api/2.0/mlflow/artifacts/list', 'GET'],
        ['/ajax-api/2.0/mlflow/artifacts/list', 'GET'],
        ['/get-artifact', 'GET'],
        ['/ajax-api/2.0/mlflow/upload-artifact', 'POST'],
        // agentrack's own read endpoints, which the web UI calls.
        ['/ajax-api/2.0/agentrack/agents', 'GET'],
        ['/api/2.0/agentrack/agents/deployments', 'GET'],
      ];
      for (const [url, method] of requests) {
        const res = await app.inject({ method, url: `${url}?run_id=x&run_uuid=x&path=a.txt`, payload: 'x' });
        expect([url, res.statusCode]).toEqual([url, 503]);
        expect(res.json()).toEqual({
          error_code: 'TEMPORARILY_UNAVAILABLE',
          message:
            `Endpoint: ${url} disabled due to the server running in \`--artifacts-only\` mode. ` +
            'To enable tracking server functionality, run `agentrack server` without `--artifacts-only`',
        });
      }
    } finally {
      await app.close();
    }
  });

  it('reads with any authenticated user, and needs credentials', async () => {
    const users = parseUsers(
      JSON.stringify({
        users: [
          { user: 'alice', token_sha256: hashToken('alice-token') },
          { user: 'bob', token_sha256: hashToken('bob-token') },
        ],
      }),
      'users.json',
    );
    const destination = new LocalArtifactRepository(join(storeDir.path, 'auth'));
    server = await startServer({
      store,
      port: 0,
      logger: false,
      closeStore: false,
      users,
      artifactDestination: destination,
    });
    const run = await newRun(store, '/Users/alice/listed');
    const path = `${LIST}?run_id=${run.run_id}`;
    const anonymous = await send(server.port, { method: 'GET', path });
    expectError(anonymous, 401, 'UNAUTHENTICATED');
    const bob = await send(server.port, {
      method: 'GET',
      path,
      headers: { authorization: 'Bearer bob-token' },
    });
    expect([bob.status, bob.json()]).toEqual([200, { root_uri: run.artifact_uri }]);
    await server.close();
    server = undefined;
  });

  it('uploads as the tracking API writes: /Users/<user>/ runs by that user alone, with credentials', async () => {
    const users = parseUsers(
      JSON.stringify({
        users: [
          { user: 'alice', token_sha256: hashToken('alice-token') },
          { user: 'bob', token_sha256: hashToken('bob-token') },
        ],
      }),
      'users.json',
    );
    const root = join(storeDir.path, 'upload-auth');
    server = await startServer({
      store,
      port: 0,
      logger: false,
      closeStore: false,
      users,
      artifactDestination: new LocalArtifactRepository(root),
    });
    const port = server.port;
    const alices = await newRun(store, '/Users/alice/uploads');
    const shared = await newRun(store, '/Shared/uploads');
    const upload = (runId: string, auth?: string) =>
      send(port, {
        method: 'POST',
        path: `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=notes.txt`,
        body: 'notes',
        headers: auth ? { authorization: auth } : {},
      });
    const bob = await upload(alices.run_id, 'Bearer bob-token');
    expectError(
      bob,
      403,
      'PERMISSION_DENIED',
      "User 'bob' cannot write to the experiment '/Users/alice/uploads': experiments under /Users/alice/ are written only by alice.",
    );
    expectError(await upload(alices.run_id), 401, 'UNAUTHENTICATED');
    expect(filesBelow(root)).toEqual({});
    expect((await upload(alices.run_id, 'Bearer alice-token')).status).toBe(200);
    expect((await upload(shared.run_id, 'Bearer bob-token')).status).toBe(200);
    const path = (run: { artifact_uri: string }) =>
      `${run.artifact_uri.replace(/^mlflow-artifacts:\//, '')}/notes.txt`;
    expect(filesBelow(root)).toEqual({ [path(alices)]: 5, [path(shared)]: 5 });
    expectError(await upload('f'.repeat(32), 'Bearer bob-token'), 404, 'RESOURCE_DOES_NOT_EXIST');
    await server.close();
    server = undefined;
  });

  it("lists a run rooted at this server's artifact service over http from the destination, as MLflow's server", async () => {
    const users = parseUsers(
      JSON.stringify({ users: [{ user: 'alice', token_sha256: hashToken('alice-token') }] }),
      'users.json',
    );
    // As MLflow's own tests run it: --default-artifact-root http://<this server>/api/2.0/mlflow-artifacts/artifacts.
    const port = await closedPort();
    const httpStore = await openSqliteStore(join(storeDir.path, 'http-root.db'), {
      defaultArtifactRoot: `http://127.0.0.1:${port}/api/2.0/mlflow-artifacts/artifacts`,
    });
    server = await startServer({
      store: httpStore,
      port,
      logger: false,
      users,
      artifactDestination: new LocalArtifactRepository(join(storeDir.path, 'http-root')),
    });
    const run = await newRun(httpStore, '/Shared/http-root');
    expect(run.artifact_uri).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api\/2\.0\/mlflow-artifacts\/artifacts\/1\//,
    );
    const auth = { authorization: 'Bearer alice-token' };
    const put = await send(server.port, {
      method: 'PUT',
      path: `${ARTIFACTS}/1/${run.run_id}/artifacts/a.txt`,
      body: 'abc',
      headers: auth,
    });
    expect(put.status).toBe(200);
    // Reaching its own artifact service over HTTP would go without the caller's credentials (401).
    const listed = await send(server.port, {
      method: 'GET',
      path: `${LIST}?run_id=${run.run_id}`,
      headers: auth,
    });
    expect([listed.status, listed.json()]).toEqual([
      200,
      { root_uri: run.artifact_uri, files: [{ path: 'a.txt', is_dir: false, file_size: 3 }] },
    ]);
    await server.close();
    server = undefined;
  });
});

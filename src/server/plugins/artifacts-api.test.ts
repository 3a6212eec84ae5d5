import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../../artifacts/local-artifact-repository.js';
import { ARTIFACT_ENDPOINTS } from '../../protocol/artifacts.js';
import { servedMethods } from '../../protocol/endpoint.js';
import { TRACKING_ENDPOINTS } from '../../protocol/tracking-api.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import { filesBelow } from '../../testing/files-below.js';
import { tempDir } from '../../testing/temp-dir.js';
import { createApp } from '../create-app.js';
import { startServer } from '../serve.js';
import { artifactsApi } from './artifacts-api.js';

const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
const MiB = 1024 * 1024;

let dir: { path: string; remove: () => void };
let store: TrackingStore;

beforeAll(async () => {
  dir = tempDir('agentrack-artifacts-api-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

describe('the artifacts API plugin', () => {
  it('mounted alone, serves every endpoint of the table under both prefixes', async () => {
    const root = join(dir.path, 'alone');
    const app = Fastify({ logger: false });
    app.register(artifactsApi, { destination: new LocalArtifactRepository(root) });
    await app.ready();
    try {
      for (const endpoint of ARTIFACT_ENDPOINTS) {
        for (const prefix of endpoint.prefixes) {
          const url = prefix + endpoint.path.replace('<path:artifact_path>', '1/r/x.txt');
          for (const method of servedMethods(endpoint)) {
            expect([
              method,
              url,
              app.hasRoute({ method, url: prefix + endpoint.path.replace('<path:artifact_path>', '*') }),
            ]).toEqual([method, url, true]);
          }
        }
      }
      const put = await app.inject({
        method: 'PUT',
        url: '/ajax-api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/config.json',
        payload: '{"not": "parsed"}',
        headers: { 'content-type': 'application/json' },
      });
      expect([put.statusCode, put.json()]).toEqual([200, {}]);
      expect(filesBelow(root)).toEqual({ '1/r/artifacts/config.json': 17 });
    } finally {
      await app.close();
    }
  });

  it('streams an upload to the destination as it arrives, beyond any body limit', async () => {
    const root = join(dir.path, 'streamed');
    const server = await startServer({
      store,
      port: 0,
      logger: false,
      closeStore: false,
      artifactDestination: new LocalArtifactRepository(root),
    });
    try {
      const size = 21 * MiB;
      const data = randomBytes(size);
      const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: server.port,
            method: 'PUT',
            path: `${ARTIFACTS}/1/r/artifacts/big.bin`,
            headers: { 'content-length': String(size), 'content-type': 'application/octet-stream' },
          },
          (res) => {
            let body = '';
            res.on('data', (chunk: Buffer) => (body += chunk.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        req.write(data.subarray(0, 2 * MiB));
        // The rest goes only once the first 2 MiB reached the destination's file: nothing holds the body whole.
        void (async () => {
          for (let i = 0; i < 600; i++) {
            const sizes = Object.entries(filesBelow(root));
            if (sizes.some(([name, bytes]) => name.includes('.agentrack-upload-') && bytes >= MiB)) {
              req.end(data.subarray(2 * MiB));
              return;
            }
            await sleep(50);
          }
          req.destroy(new Error('the first part never reached the destination'));
        })();
      });
      expect(await answer).toEqual({ status: 200, body: '{}' });
      expect(filesBelow(root)).toEqual({ '1/r/artifacts/big.bin': size });
    } finally {
      await server.close();
    }
  });

  it('closes the destination with the server, unless the server keeps its store open', async () => {
    let closed = 0;
    const destination = new LocalArtifactRepository(join(dir.path, 'closing'));
    destination.close = async () => {
      closed++;
    };
    const scratch = await openSqliteStore(join(dir.path, 'closing.db'));
    const first = await startServer({
      store: scratch,
      port: 0,
      logger: false,
      artifactDestination: destination,
    });
    await first.close();
    expect(closed).toBe(1);
    const kept = await startServer({
      store,
      port: 0,
      logger: false,
      closeStore: false,
      artifactDestination: destination,
    });
    await kept.close();
    expect(closed).toBe(1);
  });
});

describe('createApp and the artifact service', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = createApp({
      store,
      logger: false,
      artifactDestination: new LocalArtifactRepository(join(dir.path, 'app')),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it('serves the mlflow-artifacts paths instead of answering them 501', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: `${ARTIFACTS}/0/run/artifacts/model.pkl`,
      payload: 'pickle',
    });
    expect([put.statusCode, put.json()]).toEqual([200, {}]);
    const list = await app.inject({ method: 'GET', url: `${ARTIFACTS}?path=0/run/artifacts` });
    expect(list.json()).toEqual({ files: [{ path: 'model.pkl', is_dir: false, file_size: 6 }] });
    const unknown = await app.inject({ method: 'GET', url: '/api/2.0/mlflow-artifacts/presigned/0/x' });
    expect([unknown.statusCode, unknown.json()]).toEqual([
      404,
      {
        error_code: 'ENDPOINT_NOT_FOUND',
        message: 'No API endpoint GET /api/2.0/mlflow-artifacts/presigned/0/x.',
      },
    ]);
  });

  it.each([
    ['POST', `${ARTIFACTS}/0/run/artifacts/model.pkl`, 'GET, PUT, DELETE, HEAD'],
    ['PATCH', '/ajax-api/2.0/mlflow-artifacts/artifacts/0/x', 'GET, PUT, DELETE, HEAD'],
    ['PUT', '/api/2.0/mlflow-artifacts/mpu/create/0/run', 'POST'],
    ['POST', ARTIFACTS, 'GET, HEAD'],
  ] as const)('answers %s %s with 405 and the methods it accepts', async (method, url, allowed) => {
    const res = await app.inject({
      method,
      url,
      payload: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect([res.statusCode, res.headers.allow]).toEqual([405, allowed]);
    expect(res.json()).toEqual({
      error_code: 'BAD_REQUEST',
      message: `Method ${method} is not allowed for ${url}; it accepts ${allowed}.`,
    });
  });

  it('answers HEAD on a download with its headers, without reading the file', async () => {
    await app.inject({
      method: 'PUT',
      url: `${ARTIFACTS}/0/run/artifacts/page.html`,
      payload: '<html></html>',
    });
    const head = await app.inject({ method: 'HEAD', url: `${ARTIFACTS}/0/run/artifacts/page.html` });
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-disposition']).toBe('attachment; filename=page.html');
  });
});

describe('an app without an artifact destination, or serving artifacts only', () => {
  it("answers every artifact endpoint 503 as MLflow's --no-serve-artifacts does, and keeps 405", async () => {
    const app = createApp({ store, logger: false });
    try {
      for (const endpoint of ARTIFACT_ENDPOINTS) {
        for (const prefix of endpoint.prefixes) {
          const url = prefix + endpoint.path.replace('<path:artifact_path>', '1/r/artifacts/x.bin');
          const res = await app.inject({ method: endpoint.method, url, payload: 'x' });
          expect([url, res.statusCode]).toEqual([url, 503]);
          expect(res.json()).toEqual({
            error_code: 'TEMPORARILY_UNAVAILABLE',
            message:
              `Endpoint: ${prefix}${endpoint.path} disabled due to the server running with \`--no-serve-artifacts\`. ` +
              'To enable artifacts server functionality, run `agentrack server` with `--serve-artifacts`',
          });
        }
      }
      expect((await app.inject({ method: 'POST', url: `${ARTIFACTS}/1/x` })).statusCode).toBe(405);
      const tracking = await app.inject({
        method: 'GET',
        url: '/api/2.0/mlflow/experiments/get?experiment_id=0',
      });
      expect(tracking.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("answers every tracking endpoint 503 as MLflow's --artifacts-only does; artifacts and probes still answer", async () => {
    const app = createApp({
      store,
      logger: false,
      artifactsOnly: true,
      artifactDestination: new LocalArtifactRepository(join(dir.path, 'only')),
    });
    try {
      for (const endpoint of TRACKING_ENDPOINTS) {
        for (const prefix of endpoint.prefixes) {
          const url = prefix + endpoint.path;
          const res = await app.inject({
            method: endpoint.method,
            url,
            payload: '{}',
            headers: { 'content-type': 'application/json' },
          });
          expect([url, res.statusCode]).toEqual([url, 503]);
          expect(res.json()).toEqual({
            error_code: 'TEMPORARILY_UNAVAILABLE',
            message:
              `Endpoint: ${url} disabled due to the server running in \`--artifacts-only\` mode. ` +
              'To enable tracking server functionality, run `agentrack server` without `--artifacts-only`',
          });
        }
      }
      expect((await app.inject({ method: 'GET', url: '/api/2.0/mlflow/runs/create' })).statusCode).toBe(405);
      expect((await app.inject({ method: 'GET', url: '/health' })).body).toBe('OK');
      expect((await app.inject({ method: 'GET', url: '/version' })).statusCode).toBe(200);
      const put = await app.inject({ method: 'PUT', url: `${ARTIFACTS}/1/r/a.txt`, payload: 'a' });
      expect(put.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

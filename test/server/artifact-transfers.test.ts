import { createHash, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArtifactRepository } from '../../src/artifacts/artifact-registry.js';
import { readAll, bodyOf } from '../../src/artifacts/artifact-repository.contract.js';
import { HttpArtifactRepository } from '../../src/artifacts/http-artifact-repository.js';
import { hashToken, parseUsers } from '../../src/auth/index.js';
import { startS3Server, type S3TestServer } from '../../src/testing/s3-server.js';
import { ARTIFACTS, filesBelow, startArtifactServer, type ArtifactServer } from './artifact-harness.js';

// Whole transfers over real connections: 20 MiB up and down byte for byte, chunked uploads,
// the client repository, and MLflow's multipart sequence under access control.
const MPU = '/api/2.0/mlflow-artifacts/mpu';
const RUN = '1/4f144359ab94417f954e4384e62ffb2d/artifacts';
const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** A PUT whose body goes chunked (no Content-Length), in pieces. */
function putChunked(port: number, path: string, pieces: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path,
        agent: false,
        headers: { 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    for (const piece of pieces) req.write(piece);
    req.end();
  });
}

describe('transfers to a local destination', () => {
  let harness: ArtifactServer;
  beforeAll(async () => {
    harness = await startArtifactServer();
  });
  afterAll(async () => {
    await harness?.close();
  });

  it('uploads and downloads 20 MiB byte for byte, as MLflow’s client sends it (one PUT with Content-Length)', async () => {
    const data = randomBytes(20 * MiB);
    const put = await harness.send({
      method: 'PUT',
      path: `${ARTIFACTS}/${RUN}/large/embeddings.bin`,
      headers: { 'content-type': 'application/octet-stream' },
      body: data,
    });
    expect([put.status, put.body.toString()]).toEqual([200, '{}']);
    const listing = await harness.send({ method: 'GET', path: `${ARTIFACTS}?path=${RUN}/large` });
    expect(listing.json()).toEqual({
      files: [{ path: 'embeddings.bin', is_dir: false, file_size: 20 * MiB }],
    });
    const get = await harness.send({ method: 'GET', path: `${ARTIFACTS}/${RUN}/large/embeddings.bin` });
    expect([get.status, get.body.length, sha256(get.body)]).toEqual([200, 20 * MiB, sha256(data)]);
    expect(get.headers['transfer-encoding']).toBe('chunked');
  });

  it('takes a chunked upload of unknown size', async () => {
    const pieces = [randomBytes(MiB), randomBytes(3), randomBytes(2 * MiB)];
    expect(await putChunked(harness.server.port, `${ARTIFACTS}/${RUN}/chunked.bin`, pieces)).toEqual({
      status: 200,
      body: '{}',
    });
    const get = await harness.send({ method: 'GET', path: `${ARTIFACTS}/${RUN}/chunked.bin` });
    expect(sha256(get.body)).toBe(sha256(Buffer.concat(pieces)));
  });

  it('round-trips 20 MiB through HttpArtifactRepository, the client of the same rows', async () => {
    const repo = await openArtifactRepository(`${harness.server.url}${ARTIFACTS}/${RUN}`, { env: {} });
    try {
      const data = randomBytes(20 * MiB);
      expect(await repo.put('client/weights.bin', bodyOf(data), { size: data.length })).toEqual({
        path: 'client/weights.bin',
        name: 'weights.bin',
        isDir: false,
        size: data.length,
      });
      const download = await repo.get('client/weights.bin');
      expect(download.size).toBe(data.length);
      expect(sha256(await readAll(download.body))).toBe(sha256(data));
      expect(filesBelow(harness.root)[`${RUN}/client/weights.bin`]).toBe(data.length);
    } finally {
      await repo.close();
    }
  });
});

describe("MLflow's multipart sequence, over a real port, under access control, to S3 (s3rver)", () => {
  let s3: S3TestServer;
  let harness: ArtifactServer;
  let experiment: string;
  const token = 'Bearer ci-token';

  beforeAll(async () => {
    s3 = await startS3Server();
    const users = parseUsers(
      JSON.stringify({ users: [{ user: 'ci-bot', token_sha256: hashToken('ci-token') }] }),
      'users.json',
    );
    const destination = await openArtifactRepository(`s3://${s3.bucket}/mlartifacts`, { env: s3.env });
    harness = await startArtifactServer({ users, destination: () => destination });
    experiment = await harness.store.createExperiment({ name: '/Shared/agent/development' });
  });
  afterAll(async () => {
    await harness?.close();
    await s3?.stop();
  });

  it('uploads each part to its credential with only the headers it names, then completes', async () => {
    const folder = `${experiment}/run/artifacts/large`;
    const created = await fetch(`${harness.server.url}${MPU}/create/${folder}`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/tmp/local/embeddings.bin', num_parts: 3 }),
    });
    expect(created.status).toBe(200);
    const { upload_id: uploadId, credentials } = (await created.json()) as {
      upload_id: string;
      credentials: { url: string; part_number: number; headers: Record<string, string> }[];
    };
    expect(credentials.map((c) => new URL(c.url).origin)).toEqual(Array(3).fill(harness.server.url));
    const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
    // As MLflow's client: requests.put(credential.url, data=..., headers=credential.headers), the ETag read back.
    const uploaded = await Promise.all(
      credentials.map(async (credential) => {
        const res = await fetch(credential.url, {
          method: 'PUT',
          headers: credential.headers,
          body: parts[credential.part_number - 1],
        });
        expect(res.status).toBe(200);
        return {
          part_number: credential.part_number,
          etag: res.headers.get('etag') ?? '',
          url: credential.url,
        };
      }),
    );
    const anonymous = await fetch(credentials[0]?.url ?? '', { method: 'PUT', body: parts[0] });
    expect(anonymous.status).toBe(401);
    const completed = await fetch(`${harness.server.url}${MPU}/complete/${folder}`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ path: '/tmp/local/embeddings.bin', upload_id: uploadId, parts: uploaded }),
    });
    expect([completed.status, await completed.text()]).toEqual([200, '{}']);
    const repo = HttpArtifactRepository.forServer(harness.server.url, { env: {}, token: 'ci-token' });
    try {
      const download = await repo.get(`${folder}/embeddings.bin`);
      expect(download.size).toBe(10 * MiB + 1234);
      expect(sha256(await readAll(download.body))).toBe(sha256(Buffer.concat(parts)));
    } finally {
      await repo.close();
    }
    expect(s3.pendingUploads()).toBe(0);
  });

  it('refuses a part sent without Content-Length', async () => {
    const folder = `${experiment}/run/artifacts/chunked`;
    const created = await fetch(`${harness.server.url}${MPU}/create/${folder}`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'c.bin', num_parts: 1 }),
    });
    const { upload_id: uploadId, credentials } = (await created.json()) as {
      upload_id: string;
      credentials: { url: string }[];
    };
    const url = new URL(credentials[0]?.url ?? '');
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: harness.server.port,
          method: 'PUT',
          path: url.pathname + url.search,
          agent: false,
          headers: { authorization: token, 'transfer-encoding': 'chunked' },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end(Buffer.from('abc'));
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/needs a Content-Length/),
    });
    await fetch(`${harness.server.url}${MPU}/abort/${folder}`, {
      method: 'POST',
      headers: { authorization: token, 'content-type': 'application/json' },
      body: JSON.stringify({ path: 'c.bin', upload_id: uploadId }),
    });
    expect(s3.pendingUploads()).toBe(0);
  });
});

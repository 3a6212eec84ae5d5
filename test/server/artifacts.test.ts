import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openArtifactRepository } from '../../src/artifacts/artifact-registry.js';
import type { ArtifactRepository } from '../../src/artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../../src/artifacts/local-artifact-repository.js';
import { createApp } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { startS3Server, type S3TestServer } from '../../src/testing/s3-server.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { ARTIFACTS } from './artifact-harness.js';

// MLflow's artifact service through createApp (inject), every endpoint: the exchanges of
// MLflow 3.3.1's client with `mlflow server` (artifacts.jsonl), with the bodies it uploaded and
// the answers it got, and multipart uploads over an S3 destination.
const MPU = '/api/2.0/mlflow-artifacts/mpu';
const RUN = '1/4f144359ab94417f954e4384e62ffb2d/artifacts';
const EVAL = '2/adc523c25b054ba5999c028363be1b32/artifacts';
const MiB = 1024 * 1024;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let dir: { path: string; remove: () => void };
let store: TrackingStore;

beforeAll(async () => {
  dir = tempDir('agentrack-artifacts-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

describe('the recording, replayed against createApp', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = createApp({
      store,
      logger: false,
      artifactDestination: new LocalArtifactRepository(join(dir.path, 'recorded')),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const put = async (path: string, body: Buffer | string, contentType: string) => {
    const res = await app.inject({
      method: 'PUT',
      url: `${ARTIFACTS}/${path}`,
      payload: body,
      headers: { 'content-type': contentType },
    });
    expect([path, res.statusCode, res.headers['content-type'], res.body]).toEqual([
      path,
      200,
      'application/json; charset=utf-8',
      '{}',
    ]);
  };
  const list = async (path: string) => {
    const res = await app.inject({ method: 'GET', url: ARTIFACTS, query: { path } });
    expect(res.statusCode).toBe(200);
    return res.json<Record<string, unknown>>();
  };
  const download = async (path: string) => {
    const res = await app.inject({ method: 'GET', url: `${ARTIFACTS}/${path}` });
    expect(res.statusCode).toBe(200);
    return res;
  };

  const config = 'model=health-monitor\nthreshold=90\n';
  const png = randomBytes(97);
  const embeddings = randomBytes(20 * MiB);

  it('log_artifact to the root and to configs/: listed with names relative to the folder, sizes on files', async () => {
    await put(`${RUN}/agent_config.txt`, config, 'text/plain');
    expect(await list(RUN)).toEqual({ files: [{ path: 'agent_config.txt', is_dir: false, file_size: 34 }] });
    await put(`${RUN}/configs/agent_config.txt`, config, 'text/plain');
    expect(await list(`${RUN}/configs`)).toEqual({
      files: [{ path: 'agent_config.txt', is_dir: false, file_size: 34 }],
    });
    const res = await download(`${RUN}/agent_config.txt`);
    expect(res.body).toBe(config);
    expect(res.headers).toMatchObject({
      'content-type': 'text/plain',
      'transfer-encoding': 'chunked',
      'content-disposition': 'attachment; filename=agent_config.txt',
    });
  });

  it('log_artifacts of a tree: folders without sizes, in name order', async () => {
    await put(
      `${RUN}/prompts/system.txt`,
      'You are the health monitor agent.\nReport hosts whose CPU is >= 90%.\n',
      'text/plain',
    );
    await put(
      `${RUN}/prompts/tools/search.json`,
      '{"name": "search_metrics", "args": ["host", "window"]}',
      'text/plain',
    );
    await put(
      `${RUN}/prompts/tools/nested/deep.md`,
      '# Escalation\n\n1. page the on-call\n2. open an incident\n',
      'text/plain',
    );
    expect(await list(`${RUN}/prompts`)).toEqual({
      files: [
        { path: 'system.txt', is_dir: false, file_size: 68 },
        { path: 'tools', is_dir: true },
      ],
    });
    expect(await list(`${RUN}/prompts/tools`)).toEqual({
      files: [
        { path: 'nested', is_dir: true },
        { path: 'search.json', is_dir: false, file_size: 54 },
      ],
    });
    expect(await list(`${RUN}/prompts/tools/nested`)).toEqual({
      files: [{ path: 'deep.md', is_dir: false, file_size: 54 }],
    });
  });

  it('log_dict, log_text, log_image and a 20 MiB binary: a file lists as {}, downloads byte for byte', async () => {
    const dict =
      '{\n  "agent": "health_monitor_agent",\n  "thresholds": {\n    "cpu": 90,\n    "memory": 85\n  },\n  "tools": [\n    "search_metrics",\n    "page"\n  ]\n}';
    await put(`${RUN}/config/agent.json`, dict, 'text/plain');
    expect(await list(`${RUN}/config/agent.json`)).toEqual({});
    expect((await download(`${RUN}/config/agent.json`)).body).toBe(dict);
    const notes = 'Release notes: CPU ≥ 90% → critical; memory ≥ 85% → warning.\n';
    await put(`${RUN}/notes/release.md`, notes, 'text/plain');
    expect((await download(`${RUN}/notes/release.md`)).body).toBe(notes);
    await put(`${RUN}/images/status_panel.png`, png, 'image/png');
    expect(await list(`${RUN}/images`)).toEqual({
      files: [{ path: 'status_panel.png', is_dir: false, file_size: 97 }],
    });
    const image = await download(`${RUN}/images/status_panel.png`);
    expect([image.headers['content-type'], sha256(image.rawPayload)]).toEqual(['image/png', sha256(png)]);
    await put(`${RUN}/large/embeddings.bin`, embeddings, 'application/octet-stream');
    expect(await list(`${RUN}/large`)).toEqual({
      files: [{ path: 'embeddings.bin', is_dir: false, file_size: 20971520 }],
    });
    const large = await download(`${RUN}/large/embeddings.bin`);
    expect([large.headers['content-type'], sha256(large.rawPayload)]).toEqual([
      'application/octet-stream',
      sha256(embeddings),
    ]);
  });

  it('list_artifacts at the root of the run: what the recording answers', async () => {
    await put(`${RUN}/config/agent.yaml`, 'agent: health_monitor_agent\n', 'text/plain');
    expect(await list(RUN)).toEqual({
      files: [
        { path: 'agent_config.txt', is_dir: false, file_size: 34 },
        { path: 'config', is_dir: true },
        { path: 'configs', is_dir: true },
        { path: 'images', is_dir: true },
        { path: 'large', is_dir: true },
        { path: 'notes', is_dir: true },
        { path: 'prompts', is_dir: true },
      ],
    });
  });

  it('log_table in an evaluation run: an empty folder lists as {}, then the table', async () => {
    expect(await list(`${EVAL}/eval_results`)).toEqual({});
    const table =
      '{"columns":["question","answer","score"],"data":[["is web-1 healthy?","critical",0.93],["is db-1 healthy?","ok",0.81]]}';
    await put(`${EVAL}/eval_results/table.json`, table, 'text/plain');
    expect(await list(`${EVAL}/eval_results`)).toEqual({
      files: [{ path: 'table.json', is_dir: false, file_size: 119 }],
    });
    expect((await download(`${EVAL}/eval_results/table.json`)).body).toBe(table);
  });

  it('a missing file: the listing is {}, the download 404 (not MLflow’s 500)', async () => {
    expect(await list(`${RUN}/notes/missing.md`)).toEqual({});
    expect(await list(`${RUN}/notes/no_such_folder`)).toEqual({});
    const res = await app.inject({ method: 'GET', url: `${ARTIFACTS}/${RUN}/notes/missing.md` });
    expect([res.statusCode, res.json()]).toEqual([
      404,
      { error_code: 'RESOURCE_DOES_NOT_EXIST', message: `Artifact '${RUN}/notes/missing.md' not found.` },
    ]);
  });

  it('deletes a file or a whole folder, and answers {}', async () => {
    const one = await app.inject({ method: 'DELETE', url: `${ARTIFACTS}/${RUN}/configs/agent_config.txt` });
    expect([one.statusCode, one.body]).toEqual([200, '{}']);
    const tree = await app.inject({ method: 'DELETE', url: `${ARTIFACTS}/${RUN}/prompts/` });
    expect([tree.statusCode, tree.body]).toEqual([200, '{}']);
    expect(await list(`${RUN}/prompts`)).toEqual({});
    const again = await app.inject({ method: 'DELETE', url: `${ARTIFACTS}/${RUN}/prompts` });
    expect(again.statusCode).toBe(200);
    expect((await list(RUN)).files).toHaveLength(5);
  });

  it('answers the listing of the root, with or without ?path=', async () => {
    expect((await app.inject({ method: 'GET', url: ARTIFACTS })).json()).toEqual({
      files: [
        { path: '1', is_dir: true },
        { path: '2', is_dir: true },
      ],
    });
    expect((await app.inject({ method: 'GET', url: `${ARTIFACTS}?path=` })).json()).toEqual(
      (await app.inject({ method: 'GET', url: ARTIFACTS })).json(),
    );
  });

  it('answers the multipart endpoints of a destination without them as MLflow does, 501 NOT_IMPLEMENTED', async () => {
    for (const action of ['create', 'complete', 'abort']) {
      const res = await app.inject({
        method: 'POST',
        url: `${MPU}/${action}/${RUN}/large`,
        payload: { path: 'big.bin', num_parts: 2, upload_id: 'u', parts: [] },
      });
      expect([action, res.statusCode, res.json()]).toEqual([
        action,
        501,
        {
          error_code: 'NOT_IMPLEMENTED',
          message: 'Multipart upload is not supported for the current artifact repository',
        },
      ]);
    }
  });
});

describe('multipart uploads through createApp over an S3 destination (s3rver)', () => {
  let s3: S3TestServer;
  let destination: ArtifactRepository;
  let app: FastifyInstance;
  beforeAll(async () => {
    s3 = await startS3Server();
    destination = await openArtifactRepository(`s3://${s3.bucket}/mlartifacts`, { env: s3.env });
    app = createApp({ store, logger: false, artifactDestination: destination });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await destination?.close();
    await s3?.stop();
  });

  it("runs MLflow's client's sequence: create with num_parts, PUT each part to its credential, complete with the ETags", async () => {
    const created = await app.inject({
      method: 'POST',
      url: `${MPU}/create/${RUN}/large`,
      headers: { host: 'tracking.internal:5000', authorization: 'Bearer t' },
      payload: { path: '/tmp/tmpab12/embeddings.bin', num_parts: 2 },
    });
    expect(created.statusCode).toBe(200);
    const { upload_id: uploadId, credentials } = created.json<{
      upload_id: string;
      credentials: { url: string; part_number: number; headers: Record<string, string> }[];
    }>();
    expect(credentials.map((c) => [c.part_number, c.headers])).toEqual([
      [1, { Authorization: 'Bearer t' }],
      [2, { Authorization: 'Bearer t' }],
    ]);
    const parts = [randomBytes(5 * MiB), randomBytes(77)];
    const uploaded = [];
    for (const credential of credentials) {
      const url = new URL(credential.url);
      expect(url.origin).toBe('http://tracking.internal:5000');
      const res = await app.inject({
        method: 'PUT',
        url: url.pathname + url.search,
        headers: credential.headers,
        payload: parts[credential.part_number - 1],
      });
      expect([res.statusCode, res.body]).toEqual([200, '{}']);
      expect(res.headers.etag).toMatch(/^"[0-9a-f]+"$/);
      uploaded.push({ part_number: credential.part_number, etag: res.headers.etag, url: credential.url });
    }
    const completed = await app.inject({
      method: 'POST',
      url: `${MPU}/complete/${RUN}/large`,
      payload: { path: '/tmp/tmpab12/embeddings.bin', upload_id: uploadId, parts: uploaded },
    });
    expect([completed.statusCode, completed.body]).toEqual([200, '{}']);
    const res = await app.inject({ method: 'GET', url: `${ARTIFACTS}/${RUN}/large/embeddings.bin` });
    expect(sha256(res.rawPayload)).toBe(sha256(Buffer.concat(parts)));
    expect((await app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${RUN}/large` })).json()).toEqual({
      files: [{ path: 'embeddings.bin', is_dir: false, file_size: 5 * MiB + 77 }],
    });
  });

  it('aborts an upload and its parts; an unknown upload is 404', async () => {
    const created = await app.inject({
      method: 'POST',
      url: `${MPU}/create/${RUN}/aborted`,
      payload: { path: 'gone.bin', num_parts: 1 },
    });
    const { upload_id: uploadId, credentials } = created.json<{
      upload_id: string;
      credentials: { url: string }[];
    }>();
    const url = new URL(credentials[0]?.url ?? '');
    expect(
      (await app.inject({ method: 'PUT', url: url.pathname + url.search, payload: randomBytes(MiB) }))
        .statusCode,
    ).toBe(200);
    const aborted = await app.inject({
      method: 'POST',
      url: `${MPU}/abort/${RUN}/aborted`,
      payload: { path: 'gone.bin', upload_id: uploadId },
    });
    expect([aborted.statusCode, aborted.body]).toEqual([200, '{}']);
    expect(s3.pendingUploads()).toBe(0);
    const again = await app.inject({
      method: 'POST',
      url: `${MPU}/abort/${RUN}/aborted`,
      payload: { path: 'gone.bin', upload_id: uploadId },
    });
    expect([again.statusCode, again.json().error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
    expect((await app.inject({ method: 'GET', url: `${ARTIFACTS}?path=${RUN}/aborted` })).json()).toEqual({});
  });

  it("refuses bad part numbers and a part without its upload id, with MLflow's errors", async () => {
    const created = await app.inject({
      method: 'POST',
      url: `${MPU}/create/${RUN}/checked`,
      payload: { path: 'c.bin', num_parts: 1 },
    });
    const { upload_id: uploadId } = created.json<{ upload_id: string }>();
    const part = (query: string) =>
      app.inject({ method: 'PUT', url: `${MPU}/upload-part/${RUN}/checked/c.bin?${query}`, payload: 'abc' });
    const zero = await part(`upload_id=${uploadId}&part_number=0`);
    expect([zero.statusCode, zero.json().error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
    const missing = await part('part_number=1');
    expect(missing.json()).toMatchObject({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/'upload_id'/),
    });
    await app.inject({
      method: 'POST',
      url: `${MPU}/abort/${RUN}/checked`,
      payload: { path: 'c.bin', upload_id: uploadId },
    });
  });
});

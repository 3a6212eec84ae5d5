import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  eventually,
  filesBelow,
  openFilesBelow,
  startArtifactServer,
  type ArtifactServer,
} from './artifact-harness.js';

const RUN = '1/4f144359ab94417f954e4384e62ffb2d/artifacts';
const MiB = 1024 * 1024;

let harness: ArtifactServer;

beforeAll(async () => {
  harness = await startArtifactServer();
});
afterAll(async () => {
  await harness?.close();
});

async function upload(path: string, body: Buffer | string): Promise<void> {
  const res = await harness.send({ method: 'PUT', path: `${ARTIFACTS}/${path}`, body });
  expect([res.status, res.body.toString()]).toEqual([200, '{}']);
}

describe('downloads over a real connection', () => {
  it.each([
    ['agent_config.txt', 'text/plain'],
    ['config/agent.json', 'text/plain'],
    ['config/agent.yaml', 'text/plain'],
    ['model/MLmodel', 'text/plain'],
    ['images/status_panel.png', 'image/png'],
    ['large/embeddings.bin', 'application/octet-stream'],
    ['report/index.html', 'text/html'],
    ['report/chart.svg', 'image/svg+xml'],
    ['report/app.js', 'text/plain'],
  ])('serves %s chunked as %s, as an attachment that is never sniffed', async (name, type) => {
    const content = `<html><script>alert("${name}")</script></html>`;
    await upload(`${RUN}/${name}`, content);
    const res = await harness.send({ method: 'GET', path: `${ARTIFACTS}/${RUN}/${name}` });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(content);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['content-disposition']).toBe(`attachment; filename=${name.split('/').pop()}`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['transfer-encoding']).toBe('chunked');
    expect(res.headers['content-length']).toBeUndefined();
  });

  it('answers a missing file 404 RESOURCE_DOES_NOT_EXIST, naming the artifact and not where the server keeps it', async () => {
    const res = await harness.send({ method: 'GET', path: `${ARTIFACTS}/${RUN}/notes/missing.md` });
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: `Artifact '${RUN}/notes/missing.md' not found.`,
    });
    expect(res.body.toString()).not.toContain(harness.root);
    const folder = await harness.send({ method: 'GET', path: `${ARTIFACTS}/${RUN}/config` });
    expect([folder.status, folder.json().error_code]).toEqual([404, 'RESOURCE_DOES_NOT_EXIST']);
  });

  it('closes the file when the client goes away mid-download', async () => {
    await upload(`${RUN}/large/weights.bin`, randomBytes(32 * MiB));
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: harness.server.port,
          path: `${ARTIFACTS}/${RUN}/large/weights.bin`,
          agent: false,
        },
        (res) => {
          res.once('data', () => {
            expect(openFilesBelow(harness.root).length).toBeGreaterThan(0);
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      req.end();
    });
    await eventually(() => openFilesBelow(harness.root).length === 0, 'the download to close its file');
    // The server is still serving.
    const again = await harness.send({ method: 'GET', path: `${ARTIFACTS}?path=${RUN}/large` });
    expect(again.json<{ files: unknown[] }>().files).toContainEqual({
      path: 'weights.bin',
      is_dir: false,
      file_size: 32 * MiB,
    });
  });

  it('keeps nothing, and no file open, of an upload whose client goes away midway', async () => {
    const before = filesBelow(harness.root);
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: harness.server.port,
        method: 'PUT',
        path: `${ARTIFACTS}/${RUN}/broken/upload.bin`,
        headers: { 'content-length': String(8 * MiB), 'content-type': 'application/octet-stream' },
        agent: false,
      });
      req.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' ? undefined : reject(error),
      );
      req.write(randomBytes(MiB), () => {
        eventually(
          () => Object.keys(filesBelow(harness.root)).some((name) => name.includes('.agentrack-upload-')),
          'the upload to reach the destination',
        )
          .then(() => {
            req.destroy();
            resolve();
          })
          .catch(reject);
      });
    });
    await eventually(
      () => JSON.stringify(filesBelow(harness.root)) === JSON.stringify(before),
      'the partial upload to be removed',
    );
    expect(openFilesBelow(harness.root)).toEqual([]);
    const listing = await harness.send({ method: 'GET', path: `${ARTIFACTS}?path=${RUN}/broken` });
    expect(listing.json()).toEqual({});
  });
});

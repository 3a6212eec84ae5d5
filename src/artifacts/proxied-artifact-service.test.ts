import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../client/tracking-client.contract.js';
import { startS3Server, type S3TestServer } from '../testing/s3-server.js';
import { tempDir } from '../testing/temp-dir.js';
import { bodyOf, readAll } from './artifact-repository.contract.js';
import { openArtifactRepository } from './artifact-registry.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';
import { MULTIPART_UNSUPPORTED_MESSAGE, ProxiedArtifactService } from './proxied-artifact-service.js';

const MiB = 1024 * 1024;

describe('ProxiedArtifactService over a local folder', () => {
  let dir: { path: string; remove: () => void };
  let service: ProxiedArtifactService;
  beforeAll(() => {
    dir = tempDir('agentrack-proxied-');
    service = new ProxiedArtifactService(new LocalArtifactRepository(join(dir.path, 'mlartifacts')));
  });
  afterAll(() => dir.remove());

  it('uploads, lists with names relative to the folder, downloads and deletes', async () => {
    const run = '1/0f1e/artifacts';
    await service.uploadArtifact(`${run}/agent_config.txt`, { stream: bodyOf('model=x\n'), size: 8 });
    await service.uploadArtifact(`${run}/configs/agent.json`, {
      stream: bodyOf('{}'),
      contentType: 'text/plain',
    });
    expect(await service.listArtifacts(run)).toEqual([
      { path: 'agent_config.txt', isDir: false, fileSize: 8 },
      { path: 'configs', isDir: true },
    ]);
    expect(await service.listArtifacts()).toEqual([{ path: '1', isDir: true }]);
    expect(await service.listArtifacts(`${run}/agent_config.txt`)).toEqual([]);
    expect(await service.listArtifacts('no/such/folder')).toEqual([]);
    expect((await readAll((await service.downloadArtifact(`${run}/agent_config.txt`)).body)).toString()).toBe(
      'model=x\n',
    );
    await service.deleteArtifact(`${run}/configs`);
    expect(await service.listArtifacts(run)).toEqual([
      { path: 'agent_config.txt', isDir: false, fileSize: 8 },
    ]);
    await expectError(service.downloadArtifact(`${run}/configs/agent.json`), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('refuses a body shorter than its Content-Length, and keeps nothing of it', async () => {
    await expectError(
      service.uploadArtifact('1/r/short.bin', { stream: bodyOf('abc'), size: 10 }),
      'INVALID_PARAMETER_VALUE',
      /only 3/,
    );
    expect(await service.listArtifacts('1/r')).toEqual([]);
  });

  it("answers every multipart operation with MLflow's NOT_IMPLEMENTED, leaving a part's body unread", async () => {
    const message = new RegExp(`^${MULTIPART_UNSUPPORTED_MESSAGE}$`);
    await expectError(
      service.createMultipartUpload('1/r', { path: 'big.bin', numParts: 2 }),
      'NOT_IMPLEMENTED',
      message,
    );
    const body = bodyOf('part');
    await expectError(
      service.uploadMultipartPart('1/r/big.bin', { uploadId: 'u', partNumber: 1 }, { stream: body, size: 4 }),
      'NOT_IMPLEMENTED',
      message,
    );
    expect(body.destroyed).toBe(true);
    await expectError(
      service.completeMultipartUpload('1/r', { path: 'big.bin', uploadId: 'u', parts: [] }),
      'NOT_IMPLEMENTED',
      message,
    );
    await expectError(
      service.abortMultipartUpload('1/r', { path: 'big.bin', uploadId: 'u' }),
      'NOT_IMPLEMENTED',
      message,
    );
  });
});

describe('ProxiedArtifactService over S3 (s3rver): multipart uploads through the server', () => {
  let s3: S3TestServer;
  beforeAll(async () => {
    s3 = await startS3Server();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it("answers a credential per part that points at the part-upload endpoint with the caller's credentials, and joins the parts", async () => {
    const destination = await openArtifactRepository(`s3://${s3.bucket}/proxied`, { env: s3.env });
    try {
      const service = new ProxiedArtifactService(destination);
      const created = await service.createMultipartUpload('1/r/artifacts/large', {
        path: '/home/me/local copy/embeddings.bin',
        numParts: 2,
        partTarget: { origin: 'http://127.0.0.1:5000', authorization: 'Bearer token' },
      });
      const file = '1/r/artifacts/large/embeddings.bin';
      const query = `upload_id=${encodeURIComponent(created.uploadId)}`;
      expect(created.credentials).toEqual([
        {
          url: `http://127.0.0.1:5000/api/2.0/mlflow-artifacts/mpu/upload-part/${file}?${query}&part_number=1`,
          partNumber: 1,
          headers: { Authorization: 'Bearer token' },
        },
        {
          url: `http://127.0.0.1:5000/api/2.0/mlflow-artifacts/mpu/upload-part/${file}?${query}&part_number=2`,
          partNumber: 2,
          headers: { Authorization: 'Bearer token' },
        },
      ]);
      const first = randomBytes(5 * MiB);
      const second = randomBytes(1234);
      const part2 = await service.uploadMultipartPart(
        file,
        { uploadId: created.uploadId, partNumber: 2 },
        { stream: bodyOf(second), size: second.length },
      );
      const part1 = await service.uploadMultipartPart(
        file,
        { uploadId: created.uploadId, partNumber: 1 },
        { stream: bodyOf(first), size: first.length },
      );
      await expectError(
        service.uploadMultipartPart(
          file,
          { uploadId: created.uploadId, partNumber: 3 },
          { stream: bodyOf('x') },
        ),
        'INVALID_PARAMETER_VALUE',
        /needs a Content-Length/,
      );
      await service.completeMultipartUpload('1/r/artifacts/large', {
        path: 'C:\\Users\\me\\embeddings.bin',
        uploadId: created.uploadId,
        parts: [
          { ...part2, url: created.credentials[1]?.url },
          { ...part1, url: created.credentials[0]?.url },
        ],
      });
      expect(
        (await readAll((await service.downloadArtifact(file)).body)).equals(Buffer.concat([first, second])),
      ).toBe(true);
      expect(await service.listArtifacts('1/r/artifacts/large')).toEqual([
        { path: 'embeddings.bin', isDir: false, fileSize: first.length + second.length },
      ]);
      const aborted = await service.createMultipartUpload('1/r/artifacts', { path: 'gone.bin', numParts: 1 });
      expect(aborted.credentials[0]?.url).toMatch(
        /^\/api\/2\.0\/mlflow-artifacts\/mpu\/upload-part\/1\/r\/artifacts\/gone\.bin\?/,
      );
      expect(aborted.credentials[0]?.headers).toEqual({});
      await service.abortMultipartUpload('1/r/artifacts', { path: 'gone.bin', uploadId: aborted.uploadId });
      expect(s3.pendingUploads()).toBe(0);
      await expectError(
        service.createMultipartUpload('1/r', { path: 'dir/', numParts: 1 }),
        'INVALID_PARAMETER_VALUE',
        /^Invalid path/,
      );
    } finally {
      await destination.close();
    }
  });
});

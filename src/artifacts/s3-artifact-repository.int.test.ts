import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../client/tracking-client.contract.js';
import { closedPort } from '../testing/closed-port.js';
import { startS3Server, type S3TestServer } from '../testing/s3-server.js';
import { bodyOf, describeArtifactRepositoryContract } from './artifact-repository.contract.js';
import { openArtifactRepository } from './artifact-registry.js';

// The same contract as the local folder's, against a real S3-protocol server (s3rver) on loopback.
const MiB = 1024 * 1024;
let server: S3TestServer;
let count = 0;

beforeAll(async () => {
  server = await startS3Server();
});
afterAll(async () => {
  await server?.stop();
});

describeArtifactRepositoryContract(
  'S3 (s3rver)',
  async () => {
    // A fresh prefix per test: the repository sees an empty store.
    const uri = `s3://${server.bucket}/contract/test-${++count}`;
    const repo = await openArtifactRepository(uri, { env: server.env });
    return {
      repo,
      uri,
      env: server.env,
      pendingUploads: async () => server.pendingUploads(),
      cleanup: () => repo.close(),
    };
  },
  { multipart: true },
);

describe('S3ArtifactRepository', () => {
  it('keeps the content type given on upload', async () => {
    const repo = await openArtifactRepository(`s3://${server.bucket}/specific/types`, { env: server.env });
    try {
      await repo.put('image.png', bodyOf(Buffer.from([0x89, 0x50, 0x4e, 0x47])), {
        contentType: 'image/png',
      });
      await repo.put('big.bin', bodyOf(randomBytes(17 * 1024 * 1024)), {
        contentType: 'application/x-weights',
      });
      const image = await repo.get('image.png');
      expect([image.contentType, image.size]).toEqual(['image/png', 4]);
      image.body.destroy();
      const big = await repo.get('big.bin');
      expect(big.contentType).toBe('application/x-weights');
      big.body.destroy();
    } finally {
      await repo.close();
    }
  });

  it('aborts a multipart upload when the body fails or falls short after some parts went up', async () => {
    const repo = await openArtifactRepository(`s3://${server.bucket}/specific/aborted`, { env: server.env });
    try {
      let sent = 0;
      const failing = new Readable({
        read() {
          if (sent >= 20 * MiB) return void this.destroy(new Error('connection reset by the client'));
          sent += MiB;
          this.push(randomBytes(MiB));
        },
      });
      await expectError(repo.put('broken.bin', failing), 'INTERNAL_ERROR', /connection reset by the client/);
      await expectError(
        repo.put('short.bin', bodyOf(randomBytes(17 * MiB)), { size: 20 * MiB }),
        'INVALID_PARAMETER_VALUE',
        /announced as 20971520 bytes but held only 17825792/,
      );
      expect(await repo.list()).toEqual([]);
      expect(server.pendingUploads()).toBe(0);
    } finally {
      await repo.close();
    }
  });

  it('lists only what it can serve: no folder placeholders, no names it would refuse', async () => {
    const repo = await openArtifactRepository(`s3://${server.bucket}/specific/odd`, { env: server.env });
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    try {
      for (const key of ['folder/', 'folder/kept.txt', 'folder/a#b.txt', 'folder/back\\slash.txt']) {
        await client.send(
          new PutObjectCommand({ Bucket: server.bucket, Key: `specific/odd/${key}`, Body: 'x' }),
        );
      }
      expect(await repo.list('folder')).toEqual([
        { path: 'folder/kept.txt', name: 'kept.txt', isDir: false, size: 1 },
      ]);
      expect(await repo.list()).toEqual([{ path: 'folder', name: 'folder', isDir: true }]);
    } finally {
      client.destroy();
      await repo.close();
    }
  });

  it('answers RESOURCE_DOES_NOT_EXIST for a missing bucket', async () => {
    const repo = await openArtifactRepository('s3://no-such-bucket/x', { env: server.env });
    try {
      await expectError(
        repo.list(),
        'RESOURCE_DOES_NOT_EXIST',
        /Could not list s3:\/\/no-such-bucket\/x: NoSuchBucket/,
      );
      await expectError(
        repo.put('a.txt', bodyOf('a'), { size: 1 }),
        'RESOURCE_DOES_NOT_EXIST',
        /NoSuchBucket/,
      );
    } finally {
      await repo.close();
    }
  });

  it('answers TEMPORARILY_UNAVAILABLE, naming the endpoint, when the endpoint is unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const repo = await openArtifactRepository('s3://bucket/x', {
      env: { ...server.env, MLFLOW_S3_ENDPOINT_URL: endpoint },
    });
    try {
      await expectError(repo.get('a.txt'), 'TEMPORARILY_UNAVAILABLE', `(endpoint ${endpoint})`);
    } finally {
      await repo.close();
    }
  });
});

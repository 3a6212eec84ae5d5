import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken, parseUsers } from '../auth/index.js';
import { expectError } from '../client/tracking-client.contract.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { startS3Server, type S3TestServer } from '../testing/s3-server.js';
import { tempDir } from '../testing/temp-dir.js';
import { bodyOf, describeArtifactRepositoryContract, readAll } from './artifact-repository.contract.js';
import { openArtifactRepository } from './artifact-registry.js';
import { HttpArtifactRepository } from './http-artifact-repository.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';

// The same contract as the local folder's and S3's, through a real agentrack server on loopback:
// HttpArtifactRepository → HTTP → the artifact service → a local folder, or s3rver.
const SERVICE = '/api/2.0/mlflow-artifacts/artifacts';

let dir: { path: string; remove: () => void };
let local: RunningServer;
let viaS3: RunningServer;
let s3: S3TestServer;
let count = 0;

beforeAll(async () => {
  dir = tempDir('agentrack-http-artifacts-');
  s3 = await startS3Server();
  local = await startServer({
    store: await openSqliteStore(join(dir.path, 'local.db')),
    port: 0,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'mlartifacts')),
  });
  viaS3 = await startServer({
    store: await openSqliteStore(join(dir.path, 's3.db')),
    port: 0,
    logger: false,
    artifactDestination: await openArtifactRepository(`s3://${s3.bucket}/via-server`, { env: s3.env }),
  });
});
afterAll(async () => {
  await local?.close();
  await viaS3?.close();
  await s3?.stop();
  dir.remove();
});

describeArtifactRepositoryContract(
  'HTTP (an agentrack server keeping them in a local folder)',
  async () => {
    const uri = `${local.url}${SERVICE}/contract/test-${++count}`;
    const repo = await openArtifactRepository(uri, { env: {} });
    return { repo, uri, env: {}, cleanup: () => repo.close() };
  },
  { multipart: false },
);

describeArtifactRepositoryContract(
  'HTTP (an agentrack server keeping them in S3, s3rver)',
  async () => {
    const uri = `${viaS3.url}${SERVICE}/contract/test-${++count}`;
    const env = { MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD: 'true' };
    const repo = await openArtifactRepository(uri, { env });
    return { repo, uri, env, pendingUploads: async () => s3.pendingUploads(), cleanup: () => repo.close() };
  },
  { multipart: true },
);

describe('HttpArtifactRepository', () => {
  it("reads MLflow's HTTP artifact URIs: the server, its prefix, the root below the destination", async () => {
    const repo = await HttpArtifactRepository.open(
      `http://user:secret@127.0.0.1:5000/proxy${SERVICE}/1/a%20b/artifacts/`,
      { env: {} },
    );
    expect([repo.baseUrl, repo.root, repo.multipart]).toEqual([
      'http://127.0.0.1:5000/proxy',
      '1/a b/artifacts',
      undefined,
    ]);
    await repo.close();
    const top = HttpArtifactRepository.forServer('https://tracking.example.com', { env: {} });
    expect([top.baseUrl, top.root, top.uri]).toEqual([
      'https://tracking.example.com',
      '',
      `https://tracking.example.com${SERVICE}`,
    ]);
    await top.close();
    for (const bad of [
      'http://127.0.0.1:5000/api/2.0/mlflow/artifacts',
      `http://127.0.0.1:5000${SERVICE}x`,
      `http://h${SERVICE}?x=1`,
    ]) {
      await expectError(
        HttpArtifactRepository.open(bad, { env: {} }),
        'INVALID_PARAMETER_VALUE',
        /Invalid artifact URI/,
      );
    }
    await expectError(
      HttpArtifactRepository.open(`http://h${SERVICE}/../x`, { env: {} }),
      'INVALID_PARAMETER_VALUE',
    );
  });

  it("sends the REST store's credentials, from the options or MLflow's variables", async () => {
    const users = parseUsers(
      JSON.stringify({ users: [{ user: 'ci-bot', token_sha256: hashToken('ci-token') }] }),
      'users.json',
    );
    const guarded = await startServer({
      store: await openSqliteStore(join(dir.path, 'guarded.db')),
      port: 0,
      logger: false,
      users,
      artifactDestination: new LocalArtifactRepository(join(dir.path, 'guarded')),
    });
    try {
      const id = '0';
      const anonymous = HttpArtifactRepository.forServer(guarded.url, { env: {}, maxRetries: 0 });
      await expectError(anonymous.list(id), 'UNAUTHENTICATED');
      await expectError(anonymous.put(`${id}/r/a.txt`, bodyOf('x')), 'UNAUTHENTICATED');
      await anonymous.close();
      const fromEnv = await openArtifactRepository(`${guarded.url}${SERVICE}/${id}`, {
        env: { MLFLOW_TRACKING_TOKEN: 'ci-token' },
      });
      await fromEnv.put('r/a.txt', bodyOf('from the environment'));
      await fromEnv.close();
      const fromOptions = HttpArtifactRepository.forServer(guarded.url, { env: {}, token: 'ci-token' });
      expect(await fromOptions.list(`${id}/r`)).toEqual([
        { path: `${id}/r/a.txt`, name: 'a.txt', isDir: false, size: 20 },
      ]);
      expect((await readAll((await fromOptions.get(`${id}/r/a.txt`)).body)).toString()).toBe(
        'from the environment',
      );
      await fromOptions.close();
    } finally {
      await guarded.close();
    }
  });

  it("uploads with the type MLflow's client sends, from the name", async () => {
    const seen: string[] = [];
    const probe = await startServer({
      store: await openSqliteStore(join(dir.path, 'types.db')),
      port: 0,
      logger: false,
      artifactDestination: new LocalArtifactRepository(join(dir.path, 'types')),
    });
    try {
      const repo = HttpArtifactRepository.forServer(probe.url, {
        env: {},
        fetch: async (input, init) => {
          seen.push(`${init?.method} ${new Headers(init?.headers).get('content-type') ?? '-'}`);
          return fetch(input, init);
        },
      });
      await repo.put('1/r/config.yaml', bodyOf('a: 1'));
      await repo.put('1/r/status.png', bodyOf('png'));
      await repo.put('1/r/weights.bin', bodyOf('bin'), { contentType: 'application/x-weights' });
      expect(seen).toEqual(['PUT text/plain', 'PUT image/png', 'PUT application/x-weights']);
      const download = await repo.get('1/r/config.yaml');
      expect([download.contentType, download.size]).toEqual(['text/plain', 4]);
      download.body.destroy();
      await repo.close();
    } finally {
      await probe.close();
    }
  });
});

import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, hashToken, parseUsers } from '../../src/auth/index.js';
import {
  ARTIFACTS,
  filesBelow,
  startArtifactServer,
  type ArtifactServer,
  type RawAnswer,
} from './artifact-harness.js';

const MPU = '/api/2.0/mlflow-artifacts/mpu';
const MiB = 1024 * 1024;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const ALICE = basic('alice', 'wonderland');
const BOB = 'Bearer bob-token';

let harness: ArtifactServer;
let mine: string;
let shared: string;

beforeAll(async () => {
  const users = parseUsers(
    JSON.stringify({
      users: [
        { user: 'alice', password_hash: await hashPassword('wonderland') },
        { user: 'bob', token_sha256: hashToken('bob-token') },
      ],
    }),
    'users.json',
  );
  harness = await startArtifactServer({ users });
  mine = await harness.store.createExperiment({ name: '/Users/alice/private' });
  shared = await harness.store.createExperiment({ name: '/Shared/team' });
});
afterAll(async () => {
  await harness?.close();
});

function as(auth: string | undefined, method: string, path: string, body?: string): Promise<RawAnswer> {
  const json = path.startsWith(MPU) && method === 'POST';
  return harness.send({
    method,
    path,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(json ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body } : {}),
  });
}

/** Every write endpoint of the artifact service on folder `folder` (the file `x.bin` in it). */
function writes(folder: string): [string, string, string][] {
  const mpu = JSON.stringify({ path: 'x.bin', num_parts: 1, upload_id: 'u', parts: [] });
  return [
    ['PUT', `${ARTIFACTS}/${folder}/x.bin`, 'x'],
    ['DELETE', `${ARTIFACTS}/${folder}/x.bin`, ''],
    ['POST', `${MPU}/create/${folder}`, mpu],
    ['PUT', `${MPU}/upload-part/${folder}/x.bin?upload_id=u&part_number=1`, 'x'],
    ['POST', `${MPU}/complete/${folder}`, mpu],
    ['POST', `${MPU}/abort/${folder}`, mpu],
  ];
}

describe('access control on the artifact service, over a real port', () => {
  it('answers every request without credentials 401, reads included', async () => {
    for (const [method, path, body] of [
      ['GET', `${ARTIFACTS}?path=${shared}`, undefined],
      ['GET', `${ARTIFACTS}/${shared}/r/a.txt`, undefined],
      ...writes(shared),
    ] as const) {
      const res = await as(undefined, method, path, body);
      expect([method, path, res.status, res.json().error_code]).toEqual([
        method,
        path,
        401,
        'UNAUTHENTICATED',
      ]);
    }
    expect((await as('Bearer wrong', 'GET', `${ARTIFACTS}?path=${shared}`)).status).toBe(401);
  });

  it("refuses another user's writes to an experiment under /Users/<user>/ with 403, and lets its owner write", async () => {
    const run = `${mine}/r1/artifacts`;
    const owned = await as(ALICE, 'PUT', `${ARTIFACTS}/${run}/notes.md`, '# mine');
    expect([owned.status, owned.body.toString()]).toEqual([200, '{}']);
    for (const [method, path, body] of writes(run)) {
      const res = await as(BOB, method, path, body);
      expect([method, path, res.status]).toEqual([method, path, 403]);
      expect(res.json()).toEqual({
        error_code: 'PERMISSION_DENIED',
        message:
          "User 'bob' cannot write to the experiment '/Users/alice/private': experiments under /Users/alice/ are " +
          'written only by alice.',
      });
    }
    expect(filesBelow(harness.root)).toEqual({ [`${run}/notes.md`]: 6 });
    // Reads are open to every authenticated user.
    const read = await as(BOB, 'GET', `${ARTIFACTS}/${run}/notes.md`);
    expect([read.status, read.body.toString()]).toEqual([200, '# mine']);
    expect((await as(BOB, 'GET', `${ARTIFACTS}?path=${run}`)).json()).toEqual({
      files: [{ path: 'notes.md', is_dir: false, file_size: 6 }],
    });
    const deleted = await as(ALICE, 'DELETE', `${ARTIFACTS}/${run}/notes.md`);
    expect(deleted.status).toBe(200);
  });

  it('lets every authenticated user write to a shared experiment', async () => {
    for (const auth of [ALICE, BOB]) {
      const res = await as(auth, 'PUT', `${ARTIFACTS}/${shared}/r2/artifacts/${auth.length}.txt`, 'x');
      expect(res.status).toBe(200);
    }
    // A destination without multipart uploads says so, once access control let the call through.
    const mpu = await as(
      BOB,
      'POST',
      `${MPU}/create/${shared}/r2/artifacts`,
      JSON.stringify({ path: 'x.bin', num_parts: 1 }),
    );
    expect([mpu.status, mpu.json().error_code]).toEqual([501, 'NOT_IMPLEMENTED']);
  });

  it.each([
    ['an unknown experiment id', '9999/r/artifacts', "and no experiment has the id '9999'"],
    ['a first segment that is no id', 'models/m-1/artifacts', "and no experiment has the id 'models'"],
    ['the root', '', 'not at the root'],
  ])('refuses writes to %s with 403, for every user', async (_what, folder, reason) => {
    for (const [method, path, body] of writes(folder).map(
      ([m, p, b]) => [m, p.replace(/\/\//g, '/'), b] as const,
    )) {
      for (const [user, auth] of [
        ['alice', ALICE],
        ['bob', BOB],
      ] as const) {
        const res = await as(auth, method, path, body);
        expect([method, path, res.status]).toEqual([method, path, 403]);
        const onFile = method === 'PUT' || method === 'DELETE';
        const target = onFile ? (folder === '' ? 'x.bin' : `${folder}/x.bin`) : folder;
        // A file right in the root is named by its first segment, which no experiment has as id.
        const why = onFile && folder === '' ? "and no experiment has the id 'x.bin'" : reason;
        expect(res.json()).toEqual({
          error_code: 'PERMISSION_DENIED',
          message:
            `User '${user}' cannot write the artifacts at '${target}': artifacts are written below the id of an ` +
            `existing experiment (<experiment_id>/...), ${why}.`,
        });
      }
    }
    // Reading there is still open.
    expect((await as(BOB, 'GET', `${ARTIFACTS}?path=${folder}`)).status).toBe(200);
  });

  it('answers a refused upload without reading its body', async () => {
    const res = await new Promise<{ status: number; body: string; connection: unknown }>(
      (resolve, reject) => {
        const req = httpRequest({
          host: '127.0.0.1',
          port: harness.server.port,
          method: 'PUT',
          path: `${ARTIFACTS}/${mine}/r3/artifacts/huge.bin`,
          headers: { authorization: BOB, 'content-length': String(1024 * MiB) },
          agent: false,
        });
        req.on('response', (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, body, connection: response.headers.connection }),
          );
        });
        req.on('error', reject);
        // 1 MiB of the announced 1 GiB: the answer comes without the rest.
        req.write(Buffer.alloc(MiB));
      },
    );
    expect([res.status, JSON.parse(res.body).error_code, res.connection]).toEqual([
      403,
      'PERMISSION_DENIED',
      'close',
    ]);
    expect(Object.keys(filesBelow(harness.root)).filter((name) => name.includes('huge'))).toEqual([]);
  });
});

import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARTIFACTS,
  filesBelow,
  startArtifactServer,
  type ArtifactServer,
  type RawAnswer,
} from './artifact-harness.js';

const MPU = '/api/2.0/mlflow-artifacts/mpu';
const RUN = '1/4f144359ab94417f954e4384e62ffb2d/artifacts';

let harness: ArtifactServer;
/** A folder beside the destination, which no request may reach. */
let outside: string;

beforeAll(async () => {
  harness = await startArtifactServer();
  outside = join(dirname(harness.root), 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  const put = await harness.send({ method: 'PUT', path: `${ARTIFACTS}/${RUN}/safe.txt`, body: 'safe' });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await harness?.close();
});

function expectInvalidPath(res: RawAnswer): void {
  expect([res.status, res.json().error_code]).toEqual([400, 'INVALID_PARAMETER_VALUE']);
  expect(res.json<{ message: string }>().message).toMatch(/^Invalid path/);
}

// Sent exactly as written: Node's HTTP client neither normalizes `..` nor re-encodes the path.
const TRAVERSALS: readonly [string, string][] = [
  // The recording's cases.
  ['raw ..', '../../../../etc/passwd'],
  ['%2E%2E', '1/%2E%2E/%2E%2E/%2E%2E/etc/passwd'],
  ['..%2F', '..%2F..%2F..%2Fetc%2Fpasswd'],
  // MLflow's test_path_validation cases and their relatives.
  ['lower-case %2e%2e', '%2e%2e/%2e%2e/etc/passwd'],
  ['doubled encoding', '%252E%252E/%252E%252E/etc/passwd'],
  ['doubled encoding of the slash', '..%252F..%252Fetc%252Fpasswd'],
  ['tripled encoding', '%25252E%25252E/etc/passwd'],
  ['NUL', `${RUN}/a%00b.txt`],
  ['NUL before an extension', `${RUN}/passwd%00.txt`],
  ['encoded backslashes', '..%5C..%5Cetc%5Cpasswd'],
  ['raw backslashes', '..\\..\\etc\\passwd'],
  ['doubled backslash encoding', '..%255C..%255Cetc'],
  ['an absolute path', '%2Fetc%2Fpasswd'],
  ['a doubled slash', '/etc/passwd'],
  ['a drive', 'C:%5CWindows%5Cwin.ini'],
  ['a trailing ..', `${RUN}/..`],
  ['a . segment', `${RUN}/./safe.txt`],
  ['control characters', `${RUN}/a%0Ab`],
];

describe('path traversal, over a real connection', () => {
  it.each(TRAVERSALS)(
    'refuses %s (%s) in downloads, uploads and deletions with "Invalid path"',
    async (_name, path) => {
      expectInvalidPath(await harness.send({ method: 'GET', path: `${ARTIFACTS}/${path}` }));
      expectInvalidPath(await harness.send({ method: 'PUT', path: `${ARTIFACTS}/${path}`, body: 'planted' }));
      expectInvalidPath(await harness.send({ method: 'DELETE', path: `${ARTIFACTS}/${path}` }));
      expectInvalidPath(
        await harness.send({
          method: 'PUT',
          path: `${MPU}/upload-part/${path}?upload_id=u&part_number=1`,
          body: 'x',
        }),
      );
      for (const action of ['create', 'complete', 'abort']) {
        expectInvalidPath(
          await harness.send({
            method: 'POST',
            path: `${MPU}/${action}/${path}`,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ path: 'x.bin', num_parts: 1, upload_id: 'u', parts: [] }),
          }),
        );
      }
      expect(filesBelow(harness.root)).toEqual({ [`${RUN}/safe.txt`]: 4 });
      expect(filesBelow(outside)).toEqual({ 'secret.txt': 6 });
    },
  );

  it.each([
    ['../../../etc'],
    ['/etc'],
    ['..%2F..%2Fetc'],
    ['%252E%252E'],
    ['a%00b'],
    ['..%5Cetc'],
    ['1/./x'],
  ])('refuses the listing path ?path=%s with "Invalid path"', async (query) => {
    expectInvalidPath(await harness.send({ method: 'GET', path: `${ARTIFACTS}?path=${query}` }));
  });

  it('refuses an upload to 1/%2E%2E/... and writes nothing anywhere, as MLflow does', async () => {
    const res = await harness.send({
      method: 'PUT',
      path: `${ARTIFACTS}/1/%2E%2E/%2E%2E/flows-traversal-probe.txt`,
      headers: { 'content-type': 'application/octet-stream' },
      body: 'flows-traversal-probe',
    });
    expectInvalidPath(res);
    // Nothing inside the test's own folder, and nothing where 1/../../ or a level more would land.
    expect(Object.keys(filesBelow(dirname(harness.root))).join('\n')).not.toContain('flows-traversal-probe');
    expect(existsSync(join(dirname(harness.root), 'flows-traversal-probe.txt'))).toBe(false);
    expect(existsSync(join(dirname(dirname(harness.root)), 'flows-traversal-probe.txt'))).toBe(false);
  });

  it('refuses a multipart upload whose file name climbs out of its folder', async () => {
    const res = await harness.send({
      method: 'POST',
      path: `${MPU}/create/${RUN}`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ path: '..', num_parts: 1 }),
    });
    expectInvalidPath(res);
  });

  it('refuses a path through a symbolic link in the destination that leads outside it', async () => {
    mkdirSync(join(harness.root, '2'), { recursive: true });
    symlinkSync(outside, join(harness.root, '2', 'escape'), 'dir');
    try {
      expectInvalidPath(await harness.send({ method: 'GET', path: `${ARTIFACTS}/2/escape/secret.txt` }));
      expectInvalidPath(
        await harness.send({ method: 'PUT', path: `${ARTIFACTS}/2/escape/planted.txt`, body: 'x' }),
      );
      expectInvalidPath(await harness.send({ method: 'GET', path: `${ARTIFACTS}?path=2/escape` }));
      expectInvalidPath(await harness.send({ method: 'DELETE', path: `${ARTIFACTS}/2/escape/secret.txt` }));
      expect(filesBelow(outside)).toEqual({ 'secret.txt': 6 });
      // The link itself is listed as nothing: it leads nowhere the destination owns.
      expect((await harness.send({ method: 'GET', path: `${ARTIFACTS}?path=2` })).json()).toEqual({});
    } finally {
      await harness.send({ method: 'DELETE', path: `${ARTIFACTS}/2` });
    }
    expect(filesBelow(outside)).toEqual({ 'secret.txt': 6 });
  });

  it('refuses URLs that are not valid percent-encoding with 400, before any handler', async () => {
    for (const path of ['..%c0%af..%c0%afetc', 'x%FFy', 'a%2']) {
      const res = await harness.send({ method: 'GET', path: `${ARTIFACTS}/${path}` });
      expect([path, res.status]).toEqual([path, 400]);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
    }
  });
});

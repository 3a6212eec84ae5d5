import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectError } from '../client/tracking-client.contract.js';
import { isSafeArtifactPath } from './artifact-path.js';
import type { ArtifactInfo, ArtifactRepository } from './artifact-repository.js';

/** A fresh, empty repository for one test, how a child process opens the same one, and how to dispose of it. */
export interface ArtifactContractBackend {
  repo: ArtifactRepository;
  /** The URI and the environment a separate process opens the same repository with. */
  uri: string;
  env: Record<string, string>;
  /** How many multipart uploads the backend still keeps parts of, where the test can see that. */
  pendingUploads?: () => Promise<number>;
  cleanup: () => Promise<void>;
}

/** What the backend under test supports. */
export interface ArtifactContractOptions {
  multipart: boolean;
}

/** Paths every operation refuses with INVALID_PARAMETER_VALUE "Invalid path" (see artifact-path.test.ts for the reasons). */
export const UNSAFE_ARTIFACT_PATHS: readonly string[] = [
  '../../../../etc/passwd',
  '1/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
  '..%2F..%2F..%2Fetc%2Fpasswd',
  '../../../etc',
  '/etc',
  '/etc/passwd',
  '1/%2E%2E/%2E%2E/flows-traversal-probe.txt',
  '%252E%252E/secret',
  'a/%2e./b',
  '%2Fetc%2Fpasswd',
  'a/..',
  '..',
  '..\\..\\etc\\passwd',
  'a\\b',
  'a%5C..%5Cb',
  'C:/Windows/win.ini',
  'a\u0000b',
  'a%00b',
  'line\nbreak',
  'a#b',
  'a//b',
  './a',
  'a/./b',
];

const MiB = 1024 * 1024;

/** A readable stream of `data` (several chunks, as a socket or file delivers it). */
export function bodyOf(data: Buffer | string): Readable {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
    chunks.push(bytes.subarray(offset, offset + 64 * 1024));
  return Readable.from(chunks);
}

/** Everything a stream holds. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** A body that delivers `before` then fails, as a dropped upload connection does. */
function failingBody(before: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(before);
      } else {
        this.destroy(new Error('connection reset by the client'));
      }
    },
  });
}

/** `task` over `items`, `limit` at a time. */
async function eachLimit<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

const names = (infos: readonly ArtifactInfo[]) => infos.map((info) => info.name);

/** What the streaming probe (test/fixtures/artifact-stream.mjs) reports for one upload and its download. */
interface StreamProbeResult {
  bytesIn: number;
  bytesOut: number;
  storedSize: number;
  sha256In: string;
  sha256Out: string;
  putRssGrowth: number;
  getRssGrowth: number;
}

const PROBE = fileURLToPath(new URL('../../test/fixtures/artifact-stream.mjs', import.meta.url));

/** Runs the streaming probe in its own process (so that only the repository's memory is measured). */
function runStreamProbe(
  backend: ArtifactContractBackend,
  path: string,
  size: number,
  mode: 'unknown-size' | 'known-size',
): Promise<StreamProbeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', PROBE, backend.uri, path, String(size), mode], {
      env: { ...process.env, ...backend.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`the streaming probe exited with ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as StreamProbeResult);
    });
  });
}

/**
 * The ArtifactRepository contract: every backend (local folder, S3) must pass it unchanged.
 * `open` returns a backend on a fresh, empty repository.
 */
export function describeArtifactRepositoryContract(
  backendName: string,
  open: () => Promise<ArtifactContractBackend>,
  options: ArtifactContractOptions,
): void {
  describe(`ArtifactRepository contract: ${backendName}`, () => {
    let backend: ArtifactContractBackend;
    let repo: ArtifactRepository;

    beforeEach(async () => {
      backend = await open();
      repo = backend.repo;
    });
    afterEach(async () => {
      await backend.cleanup();
    });

    const text = async (path: string) => (await readAll((await repo.get(path)).body)).toString('utf8');

    describe('put and get', () => {
      it('round-trips binary bytes, and says the size', async () => {
        const data = Buffer.concat([
          Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
          randomBytes(MiB + 7),
        ]);
        const stored = await repo.put('run/artifacts/weights.bin', bodyOf(data));
        expect(stored).toEqual({
          path: 'run/artifacts/weights.bin',
          name: 'weights.bin',
          isDir: false,
          size: data.length,
        });
        const download = await repo.get('run/artifacts/weights.bin');
        expect(download.size).toBe(data.length);
        expect((await readAll(download.body)).equals(data)).toBe(true);
      });

      it('round-trips an empty file', async () => {
        expect((await repo.put('empty.txt', bodyOf(''))).size).toBe(0);
        const download = await repo.get('empty.txt');
        expect(download.size).toBe(0);
        expect((await readAll(download.body)).length).toBe(0);
        expect(await repo.list()).toEqual([{ path: 'empty.txt', name: 'empty.txt', isDir: false, size: 0 }]);
      });

      it('keeps non-ASCII names and text', async () => {
        const path = 'ünïcödé/файл 名前 😀.txt';
        const content = 'Release notes: CPU ≥ 90% → critical; memory ≥ 85% → warning.\n';
        await repo.put(path, bodyOf(content), {
          size: Buffer.byteLength(content),
          contentType: 'text/plain',
        });
        expect(await text(path)).toBe(content);
        expect(await repo.list('ünïcödé')).toEqual([
          { path, name: 'файл 名前 😀.txt', isDir: false, size: Buffer.byteLength(content) },
        ]);
      });

      it('overwrites a file, also with a shorter one', async () => {
        await repo.put('notes.md', bodyOf('a first version, rather long'));
        await repo.put('notes.md', bodyOf('second'));
        expect(await text('notes.md')).toBe('second');
        expect(await repo.list()).toEqual([{ path: 'notes.md', name: 'notes.md', isDir: false, size: 6 }]);
      });

      it('creates nested folders as needed', async () => {
        await repo.put('a/b/c/d.txt', bodyOf('deep'));
        expect(await repo.list('a')).toEqual([{ path: 'a/b', name: 'b', isDir: true }]);
        expect(await repo.list('a/b/c')).toEqual([
          { path: 'a/b/c/d.txt', name: 'd.txt', isDir: false, size: 4 },
        ]);
        expect(await repo.stat('a/b')).toEqual({ path: 'a/b', name: 'b', isDir: true });
        expect(await repo.stat('a/b/c/d.txt')).toEqual({
          path: 'a/b/c/d.txt',
          name: 'd.txt',
          isDir: false,
          size: 4,
        });
        expect(await repo.stat('a/b/nothing')).toBeUndefined();
        expect(await text('a/b/c/d.txt')).toBe('deep');
      });

      it('answers RESOURCE_DOES_NOT_EXIST for a missing file, a folder, or a path below a file', async () => {
        await repo.put('dir/file.txt', bodyOf('x'));
        await expectError(
          repo.get('missing.txt'),
          'RESOURCE_DOES_NOT_EXIST',
          "Artifact 'missing.txt' not found",
        );
        await expectError(repo.get('no/such/folder/file.bin'), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(repo.get('dir'), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(repo.get('dir/file.txt/below'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('refuses a body longer or shorter than its announced size, and keeps nothing of it', async () => {
        await expectError(
          repo.put('sized/short.bin', bodyOf('12345'), { size: 10 }),
          'INVALID_PARAMETER_VALUE',
          /only 5/,
        );
        await expectError(
          repo.put('sized/long.bin', bodyOf('12345'), { size: 3 }),
          'INVALID_PARAMETER_VALUE',
          /more than 3/,
        );
        await expectError(
          repo.put('sized/bad.bin', bodyOf('1'), { size: -1 }),
          'INVALID_PARAMETER_VALUE',
          /Invalid size/,
        );
        expect(await repo.list()).toEqual([]);
        await expectError(repo.get('sized/short.bin'), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('leaves nothing behind when the body fails midway, and keeps the file it would have replaced', async () => {
        await expectError(
          repo.put('deep/er/upload.bin', failingBody(randomBytes(100_000))),
          'INTERNAL_ERROR',
          /connection reset/,
        );
        expect(await repo.list()).toEqual([]);
        await repo.put('kept.txt', bodyOf('old'));
        await expect(repo.put('kept.txt', failingBody(Buffer.from('new and broken')))).rejects.toThrow(
          /connection reset/,
        );
        expect(await text('kept.txt')).toBe('old');
        expect(await repo.list()).toEqual([{ path: 'kept.txt', name: 'kept.txt', isDir: false, size: 3 }]);
      });
    });

    describe('list', () => {
      it('lists one level in code-point order, sizes on files only, paths from the root', async () => {
        for (const path of [
          'B.txt',
          'a.txt',
          'a-b.txt',
          'a/x.txt',
          'Z/y/z.txt',
          'é.txt',
          '😀.txt',
          '～.txt',
          'a/nested/deeper.txt',
        ]) {
          await repo.put(path, bodyOf(`content of ${path}`));
        }
        const root = await repo.list();
        // Code points: '～' (U+FF5E) before '😀' (U+1F600), which UTF-16 order would swap.
        expect(names(root)).toEqual(['B.txt', 'Z', 'a', 'a-b.txt', 'a.txt', 'é.txt', '～.txt', '😀.txt']);
        expect(root.find((info) => info.name === 'Z')).toEqual({ path: 'Z', name: 'Z', isDir: true });
        expect(root.find((info) => info.name === 'a.txt')).toEqual({
          path: 'a.txt',
          name: 'a.txt',
          isDir: false,
          size: Buffer.byteLength('content of a.txt'),
        });
        for (const info of root) expect('size' in info).toBe(!info.isDir);
        expect(await repo.list('a')).toEqual([
          { path: 'a/nested', name: 'nested', isDir: true },
          { path: 'a/x.txt', name: 'x.txt', isDir: false, size: Buffer.byteLength('content of a/x.txt') },
        ]);
        expect(await repo.list('a/')).toEqual(await repo.list('a'));
      });

      it('lists a file, a missing folder and an empty repository as empty', async () => {
        expect(await repo.list()).toEqual([]);
        expect(await repo.list('')).toEqual([]);
        await repo.put('config/agent.json', bodyOf('{}'));
        expect(await repo.list('config/agent.json')).toEqual([]);
        expect(await repo.list('no_such_folder')).toEqual([]);
        expect(await repo.list('config/agent.json/below')).toEqual([]);
      });

      it('lists a folder of 10,000 files completely', { timeout: 600_000 }, async () => {
        const files = Array.from({ length: 10_000 }, (_, i) => `many/file-${String(i).padStart(5, '0')}.txt`);
        await eachLimit(files, 16, (path) => repo.put(path, bodyOf('x'), { size: 1 }));
        await repo.put('many/sub/inner.txt', bodyOf('inner'));
        const listed = await repo.list('many');
        expect(listed).toHaveLength(10_001);
        expect(listed.filter((info) => !info.isDir).map((info) => info.path)).toEqual(files);
        expect(listed.at(-1)).toEqual({ path: 'many/sub', name: 'sub', isDir: true });
        expect(listed.every((info) => info.isDir || info.size === 1)).toBe(true);
        await repo.delete('many');
        expect(await repo.list()).toEqual([]);
      });
    });

    describe('delete', () => {
      it('deletes a file; deleting what is not there is no error', async () => {
        await repo.put('a/b.txt', bodyOf('b'));
        await repo.put('a/c.txt', bodyOf('c'));
        await repo.delete('a/b.txt');
        await expectError(repo.get('a/b.txt'), 'RESOURCE_DOES_NOT_EXIST');
        expect(names(await repo.list('a'))).toEqual(['c.txt']);
        await repo.delete('a/b.txt');
        await repo.delete('never/was');
        await repo.delete('a/c.txt');
        expect(await repo.list()).toEqual([]);
      });

      it('deletes a whole tree, and nothing beside it that shares its prefix', async () => {
        for (const path of ['t/1.txt', 't/s/2.txt', 't/s/s/3.txt', 'tt.txt', 't-other/x.txt', 't.txt']) {
          await repo.put(path, bodyOf(path));
        }
        await repo.delete('t');
        expect(names(await repo.list())).toEqual(['t-other', 't.txt', 'tt.txt']);
        expect(await repo.stat('t')).toBeUndefined();
        await expectError(repo.get('t/s/2.txt'), 'RESOURCE_DOES_NOT_EXIST');
        await repo.put('u/v/w.txt', bodyOf('w'));
        await repo.delete('u/');
        expect(names(await repo.list())).toEqual(['t-other', 't.txt', 'tt.txt']);
      });

      it('refuses to delete the root', async () => {
        await repo.put('keep.txt', bodyOf('k'));
        await expectError(
          repo.delete(''),
          'INVALID_PARAMETER_VALUE',
          /root of the repository cannot be deleted/,
        );
        expect(names(await repo.list())).toEqual(['keep.txt']);
      });
    });

    describe('unsafe paths', () => {
      it.each(UNSAFE_ARTIFACT_PATHS)('refuses %j in every operation with "Invalid path"', async (path) => {
        await repo.put('safe.txt', bodyOf('safe'));
        const body = bodyOf('payload');
        await expectError(repo.put(path, body), 'INVALID_PARAMETER_VALUE', /^Invalid path/);
        expect(body.destroyed).toBe(true);
        await expectError(repo.get(path), 'INVALID_PARAMETER_VALUE', /^Invalid path/);
        await expectError(repo.delete(path), 'INVALID_PARAMETER_VALUE', /^Invalid path/);
        if (!isSafeArtifactPath(path, 'folder')) {
          await expectError(repo.list(path), 'INVALID_PARAMETER_VALUE', /^Invalid path/);
          await expectError(repo.stat(path), 'INVALID_PARAMETER_VALUE', /^Invalid path/);
        }
        if (repo.multipart) {
          await expectError(repo.multipart.create(path), 'INVALID_PARAMETER_VALUE', /^Invalid path/);
        }
        expect(await repo.list()).toEqual([{ path: 'safe.txt', name: 'safe.txt', isDir: false, size: 4 }]);
      });
    });

    describe('multipart uploads', () => {
      it(options.multipart ? 'are offered' : 'are not offered', () => {
        expect(repo.multipart !== undefined).toBe(options.multipart);
      });

      it.runIf(options.multipart)('join parts uploaded out of order, in part-number order', async () => {
        const multipart = repo.multipart!;
        const first = randomBytes(5 * MiB);
        const second = Buffer.from('and the tail');
        const { uploadId } = await multipart.create('mpu/joined.bin', {
          contentType: 'application/octet-stream',
        });
        await expectError(repo.get('mpu/joined.bin'), 'RESOURCE_DOES_NOT_EXIST');
        const part2 = await multipart.uploadPart('mpu/joined.bin', uploadId, 2, bodyOf(second), {
          size: second.length,
        });
        const part1 = await multipart.uploadPart('mpu/joined.bin', uploadId, 1, bodyOf(first), {
          size: first.length,
        });
        expect(part1.partNumber).toBe(1);
        expect(part2).toEqual({ partNumber: 2, etag: expect.any(String) });
        await multipart.complete('mpu/joined.bin', uploadId, [part2, part1]);
        expect(
          (await readAll((await repo.get('mpu/joined.bin')).body)).equals(Buffer.concat([first, second])),
        ).toBe(true);
        expect(await repo.list('mpu')).toEqual([
          { path: 'mpu/joined.bin', name: 'joined.bin', isDir: false, size: first.length + second.length },
        ]);
      });

      it.runIf(options.multipart)('leave nothing when aborted', async () => {
        const multipart = repo.multipart!;
        const { uploadId } = await multipart.create('mpu/aborted.bin');
        await multipart.uploadPart('mpu/aborted.bin', uploadId, 1, bodyOf(randomBytes(5 * MiB)), {
          size: 5 * MiB,
        });
        await multipart.abort('mpu/aborted.bin', uploadId);
        await expectError(repo.get('mpu/aborted.bin'), 'RESOURCE_DOES_NOT_EXIST');
        expect(await repo.list()).toEqual([]);
        if (backend.pendingUploads) expect(await backend.pendingUploads()).toBe(0);
        await expectError(multipart.abort('mpu/aborted.bin', uploadId), 'RESOURCE_DOES_NOT_EXIST');
      });

      it.runIf(options.multipart)('check part numbers, sizes and the parts to join', async () => {
        const multipart = repo.multipart!;
        const { uploadId } = await multipart.create('mpu/checked.bin');
        await expectError(
          multipart.uploadPart('mpu/checked.bin', uploadId, 0, bodyOf('x'), { size: 1 }),
          'INVALID_PARAMETER_VALUE',
          /part numbers go from 1 to 10000/,
        );
        await expectError(
          multipart.uploadPart('mpu/checked.bin', uploadId, 10_001, bodyOf('x'), { size: 1 }),
          'INVALID_PARAMETER_VALUE',
        );
        await expectError(
          multipart.uploadPart('mpu/checked.bin', uploadId, 1, bodyOf('abc'), { size: 5 }),
          'INVALID_PARAMETER_VALUE',
          /only 3/,
        );
        await expectError(
          multipart.complete('mpu/checked.bin', uploadId, []),
          'INVALID_PARAMETER_VALUE',
          /needs its parts/,
        );
        const part = await multipart.uploadPart('mpu/checked.bin', uploadId, 1, bodyOf('abc'), { size: 3 });
        await expectError(
          multipart.complete('mpu/checked.bin', uploadId, [part, part]),
          'INVALID_PARAMETER_VALUE',
          /given twice/,
        );
        await multipart.abort('mpu/checked.bin', uploadId);
        expect(await repo.list()).toEqual([]);
      });
    });

    describe('streaming', () => {
      // A correctness property, not a timing: were a body held whole anywhere, memory would grow by its size.
      const SIZE = 256 * MiB;
      const LIMIT = 64 * MiB;
      it.each(['unknown-size', 'known-size'] as const)(
        'puts and gets 256 MiB of unknown or known size (%s) without holding it in memory',
        { timeout: 600_000 },
        async (mode) => {
          const result = await runStreamProbe(backend, `big/${mode}.bin`, SIZE, mode);
          expect(result.bytesIn).toBe(SIZE);
          expect(result.storedSize).toBe(SIZE);
          expect(result.bytesOut).toBe(SIZE);
          expect(result.sha256Out).toBe(result.sha256In);
          expect(result.putRssGrowth).toBeLessThan(LIMIT);
          expect(result.getRssGrowth).toBeLessThan(LIMIT);
          expect(await repo.list('big')).toEqual([
            { path: `big/${mode}.bin`, name: `${mode}.bin`, isDir: false, size: SIZE },
          ]);
        },
      );
    });
  });
}

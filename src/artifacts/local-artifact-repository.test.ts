import { createHook } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { expectError } from '../client/tracking-client.contract.js';
import { tempDir } from '../testing/temp-dir.js';
import { bodyOf, describeArtifactRepositoryContract, readAll } from './artifact-repository.contract.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';

describeArtifactRepositoryContract(
  'local folder',
  async () => {
    const dir = tempDir('agentrack-artifacts-');
    const root = join(dir.path, 'mlartifacts');
    return {
      repo: new LocalArtifactRepository(root),
      uri: root,
      env: {},
      cleanup: async () => dir.remove(),
    };
  },
  { multipart: false },
);

describe('LocalArtifactRepository', () => {
  function setUp() {
    const dir = tempDir('agentrack-local-artifacts-');
    const root = join(dir.path, 'root');
    const outside = join(dir.path, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    return { dir, root, outside, repo: new LocalArtifactRepository(root) };
  }

  it('refuses to go through a symbolic link to a folder outside the root, and deletes only the link', async () => {
    const { dir, root, outside, repo } = setUp();
    try {
      symlinkSync(outside, join(root, 'escape'), 'dir');
      const outsideLink = /Invalid path: it leads outside the artifact root through a symbolic link/;
      await expectError(repo.get('escape/secret.txt'), 'INVALID_PARAMETER_VALUE', outsideLink);
      await expectError(repo.put('escape/planted.txt', bodyOf('x')), 'INVALID_PARAMETER_VALUE', outsideLink);
      await expectError(repo.list('escape'), 'INVALID_PARAMETER_VALUE', outsideLink);
      await expectError(repo.stat('escape/secret.txt'), 'INVALID_PARAMETER_VALUE', outsideLink);
      await expectError(repo.delete('escape/secret.txt'), 'INVALID_PARAMETER_VALUE', outsideLink);
      expect(await repo.list()).toEqual([]);
      await repo.delete('escape');
      expect(readdirSync(root)).toEqual([]);
      expect(readdirSync(outside)).toEqual(['secret.txt']);
    } finally {
      dir.remove();
    }
  });

  it('refuses to read through a symbolic link to a file outside, and replaces the link on upload', async () => {
    const { dir, root, outside, repo } = setUp();
    try {
      symlinkSync(join(outside, 'secret.txt'), join(root, 'passwd'));
      symlinkSync(join(outside, 'nothing-yet.txt'), join(root, 'dangling'));
      await expectError(repo.get('passwd'), 'INVALID_PARAMETER_VALUE', /leads outside the artifact root/);
      await expectError(repo.get('dangling'), 'RESOURCE_DOES_NOT_EXIST');
      expect(await repo.list()).toEqual([]);
      await repo.put('passwd', bodyOf('mine'));
      expect((await readAll((await repo.get('passwd')).body)).toString()).toBe('mine');
      expect(readdirSync(outside)).toEqual(['secret.txt']);
      expect(
        (await readAll((await new LocalArtifactRepository(outside).get('secret.txt')).body)).toString(),
      ).toBe('secret');
    } finally {
      dir.remove();
    }
  });

  it('follows symbolic links that stay inside the root, and a root that is itself a link', async () => {
    const { dir, root, repo } = setUp();
    try {
      await repo.put('real/f.txt', bodyOf('inside'));
      symlinkSync(join(root, 'real'), join(root, 'alias'), 'dir');
      expect((await readAll((await repo.get('alias/f.txt')).body)).toString()).toBe('inside');
      expect(await repo.list()).toEqual([
        { path: 'alias', name: 'alias', isDir: true },
        { path: 'real', name: 'real', isDir: true },
      ]);
      symlinkSync(root, join(dir.path, 'root-link'), 'dir');
      const throughLink = new LocalArtifactRepository(join(dir.path, 'root-link'));
      expect(await throughLink.list('real')).toEqual([
        { path: 'real/f.txt', name: 'f.txt', isDir: false, size: 6 },
      ]);
    } finally {
      dir.remove();
    }
  });

  it('says what is in the way when a file and a folder would share a name', async () => {
    const { dir, root, repo } = setUp();
    try {
      await repo.put('a.txt', bodyOf('file'));
      await expectError(
        repo.put('a.txt/b.txt', bodyOf('x')),
        'INVALID_PARAMETER_VALUE',
        /a file is in the way of its folder/,
      );
      await repo.put('d/x.txt', bodyOf('x'));
      await expectError(repo.put('d', bodyOf('y')), 'INVALID_PARAMETER_VALUE', /a folder has that name/);
      expect((await readAll((await repo.get('d/x.txt')).body)).toString()).toBe('x');
      expect(readdirSync(root).sort()).toEqual(['a.txt', 'd']);
      expect(readdirSync(join(root, 'd'))).toEqual(['x.txt']);
    } finally {
      dir.remove();
    }
  });

  it('keeps an upload out of sight until it is complete', async () => {
    const { dir, repo } = setUp();
    try {
      const body = new PassThrough();
      const upload = repo.put('pending/file.bin', body);
      body.write(Buffer.alloc(1000, 1));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await repo.list('pending')).toEqual([]);
      await expectError(repo.get('pending/file.bin'), 'RESOURCE_DOES_NOT_EXIST');
      body.end(Buffer.alloc(24, 2));
      expect((await upload).size).toBe(1024);
      expect(await repo.list('pending')).toEqual([
        { path: 'pending/file.bin', name: 'file.bin', isDir: false, size: 1024 },
      ]);
    } finally {
      dir.remove();
    }
  });

  it('writes an upload the caller holds in memory at once, without reading its stream', async () => {
    const { dir, root, outside, repo } = setUp();
    symlinkSync(outside, join(root, 'out'));
    const unread = () =>
      new Readable({
        read() {
          this.destroy(new Error('the body stream was read'));
        },
      });
    try {
      const bytes = Buffer.from('{"spans": []}');
      const info = await repo.put('1/traces/tr-1/artifacts/traces.json', unread(), {
        size: bytes.length,
        bytes,
      });
      expect(info).toEqual({
        path: '1/traces/tr-1/artifacts/traces.json',
        name: 'traces.json',
        isDir: false,
        size: 13,
      });
      expect(readFileSync(join(root, '1', 'traces', 'tr-1', 'artifacts', 'traces.json'), 'utf8')).toBe(
        '{"spans": []}',
      );
      expect(readdirSync(join(root, '1', 'traces', 'tr-1', 'artifacts'))).toEqual(['traces.json']);
      await expectError(
        repo.put('2/x.json', unread(), { size: 5, bytes }),
        'INVALID_PARAMETER_VALUE',
        /announced as 5 bytes but held 13/,
      );
      await expectError(repo.put('out/x.json', unread(), { bytes }), 'INVALID_PARAMETER_VALUE', /outside/);
      await expectError(
        repo.put('1/traces/tr-1/artifacts/traces.json/x', unread(), { bytes }),
        'INVALID_PARAMETER_VALUE',
        /a file is in the way of its folder/,
      );
      await expectError(
        repo.put('1/traces', unread(), { bytes }),
        'INVALID_PARAMETER_VALUE',
        /a folder has that name/,
      );
      expect(readdirSync(join(root, '1'))).toEqual(['traces']);
      expect(readdirSync(join(root, '1', 'traces', 'tr-1', 'artifacts'))).toEqual(['traces.json']);
      expect(readdirSync(root).sort()).toEqual(['1', 'out']);
      expect(readdirSync(outside)).toEqual(['secret.txt']);
    } finally {
      dir.remove();
    }
  });

  it('reads a missing root as empty and creates it on the first upload', async () => {
    const { dir, root } = setUp();
    try {
      const repo = new LocalArtifactRepository(join(root, 'not', 'yet'));
      expect(await repo.list()).toEqual([]);
      expect(await repo.stat('x')).toBeUndefined();
      await expectError(repo.get('x'), 'RESOURCE_DOES_NOT_EXIST');
      await repo.delete('x');
      expect(readdirSync(root)).toEqual([]);
      await repo.put('x', bodyOf('x'));
      expect(readdirSync(join(root, 'not', 'yet'))).toEqual(['x']);
      expect(repo.root).toBe(join(root, 'not', 'yet'));
    } finally {
      dir.remove();
    }
  });

  it('writes an upload to its file a MiB at a time, not once per chunk of the body', async () => {
    const { dir, root, repo } = setUp();
    // Every write of a FileHandle, however a stream over it writes (write, or writev for queued chunks).
    const probe = await open(join(dir.path, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { write: () => unknown; writev: () => unknown };
    await probe.close();
    const write = vi.spyOn(fileHandle, 'write');
    const writev = vi.spyOn(fileHandle, 'writev');
    try {
      const data = randomBytes(8 * 1024 * 1024);
      // 128 chunks of 64 KiB, as a socket hands a request body over.
      await repo.put('big/file.bin', bodyOf(data), { size: data.length });
      expect(readFileSync(join(root, 'big', 'file.bin')).equals(data)).toBe(true);
      expect(write.mock.calls.length + writev.mock.calls.length).toBeLessThanOrEqual(32);
    } finally {
      write.mockRestore();
      writev.mockRestore();
      dir.remove();
    }
  });

  it('reads a download from its file a MiB at a time', async () => {
    const { dir, root, repo } = setUp();
    try {
      const data = randomBytes(3 * 1024 * 1024 + 5);
      mkdirSync(join(root, 'big'));
      writeFileSync(join(root, 'big', 'file.bin'), data);
      const chunks: Buffer[] = [];
      for await (const chunk of (await repo.get('big/file.bin')).body) chunks.push(chunk as Buffer);
      expect(chunks.map((chunk) => chunk.length)).toEqual([1024 * 1024, 1024 * 1024, 1024 * 1024, 5]);
      expect(Buffer.concat(chunks).equals(data)).toBe(true);
    } finally {
      dir.remove();
    }
  });

  it('lists a folder of 10,000 files without an asynchronous file-system request per entry', async () => {
    const { dir, root, repo } = setUp();
    try {
      mkdirSync(join(root, 'many'));
      for (let i = 0; i < 10_000; i++) writeFileSync(join(root, 'many', `f-${i}`), 'x'.repeat(i % 7));
      mkdirSync(join(root, 'many', 'sub'));
      symlinkSync(join(root, 'many', 'f-1'), join(root, 'many', 'link'));
      // Each request to libuv's thread pool (a promise or a callback of node:fs) is one of these.
      let requests = 0;
      const hook = createHook({
        init: (_id, type) => void (type.startsWith('FSREQ') && requests++),
      }).enable();
      let listed;
      try {
        listed = await repo.list('many');
      } finally {
        hook.disable();
      }
      expect(listed).toHaveLength(10_002);
      expect(listed.find((info) => info.name === 'f-9999')).toEqual({
        path: 'many/f-9999',
        name: 'f-9999',
        isDir: false,
        size: 9999 % 7,
      });
      expect(listed.find((info) => info.name === 'link')).toMatchObject({ isDir: false, size: 1 });
      expect(listed.find((info) => info.name === 'sub')).toMatchObject({ isDir: true });
      expect(requests).toBeLessThan(100);
    } finally {
      dir.remove();
    }
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createArtifactLocator } from './artifact-locator.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';

describe('createArtifactLocator', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentrack-locator-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('maps a mlflow-artifacts: URI to a folder of the proxied repository', async () => {
    const proxied = new LocalArtifactRepository(join(dir, 'proxied'));
    const locator = createArtifactLocator({ proxied });
    const location = await locator.locate('mlflow-artifacts:/1/abc/artifacts');
    expect(location.repository).toBe(proxied);
    expect(location.path).toBe('1/abc/artifacts');
  });

  it("on a server, maps an artifact service's http URI to the proxied repository; a client opens it over HTTP", async () => {
    const proxied = new LocalArtifactRepository(join(dir, 'proxied'));
    const uri = 'http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts';
    const server = createArtifactLocator({ proxied, proxiedHttpUris: true });
    expect(await server.locate(uri)).toEqual({ repository: proxied, path: '0/abc/artifacts' });
    const client = createArtifactLocator({ proxied });
    const opened = await client.locate(uri);
    expect(opened.repository).not.toBe(proxied);
    expect(opened.repository.uri).toBe(uri);
    await client.close();
  });

  it('refuses a mlflow-artifacts: URI when nothing keeps proxied artifacts', async () => {
    const locator = createArtifactLocator();
    await expect(locator.locate('mlflow-artifacts:/1/abc/artifacts')).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
  });

  it('opens another URI as a repository rooted there, once, and closes the least recently used beyond maxOpen', async () => {
    const locator = createArtifactLocator({ maxOpen: 1 });
    const a = await locator.locate(`file://${join(dir, 'a')}`);
    expect(a.path).toBe('');
    await a.repository.put('x.txt', Readable.from([Buffer.from('hi')]));
    expect((await locator.locate(`file://${join(dir, 'a')}`)).repository).toBe(a.repository);
    const b = await locator.locate(join(dir, 'b'));
    expect(b.repository).not.toBe(a.repository);
    // 'a' was closed and forgotten: asking again opens a new repository on the same folder.
    const again = await locator.locate(`file://${join(dir, 'a')}`);
    expect(again.repository).not.toBe(a.repository);
    expect((await again.repository.list()).map((i) => i.name)).toEqual(['x.txt']);
    await locator.close();
  });

  it('refuses an unknown scheme and an empty URI', async () => {
    const locator = createArtifactLocator();
    await expect(locator.locate('gs://bucket/x')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
    await expect(locator.locate('  ')).rejects.toMatchObject({ code: 'INVALID_PARAMETER_VALUE' });
  });
});

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectError } from '../client/tracking-client.contract.js';
import { tempDir } from '../testing/temp-dir.js';
import { bodyOf } from './artifact-repository.contract.js';
import { artifactUriScheme, openArtifactRepository } from './artifact-registry.js';
import { LocalArtifactRepository } from './local-artifact-repository.js';
import { S3ArtifactRepository } from './s3-artifact-repository.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('artifactUriScheme', () => {
  it.each([
    ['/data/mlartifacts', 'file'],
    ['mlartifacts', 'file'],
    ['./mlartifacts', 'file'],
    ['file:///data/mlartifacts', 'file'],
    ['C:\\mlartifacts', 'file'],
    ['s3://bucket/prefix', 's3'],
    ['S3://bucket', 's3'],
    ['gs://bucket', 'gs'],
    ['mlflow-artifacts:/0', 'mlflow-artifacts'],
  ])('%s is %s', (uri, scheme) => {
    expect(artifactUriScheme(uri)).toBe(scheme);
  });
});

describe('openArtifactRepository', () => {
  it('opens a local folder from a path, a relative path or a file URI', async () => {
    const dir = tempDir();
    try {
      const byPath = await openArtifactRepository(join(dir.path, 'a b'));
      expect(byPath).toBeInstanceOf(LocalArtifactRepository);
      expect((byPath as LocalArtifactRepository).root).toBe(join(dir.path, 'a b'));
      const relative = (await openArtifactRepository('mlartifacts', {
        cwd: dir.path,
      })) as LocalArtifactRepository;
      expect(relative.root).toBe(join(dir.path, 'mlartifacts'));
      const byUri = (await openArtifactRepository(
        pathToFileURL(join(dir.path, 'a b')).href,
      )) as LocalArtifactRepository;
      expect(byUri.root).toBe(join(dir.path, 'a b'));
      expect(byUri.uri).toBe(pathToFileURL(join(dir.path, 'a b')).href);
      const fileRelative = (await openArtifactRepository('file:rel/dir', {
        cwd: dir.path,
      })) as LocalArtifactRepository;
      expect(fileRelative.root).toBe(join(dir.path, 'rel', 'dir'));
      await byPath.put('x.txt', bodyOf('x'));
      expect(await byUri.list()).toEqual([{ path: 'x.txt', name: 'x.txt', isDir: false, size: 1 }]);
    } finally {
      dir.remove();
    }
  });

  it('opens s3:// with the region defaulting to us-east-1', async () => {
    const repo = await openArtifactRepository('s3://bucket/team/mlartifacts/', {
      env: { MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:9' },
    });
    expect(repo).toBeInstanceOf(S3ArtifactRepository);
    const s3 = repo as S3ArtifactRepository;
    expect([s3.bucket, s3.prefix, s3.endpoint, s3.region]).toEqual([
      'bucket',
      'team/mlartifacts',
      'http://127.0.0.1:9',
      'us-east-1',
    ]);
    expect(s3.multipart).toBeDefined();
    await repo.close();
    const inRegion = (await openArtifactRepository('s3://bucket', {
      env: { AWS_DEFAULT_REGION: 'eu-west-3' },
    })) as S3ArtifactRepository;
    expect(inRegion.region).toBe('eu-west-3');
    await inRegion.close();
  });

  it('refuses other schemes and malformed URIs', async () => {
    await expectError(
      openArtifactRepository('gs://bucket/x'),
      'INVALID_PARAMETER_VALUE',
      /Unsupported artifact URI 'gs:\/\/bucket\/x'.*s3:\/\/bucket\/prefix/,
    );
    await expectError(openArtifactRepository(''), 'INVALID_PARAMETER_VALUE', /must not be empty/);
    await expectError(openArtifactRepository('s3://'), 'INVALID_PARAMETER_VALUE', /Invalid S3 artifact URI/);
    await expectError(
      openArtifactRepository('file://remote-host/x'),
      'INVALID_PARAMETER_VALUE',
      /Invalid file URI/,
    );
  });

  // Run from the built package in a process where loading any @aws-sdk module fails.
  function withoutAwsSdk(script: string): { code: number | null; stdout: string; stderr: string } {
    const hook = `export async function resolve(specifier, context, next) {
      if (specifier.startsWith('@aws-sdk/')) throw new Error('blocked ' + specifier);
      return next(specifier, context);
    }`;
    const prelude = `import { register } from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
      const { openArtifactRepository } = await import('agentrack/artifacts');`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', `${prelude}\n${script}`], {
      cwd: root,
      encoding: 'utf8',
    });
    return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  }

  it('loads the AWS SDK only for s3:// URIs, and says how to install it when it is missing', () => {
    const dir = tempDir();
    try {
      const local = withoutAwsSdk(`
        const { Readable } = await import('node:stream');
        const repo = await openArtifactRepository(${JSON.stringify(join(dir.path, 'store'))});
        await repo.put('a.txt', Readable.from([Buffer.from('local')]));
        console.log(JSON.stringify(await repo.list()));`);
      expect(local.stderr).toBe('');
      expect(JSON.parse(local.stdout)).toEqual([{ path: 'a.txt', name: 'a.txt', isDir: false, size: 5 }]);
      const s3 = withoutAwsSdk(`
        try { await openArtifactRepository('s3://bucket/prefix'); console.log('opened'); }
        catch (error) { console.log(JSON.stringify({ name: error.name, code: error.code, message: error.message })); }`);
      const error = JSON.parse(s3.stdout) as { name: string; code: string; message: string };
      expect(error).toMatchObject({ name: 'AgentrackError', code: 'INTERNAL_ERROR' });
      expect(error.message).toMatch(
        /s3:\/\/ artifact URIs need the package @aws-sdk\/client-s3.*blocked @aws-sdk\/client-s3.*npm install @aws-sdk\/client-s3/,
      );
    } finally {
      dir.remove();
    }
  });
});

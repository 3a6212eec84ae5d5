import { describe, expect, it } from 'vitest';
import {
  appendToArtifactUri,
  defaultArtifactsDestination,
  isProxiedArtifactUri,
  proxiedArtifactPath,
  proxiedHttpArtifactPath,
  resolveArtifactRoot,
  resolveArtifactUri,
  serverArtifactRoot,
} from './artifact-locations.js';

describe('defaultArtifactsDestination', () => {
  it('is a folder beside the database, named after it', () => {
    expect(defaultArtifactsDestination('/data/agentrack.db')).toBe('/data/agentrack-artifacts');
    expect(defaultArtifactsDestination('/data/team.sqlite3')).toBe('/data/team-artifacts');
    expect(defaultArtifactsDestination('/data/plain')).toBe('/data/plain-artifacts');
  });

  it('is undefined for an in-memory database', () => {
    expect(defaultArtifactsDestination(':memory:')).toBeUndefined();
  });
});

describe('proxiedArtifactPath', () => {
  it('reads the path below the destination, with or without an authority', () => {
    expect(proxiedArtifactPath('mlflow-artifacts:/1/abc/artifacts')).toBe('1/abc/artifacts');
    expect(proxiedArtifactPath('mlflow-artifacts://127.0.0.1:5000/1/abc/artifacts/')).toBe('1/abc/artifacts');
    expect(proxiedArtifactPath('mlflow-artifacts:/')).toBe('');
    expect(proxiedArtifactPath('mlflow-artifacts:')).toBe('');
  });

  it('refuses another scheme', () => {
    expect(isProxiedArtifactUri('s3://bucket/1')).toBe(false);
    expect(() => proxiedArtifactPath('s3://bucket/1')).toThrow(/not a mlflow-artifacts: URI/);
  });
});

describe('serverArtifactRoot', () => {
  it("picks mlflow server's root: the option, else the proxy when serving, else ./mlruns", () => {
    expect(serverArtifactRoot({ serveArtifacts: true })).toBe('mlflow-artifacts:/');
    expect(serverArtifactRoot({ serveArtifacts: false })).toBe('./mlruns');
    expect(serverArtifactRoot({ serveArtifacts: true, defaultArtifactRoot: 's3://b/r' })).toBe('s3://b/r');
    expect(serverArtifactRoot({ serveArtifacts: false, defaultArtifactRoot: '' })).toBe('./mlruns');
  });
});

describe('resolveArtifactUri', () => {
  it.each([
    ['./mlruns', '/srv/mlruns'],
    ['mlruns', '/srv/mlruns'],
    ['a//b/./c/', '/srv/a/b/c'],
    ['../shared', '/srv/../shared'],
    ['my%20files', '/srv/my files'],
    ['file:art', 'file:///srv/art'],
    ['file:./art?x=1', 'file:///srv/art?x=1'],
  ])('makes the relative local %j absolute from the working folder', (uri, resolved) => {
    expect(resolveArtifactUri(uri, '/srv')).toBe(resolved);
  });

  it.each([
    '/data/mlruns',
    '/data/my%20files',
    'file:///data/mlruns',
    'file:/data/mlruns',
    'file://localhost/data',
    'mlflow-artifacts:/',
    'mlflow-artifacts://host:5000/',
    's3://bucket/relative/looking',
    'gs://bucket/x',
  ])('leaves %j as it is', (uri) => {
    expect(resolveArtifactUri(uri, '/srv')).toBe(uri);
  });

  it('refuses a file: URI on another host', () => {
    expect(() => resolveArtifactUri('file://fileserver/share', '/srv')).toThrow(
      expect.objectContaining({
        code: 'INVALID_PARAMETER_VALUE',
        message: expect.stringContaining('fileserver'),
      }),
    );
  });

  it('resolves the default and relative roots of a store', () => {
    expect(resolveArtifactRoot(undefined, '/srv')).toBe('mlflow-artifacts:/');
    expect(resolveArtifactRoot('', '/srv')).toBe('mlflow-artifacts:/');
    expect(resolveArtifactRoot('./mlruns', '/srv')).toBe('/srv/mlruns');
  });
});

describe('appendToArtifactUri', () => {
  it.each([
    ['mlflow-artifacts:/', ['7'], 'mlflow-artifacts:/7'],
    ['mlflow-artifacts:/7', ['abc', 'artifacts'], 'mlflow-artifacts:/7/abc/artifacts'],
    ['mlflow-artifacts://host:5000/', ['7'], 'mlflow-artifacts://host:5000/7'],
    ['/srv/mlruns', ['7'], '/srv/mlruns/7'],
    ['/srv/mlruns/', ['7'], '/srv/mlruns/7'],
    ['s3://bucket', ['7'], 's3://bucket/7'],
    ['s3://bucket/root/', ['7', 'abc', 'artifacts'], 's3://bucket/root/7/abc/artifacts'],
    ['s3://bucket/root?region=x', ['7'], 's3://bucket/root/7?region=x'],
    ['file:///srv/art', ['7'], 'file:///srv/art/7'],
    ['file:/srv/art', ['7'], 'file:///srv/art/7'],
    ['relative', ['/7'], 'relative/7'],
  ])('%j + %j is %j', (uri, segments, joined) => {
    expect(appendToArtifactUri(uri, ...segments)).toBe(joined);
  });
});

describe('proxiedHttpArtifactPath', () => {
  it.each([
    ['http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts', '0/abc/artifacts'],
    ['https://host/prefix/api/2.0/mlflow-artifacts/artifacts/7/r/artifacts/', '7/r/artifacts'],
    ['http://host:5000/api/2.0/mlflow-artifacts/artifacts', ''],
    ['http://host:5000/api/2.0/mlflow-artifacts/artifacts/1/a%20b', '1/a b'],
  ])('%s names %j below the destination', (uri, path) => {
    expect(proxiedHttpArtifactPath(uri)).toBe(path);
  });

  it.each([
    ['mlflow-artifacts:/1/abc/artifacts'],
    ['s3://bucket/api/2.0/mlflow-artifacts/artifacts/1'],
    ['http://host:5000/api/2.0/mlflow/artifacts/1'],
    ['http://host:5000/api/2.0/mlflow-artifacts/artifactsx/1'],
    ['http://host:5000/api/2.0/mlflow-artifacts/artifacts/%E0%A4%A'],
    ['not a uri'],
  ])('%s names no folder of an artifact service', (uri) => {
    expect(proxiedHttpArtifactPath(uri)).toBeUndefined();
  });
});

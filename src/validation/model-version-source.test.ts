import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rejection } from '../testing/rejection.js';
import { isInsideFolder, localArtifactPath, validateModelVersionSource } from './model-version-source.js';

describe('validateModelVersionSource', () => {
  it.each<[string, ReturnType<typeof validateModelVersionSource>]>([
    [
      'models:/m-08ab357ac9914ca2927b9e71e4bebfb6',
      { kind: 'logged-model', modelId: 'm-08ab357ac9914ca2927b9e71e4bebfb6' },
    ],
    ['models:/health_monitor_agent/2', { kind: 'model-version', name: 'health_monitor_agent', version: 2 }],
    [
      'runs:/c427acb381d04e4481370eddac7ae28c/model',
      { kind: 'run', runId: 'c427acb381d04e4481370eddac7ae28c', artifactPath: 'model' },
    ],
    [
      'runs:/c427acb381d04e4481370eddac7ae28c',
      { kind: 'run', runId: 'c427acb381d04e4481370eddac7ae28c', artifactPath: '' },
    ],
    ['runs:/abc/a/b c/model', { kind: 'run', runId: 'abc', artifactPath: 'a/b c/model' }],
    ['mlflow-artifacts:/1/models/m-1/artifacts', { kind: 'uri' }],
    ['s3://bucket/models/agent', { kind: 'uri' }],
    [
      'file:///srv/mlruns/1/abc/artifacts/model',
      { kind: 'local', path: '/srv/mlruns/1/abc/artifacts/model' },
    ],
    ['file://localhost/srv/m%20x', { kind: 'local', path: '/srv/m x' }],
    ['/srv/mlruns/model', { kind: 'local', path: '/srv/mlruns/model' }],
    ['relative/model', { kind: 'local', path: resolve('relative/model') }],
  ])('reads %s', (source, expected) => {
    expect(validateModelVersionSource(source)).toEqual(expected);
  });

  it.each([
    's3://bucket/models/../../secrets',
    'mlflow-artifacts:/1/%252E%252E/etc',
    'https://host/api/2.0/mlflow-artifacts/artifacts/..%2f..%2fetc',
    'http://host/a/+/../b',
    's3://bucket/a/./b',
    's3://bucket',
    'mlflow-artifacts:/',
    'ftp://host/a%00b',
    'models:relative',
  ])('refuses %s, which reaches outside its location or names none', (source) => {
    expect(rejection(() => validateModelVersionSource(source))).toMatch(
      new RegExp(
        `^Invalid model version source: '${source.replace(/[.+?^${}()|[\]\\]/g, '\\$&')}'. If supplying a source`,
      ),
    );
  });

  it('refuses malformed models:/ and runs:/ URIs, and models:/ forms without a version number', () => {
    expect(rejection(() => validateModelVersionSource('models:/a/b/c'))).toMatch(
      /^Unable to fetch model from model URI source artifact location 'models:\/a\/b\/c'. Error: Not a proper models:\/ URI/,
    );
    expect(rejection(() => validateModelVersionSource('models:/agent/Production'))).toMatch(/by its number/);
    expect(rejection(() => validateModelVersionSource('models:/agent@champion'))).toMatch(/by its number/);
    // A run id where a host would be leaves no path, which the relative-path rule already refuses.
    expect(rejection(() => validateModelVersionSource('runs://model'))).toMatch(
      /^Invalid model version source: 'runs:\/\/model'/,
    );
    expect(rejection(() => validateModelVersionSource(''))).toBe(
      "Missing value for required parameter 'source'.",
    );
  });

  it('refuses a file: URI naming another host', () => {
    expect(rejection(() => validateModelVersionSource('file://server/share/model'))).toMatch(
      /^file:\/\/server\/share\/model is not a valid remote uri/,
    );
  });

  it('checks no paths of a prompt, whose source MLflow takes as given', () => {
    expect(validateModelVersionSource('dummy-source', { checkPaths: false })).toEqual({ kind: 'uri' });
    expect(validateModelVersionSource('s3://bucket/../x', { checkPaths: false })).toEqual({ kind: 'uri' });
  });
});

describe('local artifact folders', () => {
  it('finds the local path of a path or file: URI, and nothing for other URIs', () => {
    expect(localArtifactPath('file:///srv/mlruns/1')).toBe('/srv/mlruns/1');
    expect(localArtifactPath('/srv/mlruns/1')).toBe('/srv/mlruns/1');
    expect(localArtifactPath('mlflow-artifacts:/1')).toBeUndefined();
    expect(localArtifactPath('s3://bucket/1')).toBeUndefined();
  });

  it('tells a path inside a folder from a sibling that shares its prefix', () => {
    expect(isInsideFolder('/srv/a/model', '/srv/a')).toBe(true);
    expect(isInsideFolder('/srv/a', '/srv/a')).toBe(true);
    expect(isInsideFolder('/srv/ab/model', '/srv/a')).toBe(false);
  });
});

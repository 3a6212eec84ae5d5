import { describe, expect, it } from 'vitest';
import {
  defaultArtifactsDestination,
  isProxiedArtifactUri,
  proxiedArtifactPath,
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

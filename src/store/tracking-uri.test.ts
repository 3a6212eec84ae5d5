import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  canonicalTrackingUri,
  displayTrackingUri,
  isRemoteTrackingTarget,
  parseTrackingUri,
  resolveTrackingTarget,
  resolveTrackingUri,
} from './tracking-uri.js';

describe('tracking URIs', () => {
  it.each([
    ['sqlite:///relative.db', resolve('/work/dir', 'relative.db')],
    ['sqlite:///nested/dir/x.db', resolve('/work/dir', 'nested/dir/x.db')],
    ['sqlite:////absolute/path.db', '/absolute/path.db'],
    ['sqlite:///:memory:', ':memory:'],
    ['sqlite:///', ':memory:'],
    ['sqlite:///with%20space.db', resolve('/work/dir', 'with space.db')],
    ['./local.db', resolve('/work/dir', 'local.db')],
    ['/abs/file.sqlite3', '/abs/file.sqlite3'],
  ])('%s opens %s', (uri, path) => {
    expect(parseTrackingUri(uri, '/work/dir')).toMatchObject({ kind: 'sqlite', path });
  });

  it.each([
    ['http://mlflow:5000', 'http://mlflow:5000'],
    ['http://mlflow:5000/', 'http://mlflow:5000'],
    [' HTTPS://Tracking.Example.com/mlflow/ ', 'https://tracking.example.com/mlflow'],
    ['http://127.0.0.1:5000', 'http://127.0.0.1:5000'],
    ['http://user:secret@host:5000', 'http://host:5000'],
    ['https://host:443', 'https://host'],
  ])('%s names the tracking server %s', (uri, path) => {
    expect(parseTrackingUri(uri, '/work/dir')).toEqual({ kind: 'rest', path, uri: uri.trim() });
  });

  it.each([
    ['databricks', ''],
    ['databricks://', ''],
    ['databricks://staging', 'staging'],
  ])('%s names the Databricks profile %j', (uri, path) => {
    expect(parseTrackingUri(uri, '/work/dir')).toEqual({ kind: 'databricks', path, uri });
  });

  it.each([
    ['sqlite://host/x.db', /Invalid SQLite tracking URI/],
    ['mysql://db/x', /Unsupported tracking URI scheme 'mysql'.*http\(s\):\/\/host:port/],
    ['http://', /Invalid tracking server URI 'http:\/\/'/],
    ['http://host:5000/?token=x', /query string or fragment is not allowed/],
    ['http://user:secret@host:5000/#x', /'http:\/\/user:\*\*\*@host:5000\/#x'/],
    ['databricks://scope:prefix', /secret-scope URIs .* are not supported/],
    ['databricks-uc', /Unsupported tracking URI 'databricks-uc'/],
    ['notes.txt', /Unsupported tracking URI 'notes.txt'/],
  ])('%s is refused', (uri, message) => {
    expect(() => parseTrackingUri(uri, '/work/dir')).toThrow(message);
  });

  it('prefers the argument, then AGENTRACK_TRACKING_URI, then MLFLOW_TRACKING_URI, then ./agentrack.db', () => {
    const env = { AGENTRACK_TRACKING_URI: 'sqlite:///a.db', MLFLOW_TRACKING_URI: 'sqlite:///m.db' };
    expect(resolveTrackingUri('sqlite:///arg.db', env)).toBe('sqlite:///arg.db');
    expect(resolveTrackingUri(undefined, env)).toBe('sqlite:///a.db');
    expect(resolveTrackingUri(undefined, { MLFLOW_TRACKING_URI: 'sqlite:///m.db' })).toBe('sqlite:///m.db');
    expect(resolveTrackingUri(undefined, { AGENTRACK_TRACKING_URI: ' ' })).toBe('sqlite:///agentrack.db');
    expect(resolveTrackingUri(undefined, {})).toBe('sqlite:///agentrack.db');
  });

  it.each([
    [
      'postgresql://me:s3cret@db.example.com:5433/agentrack?sslmode=require',
      'postgresql://me:***@db.example.com:5433/agentrack?sslmode=require',
    ],
    ['postgres://me@db/agentrack', 'postgres://me@db/agentrack'],
    ['POSTGRESQL://db', 'postgresql://db'],
    ['postgresql://:p%40ss@db/x', 'postgresql://:***@db/x'],
    [
      'postgresql://me@db/x?password=hunter2&application_name=a',
      'postgresql://me@db/x?password=***&application_name=a',
    ],
    ['postgresql:///agentrack', 'postgresql:///agentrack'],
    ['postgresql://', 'postgresql://'],
  ])('%s is PostgreSQL, shown as %s', (uri, shown) => {
    expect(parseTrackingUri(uri, '/work/dir')).toEqual({
      kind: 'postgres',
      path: shown,
      uri: shown,
      connectionString: uri,
    });
  });

  it('leaves out of a PostgreSQL URI what it leaves out, for pg to take from PG* variables', () => {
    const target = parseTrackingUri('postgresql:///agentrack');
    expect(canonicalTrackingUri(target)).toBe('postgresql:///agentrack');
    expect(target.path).not.toMatch(/localhost|5432|postgres@/);
  });

  it.each([
    [
      'postgresql://me:s3cret@db:99999/x',
      /^Invalid PostgreSQL tracking URI 'postgresql:\/\/me:\*\*\*@db:99999\/x': expected postgresql:\/\//,
    ],
    ['postgresql://me:s3cret@db/a/b', /the database name must be one path segment/],
    // A '/' in a password must be percent-encoded: this one ends the host, and is still masked.
    ['postgresql://me:s3/cret@db/x', /^Invalid PostgreSQL tracking URI 'postgresql:\/\/me:\*\*\*@db\/x'/],
    [
      'postgresql://me:s3cret@db/x?sslmode=sometimes',
      /sslmode 'sometimes' is not one of disable, allow, prefer, require, verify-ca, verify-full, no-verify/,
    ],
    ['postgresql://me:s3cret@db/x#frag', /a fragment \(#\.\.\.\) is not allowed/],
    ['postgresql://me:s3%ZZcret@db/x', /its password is not properly percent-encoded/],
    ['postgresql://me:s3cret@db/%E0%A4%A', /its database name is not properly percent-encoded/],
  ])('%s is refused, without its password', (uri, message) => {
    let caught: unknown;
    try {
      parseTrackingUri(uri);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(message),
    });
    expect((caught as Error).message).not.toContain('s3cret');
    expect((caught as Error).message).not.toContain('s3%ZZcret');
    expect((caught as Error).message).not.toContain('cret@');
  });

  it('never shows the password of a URI of an unknown scheme', () => {
    expect(() => parseTrackingUri('mysql://root:s3cret@db/x')).toThrow(
      "Unsupported tracking URI scheme 'mysql' in 'mysql://root:***@db/x'",
    );
  });
});

describe('resolveTrackingTarget: one precedence', () => {
  const env = {
    AGENTRACK_TRACKING_URI: 'sqlite:///agentrack-env.db',
    MLFLOW_TRACKING_URI: 'http://mlflow:5000',
  };
  const config = { configUri: 'sqlite:///data/runs.db', configFolder: '/project', cwd: '/project/src' };

  it('takes the argument first, relative to the working folder', () => {
    expect(resolveTrackingTarget({ ...config, uri: 'sqlite:///flag.db', env })).toMatchObject({
      kind: 'sqlite',
      path: '/project/src/flag.db',
    });
  });

  it('then AGENTRACK_TRACKING_URI, relative to the working folder', () => {
    expect(resolveTrackingTarget({ ...config, env })).toMatchObject({
      path: '/project/src/agentrack-env.db',
    });
  });

  it("then the configuration's URI, relative SQLite paths (URIs and bare files) from its folder", () => {
    const noAgentrack = { MLFLOW_TRACKING_URI: env.MLFLOW_TRACKING_URI, AGENTRACK_TRACKING_URI: ' ' };
    expect(resolveTrackingTarget({ ...config, env: noAgentrack })).toMatchObject({
      path: '/project/data/runs.db',
    });
    expect(resolveTrackingTarget({ ...config, configUri: 'runs.sqlite', env: {} })).toMatchObject({
      path: '/project/runs.sqlite',
    });
    expect(resolveTrackingTarget({ ...config, configUri: 'sqlite:////abs/x.db', env: {} })).toMatchObject({
      path: '/abs/x.db',
    });
  });

  it('then MLFLOW_TRACKING_URI', () => {
    expect(
      resolveTrackingTarget({ cwd: '/w', env: { MLFLOW_TRACKING_URI: 'http://mlflow:5000' } }),
    ).toMatchObject({
      kind: 'rest',
      path: 'http://mlflow:5000',
    });
  });

  it("then agentrack.db in the configuration's folder, else in the working folder", () => {
    expect(resolveTrackingTarget({ configFolder: '/project', cwd: '/project/src', env: {} })).toMatchObject({
      path: '/project/agentrack.db',
    });
    expect(resolveTrackingTarget({ cwd: '/w', env: {} })).toMatchObject({ path: '/w/agentrack.db' });
  });
});

describe('canonicalTrackingUri and displayTrackingUri', () => {
  it.each([
    ['sqlite:///agentrack.db', 'sqlite:////work/agentrack.db'],
    ['sqlite:////data/x.db', 'sqlite:////data/x.db'],
    ['store.sqlite', 'sqlite:////work/store.sqlite'],
    ['sqlite:///a%25b%3F.db', 'sqlite:////work/a%25b%3F.db'],
    ['sqlite:///:memory:', 'sqlite:///:memory:'],
    ['http://mlflow:5000', 'http://mlflow:5000'],
    ['databricks', 'databricks'],
    ['postgresql://me:pw@db/x', 'postgresql://me:pw@db/x'],
  ])('%s is handed on as %s, which names the same store from anywhere', (uri, canonical) => {
    const target = parseTrackingUri(uri, '/work');
    expect(canonicalTrackingUri(target)).toBe(canonical);
    expect(parseTrackingUri(canonicalTrackingUri(target), '/elsewhere')).toEqual(
      uri.endsWith('.db') || uri.endsWith('.sqlite') || uri.startsWith('sqlite')
        ? { ...target, uri: canonical }
        : target,
    );
  });

  it('shows URIs without their passwords', () => {
    expect(displayTrackingUri(parseTrackingUri('postgresql://me:s3cret@db/x'))).toBe(
      'postgresql://me:***@db/x',
    );
    expect(displayTrackingUri(parseTrackingUri('http://me:s3cret@host:5000'))).toBe(
      'http://me:***@host:5000',
    );
    expect(displayTrackingUri(parseTrackingUri('sqlite:///x.db', '/w'))).toBe('sqlite:////w/x.db');
  });

  it.each([
    ['http://h', true],
    ['HTTPS://h', true],
    ['databricks', true],
    ['databricks://profile', true],
    ['sqlite:///x.db', false],
    ['postgresql://db/x', false],
  ])('%s is remote for MLflow: %s', (uri, expected) => {
    expect(isRemoteTrackingTarget(parseTrackingUri(uri, '/w'))).toBe(expected);
  });
});

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTrackingUri, resolveTrackingUri } from './tracking-uri.js';

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
});

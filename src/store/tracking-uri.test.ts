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
    ['sqlite://host/x.db', /Invalid SQLite tracking URI/],
    ['mysql://db/x', /Unsupported tracking URI scheme 'mysql'/],
    ['http://mlflow:5000', /names an MLflow server or Databricks workspace.*AGENTRACK_TRACKING_URI/],
    ['databricks', /names an MLflow server or Databricks workspace/],
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

import { describe, expect, it } from 'vitest';
import { parseTrackingUri } from '../store/tracking-uri.js';
import { effectiveTrackingUri, isRemoteTrackingUri } from './tracking-uri.js';

describe('effectiveTrackingUri', () => {
  it.each([
    ['sqlite:///agentrack.db', {}, 'sqlite:////work/agentrack.db'],
    ['sqlite:////data/x.db', {}, 'sqlite:////data/x.db'],
    ['store.sqlite', {}, 'sqlite:////work/store.sqlite'],
    ['sqlite:///a%25b%3F.db', {}, 'sqlite:////work/a%25b%3F.db'],
    ['sqlite:///:memory:', {}, 'sqlite:///:memory:'],
    ['http://mlflow:5000', {}, 'http://mlflow:5000'],
    ['databricks', {}, 'databricks'],
    [undefined, { AGENTRACK_TRACKING_URI: 'sqlite:///env.db' }, 'sqlite:////work/env.db'],
    [undefined, { MLFLOW_TRACKING_URI: 'https://host' }, 'https://host'],
    [undefined, {}, 'sqlite:////work/agentrack.db'],
  ] as const)('%s with %o', (configured, env, expected) => {
    expect(effectiveTrackingUri(configured, env, '/work')).toBe(expected);
  });

  it('escapes a path so that it reads back the same', () => {
    const uri = effectiveTrackingUri('sqlite:///a%25b%3F.db', {}, '/work');
    expect(parseTrackingUri(uri).path).toBe('/work/a%b?.db');
  });

  it('refuses what the stores cannot open', () => {
    expect(() => effectiveTrackingUri('mysql://x', {}, '/work')).toThrow(
      /Unsupported tracking URI scheme 'mysql'/,
    );
  });
});

describe('isRemoteTrackingUri', () => {
  it.each([
    ['http://h', true],
    ['HTTPS://h', true],
    ['databricks', true],
    ['databricks://profile', true],
    ['databricks-uc', false],
    ['sqlite:///x.db', false],
  ])('%s', (uri, expected) => {
    expect(isRemoteTrackingUri(uri)).toBe(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { parseTrackingUri } from '../store/tracking-uri.js';
import { childEnv } from './child-env.js';

const run = { runId: 'r1', experimentId: '7' };

describe('childEnv', () => {
  it('adds the run and the tracking URI, and drops MLflow settings that would point elsewhere', () => {
    const env = childEnv(
      { PATH: '/bin', MLFLOW_TRACKING_URI: 'http://other', MLFLOW_EXPERIMENT_NAME: 'x' },
      { ...run, target: parseTrackingUri('sqlite:////data/agentrack.db') },
    );
    expect(env).toEqual({
      PATH: '/bin',
      AGENTRACK_TRACKING_URI: 'sqlite:////data/agentrack.db',
      MLFLOW_RUN_ID: 'r1',
      MLFLOW_EXPERIMENT_ID: '7',
    });
  });

  it.each(['http://mlflow:5000', 'https://host/mlflow', 'databricks'])(
    'gives MLflow the server %s',
    (uri) => {
      expect(childEnv({}, { ...run, target: parseTrackingUri(uri) })).toMatchObject({
        AGENTRACK_TRACKING_URI: uri,
        MLFLOW_TRACKING_URI: uri,
      });
    },
  );

  it('gives MLflow the server that serves the embedded store to the command', () => {
    const env = childEnv(
      { MLFLOW_TRACKING_URI: 'http://other' },
      { ...run, target: parseTrackingUri('sqlite:////x.db'), mlflowTrackingUri: 'http://127.0.0.1:40123' },
    );
    expect(env).toMatchObject({
      AGENTRACK_TRACKING_URI: 'sqlite:////x.db',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:40123',
    });
  });

  it('hands a relative SQLite file on as an absolute one, and a PostgreSQL URI with its password', () => {
    expect(childEnv({}, { ...run, target: parseTrackingUri('sqlite:///runs.db', '/project') })).toMatchObject(
      {
        AGENTRACK_TRACKING_URI: 'sqlite:////project/runs.db',
      },
    );
    const postgres = 'postgresql://me:s3cret@db:5432/agentrack?sslmode=require';
    const env = childEnv(
      { MLFLOW_TRACKING_URI: 'http://other' },
      { ...run, target: parseTrackingUri(postgres) },
    );
    expect(env.AGENTRACK_TRACKING_URI).toBe(postgres);
    // MLflow's own client cannot open agentrack's PostgreSQL schema.
    expect(env.MLFLOW_TRACKING_URI).toBeUndefined();
  });

  it('leaves the base environment alone', () => {
    const base = { MLFLOW_RUN_ID: 'old' };
    childEnv(base, { ...run, target: parseTrackingUri('sqlite:////x.db') });
    expect(base).toEqual({ MLFLOW_RUN_ID: 'old' });
  });
});

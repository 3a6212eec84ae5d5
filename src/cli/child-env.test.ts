import { describe, expect, it } from 'vitest';
import { childEnv } from './child-env.js';

const run = { runId: 'r1', experimentId: '7' };

describe('childEnv', () => {
  it('adds the run and the tracking URI, and drops MLflow settings that would point elsewhere', () => {
    const env = childEnv(
      { PATH: '/bin', MLFLOW_TRACKING_URI: 'http://other', MLFLOW_EXPERIMENT_NAME: 'x' },
      { ...run, trackingUri: 'sqlite:////data/agentrack.db' },
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
      expect(childEnv({}, { ...run, trackingUri: uri })).toMatchObject({
        AGENTRACK_TRACKING_URI: uri,
        MLFLOW_TRACKING_URI: uri,
      });
    },
  );

  it('gives MLflow the server that serves the embedded store to the command', () => {
    const env = childEnv(
      { MLFLOW_TRACKING_URI: 'http://other' },
      { ...run, trackingUri: 'sqlite:////x.db', mlflowTrackingUri: 'http://127.0.0.1:40123' },
    );
    expect(env).toMatchObject({
      AGENTRACK_TRACKING_URI: 'sqlite:////x.db',
      MLFLOW_TRACKING_URI: 'http://127.0.0.1:40123',
    });
  });

  it('leaves the base environment alone', () => {
    const base = { MLFLOW_RUN_ID: 'old' };
    childEnv(base, { ...run, trackingUri: 'sqlite:////x.db' });
    expect(base).toEqual({ MLFLOW_RUN_ID: 'old' });
  });
});

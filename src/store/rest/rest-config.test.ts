import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../client/tracking-client.js';
import { tempDir } from '../../testing/temp-dir.js';
import { parseTrackingUri } from '../tracking-uri.js';
import { startStubServer, type StubServer } from './__tests__/stub-server.js';
import { resolveRestConfig, type RemoteTrackingTarget, type RestStoreOptions } from './rest-config.js';

const target = (uri: string) => parseTrackingUri(uri) as RemoteTrackingTarget;
const resolve = (uri: string, options: RestStoreOptions) => resolveRestConfig(target(uri), options);

describe('REST store settings', () => {
  it("defaults to MLflow's client settings", () => {
    expect(resolve('http://h:5000', { env: {} })).toEqual({
      baseUrl: 'http://h:5000',
      timeoutMs: 120_000,
      maxRetries: 7,
      backoffFactorMs: 2_000,
      backoffJitterMs: 1_000,
      backoffMaxMs: 120_000,
      respectRetryAfter: true,
      connectRetry: { maxRetries: 4, backoffFactorMs: 500, backoffJitterMs: 250 },
      splitOversizedBatches: false,
    });
  });

  it('keeps the short budget for refused connections only while no retry setting is given', () => {
    const connect = (env: NodeJS.ProcessEnv, options: RestStoreOptions = {}) =>
      resolve('http://h', { env, ...options }).connectRetry;
    expect(connect({ MLFLOW_HTTP_REQUEST_TIMEOUT: '300' })).toEqual({
      maxRetries: 4,
      backoffFactorMs: 500,
      backoffJitterMs: 250,
    });
    expect(connect({ MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0' })).toEqual({
      maxRetries: 4,
      backoffFactorMs: 500,
      backoffJitterMs: 0,
    });
    expect(connect({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '7' })).toBeUndefined();
    expect(connect({ MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '2' })).toBeUndefined();
    expect(connect({}, { maxRetries: 3 })).toBeUndefined();
    expect(connect({}, { backoffFactorMs: 100 })).toBeUndefined();
  });

  it('passes the onRetry hook on', () => {
    const onRetry = () => {};
    expect(resolve('http://h', { env: {}, onRetry }).onRetry).toBe(onRetry);
  });

  it("reads MLflow's environment variables, and options win over them", () => {
    const env = {
      MLFLOW_HTTP_REQUEST_TIMEOUT: '5',
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3',
      MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0.5',
      MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0',
      MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER: 'False',
    };
    expect(resolve('http://h', { env })).toMatchObject({
      timeoutMs: 5_000,
      maxRetries: 3,
      backoffFactorMs: 500,
      backoffJitterMs: 0,
      respectRetryAfter: false,
    });
    expect(resolve('http://h', { env, timeoutMs: 10, maxRetries: 0, respectRetryAfter: true })).toMatchObject(
      {
        timeoutMs: 10,
        maxRetries: 0,
        respectRetryAfter: true,
      },
    );
  });

  it.each([
    [{ MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon' }, {}, /Invalid value 'soon' for MLFLOW_HTTP_REQUEST_TIMEOUT/],
    [{ MLFLOW_HTTP_REQUEST_TIMEOUT: '0' }, {}, /positive number of seconds/],
    [
      { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '2.5' },
      {},
      /MLFLOW_HTTP_REQUEST_MAX_RETRIES: expected a non-negative integer/,
    ],
    [{ MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER: 'yes' }, {}, /expected true, false, 1 or 0/],
    [{}, { timeoutMs: 0 }, /Invalid timeoutMs 0/],
    [{}, { maxRetries: -1 }, /Invalid maxRetries -1/],
    [{}, { backoffFactorMs: Number.NaN }, /Invalid backoffFactorMs NaN/],
    [
      { MLFLOW_TRACKING_USERNAME: 'ann' },
      {},
      /needs both a username and a password; only the username is set/,
    ],
    [{}, { password: 'pw' }, /only the password is set \(the username and password options\)/],
  ] as const)('refuses %o %o', (env, options, message) => {
    expect(() => resolve('http://h', { env, ...options })).toThrow(message);
  });

  it("refuses TLS settings that Node's fetch cannot honour, for https only", () => {
    expect(() => resolve('https://h', { env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' } })).toThrow(
      /MLFLOW_TRACKING_INSECURE_TLS=true is not supported/,
    );
    expect(() => resolve('https://h', { env: { MLFLOW_TRACKING_SERVER_CERT_PATH: '/ca.pem' } })).toThrow(
      /NODE_EXTRA_CA_CERTS=\/ca.pem/,
    );
    expect(() => resolve('https://h', { env: { MLFLOW_TRACKING_CLIENT_CERT_PATH: '/c.pem' } })).toThrow(
      /client certificates/,
    );
    const trusted = { MLFLOW_TRACKING_SERVER_CERT_PATH: '/ca.pem', NODE_EXTRA_CA_CERTS: '/ca.pem' };
    expect(resolve('https://h', { env: trusted }).baseUrl).toBe('https://h');
    expect(resolve('http://h', { env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' } }).baseUrl).toBe('http://h');
    expect(resolve('https://h', { env: { MLFLOW_TRACKING_INSECURE_TLS: 'true' }, fetch }).baseUrl).toBe(
      'https://h',
    );
  });
});

describe('Databricks', () => {
  let dir: ReturnType<typeof tempDir>;
  let file: string;
  beforeEach(() => {
    dir = tempDir();
    file = join(dir.path, 'databrickscfg');
  });
  afterEach(() => dir.remove());

  const noFile = () => ({ DATABRICKS_CONFIG_FILE: join(dir.path, 'missing') });

  it('takes DATABRICKS_HOST and DATABRICKS_TOKEN, adding https:// to a bare host', () => {
    const env = { ...noFile(), DATABRICKS_HOST: 'adb-1.2.azuredatabricks.net/', DATABRICKS_TOKEN: 'dapi1' };
    expect(resolve('databricks', { env })).toMatchObject({
      baseUrl: 'https://adb-1.2.azuredatabricks.net',
      authorization: 'Bearer dapi1',
    });
  });

  it.each([
    [
      { DATABRICKS_TOKEN: 'dapi1' },
      /'databricks' needs the workspace URL: set it in DATABRICKS_HOST and DATABRICKS_TOKEN/,
    ],
    [{ DATABRICKS_HOST: 'https://w' }, /'databricks' needs a Databricks personal access token/],
    [
      { DATABRICKS_HOST: 'https://w', DATABRICKS_CLIENT_ID: 'sp', DATABRICKS_CLIENT_SECRET: 's' },
      /authentication type 'oauth-m2m', which agentrack does not support/,
    ],
  ])('refuses an incomplete environment %o', (env, message) => {
    expect(() => resolve('databricks', { env: { ...noFile(), ...env } })).toThrow(message);
  });

  it('reads profiles from the configuration file', () => {
    writeFileSync(
      file,
      [
        '; Databricks CLI configuration',
        '[DEFAULT]',
        'host = https://default.cloud.databricks.com',
        'token = dapi-default',
        '',
        '[staging]',
        'host=https://staging.cloud.databricks.com/',
        'token=dapi-staging',
        '',
        '[sso]',
        'host = https://sso.cloud.databricks.com',
        'auth_type = databricks-cli',
      ].join('\n'),
    );
    const env = { DATABRICKS_CONFIG_FILE: file };
    expect(resolve('databricks', { env })).toMatchObject({
      baseUrl: 'https://default.cloud.databricks.com',
      authorization: 'Bearer dapi-default',
    });
    expect(resolve('databricks://staging', { env })).toMatchObject({
      baseUrl: 'https://staging.cloud.databricks.com',
      authorization: 'Bearer dapi-staging',
    });
    expect(resolve('databricks', { env: { ...env, DATABRICKS_CONFIG_PROFILE: 'staging' } }).baseUrl).toBe(
      'https://staging.cloud.databricks.com',
    );
    expect(resolve('databricks://staging', { env, token: 'override' }).authorization).toBe('Bearer override');
    expect(() => resolve('databricks://prod', { env })).toThrow(/names the profile 'prod', not found in/);
    expect(() => resolve('databricks://sso', { env })).toThrow(/authentication type 'databricks-cli'/);
    expect(() => resolve('databricks://staging', { env: noFile() })).toThrow(/does not exist/);
  });

  it('serves TrackingClient.open("databricks") from the workspace API', async () => {
    const stub: StubServer = await startStubServer();
    stub.reply({ body: { experiment_id: '42' } });
    const client = await TrackingClient.open('databricks', {
      env: {
        ...noFile(),
        DATABRICKS_HOST: stub.url,
        DATABRICKS_TOKEN: 'dapi-x',
        MLFLOW_TRACKING_TOKEN: 'ignored',
      },
      maxRetries: 0,
    });
    expect(await client.createExperiment('/Users/ann@example.com/exp')).toBe('42');
    expect(stub.requests[0]?.path).toBe('/api/2.0/mlflow/experiments/create');
    expect(stub.requests[0]?.headers.authorization).toBe('Bearer dapi-x');
    await client.close();
    await stub.stop();
  });

  it('refuses TrackingClient.open("databricks") without configuration', async () => {
    await expect(TrackingClient.open('databricks', { env: noFile() })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('DATABRICKS_HOST'),
    });
  });
});

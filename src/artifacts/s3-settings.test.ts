import { describe, expect, it } from 'vitest';
import { parseS3Uri, resolveS3Settings } from './s3-settings.js';

describe('parseS3Uri', () => {
  it.each([
    ['s3://bucket', { bucket: 'bucket', prefix: '' }],
    ['s3://bucket/', { bucket: 'bucket', prefix: '' }],
    ['s3://ml-artifacts/team/mlartifacts/', { bucket: 'ml-artifacts', prefix: 'team/mlartifacts' }],
    ['S3://bucket/a%20b', { bucket: 'bucket', prefix: 'a%20b' }],
  ])('parses %s', (uri, expected) => {
    expect(parseS3Uri(uri)).toEqual(expected);
  });

  it.each(['s3://', 's3:///prefix', 's3://bucket?x=1', 's3://bucket/a#b', 'gs://bucket'])(
    'refuses %s',
    (uri) => {
      expect(() => parseS3Uri(uri)).toThrow(/Invalid S3 artifact URI/);
    },
  );

  it('refuses a prefix that is not a plain relative path', () => {
    expect(() => parseS3Uri('s3://bucket/a/../b')).toThrow(/without '\.', '\.\.' or empty segments/);
    expect(() => parseS3Uri('s3://bucket/a//b')).toThrow(/empty segments/);
  });
});

describe('resolveS3Settings', () => {
  it('defaults: AWS endpoints, virtual-host addressing, the default credential chain, checksums only when required', () => {
    expect(resolveS3Settings({})).toEqual({
      forcePathStyle: false,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ignoreTls: false,
      uploadExtraArgs: {},
    });
  });

  it("takes MLflow's endpoint first, then AWS's, with path-style addressing", () => {
    const env = {
      MLFLOW_S3_ENDPOINT_URL: 'http://127.0.0.1:9000',
      AWS_ENDPOINT_URL_S3: 'http://s3.example',
      AWS_ENDPOINT_URL: 'http://all.example',
    };
    expect(resolveS3Settings(env)).toMatchObject({ endpoint: 'http://127.0.0.1:9000', forcePathStyle: true });
    expect(resolveS3Settings({ ...env, MLFLOW_S3_ENDPOINT_URL: '' }).endpoint).toBe('http://s3.example');
    expect(resolveS3Settings({ AWS_ENDPOINT_URL: 'https://all.example' }).endpoint).toBe(
      'https://all.example',
    );
    expect(resolveS3Settings({ ...env, MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'virtual' }).forcePathStyle).toBe(
      false,
    );
    expect(resolveS3Settings({ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'path' }).forcePathStyle).toBe(true);
  });

  it("reads AWS's credentials and region, AWS_REGION before AWS_DEFAULT_REGION", () => {
    expect(
      resolveS3Settings({
        AWS_ACCESS_KEY_ID: 'AKIA',
        AWS_SECRET_ACCESS_KEY: 'secret',
        AWS_SESSION_TOKEN: 'token',
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'us-west-2',
      }),
    ).toMatchObject({
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'token' },
      region: 'eu-west-1',
    });
    expect(resolveS3Settings({ AWS_DEFAULT_REGION: 'us-west-2' }).region).toBe('us-west-2');
    expect(resolveS3Settings({ AWS_ACCESS_KEY_ID: 'AKIA' })).not.toHaveProperty('credentials');
  });

  it("reads MLflow's other S3 variables", () => {
    expect(
      resolveS3Settings({
        MLFLOW_S3_IGNORE_TLS: 'true',
        MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{"ServerSideEncryption": "AES256"}',
        MLFLOW_S3_EXPECTED_BUCKET_OWNER: '123456789012',
        AWS_REQUEST_CHECKSUM_CALCULATION: 'when_supported',
        AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_SUPPORTED',
      }),
    ).toMatchObject({
      ignoreTls: true,
      uploadExtraArgs: { ServerSideEncryption: 'AES256' },
      expectedBucketOwner: '123456789012',
      requestChecksumCalculation: 'WHEN_SUPPORTED',
      responseChecksumValidation: 'WHEN_SUPPORTED',
    });
    expect(resolveS3Settings({ MLFLOW_S3_IGNORE_TLS: '0' }).ignoreTls).toBe(false);
  });

  it.each([
    [
      { MLFLOW_S3_ENDPOINT_URL: 'localhost:9000' },
      /MLFLOW_S3_ENDPOINT_URL must be an http:\/\/ or https:\/\/ URL/,
    ],
    [{ MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE: 'dns' }, /must be auto, path or virtual/],
    [{ MLFLOW_S3_IGNORE_TLS: 'yes please' }, /MLFLOW_S3_IGNORE_TLS must be true or false/],
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '[1]' }, /MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object/],
    [{ MLFLOW_S3_UPLOAD_EXTRA_ARGS: '{oops' }, /must be a JSON object/],
    [{ AWS_REQUEST_CHECKSUM_CALCULATION: 'always' }, /must be when_supported or when_required/],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => resolveS3Settings(env)).toThrow(message);
  });
});

import { invalidParameter } from '../errors.js';
import { isSafeArtifactPath } from './artifact-path.js';

/** An `s3://bucket/prefix` URI, parsed. */
export interface S3Location {
  bucket: string;
  /** The key prefix every artifact is kept under, without leading or trailing slash (`''` for the bucket's root). */
  prefix: string;
}

/** The S3 client settings an environment gives, as MLflow's boto3 set-up reads them. */
export interface S3Settings {
  /** `MLFLOW_S3_ENDPOINT_URL`, else `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`; AWS's own endpoints when none. */
  endpoint?: string;
  /** Path-style addressing (`http://host/bucket/key`): with a custom endpoint, unless `MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE` says otherwise. */
  forcePathStyle: boolean;
  /** `AWS_REGION`, else `AWS_DEFAULT_REGION`; when neither, the AWS profile's region, else `us-east-1`. */
  region?: string;
  /** `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`); AWS's default chain (profiles, SSO, instance roles) when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * When request checksums are computed: `AWS_REQUEST_CHECKSUM_CALCULATION`, else only when an
   * operation requires one. (The SDK's default since 2025, on every upload, sends bodies in
   * `aws-chunked` encoding that many S3-compatible servers do not understand.)
   */
  requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** `AWS_RESPONSE_CHECKSUM_VALIDATION`, else only when required. */
  responseChecksumValidation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** `MLFLOW_S3_IGNORE_TLS=true`: accept any TLS certificate from the endpoint. */
  ignoreTls: boolean;
  /** `MLFLOW_S3_UPLOAD_EXTRA_ARGS`: a JSON object of extra upload parameters, e.g. `{"ServerSideEncryption": "AES256"}`. */
  uploadExtraArgs: Record<string, unknown>;
  /** `MLFLOW_S3_EXPECTED_BUCKET_OWNER`: the account id every request requires the bucket to belong to. */
  expectedBucketOwner?: string;
}

/** The region when neither the environment nor an AWS profile names one (boto3's effective default for S3). */
export const DEFAULT_S3_REGION = 'us-east-1';

/**
 * Parses `s3://bucket/prefix` (MLflow's form; the prefix is kept as written, not decoded).
 *
 * @example parseS3Uri('s3://ml/artifacts/') // { bucket: 'ml', prefix: 'artifacts' }
 */
export function parseS3Uri(uri: string): S3Location {
  const match = /^s3:\/\/([^/?#]+)(\/[^?#]*)?$/i.exec(uri.trim());
  if (!match) {
    throw invalidParameter(`Invalid S3 artifact URI '${uri}': expected s3://bucket or s3://bucket/prefix.`);
  }
  const bucket = match[1] as string;
  const prefix = (match[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (!isSafeArtifactPath(prefix, 'folder')) {
    throw invalidParameter(
      `Invalid S3 artifact URI '${uri}': the prefix must be a relative path without '.', '..' or empty segments.`,
    );
  }
  return { bucket, prefix };
}

/** Reads {@link S3Settings} from `env`; a malformed value is INVALID_PARAMETER_VALUE naming its variable. */
export function resolveS3Settings(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const endpointVar = ['MLFLOW_S3_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL'].find((name) =>
    nonEmpty(env[name]),
  );
  const endpoint = endpointVar === undefined ? undefined : (env[endpointVar] as string).trim();
  if (endpoint !== undefined && !/^https?:\/\/[^/]/i.test(endpoint)) {
    throw invalidParameter(`${endpointVar} must be an http:// or https:// URL, not '${endpoint}'.`);
  }
  const style = (nonEmpty(env.MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE) ?? 'auto').toLowerCase();
  if (!['auto', 'path', 'virtual'].includes(style)) {
    throw invalidParameter(
      `MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE must be auto, path or virtual, not '${env.MLFLOW_BOTO_CLIENT_ADDRESSING_STYLE}'.`,
    );
  }
  const accessKeyId = nonEmpty(env.AWS_ACCESS_KEY_ID);
  const secretAccessKey = nonEmpty(env.AWS_SECRET_ACCESS_KEY);
  const sessionToken = nonEmpty(env.AWS_SESSION_TOKEN);
  const region = nonEmpty(env.AWS_REGION) ?? nonEmpty(env.AWS_DEFAULT_REGION);
  const owner = nonEmpty(env.MLFLOW_S3_EXPECTED_BUCKET_OWNER);
  return {
    ...(endpoint === undefined ? {} : { endpoint }),
    forcePathStyle: style === 'path' || (style === 'auto' && endpoint !== undefined),
    ...(region === undefined ? {} : { region: region.trim() }),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    requestChecksumCalculation: checksumMode(env, 'AWS_REQUEST_CHECKSUM_CALCULATION'),
    responseChecksumValidation: checksumMode(env, 'AWS_RESPONSE_CHECKSUM_VALIDATION'),
    ignoreTls: booleanVar(env, 'MLFLOW_S3_IGNORE_TLS'),
    uploadExtraArgs: extraArgs(env.MLFLOW_S3_UPLOAD_EXTRA_ARGS),
    ...(owner === undefined ? {} : { expectedBucketOwner: owner }),
  };
}

function checksumMode(env: NodeJS.ProcessEnv, name: string): 'WHEN_SUPPORTED' | 'WHEN_REQUIRED' {
  const value = (nonEmpty(env[name]) ?? 'when_required').toUpperCase();
  if (value !== 'WHEN_SUPPORTED' && value !== 'WHEN_REQUIRED') {
    throw invalidParameter(`${name} must be when_supported or when_required, not '${env[name]}'.`);
  }
  return value;
}

/** MLflow's boolean variables: `true`/`false`/`1`/`0`, any case; unset is false. */
function booleanVar(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = nonEmpty(env[name])?.toLowerCase();
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw invalidParameter(`${name} must be true or false, not '${env[name]}'.`);
}

function extraArgs(text: string | undefined): Record<string, unknown> {
  if (nonEmpty(text) === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text as string);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalidParameter(
      `MLFLOW_S3_UPLOAD_EXTRA_ARGS must be a JSON object, e.g. {"ServerSideEncryption": "AES256"}, not '${text}'.`,
    );
  }
  return parsed as Record<string, unknown>;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import type * as S3SdkModule from '@aws-sdk/client-s3';
import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import { AgentrackError, invalidParameter, isAgentrackError, notFound, type ErrorCode } from '../errors.js';
import {
  artifactBaseName,
  invalidPath,
  isSafeArtifactPath,
  joinArtifactPath,
  validateArtifactPath,
} from './artifact-path.js';
import {
  sortArtifactInfos,
  type ArtifactDownload,
  type ArtifactInfo,
  type ArtifactRepository,
  type MultipartUploads,
  type PutArtifactOptions,
  type UploadedPart,
} from './artifact-repository.js';
import { expectLength, readParts } from './artifact-streams.js';
import { DEFAULT_S3_REGION, parseS3Uri, resolveS3Settings, type S3Settings } from './s3-settings.js';

type S3Sdk = typeof S3SdkModule;

const MiB = 1024 * 1024;
/** S3's limits: parts of 5 MiB at least (but the last), 10,000 parts, 1000 keys per DeleteObjects. */
const MIN_PART_SIZE = 5 * MiB;
const MAX_PARTS = 10_000;
const DELETE_BATCH = 1000;

/** Options of {@link S3ArtifactRepository.open}. */
export interface S3ArtifactRepositoryOptions {
  /** Where the settings are read from (see {@link resolveS3Settings}); `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /**
   * A body of known size up to this many bytes goes up in one streamed PUT; a larger one, or
   * one of unknown size, as a multipart upload. 16 MiB by default.
   */
  multipartThreshold?: number;
  /** The size of the parts of those uploads: 8 MiB by default, at least 5 MiB, larger when a file needs more than 10,000. */
  partSize?: number;
  /** How many parts are uploaded at once (each held in memory while it is sent): 4 by default. */
  partConcurrency?: number;
}

/** The SDK's logger, silenced: the library prints nothing by itself, and errors are thrown. */
const SILENT_LOGGER = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

let sdk: Promise<S3Sdk> | undefined;

/** Loads `@aws-sdk/client-s3` on first use, so that nothing else ever pays for it. */
export function loadS3Sdk(): Promise<S3Sdk> {
  sdk ??= import('@aws-sdk/client-s3').catch((error: unknown) => {
    sdk = undefined;
    throw new AgentrackError(
      'INTERNAL_ERROR',
      `s3:// artifact URIs need the package @aws-sdk/client-s3, which could not be loaded ` +
        `(${(error as Error)?.message ?? error}). Install it with: npm install @aws-sdk/client-s3`,
      { cause: error },
    );
  });
  return sdk;
}

/**
 * Artifacts in S3 or an S3-compatible store (MinIO, Ceph, R2, ...): `s3://bucket/prefix`
 * (MLflow's `S3ArtifactRepository`). Settings come from the environment as MLflow reads them
 * ({@link resolveS3Settings}: `MLFLOW_S3_ENDPOINT_URL`, AWS's credentials and region).
 *
 * Uploads stream: a body of known size up to the threshold in one PUT, anything else as a
 * multipart upload whose parts (8 MiB) are sent a few at a time, each held only while it is
 * sent, and dropped (the upload aborted) when anything fails. Downloads stream the response.
 * Listings page through every key (1000 per request); deleting a folder deletes every key
 * below it, 1000 per request.
 *
 * @example const repo = await S3ArtifactRepository.open('s3://bucket/mlartifacts');
 */
export class S3ArtifactRepository implements ArtifactRepository {
  readonly uri: string;
  readonly bucket: string;
  /** The key prefix of the root, `''` for the bucket's root. */
  readonly prefix: string;
  /** The region requests are signed for. */
  readonly region: string;
  /** The endpoint, when not AWS's own. */
  readonly endpoint: string | undefined;
  readonly multipart: MultipartUploads;
  readonly #sdk: S3Sdk;
  readonly #client: S3Client;
  readonly #settings: S3Settings;
  readonly #threshold: number;
  readonly #partSize: number;
  readonly #concurrency: number;

  private constructor(
    uri: string,
    sdkModule: S3Sdk,
    client: S3Client,
    settings: S3Settings,
    options: S3ArtifactRepositoryOptions,
  ) {
    const location = parseS3Uri(uri);
    this.uri = uri;
    this.bucket = location.bucket;
    this.prefix = location.prefix;
    this.region = settings.region ?? DEFAULT_S3_REGION;
    this.endpoint = settings.endpoint;
    this.#sdk = sdkModule;
    this.#client = client;
    this.#settings = settings;
    this.#threshold = options.multipartThreshold ?? 16 * MiB;
    this.#partSize = Math.max(MIN_PART_SIZE, options.partSize ?? 8 * MiB);
    this.#concurrency = Math.max(1, Math.floor(options.partConcurrency ?? 4));
    this.multipart = {
      create: async (path, createOptions) =>
        this.#createUpload(validateArtifactPath(path), createOptions?.contentType),
      uploadPart: async (path, uploadId, partNumber, body, partOptions) =>
        this.#uploadStreamedPart(path, uploadId, partNumber, body, partOptions?.size),
      complete: async (path, uploadId, parts) =>
        this.#completeUpload(validateArtifactPath(path), uploadId, parts),
      abort: async (path, uploadId) => this.#abortUpload(validateArtifactPath(path), uploadId),
    };
  }

  /** Opens `s3://bucket/prefix`, loading the AWS SDK (on first use) and resolving settings and region. */
  static async open(uri: string, options: S3ArtifactRepositoryOptions = {}): Promise<S3ArtifactRepository> {
    parseS3Uri(uri);
    const settings = resolveS3Settings(options.env ?? process.env);
    // The SDK warns on Node 20 that its releases after January 2027 need Node 22; a library prints nothing.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdkModule = await loadS3Sdk();
    let client = new sdkModule.S3Client(clientConfig(settings, settings.region));
    // Neither AWS_REGION nor AWS_DEFAULT_REGION: the AWS profile's region, else boto3's default.
    let region = settings.region ?? (await client.config.region().catch(() => undefined));
    if (!region) {
      client.destroy();
      region = DEFAULT_S3_REGION;
      client = new sdkModule.S3Client(clientConfig(settings, region));
    }
    return new S3ArtifactRepository(uri, sdkModule, client, { ...settings, region }, options);
  }

  async put(path: string, body: Readable, options: PutArtifactOptions = {}): Promise<ArtifactInfo> {
    let rel: string;
    try {
      rel = validateArtifactPath(path);
      if (options.size !== undefined) expectLength(options.size, rel);
    } catch (error) {
      body.destroy();
      throw error;
    }
    const info = { path: rel, name: artifactBaseName(rel), isDir: false };
    const size = options.size;
    if (size !== undefined && size <= this.#threshold) {
      await this.#putStreamed(rel, body, size, options.contentType);
      return { ...info, size };
    }
    return { ...info, size: await this.#putInParts(rel, body, size, options.contentType) };
  }

  async get(path: string): Promise<ArtifactDownload> {
    const rel = validateArtifactPath(path);
    const output = await this.#send(
      () => this.#client.send(new this.#sdk.GetObjectCommand({ ...this.#common(), Key: this.#key(rel) })),
      'read',
      rel,
    );
    return {
      body: output.Body as Readable,
      ...(output.ContentLength === undefined ? {} : { size: output.ContentLength }),
      ...(output.ContentType === undefined ? {} : { contentType: output.ContentType }),
    };
  }

  async list(dir: string = ''): Promise<ArtifactInfo[]> {
    const rel = validateArtifactPath(dir, 'folder');
    const prefix = this.#folderPrefix(rel);
    const infos: ArtifactInfo[] = [];
    for await (const page of this.#listPages(prefix, rel, '/')) {
      for (const entry of page.CommonPrefixes ?? []) {
        const name = entry.Prefix?.startsWith(prefix) ? entry.Prefix.slice(prefix.length, -1) : '';
        if (isListable(name)) infos.push({ path: joinArtifactPath(rel, name), name, isDir: true });
      }
      for (const object of page.Contents ?? []) {
        // A key equal to the prefix is a "folder" placeholder some tools create.
        const name = object.Key?.startsWith(prefix) ? object.Key.slice(prefix.length) : '';
        if (isListable(name))
          infos.push({ path: joinArtifactPath(rel, name), name, isDir: false, size: object.Size ?? 0 });
      }
    }
    return sortArtifactInfos(infos);
  }

  async stat(path: string): Promise<ArtifactInfo | undefined> {
    const rel = validateArtifactPath(path, 'folder');
    const name = artifactBaseName(rel);
    if (rel !== '') {
      try {
        const head = await this.#send(
          () =>
            this.#client.send(new this.#sdk.HeadObjectCommand({ ...this.#common(), Key: this.#key(rel) })),
          'read',
          rel,
        );
        return { path: rel, name, isDir: false, size: head.ContentLength ?? 0 };
      } catch (error) {
        if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
      }
    }
    const page = await this.#send(
      () =>
        this.#client.send(
          new this.#sdk.ListObjectsV2Command({
            ...this.#common(),
            Prefix: this.#folderPrefix(rel),
            MaxKeys: 1,
          }),
        ),
      'list',
      rel,
    );
    return (page.KeyCount ?? page.Contents?.length ?? 0) > 0 || rel === ''
      ? { path: rel, name, isDir: true }
      : undefined;
  }

  async delete(path: string): Promise<void> {
    const rel = validateArtifactPath(path, 'folder');
    if (rel === '') throw invalidPath('the root of the repository cannot be deleted', path);
    const key = this.#key(rel);
    // The file itself, and every key below the folder of that name (not "a/bc" for "a/b").
    const batch = [key];
    for await (const page of this.#listPages(`${key}/`, rel)) {
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        batch.push(object.Key);
        if (batch.length === DELETE_BATCH) await this.#deleteKeys(batch.splice(0), rel);
      }
    }
    if (batch.length > 0) await this.#deleteKeys(batch, rel);
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }

  /** Every page of the keys below `prefix` (grouped into folders at `delimiter`, when given). */
  async *#listPages(
    prefix: string,
    rel: string,
    delimiter?: string,
  ): AsyncGenerator<S3SdkModule.ListObjectsV2CommandOutput> {
    let token: string | undefined;
    do {
      const page = await this.#send(
        () =>
          this.#client.send(
            new this.#sdk.ListObjectsV2Command({
              ...this.#common(),
              Prefix: prefix,
              ...(delimiter === undefined ? {} : { Delimiter: delimiter }),
              ...(token === undefined ? {} : { ContinuationToken: token }),
            }),
          ),
        'list',
        rel,
      );
      yield page;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async #deleteKeys(keys: string[], rel: string): Promise<void> {
    const output = await this.#send(
      () =>
        this.#client.send(
          new this.#sdk.DeleteObjectsCommand({
            ...this.#common(),
            Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
          }),
        ),
      'delete',
      rel,
    );
    const failed = output.Errors?.[0];
    if (failed) {
      throw s3Error({ name: failed.Code, message: failed.Message }, 'delete', rel, this.uri);
    }
  }

  /** One PUT streaming `body`, checked to be `size` bytes long. */
  async #putStreamed(
    rel: string,
    body: Readable,
    size: number,
    contentType: string | undefined,
  ): Promise<void> {
    await this.#withCheckedBody(rel, body, size, (checked, abortSignal) =>
      this.#send(
        () =>
          this.#client.send(
            new this.#sdk.PutObjectCommand({
              ...this.#common(),
              ...this.#uploadArgs(contentType),
              Key: this.#key(rel),
              Body: checked,
              ContentLength: size,
            }),
            { abortSignal },
          ),
        'store',
        rel,
      ),
    );
  }

  /**
   * Runs `request` on `body` checked to hold `size` bytes; when the body fails (or holds another
   * length) the request is aborted, and that failure is the one thrown.
   */
  async #withCheckedBody<T>(
    rel: string,
    body: Readable,
    size: number,
    request: (checked: Readable, abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const controller = new AbortController();
    let bodyError: unknown;
    const checked = pipeline(body, expectLength(size, rel), (error) => {
      if (error) {
        bodyError ??= error;
        controller.abort();
      }
    });
    try {
      return await request(checked, controller.signal);
    } catch (error) {
      checked.destroy();
      throw bodyError === undefined ? error : s3Error(bodyError, 'store', rel, this.uri);
    }
  }

  /**
   * A multipart upload of `body` read in parts, a few in flight at once; a body that fits in
   * one part goes up in one PUT instead. Returns the number of bytes stored.
   */
  async #putInParts(
    rel: string,
    body: Readable,
    size: number | undefined,
    contentType: string | undefined,
  ): Promise<number> {
    const partSize =
      size === undefined ? this.#partSize : Math.max(this.#partSize, Math.ceil(size / MAX_PARTS));
    const source = size === undefined ? body : pipeline(body, expectLength(size, rel), () => {});
    // Buffers are reused once their part is sent: memory stays at (concurrency + 1) parts,
    // without the allocator churn of a fresh 8 MiB buffer per part.
    const spare: Buffer[] = [];
    const parts = readParts(source, partSize, () => spare.pop() ?? Buffer.allocUnsafeSlow(partSize));
    let uploadId: string | undefined;
    let failure: unknown;
    const running = new Set<Promise<void>>();
    const uploaded: UploadedPart[] = [];
    let total = 0;
    try {
      let next = await parts.next();
      if (!next.done && next.value.length < partSize) {
        await this.#putBuffer(rel, next.value, contentType);
        return next.value.length;
      }
      uploadId = (await this.#createUpload(rel, contentType)).uploadId;
      for (let partNumber = 1; !next.done; partNumber++) {
        if (partNumber > MAX_PARTS) {
          throw invalidParameter(
            `Artifact '${rel}' is too large: more than ${MAX_PARTS} parts of ${partSize} bytes.`,
          );
        }
        const part = next.value;
        total += part.length;
        const task: Promise<void> = this.#uploadPart(rel, uploadId, partNumber, part, part.length)
          .then(
            (done) => {
              uploaded.push(done);
              if (part.length === partSize) spare.push(part);
            },
            (error: unknown) => void (failure ??= error),
          )
          .finally(() => running.delete(task));
        running.add(task);
        while (running.size >= this.#concurrency && failure === undefined) await Promise.race(running);
        if (failure !== undefined) throw failure;
        next = await parts.next();
      }
      await Promise.all(running);
      if (failure !== undefined) throw failure;
      await this.#completeUpload(rel, uploadId, uploaded);
      return total;
    } catch (error) {
      source.destroy();
      body.destroy();
      await Promise.allSettled(running);
      if (uploadId !== undefined) await this.#abortUpload(rel, uploadId).catch(() => undefined);
      throw isAgentrackError(error) ? error : s3Error(error, 'store', rel, this.uri);
    }
  }

  async #putBuffer(rel: string, data: Buffer, contentType: string | undefined): Promise<void> {
    await this.#send(
      () =>
        this.#client.send(
          new this.#sdk.PutObjectCommand({
            ...this.#common(),
            ...this.#uploadArgs(contentType),
            Key: this.#key(rel),
            Body: data,
            ContentLength: data.length,
          }),
        ),
      'store',
      rel,
    );
  }

  async #createUpload(rel: string, contentType: string | undefined): Promise<{ uploadId: string }> {
    const output = await this.#send(
      () =>
        this.#client.send(
          new this.#sdk.CreateMultipartUploadCommand({
            ...this.#common(),
            ...this.#uploadArgs(contentType),
            Key: this.#key(rel),
          }),
        ),
      'start a multipart upload of',
      rel,
    );
    if (!output.UploadId)
      throw new AgentrackError('INTERNAL_ERROR', `S3 gave no upload id for artifact '${rel}'.`);
    return { uploadId: output.UploadId };
  }

  async #uploadStreamedPart(
    path: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    size: number | undefined,
  ): Promise<UploadedPart> {
    let rel: string;
    try {
      rel = validateArtifactPath(path);
      checkUploadId(uploadId);
      checkPartNumber(partNumber);
      if (size === undefined) throw invalidParameter(`Uploading a part of '${rel}' needs its size.`);
      expectLength(size, rel);
    } catch (error) {
      body.destroy();
      throw error;
    }
    return this.#withCheckedBody(rel, body, size, (checked, abortSignal) =>
      this.#uploadPart(rel, uploadId, partNumber, checked, size as number, abortSignal),
    );
  }

  async #uploadPart(
    rel: string,
    uploadId: string,
    partNumber: number,
    body: Buffer | Readable,
    size: number,
    abortSignal?: AbortSignal,
  ): Promise<UploadedPart> {
    const output = await this.#send(
      () =>
        this.#client.send(
          new this.#sdk.UploadPartCommand({
            ...this.#common(),
            Key: this.#key(rel),
            UploadId: uploadId,
            PartNumber: partNumber,
            Body: body,
            ContentLength: size,
          }),
          abortSignal === undefined ? {} : { abortSignal },
        ),
      `upload part ${partNumber} of`,
      rel,
    );
    if (!output.ETag)
      throw new AgentrackError('INTERNAL_ERROR', `S3 gave no ETag for part ${partNumber} of '${rel}'.`);
    return { partNumber, etag: output.ETag };
  }

  async #completeUpload(rel: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void> {
    checkUploadId(uploadId);
    if (!Array.isArray(parts) || parts.length === 0) {
      throw invalidParameter(`Completing the upload of '${rel}' needs its parts (part numbers and ETags).`);
    }
    const seen = new Set<number>();
    for (const part of parts) {
      checkPartNumber(part?.partNumber);
      if (typeof part.etag !== 'string' || part.etag === '') {
        throw invalidParameter(`Part ${part.partNumber} of '${rel}' has no ETag.`);
      }
      if (seen.has(part.partNumber))
        throw invalidParameter(`Part ${part.partNumber} of '${rel}' is given twice.`);
      seen.add(part.partNumber);
    }
    const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    await this.#send(
      () =>
        this.#client.send(
          new this.#sdk.CompleteMultipartUploadCommand({
            ...this.#common(),
            Key: this.#key(rel),
            UploadId: uploadId,
            MultipartUpload: {
              Parts: ordered.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag })),
            },
          }),
        ),
      'complete the multipart upload of',
      rel,
    );
  }

  async #abortUpload(rel: string, uploadId: string): Promise<void> {
    checkUploadId(uploadId);
    await this.#send(
      () =>
        this.#client.send(
          new this.#sdk.AbortMultipartUploadCommand({
            ...this.#common(),
            Key: this.#key(rel),
            UploadId: uploadId,
          }),
        ),
      'abort the multipart upload of',
      rel,
    );
  }

  /** Sends a command; its failure becomes an {@link AgentrackError} naming the operation and the artifact. */
  async #send<Output>(request: () => Promise<Output>, action: string, rel: string): Promise<Output> {
    try {
      return await request();
    } catch (error) {
      throw s3Error(error, action, rel, this.uri, this.#settings.endpoint);
    }
  }

  #common(): { Bucket: string; ExpectedBucketOwner?: string } {
    const owner = this.#settings.expectedBucketOwner;
    return owner === undefined
      ? { Bucket: this.bucket }
      : { Bucket: this.bucket, ExpectedBucketOwner: owner };
  }

  #uploadArgs(contentType: string | undefined): Record<string, unknown> {
    return {
      ...(contentType === undefined ? {} : { ContentType: contentType }),
      ...this.#settings.uploadExtraArgs,
    };
  }

  #key(rel: string): string {
    return joinArtifactPath(this.prefix, rel);
  }

  /** The key prefix of the files in folder `rel`. */
  #folderPrefix(rel: string): string {
    const key = this.#key(rel);
    return key === '' ? '' : `${key}/`;
  }
}

/** The S3 client's configuration for `settings`. */
function clientConfig(settings: S3Settings, region: string | undefined): S3ClientConfig {
  const agentOptions = { keepAlive: true, maxSockets: 64 };
  return {
    ...(region === undefined ? {} : { region }),
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    forcePathStyle: settings.forcePathStyle,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    requestChecksumCalculation: settings.requestChecksumCalculation,
    responseChecksumValidation: settings.responseChecksumValidation,
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent({ ...agentOptions, rejectUnauthorized: !settings.ignoreTls }),
    },
    logger: SILENT_LOGGER,
  };
}

/** A name a listing may show: one segment that {@link validateArtifactPath} accepts. */
function isListable(name: string): boolean {
  return name !== '' && !name.includes('/') && isSafeArtifactPath(name);
}

function checkUploadId(uploadId: unknown): void {
  if (typeof uploadId !== 'string' || uploadId === '')
    throw invalidParameter('A multipart upload id is required.');
}

function checkPartNumber(partNumber: unknown): void {
  if (!Number.isInteger(partNumber) || (partNumber as number) < 1 || (partNumber as number) > MAX_PARTS) {
    throw invalidParameter(
      `Invalid part number ${String(partNumber)}: part numbers go from 1 to ${MAX_PARTS}.`,
    );
  }
}

/** S3's error codes, as MLflow maps boto's (and a few more). */
const S3_ERRORS: Record<string, ErrorCode> = {
  NoSuchKey: 'RESOURCE_DOES_NOT_EXIST',
  NotFound: 'RESOURCE_DOES_NOT_EXIST',
  NoSuchBucket: 'RESOURCE_DOES_NOT_EXIST',
  NoSuchUpload: 'RESOURCE_DOES_NOT_EXIST',
  AccessDenied: 'PERMISSION_DENIED',
  AllAccessDisabled: 'PERMISSION_DENIED',
  Forbidden: 'PERMISSION_DENIED',
  InvalidAccessKeyId: 'UNAUTHENTICATED',
  SignatureDoesNotMatch: 'UNAUTHENTICATED',
  ExpiredToken: 'UNAUTHENTICATED',
  InvalidToken: 'UNAUTHENTICATED',
  CredentialsProviderError: 'UNAUTHENTICATED',
  InvalidPart: 'INVALID_PARAMETER_VALUE',
  InvalidPartOrder: 'INVALID_PARAMETER_VALUE',
  EntityTooSmall: 'INVALID_PARAMETER_VALUE',
  EntityTooLarge: 'INVALID_PARAMETER_VALUE',
  KeyTooLongError: 'INVALID_PARAMETER_VALUE',
  InvalidArgument: 'INVALID_PARAMETER_VALUE',
  SlowDown: 'TEMPORARILY_UNAVAILABLE',
  ServiceUnavailable: 'TEMPORARILY_UNAVAILABLE',
  RequestTimeout: 'TEMPORARILY_UNAVAILABLE',
};

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'TimeoutError',
]);

function s3Error(
  error: unknown,
  action: string,
  rel: string,
  uri: string,
  endpoint?: string,
): AgentrackError {
  if (isAgentrackError(error)) return error;
  const e = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown; Code?: unknown };
  const name =
    [e.Code, e.name, e.code].find(
      (value): value is string => typeof value === 'string' && value !== 'Error',
    ) ?? '';
  const what = rel === '' ? uri : `artifact '${rel}' in ${uri}`;
  if (name === 'NoSuchKey' || (name === 'NotFound' && action === 'read'))
    return notFound(`Artifact '${rel}' not found.`);
  const code = S3_ERRORS[name] ?? (UNREACHABLE.has(name) ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR');
  const message =
    typeof e.message === 'string' && e.message !== '' && e.message !== 'UnknownError' ? e.message : name;
  const where = code === 'TEMPORARILY_UNAVAILABLE' && endpoint !== undefined ? ` (endpoint ${endpoint})` : '';
  return new AgentrackError(
    code,
    `Could not ${action} ${what}${where}: ${name && name !== message ? `${name}: ` : ''}${message}`,
    {
      cause: error,
    },
  );
}

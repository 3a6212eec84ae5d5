import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { AgentrackError, invalidParameter, isAgentrackError } from '../errors.js';
import { ARTIFACTS_API } from '../protocol/artifacts.js';
import { callEndpoint } from '../store/rest/endpoint-call.js';
import { HttpClient } from '../store/rest/http-client.js';
import { resolveRestConfig, type RestStoreOptions } from '../store/rest/rest-config.js';
import { displayTrackingUri, parseTrackingUri, type TrackingTarget } from '../store/tracking-uri.js';
import { artifactMediaType } from './artifact-media-type.js';
import { artifactBaseName, invalidPath, joinArtifactPath, validateArtifactPath } from './artifact-path.js';
import {
  sortArtifactInfos,
  type ArtifactDownload,
  type ArtifactInfo,
  type ArtifactRepository,
  type MultipartUploads,
  type PutArtifactOptions,
  type UploadedPart,
} from './artifact-repository.js';
import { expectLength } from './artifact-streams.js';

/** Options of {@link HttpArtifactRepository}: the REST store's, read from the same variables. */
export interface HttpArtifactRepositoryOptions extends Omit<RestStoreOptions, 'splitOversizedBatches'> {
  /**
   * Offer the server's multipart uploads (`repo.multipart`), as MLflow's client uses them
   * with `MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD=true`: for a server whose destination has them
   * (S3). Parts go to agentrack's part-upload endpoint. Default: that variable, else false.
   */
  multipart?: boolean;
}

/** Where the artifact service's files live below a server's base URL: the listing endpoint's path, e.g. `/api/2.0/mlflow-artifacts/artifacts`. */
const SERVICE_PATHS: readonly string[] = ARTIFACTS_API.listArtifacts.prefixes.map(
  (prefix) => prefix + ARTIFACTS_API.listArtifacts.path,
);

/**
 * Artifacts kept by a tracking server's artifact service (MLflow's `HttpArtifactRepository`):
 * an agentrack server's or an `mlflow server --serve-artifacts`, rooted at a folder below the
 * server's artifacts destination. Every call goes through the artifact service's endpoints of
 * the protocol table, the ones the server serves it with, with the REST store's
 * authentication, TLS, timeout and retry settings (`MLFLOW_TRACKING_TOKEN`, ...).
 *
 * Uploads and downloads stream both ways: an upload is one `PUT` of the bytes as they are
 * read (with `Content-Length` when the size is known, checked as they go), a download reads
 * the answer as it arrives. An upload is never repeated once a byte of it was read. Sizes of
 * downloads come from a listing of the folder, made at the same time (the server answers
 * downloads chunked, as MLflow's does).
 *
 * @example const repo = await HttpArtifactRepository.open('http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts');
 * @example const proxied = HttpArtifactRepository.forServer('http://127.0.0.1:5000'); // what mlflow-artifacts:/ URIs name
 */
export class HttpArtifactRepository implements ArtifactRepository {
  readonly uri: string;
  readonly multipart: MultipartUploads | undefined;
  /** The server's base URL, without credentials. */
  readonly baseUrl: string;
  /** The folder below the server's artifacts destination the repository is rooted at; `''` for the destination itself. */
  readonly root: string;
  readonly #http: HttpClient;

  /**
   * A repository on the tracking server at `trackingUri` (`http(s)://[user:password@]host[:port][/prefix]`,
   * or that URI parsed), rooted at folder `root` below its artifacts destination.
   */
  constructor(
    trackingUri: string | TrackingTarget,
    root = '',
    options: HttpArtifactRepositoryOptions = {},
    uri?: string,
  ) {
    const target = typeof trackingUri === 'string' ? parseTrackingUri(trackingUri) : trackingUri;
    if (target.kind !== 'rest') {
      throw invalidParameter(
        `An artifact service is reached over http(s)://, not '${displayTrackingUri(target)}'.`,
      );
    }
    const { multipart, ...restOptions } = options;
    this.#http = new HttpClient(resolveRestConfig(target, restOptions));
    this.baseUrl = this.#http.baseUrl;
    this.root = validateArtifactPath(root, 'folder');
    this.uri = uri ?? `${this.baseUrl}${SERVICE_PATHS[0]}${this.root === '' ? '' : `/${this.root}`}`;
    const env = options.env ?? process.env;
    this.multipart =
      (multipart ?? /^(true|1)$/i.test(env.MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD?.trim() ?? ''))
        ? this.#multipartUploads()
        : undefined;
  }

  /**
   * Opens the repository an artifact URI of MLflow's HTTP form names:
   * `http(s)://[user:password@]host[:port][/prefix]/api/2.0/mlflow-artifacts/artifacts[/<root>]`.
   */
  static async open(
    uri: string,
    options: HttpArtifactRepositoryOptions = {},
  ): Promise<HttpArtifactRepository> {
    let url: URL;
    try {
      url = new URL(uri.trim());
    } catch {
      throw invalidParameter(
        `Invalid artifact URI '${uri}': expected http(s)://host[:port]${SERVICE_PATHS[0]}/<path>.`,
      );
    }
    const service = SERVICE_PATHS.map((path) => ({ path, at: url.pathname.indexOf(path) })).find(
      ({ path, at }) => at >= 0 && /^(\/|$)/.test(url.pathname.slice(at + path.length)),
    );
    if (!service || url.search !== '' || url.hash !== '') {
      throw invalidParameter(
        `Invalid artifact URI '${uri}': an HTTP artifact URI is a tracking server's artifact service, ` +
          `http(s)://host[:port]${SERVICE_PATHS[0]}/<path>.`,
      );
    }
    const server = `${url.protocol}//${url.username ? `${url.username}:${url.password}@` : ''}${url.host}`;
    const root = url.pathname
      .slice(service.at + service.path.length)
      .split('/')
      .filter((segment) => segment !== '')
      .map(decodeURIComponent)
      .join('/');
    return new HttpArtifactRepository(server + url.pathname.slice(0, service.at), root, options, uri.trim());
  }

  /** The repository of everything the server at `trackingUri` keeps: what `mlflow-artifacts:/<path>` URIs name on it. */
  static forServer(
    trackingUri: string | TrackingTarget,
    options: HttpArtifactRepositoryOptions = {},
  ): HttpArtifactRepository {
    return new HttpArtifactRepository(trackingUri, '', options);
  }

  async put(path: string, body: Readable, options: PutArtifactOptions = {}): Promise<ArtifactInfo> {
    let rel: string;
    let sent: Readable;
    let counter: ByteCounter;
    try {
      rel = validateArtifactPath(path);
      counter = new ByteCounter();
      const check = options.size === undefined ? undefined : expectLength(options.size, rel);
      sent = check ? pipeline(body, check, counter, noop) : pipeline(body, counter, noop);
    } catch (error) {
      body.destroy();
      throw error;
    }
    try {
      await callEndpoint(this.#http, ARTIFACTS_API.uploadArtifact, [
        this.#remote(rel),
        { stream: sent, size: options.size, contentType: options.contentType ?? artifactMediaType(rel) },
      ]);
    } finally {
      if (!sent.readableEnded) sent.destroy();
    }
    return { path: rel, name: artifactBaseName(rel), isDir: false, size: counter.bytes };
  }

  async get(path: string): Promise<ArtifactDownload> {
    const rel = validateArtifactPath(path);
    // Downloads come chunked: the size is the listing's, asked for at the same time.
    const size = this.stat(rel).then(
      (info) => (info && !info.isDir ? info.size : undefined),
      () => undefined,
    );
    let download: ArtifactDownload;
    try {
      download = await callEndpoint(this.#http, ARTIFACTS_API.downloadArtifact, [this.#remote(rel)]);
    } catch (error) {
      // The server names the file from its own root; the caller asked for it from this one.
      if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) {
        throw new AgentrackError('RESOURCE_DOES_NOT_EXIST', `Artifact '${rel}' not found.`, { cause: error });
      }
      throw error;
    }
    const known = download.size ?? (await size);
    return known === undefined ? download : { ...download, size: known };
  }

  async list(dir = ''): Promise<ArtifactInfo[]> {
    const rel = validateArtifactPath(dir, 'folder');
    const remote = this.#remote(rel);
    const files = await callEndpoint(this.#http, ARTIFACTS_API.listArtifacts, [
      remote === '' ? undefined : remote,
    ]);
    return sortArtifactInfos(
      files.map((file) => {
        // A name is one segment of a safe path, whatever the server says.
        const name = validateArtifactPath(file.path);
        if (name.includes('/')) throw invalidPath('a listing names a single file or folder', file.path);
        const info: ArtifactInfo = { path: joinArtifactPath(rel, name), name, isDir: file.isDir };
        if (!file.isDir && file.fileSize !== undefined) info.size = file.fileSize;
        return info;
      }),
    );
  }

  async stat(path: string): Promise<ArtifactInfo | undefined> {
    const rel = validateArtifactPath(path, 'folder');
    if (rel === '') return { path: '', name: '', isDir: true };
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    const name = artifactBaseName(rel);
    return (await this.list(parent)).find((info) => info.name === name);
  }

  async delete(path: string): Promise<void> {
    const rel = validateArtifactPath(path, 'folder');
    if (rel === '') throw invalidPath('the root of the repository cannot be deleted', path);
    await callEndpoint(this.#http, ARTIFACTS_API.deleteArtifact, [this.#remote(rel)]);
  }

  /** Closes the client: requests in flight fail with CANCELLED, later calls with INVALID_STATE. */
  async close(): Promise<void> {
    this.#http.close();
  }

  /** The path below the server's destination of `rel`, a path below the repository's root. */
  #remote(rel: string): string {
    return joinArtifactPath(this.root, rel);
  }

  #multipartUploads(): MultipartUploads {
    /** The folder (below the destination) and the name of the file at `path`, for the folder-and-name endpoints. */
    const split = (path: string): [folder: string, name: string] => {
      const remote = this.#remote(validateArtifactPath(path));
      const slash = remote.lastIndexOf('/');
      return [slash < 0 ? '' : remote.slice(0, slash), remote.slice(slash + 1)];
    };
    return {
      create: async (path) => {
        const [folder, name] = split(path);
        const { uploadId } = await callEndpoint(this.#http, ARTIFACTS_API.createMultipartUpload, [
          folder,
          { path: name },
        ]);
        return { uploadId };
      },
      uploadPart: async (path, uploadId, partNumber, body, options): Promise<UploadedPart> => {
        let sent: Readable;
        let rel: string;
        try {
          rel = validateArtifactPath(path);
          sent = pipeline(body, expectLength(options.size, rel), noop);
        } catch (error) {
          body.destroy();
          throw error;
        }
        try {
          return await callEndpoint(this.#http, ARTIFACTS_API.uploadMultipartPart, [
            this.#remote(rel),
            { uploadId, partNumber },
            { stream: sent, size: options.size },
          ]);
        } finally {
          if (!sent.readableEnded) sent.destroy();
        }
      },
      complete: async (path, uploadId, parts) => {
        const [folder, name] = split(path);
        await callEndpoint(this.#http, ARTIFACTS_API.completeMultipartUpload, [
          folder,
          { path: name, uploadId, parts: [...parts] },
        ]);
      },
      abort: async (path, uploadId) => {
        const [folder, name] = split(path);
        await callEndpoint(this.#http, ARTIFACTS_API.abortMultipartUpload, [
          folder,
          { path: name, uploadId },
        ]);
      },
    };
  }
}

/** A pass-through that counts the bytes of an upload. */
class ByteCounter extends Transform {
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

function noop(): void {}

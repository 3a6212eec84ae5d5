import type { Readable } from 'node:stream';

/**
 * A file or folder in an artifact repository, as {@link ArtifactRepository.list} and
 * {@link ArtifactRepository.stat} describe it.
 */
export interface ArtifactInfo {
  /** The path from the repository root, e.g. `run/artifacts/configs/agent.json`. */
  path: string;
  /** The last segment of `path`: what MLflow's listing answers (paths relative to the listed folder). */
  name: string;
  /** True for a folder. */
  isDir: boolean;
  /** The size in bytes, for files only. */
  size?: number;
}

/** Options of {@link ArtifactRepository.put}. */
export interface PutArtifactOptions {
  /** The exact number of bytes the body holds, when known; a body of another length fails the upload. */
  size?: number;
  /** The media type to store with the file, where the backend keeps one (S3). */
  contentType?: string;
  /**
   * The whole body, when the caller already holds it in memory (then `body` streams these same
   * bytes): a backend may write it at once instead of reading `body`, which it then destroys.
   */
  bytes?: Uint8Array;
}

/** A file being read from an artifact repository. */
export interface ArtifactDownload {
  /** The bytes, streamed: read it to the end or destroy it, or the file (or connection) stays open. */
  body: Readable;
  /** The size in bytes, when the backend says it. */
  size?: number;
  /** The media type the file was stored with, where the backend keeps one. */
  contentType?: string;
}

/** A part uploaded by {@link MultipartUploads.uploadPart}, to pass to {@link MultipartUploads.complete}. */
export interface UploadedPart {
  /** 1 to 10,000: the part's place in the file. */
  partNumber: number;
  /** The backend's tag for the part's content (S3's ETag). */
  etag: string;
}

/**
 * A backend's native multipart upload (S3's): the parts of one file are uploaded separately,
 * in any order and in parallel, through the caller (no presigned URLs), then joined into the
 * file by {@link complete}, or dropped by {@link abort}. Until then the file does not exist.
 */
export interface MultipartUploads {
  /** Starts an upload to `path` and returns its id. */
  create(path: string, options?: { contentType?: string }): Promise<{ uploadId: string }>;
  /**
   * Uploads part `partNumber` (1 to 10,000; every part but the last at least 5 MiB on S3) of
   * exactly `size` bytes, streamed from `body`. Uploading a number again replaces that part.
   */
  uploadPart(
    path: string,
    uploadId: string,
    partNumber: number,
    body: Readable,
    options: { size: number },
  ): Promise<UploadedPart>;
  /** Joins the parts (in part-number order, whatever the order given) into the file at `path`. */
  complete(path: string, uploadId: string, parts: readonly UploadedPart[]): Promise<void>;
  /** Drops the upload and its parts; the file is not created. */
  abort(path: string, uploadId: string): Promise<void>;
}

/**
 * Where artifacts are kept: the files of runs, models and traces, below one root (a local
 * folder, or an S3 bucket and prefix). Paths are POSIX paths relative to the root, checked by
 * {@link validateArtifactPath} (an unsafe one is INVALID_PARAMETER_VALUE "Invalid path").
 *
 * Everything streams: no operation holds a whole file in memory, and bodies are read only as
 * fast as the backend takes them.
 *
 * @example
 * const repo = await openArtifactRepository('s3://bucket/mlartifacts');
 * await repo.put('1/run/artifacts/model.pkl', createReadStream('model.pkl'));
 * for (const entry of await repo.list('1/run/artifacts')) console.log(entry.name, entry.size);
 * await repo.close();
 */
export interface ArtifactRepository {
  /** The URI the repository was opened with. */
  readonly uri: string;
  /** The backend's multipart uploads, where it has them (S3); `undefined` elsewhere. */
  readonly multipart: MultipartUploads | undefined;
  /**
   * Stores `body` as the file at `path`, replacing any file there; folders are created as
   * needed. A failed upload (the body failing, a size mismatch) leaves nothing behind.
   */
  put(path: string, body: Readable, options?: PutArtifactOptions): Promise<ArtifactInfo>;
  /** Opens the file at `path` for reading; RESOURCE_DOES_NOT_EXIST when there is no file there. */
  get(path: string): Promise<ArtifactDownload>;
  /**
   * The files and folders directly in folder `dir` (the root by default), in name order
   * (Unicode code points, as MLflow sorts). A file or a missing folder lists as empty.
   */
  list(dir?: string): Promise<ArtifactInfo[]>;
  /** What is at `path` (a file wins over a folder of the same name), or `undefined`. */
  stat(path: string): Promise<ArtifactInfo | undefined>;
  /** Deletes the file or the whole folder at `path` (never the root); nothing there is not an error. */
  delete(path: string): Promise<void>;
  /** Releases what the repository holds (the S3 client's connections). */
  close(): Promise<void>;
}

/** A UTF-16 surrogate: half of a character above U+FFFF, the only place UTF-16 order and code-point order part. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Orders names as MLflow (Python) does: by Unicode code point, which is also S3's UTF-8 byte
 * order (JavaScript's default sort compares UTF-16 units, which differs above U+FFFF).
 */
export function compareArtifactNames(a: string, b: string): number {
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** `infos` sorted by {@link compareArtifactNames} on their names (files before folders of the same name). */
export function sortArtifactInfos(infos: ArtifactInfo[]): ArtifactInfo[] {
  const byKind = (a: ArtifactInfo, b: ArtifactInfo) => Number(a.isDir) - Number(b.isDir);
  // Names below U+10000 compare as strings; a UTF-8 key per name cost a listing of 10,000 files 4 ms.
  if (!infos.some((info) => SURROGATE.test(info.name))) {
    return infos.slice().sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : byKind(a, b)));
  }
  const keyed = infos.map((info) => ({ info, key: Buffer.from(info.name, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key) || byKind(a.info, b.info));
  return keyed.map((entry) => entry.info);
}

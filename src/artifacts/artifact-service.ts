import type { Readable } from 'node:stream';
import type { ArtifactDownload, UploadedPart } from './artifact-repository.js';

/** The bytes of a file being uploaded, as the request carries them. */
export interface ArtifactUploadBody {
  /** The bytes, streamed: read once, by the operation. */
  stream: Readable;
  /** The number of bytes (`Content-Length`), when the client said it: a body of another length is refused. */
  size?: number | undefined;
  /** The media type the client sent (`Content-Type`), kept where the destination keeps one. */
  contentType?: string | undefined;
}

/** One entry of a listing: MLflow's `FileInfo`, its path relative to the folder listed. */
export interface ArtifactFileInfo {
  /** The name in the folder listed (MLflow's listing answers paths relative to it). */
  path: string;
  isDir: boolean;
  /** The size in bytes, for files only. */
  fileSize?: number;
}

/** Where the parts of a multipart upload are to be sent: what a server knows of the request that starts it. */
export interface PartUploadTarget {
  /** `http://host:port` as the client reached the server. */
  origin: string;
  /** The `Authorization` header the client sent, which it is to send with each part too. */
  authorization?: string | undefined;
}

/** What {@link ArtifactService.createMultipartUpload} is asked (MLflow's `CreateMultipartUpload`). */
export interface CreateMultipartUploadInput {
  /**
   * The file's name in the folder the upload goes to. MLflow's client sends its local path
   * here; only the last segment is used, as MLflow's server does.
   */
  path: string;
  /** How many parts the client will upload: one upload credential is answered per part. */
  numParts?: number | undefined;
  /** Server side: the request's origin and credentials, for the part upload URLs. */
  partTarget?: PartUploadTarget | undefined;
}

/** Where and how to upload one part (MLflow's `MultipartUploadCredential`). */
export interface MultipartUploadCredential {
  /** The URL to `PUT` the part's bytes to; the answer's `ETag` header is the part's tag. */
  url: string;
  partNumber: number;
  /** Headers to send with the part. */
  headers: Record<string, string>;
}

/** A started multipart upload: its id and a credential per part. */
export interface CreatedMultipartUpload {
  uploadId: string;
  credentials: MultipartUploadCredential[];
}

/** A part of a multipart upload as {@link ArtifactService.completeMultipartUpload} is given it. */
export interface CompletedPart extends UploadedPart {
  /** The URL the part was uploaded to, as MLflow's client reports it. */
  url?: string | undefined;
}

/** What {@link ArtifactService.completeMultipartUpload} is asked. */
export interface CompleteMultipartUploadInput {
  /** The file's name in the folder (only its last segment is used, as on create). */
  path: string;
  uploadId: string;
  parts: CompletedPart[];
}

/** What {@link ArtifactService.abortMultipartUpload} is asked. */
export interface AbortMultipartUploadInput {
  /** The file's name in the folder (only its last segment is used, as on create). */
  path: string;
  uploadId: string;
}

/** Which part of which upload {@link ArtifactService.uploadMultipartPart} receives. */
export interface MultipartPartInput {
  uploadId: string;
  /** 1 to 10,000. */
  partNumber: number;
}

/**
 * MLflow's artifact service (`mlflow_artifacts.proto`, the artifact proxy of `mlflow server
 * --serve-artifacts`): the files of runs, models and traces kept for the clients of a
 * tracking server, by paths below its artifacts destination (`<experiment_id>/<run_id>/artifacts/...`,
 * what a `mlflow-artifacts:/` URI names). Its operations are the ones the protocol table's
 * rows name (`ARTIFACTS_API`): the server serves each with its service, a client calls each
 * over HTTP.
 *
 * Paths are checked as `validateArtifactPath` checks them (INVALID_PARAMETER_VALUE "Invalid
 * path"). Multipart uploads need a destination that has them (S3): elsewhere they are
 * NOT_IMPLEMENTED with MLflow's message, which MLflow's client reads as "upload in one piece".
 */
export interface ArtifactService {
  /** Stores the body as the file at `path`, replacing any file there (MLflow's `uploadArtifact`). */
  uploadArtifact(path: string, body: ArtifactUploadBody): Promise<void>;
  /** Opens the file at `path` for reading; RESOURCE_DOES_NOT_EXIST when there is no file there. */
  downloadArtifact(path: string): Promise<ArtifactDownload>;
  /** One level of folder `path` (the root when absent), in name order; a file or a missing folder lists as empty. */
  listArtifacts(path?: string): Promise<ArtifactFileInfo[]>;
  /** Deletes the file or the whole folder at `path`; nothing there is not an error. */
  deleteArtifact(path: string): Promise<void>;
  /** Starts a multipart upload of file `input.path` into `folder`, with a credential per part. */
  createMultipartUpload(folder: string, input: CreateMultipartUploadInput): Promise<CreatedMultipartUpload>;
  /**
   * Receives one part of a multipart upload of the file at `path` (where the credentials of
   * agentrack's server point: its destination uploads parts through it). Needs the body's size.
   */
  uploadMultipartPart(
    path: string,
    part: MultipartPartInput,
    body: ArtifactUploadBody,
  ): Promise<UploadedPart>;
  /** Joins the parts into the file `input.path` in `folder`. */
  completeMultipartUpload(folder: string, input: CompleteMultipartUploadInput): Promise<void>;
  /** Drops the upload and its parts. */
  abortMultipartUpload(folder: string, input: AbortMultipartUploadInput): Promise<void>;
}

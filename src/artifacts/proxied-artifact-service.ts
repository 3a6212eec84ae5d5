import { AgentrackError, invalidParameter } from '../errors.js';
import { partUploadUrl } from '../protocol/artifacts.js';
import { invalidPath, joinArtifactPath, validateArtifactPath } from './artifact-path.js';
import type {
  ArtifactDownload,
  ArtifactRepository,
  MultipartUploads,
  PutArtifactOptions,
  UploadedPart,
} from './artifact-repository.js';
import type {
  AbortMultipartUploadInput,
  ArtifactFileInfo,
  ArtifactService,
  ArtifactUploadBody,
  CompleteMultipartUploadInput,
  CreatedMultipartUpload,
  CreateMultipartUploadInput,
  MultipartPartInput,
} from './artifact-service.js';

/** MLflow's message for a destination without multipart uploads; its client falls back to one upload when it sees it. */
export const MULTIPART_UNSUPPORTED_MESSAGE =
  'Multipart upload is not supported for the current artifact repository';

/**
 * MLflow's artifact service over the repository a server keeps proxied artifacts in (its
 * artifacts destination): what `mlflow server --serve-artifacts` does with
 * `--artifacts-destination`. Multipart uploads are the destination's own (S3's), their parts
 * uploaded through the server: the credentials of an upload point at the server's part-upload
 * endpoint, with the caller's `Authorization`. A destination without them answers
 * NOT_IMPLEMENTED with MLflow's message. The service never closes the destination.
 *
 * @example const service = new ProxiedArtifactService(new LocalArtifactRepository('./mlartifacts'));
 */
export class ProxiedArtifactService implements ArtifactService {
  /** Where the artifacts are kept. */
  readonly destination: ArtifactRepository;

  constructor(destination: ArtifactRepository) {
    this.destination = destination;
  }

  async uploadArtifact(path: string, body: ArtifactUploadBody): Promise<void> {
    await this.destination.put(path, body.stream, putOptions(body));
  }

  downloadArtifact(path: string): Promise<ArtifactDownload> {
    return this.destination.get(path);
  }

  async listArtifacts(path = ''): Promise<ArtifactFileInfo[]> {
    const infos = await this.destination.list(path);
    return infos.map((info) =>
      info.isDir || info.size === undefined
        ? { path: info.name, isDir: info.isDir }
        : { path: info.name, isDir: false, fileSize: info.size },
    );
  }

  deleteArtifact(path: string): Promise<void> {
    return this.destination.delete(path);
  }

  async createMultipartUpload(
    folder: string,
    input: CreateMultipartUploadInput,
  ): Promise<CreatedMultipartUpload> {
    const path = filePath(folder, input.path);
    const multipart = this.#multipart();
    const { uploadId } = await multipart.create(path);
    const target = input.partTarget;
    const headers: Record<string, string> = target?.authorization
      ? { Authorization: target.authorization }
      : {};
    const credentials = Array.from({ length: input.numParts ?? 0 }, (_, i) => ({
      url: partUploadUrl(target?.origin, path, uploadId, i + 1),
      partNumber: i + 1,
      headers: { ...headers },
    }));
    return { uploadId, credentials };
  }

  async uploadMultipartPart(
    path: string,
    part: MultipartPartInput,
    body: ArtifactUploadBody,
  ): Promise<UploadedPart> {
    const multipart = this.#multipart(body);
    if (body.size === undefined) {
      body.stream.destroy();
      throw invalidParameter(`The upload of part ${part.partNumber} of '${path}' needs a Content-Length.`);
    }
    return multipart.uploadPart(path, uploadIdOf(part.uploadId), part.partNumber, body.stream, {
      size: body.size,
    });
  }

  async completeMultipartUpload(folder: string, input: CompleteMultipartUploadInput): Promise<void> {
    const path = filePath(folder, input.path);
    const parts = input.parts.map(({ partNumber, etag }) => ({ partNumber, etag }));
    await this.#multipart().complete(path, uploadIdOf(input.uploadId), parts);
  }

  async abortMultipartUpload(folder: string, input: AbortMultipartUploadInput): Promise<void> {
    const path = filePath(folder, input.path);
    await this.#multipart().abort(path, uploadIdOf(input.uploadId));
  }

  /** The destination's multipart uploads, or MLflow's NOT_IMPLEMENTED (the body, if any, left unread). */
  #multipart(body?: ArtifactUploadBody): MultipartUploads {
    const multipart = this.destination.multipart;
    if (multipart === undefined) {
      body?.stream.destroy();
      throw new AgentrackError('NOT_IMPLEMENTED', MULTIPART_UNSUPPORTED_MESSAGE);
    }
    return multipart;
  }
}

/** The options of a put from what the request said of its body. */
function putOptions(body: ArtifactUploadBody): PutArtifactOptions {
  const options: PutArtifactOptions = {};
  if (body.size !== undefined) options.size = body.size;
  if (body.contentType !== undefined) options.contentType = body.contentType;
  return options;
}

/**
 * The file a multipart request names: the last segment of `name` (MLflow's client sends the
 * local path of the file; its server keeps the base name, `/` or `\` separated) in `folder`.
 */
function filePath(folder: string, name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  if (base === '') throw invalidPath('the file name must not be empty', name);
  return validateArtifactPath(joinArtifactPath(folder, base));
}

function uploadIdOf(uploadId: string): string {
  if (uploadId === '') throw invalidParameter('A multipart upload id (upload_id) is required.');
  return uploadId;
}

import { validateArtifactPath } from '../artifacts/artifact-path.js';
import type { ArtifactFileInfo, CompletedPart } from '../artifacts/artifact-service.js';
import { AgentrackError, invalidParameter } from '../errors.js';
import {
  artifactAccess,
  artifactEndpoint,
  type ArtifactEndpoint,
  type ArtifactOperation,
} from './artifact-endpoint.js';
import { fillPath, MLFLOW_ARTIFACTS_API_2, type WireParams } from './endpoint.js';
import { emptyResponse } from './tracking-endpoint.js';
import { artifactDownloadResponse } from './wire/artifact-download.js';
import { missingParameter, toInteger, toText } from './wire/request-params.js';

/** S3's limit, which every multipart upload shares: part numbers 1 to 10,000. */
const MAX_PARTS = 10_000;

const FILE_PATH = ([path]: readonly [string, ...unknown[]]) => ({ artifact_path: path });

/** The query parameters of a part upload. */
function partQuery(uploadId: string, partNumber: number): WireParams {
  return { upload_id: uploadId, part_number: partNumber };
}

/**
 * MLflow's artifact service (`mlflow_artifacts.proto`), one endpoint per {@link ArtifactService}
 * operation, under `/api/2.0/mlflow-artifacts/` and `/ajax-api/2.0/mlflow-artifacts/`:
 * upload, download, list, delete, and the multipart uploads of destinations that have them
 * (S3), with agentrack's own part-upload endpoint, where the credentials of a multipart
 * upload point. Paths are below the server's artifacts destination and checked as
 * `validateArtifactPath` checks them; access control gets the experiment of each path (its
 * first segment).
 */
export const ARTIFACTS_API = {
  uploadArtifact: artifactEndpoint('uploadArtifact', {
    method: 'PUT',
    path: 'artifacts/<path:artifact_path>',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: true,
    idempotent: true,
    access: ([path]) => artifactAccess(path),
    request: {
      kind: 'raw',
      encodePath: FILE_PATH,
      encode: ([, body]) => ({ params: {}, body }),
      decode: (body, _params, request) => [validateArtifactPath(request.path.artifact_path), body],
    },
    response: emptyResponse(),
  }),

  downloadArtifact: artifactEndpoint('downloadArtifact', {
    method: 'GET',
    path: 'artifacts/<path:artifact_path>',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: false,
    idempotent: true,
    access: ([path]) => artifactAccess(path),
    request: {
      kind: 'params',
      encodePath: FILE_PATH,
      encode: () => ({}),
      decode: (_params, request) => [validateArtifactPath(request.path.artifact_path)],
    },
    response: artifactDownloadResponse(([path]) => path),
  }),

  listArtifacts: artifactEndpoint('listArtifacts', {
    method: 'GET',
    path: 'artifacts',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: false,
    idempotent: true,
    access: ([path]) => artifactAccess(path ?? ''),
    request: {
      kind: 'params',
      encode: ([path]) => ({ path: path || undefined }),
      decode: (params) => {
        const path = params.string('path');
        return [path === undefined ? undefined : validateArtifactPath(path, 'folder')];
      },
    },
    response: {
      kind: 'json',
      // An empty listing is `{}`, as MLflow's proto JSON leaves out an empty list.
      encode: (files) => (files.length === 0 ? {} : { files: files.map(fileInfoToWire) }),
      decode: (body) => filesFromWire(body.files),
    },
  }),

  deleteArtifact: artifactEndpoint('deleteArtifact', {
    method: 'DELETE',
    path: 'artifacts/<path:artifact_path>',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: true,
    idempotent: true,
    access: ([path]) => artifactAccess(path),
    request: {
      kind: 'params',
      encodePath: FILE_PATH,
      encode: () => ({}),
      decode: (_params, request) => [validateArtifactPath(request.path.artifact_path, 'folder')],
    },
    response: emptyResponse(),
  }),

  createMultipartUpload: artifactEndpoint('createMultipartUpload', {
    method: 'POST',
    path: 'mpu/create/<path:artifact_path>',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: true,
    idempotent: false,
    access: ([folder]) => artifactAccess(folder),
    request: {
      kind: 'params',
      encodePath: FILE_PATH,
      encode: ([, input]) => ({ path: input.path, num_parts: input.numParts ?? 1 }),
      decode: (params, request) => {
        const numParts = params.integer('num_parts') ?? 0;
        if (numParts < 0 || numParts > MAX_PARTS) {
          throw invalidParameter(
            `Invalid value ${numParts} for parameter 'num_parts': a file has 0 to ${MAX_PARTS} parts.`,
          );
        }
        return [
          validateArtifactPath(request.path.artifact_path, 'folder'),
          {
            path: params.requiredString('path'),
            numParts,
            partTarget: { origin: request.origin, authorization: request.header('authorization') },
          },
        ];
      },
    },
    response: {
      kind: 'json',
      encode: (created) => ({
        upload_id: created.uploadId,
        credentials: created.credentials.map((c) => ({
          url: c.url,
          part_number: c.partNumber,
          headers: c.headers,
        })),
      }),
      decode: (body) => {
        const uploadId = toText(body.upload_id, 'upload_id');
        if (!uploadId) throw unreadable('mpu/create', 'upload_id');
        const credentials = Array.isArray(body.credentials) ? body.credentials : [];
        return {
          uploadId,
          credentials: credentials.map((item: unknown, i) => {
            const c = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
            const url = toText(c.url, `credentials[${i}].url`);
            const partNumber = toInteger(c.part_number, `credentials[${i}].part_number`);
            if (!url || partNumber === undefined) throw unreadable('mpu/create', `credentials[${i}]`);
            const headers = typeof c.headers === 'object' && c.headers !== null ? c.headers : {};
            return {
              url,
              partNumber,
              headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
            };
          }),
        };
      },
    },
  }),

  uploadMultipartPart: artifactEndpoint('uploadMultipartPart', {
    method: 'PUT',
    path: 'mpu/upload-part/<path:artifact_path>',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: true,
    idempotent: true,
    access: ([path]) => artifactAccess(path),
    request: {
      kind: 'raw',
      encodePath: FILE_PATH,
      encode: ([, part, body]) => ({ params: partQuery(part.uploadId, part.partNumber), body }),
      decode: (body, params, request) => [
        validateArtifactPath(request.path.artifact_path),
        { uploadId: params.requiredString('upload_id'), partNumber: params.requiredInteger('part_number') },
        body,
      ],
    },
    response: {
      kind: 'json',
      encode: () => ({}),
      // MLflow's client reads a part's tag from the ETag header, as S3 answers it.
      headers: (part) => ({ etag: part.etag }),
      decode: (_body, [, part], headers) => ({
        partNumber: part.partNumber,
        etag: headers.get('etag') ?? '',
      }),
    },
  }),

  completeMultipartUpload: artifactEndpoint('completeMultipartUpload', {
    method: 'POST',
    path: 'mpu/complete/<path:artifact_path>',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: true,
    idempotent: false,
    access: ([folder]) => artifactAccess(folder),
    request: {
      kind: 'params',
      encodePath: FILE_PATH,
      encode: ([, input]) => ({
        path: input.path,
        upload_id: input.uploadId,
        parts: input.parts.map((p) => ({ part_number: p.partNumber, etag: p.etag, url: p.url })),
      }),
      decode: (params, request) => {
        const parts = params.objects('parts');
        if (parts === undefined) throw missingParameter('parts');
        return [
          validateArtifactPath(request.path.artifact_path, 'folder'),
          {
            path: params.requiredString('path'),
            uploadId: params.string('upload_id') ?? '',
            parts: parts.map(partFromWire),
          },
        ];
      },
    },
    response: emptyResponse(),
  }),

  abortMultipartUpload: artifactEndpoint('abortMultipartUpload', {
    method: 'POST',
    path: 'mpu/abort/<path:artifact_path>',
    prefixes: MLFLOW_ARTIFACTS_API_2,
    write: true,
    idempotent: false,
    access: ([folder]) => artifactAccess(folder),
    request: {
      kind: 'params',
      encodePath: FILE_PATH,
      encode: ([, input]) => ({ path: input.path, upload_id: input.uploadId }),
      decode: (params, request) => [
        validateArtifactPath(request.path.artifact_path, 'folder'),
        { path: params.requiredString('path'), uploadId: params.string('upload_id') ?? '' },
      ],
    },
    response: emptyResponse(),
  }),
} as const satisfies { readonly [N in ArtifactOperation]: ArtifactEndpoint<N> };

/** Every endpoint of {@link ARTIFACTS_API}, in the order the table lists them. */
export const ARTIFACT_ENDPOINTS: readonly ArtifactEndpoint[] = Object.freeze(Object.values(ARTIFACTS_API));

/**
 * The URL that receives part `partNumber` of multipart upload `uploadId` of the file at
 * `path`, on the server at `origin` (without one, the path and query alone): the part-upload
 * endpoint of {@link ARTIFACTS_API}.
 */
export function partUploadUrl(
  origin: string | undefined,
  path: string,
  uploadId: string,
  partNumber: number,
): string {
  const endpoint = ARTIFACTS_API.uploadMultipartPart;
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(partQuery(uploadId, partNumber)))
    query.append(key, String(value));
  return `${origin ?? ''}${endpoint.prefixes[0]}${fillPath(endpoint.path, { artifact_path: path })}?${query}`;
}

/** MLflow's `FileInfo` as JSON: `file_size` on files only. */
function fileInfoToWire(info: ArtifactFileInfo): Record<string, unknown> {
  return info.isDir || info.fileSize === undefined
    ? { path: info.path, is_dir: info.isDir }
    : { path: info.path, is_dir: info.isDir, file_size: info.fileSize };
}

/** A listing's `files` (absent for an empty listing), read as MLflow's client reads them. */
export function filesFromWire(value: unknown): ArtifactFileInfo[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw unreadable('artifacts', 'files');
  return value.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null) throw unreadable('artifacts', `files[${i}]`);
    const entry = item as Record<string, unknown>;
    const path = toText(entry.path, `files[${i}].path`);
    if (!path) throw unreadable('artifacts', `files[${i}].path`);
    const isDir = entry.is_dir === true;
    const fileSize = isDir ? undefined : toInteger(entry.file_size, `files[${i}].file_size`);
    return fileSize === undefined ? { path, isDir } : { path, isDir, fileSize };
  });
}

/** A part of a complete request: `part_number` and `etag` required, `url` as MLflow's client sends it. */
function partFromWire(item: Record<string, unknown>, i: number): CompletedPart {
  const partNumber = toInteger(item.part_number, `parts[${i}].part_number`);
  if (partNumber === undefined) throw missingParameter(`parts[${i}].part_number`);
  const etag = toText(item.etag, `parts[${i}].etag`);
  if (etag === undefined) throw missingParameter(`parts[${i}].etag`);
  const url = toText(item.url, `parts[${i}].url`);
  return url === undefined ? { partNumber, etag } : { partNumber, etag, url };
}

function unreadable(endpoint: string, field: string): AgentrackError {
  return new AgentrackError(
    'INTERNAL_ERROR',
    `The answer of ${endpoint} was not MLflow's: '${field}' is missing or malformed.`,
  );
}

import { validateArtifactPath } from '../artifacts/artifact-path.js';
import type { FileInfo } from '../entities/index.js';
import { AgentrackError } from '../errors.js';
import { filesFromWire } from './artifacts.js';
import { MLFLOW_AJAX_API_2, MLFLOW_API_2, type IncomingRequest } from './endpoint.js';
import { runArtifactEndpoint } from './run-artifact-endpoint.js';
import { artifactDownloadResponse } from './wire/artifact-download.js';
import { requiredText } from './wire/entities.js';
import { missingParameter } from './wire/request-params.js';

function modelIdOf(request: IncomingRequest): string {
  const id = request.path.model_id;
  if (!id) throw missingParameter('model_id');
  return id;
}

/**
 * The tracking API's endpoints on a logged model's files (MLflow 3), beside the run artifact
 * ones of `RUN_ARTIFACTS_API` and served the same way, wherever the model's `artifact_uri`
 * points: `GET logged-models/<model_id>/artifacts/directories?artifact_directory_path=`
 * (MLflow's `ListLoggedModelArtifacts`, answered `{"root_uri", "files"}`) and the web UI's
 * `GET /ajax-api/2.0/mlflow/logged-models/<model_id>/artifacts/files?artifact_file_path=` (a
 * file, streamed as `/get-artifact` streams a run's). A logged model belongs to its
 * experiment for access control.
 */
export const LOGGED_MODEL_ARTIFACTS_API = {
  listLoggedModelArtifacts: runArtifactEndpoint('listLoggedModelArtifacts', {
    method: 'GET',
    path: 'logged-models/<model_id>/artifacts/directories',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId]) => ({ model_id: modelId }),
      encode: ([, path]) => ({ artifact_directory_path: path || undefined }),
      decode: (params, request) => {
        const path = params.string('artifact_directory_path');
        return [modelIdOf(request), path === undefined ? undefined : validateArtifactPath(path, 'folder')];
      },
    },
    response: {
      kind: 'json',
      encode: (listing) =>
        listing.files.length === 0
          ? { root_uri: listing.rootUri }
          : { root_uri: listing.rootUri, files: listing.files },
      decode: (body) => ({
        rootUri: requiredText(body, 'root_uri', 'logged-models/<model_id>/artifacts/directories'),
        files: filesFromWire(body.files).map((file): FileInfo =>
          file.fileSize === undefined
            ? { path: file.path, is_dir: file.isDir }
            : { path: file.path, is_dir: file.isDir, file_size: file.fileSize },
        ),
      }),
    },
  }),

  openLoggedModelArtifact: runArtifactEndpoint('openLoggedModelArtifact', {
    method: 'GET',
    path: 'logged-models/<model_id>/artifacts/files',
    prefixes: MLFLOW_AJAX_API_2,
    write: false,
    idempotent: true,
    access: ([modelId]) => ({ modelId }),
    request: {
      kind: 'params',
      encodePath: ([modelId]) => ({ model_id: modelId }),
      encode: ([, path]) => ({ artifact_file_path: path }),
      decode: (params, request) => {
        const path = params.string('artifact_file_path');
        if (!path) {
          throw new AgentrackError(
            'BAD_REQUEST',
            'Request must include the "artifact_file_path" query parameter.',
          );
        }
        return [modelIdOf(request), validateArtifactPath(path)];
      },
    },
    response: artifactDownloadResponse(([, path]) => path),
  }),
} as const;

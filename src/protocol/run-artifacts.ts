import { pipeline } from 'node:stream';
import { validateArtifactPath } from '../artifacts/artifact-path.js';
import type { FileInfo } from '../entities/index.js';
import { filesFromWire } from './artifacts.js';
import { limitLength } from '../artifacts/artifact-streams.js';
import { invalidParameter } from '../errors.js';
import { MLFLOW_AJAX_API_2, MLFLOW_API_2, MLFLOW_ROOT } from './endpoint.js';
import { LOGGED_MODEL_ARTIFACTS_API } from './logged-model-artifacts.js';
import {
  runArtifactEndpoint,
  type RunArtifactEndpoint,
  type RunArtifactOperation,
} from './run-artifact-endpoint.js';
import { artifactDownloadResponse } from './wire/artifact-download.js';
import { requiredText } from './wire/entities.js';

/** The largest file `upload-artifact` takes, as MLflow's server: 10 MiB. */
export const MAX_UPLOAD_ARTIFACT_BYTES = 10 * 1024 * 1024;

const tooLarge = () => invalidParameter('Artifact size is too large. Max size is 10MB.');
const noData = () => invalidParameter('Request must specify data.');

/**
 * The tracking API's own endpoints on a run's artifacts, one per {@link RunArtifactService}
 * operation: `GET artifacts/list` (MLflow's `ListArtifacts`, under `/api/2.0/mlflow/` and
 * `/ajax-api/2.0/mlflow/`) and `GET /get-artifact?run_id=&path=` (the download route of
 * MLflow's web UI, at the server's root alone, as MLflow serves it; a file streamed as the
 * artifact service streams its downloads), and `POST /ajax-api/2.0/mlflow/upload-artifact?run_uuid=&path=`
 * (the upload of MLflow's web UI: the raw body, at most {@link MAX_UPLOAD_ARTIFACT_BYTES}, not
 * empty, streamed to the run's root). Each names the run it acts on, for access control;
 * paths are run-relative and checked as `validateArtifactPath` checks them. The endpoints on
 * a logged model's files ({@link LOGGED_MODEL_ARTIFACTS_API}) are rows of this table too.
 */
export const RUN_ARTIFACTS_API = {
  listRunArtifacts: runArtifactEndpoint('listRunArtifacts', {
    method: 'GET',
    path: 'artifacts/list',
    prefixes: MLFLOW_API_2,
    write: false,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId, path]) => ({ run_id: runId, run_uuid: runId, path: path || undefined }),
      decode: (params) => {
        const runId = params.runId();
        const path = params.string('path');
        // Read as MLflow reads it, and unused as there: a listing is always one page.
        params.string('page_token');
        return [runId, path === undefined ? undefined : validateArtifactPath(path, 'folder')];
      },
    },
    response: {
      kind: 'json',
      // MLflow's proto JSON leaves out an empty list: a file or a missing folder lists as `root_uri` alone.
      encode: (listing) =>
        listing.files.length === 0
          ? { root_uri: listing.rootUri }
          : { root_uri: listing.rootUri, files: listing.files },
      decode: (body) => ({
        rootUri: requiredText(body, 'root_uri', 'artifacts/list'),
        files: filesFromWire(body.files).map((file): FileInfo =>
          file.fileSize === undefined
            ? { path: file.path, is_dir: file.isDir }
            : { path: file.path, is_dir: file.isDir, file_size: file.fileSize },
        ),
      }),
    },
  }),

  openArtifact: runArtifactEndpoint('openArtifact', {
    method: 'GET',
    path: 'get-artifact',
    prefixes: MLFLOW_ROOT,
    write: false,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'params',
      encode: ([runId, path]) => ({ run_id: runId, path }),
      decode: (params) => [params.runId(), validateArtifactPath(params.requiredString('path'))],
    },
    response: artifactDownloadResponse(([, path]) => path),
  }),

  putArtifact: runArtifactEndpoint('putArtifact', {
    method: 'POST',
    path: 'upload-artifact',
    prefixes: MLFLOW_AJAX_API_2,
    write: true,
    idempotent: true,
    access: ([runId]) => ({ runId }),
    request: {
      kind: 'raw',
      encode: ([runId, path, body]) => ({ params: { run_uuid: runId, path }, body }),
      // MLflow's checks, in its order and with its messages, before the run is looked up.
      decode: (body, params) => {
        const runId = params.string('run_uuid');
        if (!runId) throw invalidParameter('Request must specify run_uuid.');
        const path = params.string('path');
        if (!path) throw invalidParameter('Request must specify path.');
        const file = validateArtifactPath(path);
        if (body.size !== undefined && body.size > MAX_UPLOAD_ARTIFACT_BYTES) throw tooLarge();
        if (body.size === 0) throw noData();
        // A body sent chunked is held to the same limits as it streams.
        const limited = pipeline(
          body.stream,
          limitLength(MAX_UPLOAD_ARTIFACT_BYTES, { tooLarge, empty: noData }),
          // Whoever reads the limited stream gets its failure; the source goes with it.
          () => undefined,
        );
        return [runId, file, { ...body, stream: limited }];
      },
    },
    response: {
      kind: 'json',
      // MLflow answers with an empty body typed as JSON; `{}` is that body in JSON.
      encode: () => ({}),
      decode: (_body, [, path, body]) =>
        body.size === undefined ? { path, is_dir: false } : { path, is_dir: false, file_size: body.size },
    },
  }),
  ...LOGGED_MODEL_ARTIFACTS_API,
} as const satisfies { readonly [N in RunArtifactOperation]: RunArtifactEndpoint<N> };

/** Every endpoint of {@link RUN_ARTIFACTS_API}, in the order the table lists them. */
export const RUN_ARTIFACT_ENDPOINTS: readonly RunArtifactEndpoint[] = Object.freeze(
  Object.values(RUN_ARTIFACTS_API),
);

import type { ArtifactDownload } from '../artifacts/artifact-repository.js';
import type { ArtifactUploadBody } from '../artifacts/artifact-service.js';
import type { FileInfo } from '../entities/index.js';

/**
 * A run's (or a logged model's) artifact listing, as MLflow's tracking API answers
 * `artifacts/list` (`ListArtifacts.Response`).
 */
export interface RunArtifactListing {
  /** The run's `artifact_uri`: the root the listed paths are relative to. */
  rootUri: string;
  /** The files and folders directly in the folder listed, in name order, with their paths from the run's root. */
  files: FileInfo[];
}

/**
 * The artifact operations of MLflow's tracking API, by run (`artifacts/list`, and its web
 * UI's `get-artifact` and `upload-artifact`): a run's files wherever its `artifact_uri` points,
 * read and written through {@link RunArtifacts} (a proxied `mlflow-artifacts:` root in the
 * server's destination, a `file:` or `s3:` root in place). The operations the protocol
 * table's rows name (`RUN_ARTIFACTS_API`): a server serves each with a `RunArtifacts` over its
 * store and its destination.
 */
export interface RunArtifactService {
  /**
   * The files and folders directly in the run's artifact folder `path` (the root by default),
   * with the run's artifact root; a file or a missing folder lists as empty.
   * RESOURCE_DOES_NOT_EXIST for an unknown run.
   */
  listRunArtifacts(runId: string, path?: string): Promise<RunArtifactListing>;
  /**
   * Opens the run's artifact file `path` for reading, streamed. RESOURCE_DOES_NOT_EXIST when
   * the run has no file there (or no such run).
   */
  openArtifact(runId: string, path: string): Promise<ArtifactDownload>;
  /**
   * Stores the body, streamed, as the run's artifact file `path` (replacing any file there),
   * and resolves to the file as the run lists it. RESOURCE_DOES_NOT_EXIST for an unknown run.
   */
  putArtifact(runId: string, path: string, body: ArtifactUploadBody): Promise<FileInfo>;
  /**
   * The files and folders directly in a logged model's artifact folder `path` (the root by
   * default), with the model's artifact root (MLflow 3's `logged-models/<model_id>/artifacts/directories`).
   * RESOURCE_DOES_NOT_EXIST for an unknown or deleted model.
   */
  listLoggedModelArtifacts(modelId: string, path?: string): Promise<RunArtifactListing>;
  /**
   * Opens a logged model's artifact file `path` for reading, streamed (the web UI's
   * `logged-models/<model_id>/artifacts/files`). RESOURCE_DOES_NOT_EXIST when there is no
   * file there or no such model.
   */
  openLoggedModelArtifact(modelId: string, path: string): Promise<ArtifactDownload>;
}

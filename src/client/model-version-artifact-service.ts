import type { ArtifactDownload } from '../artifacts/artifact-repository.js';

/**
 * The file downloads of MLflow's web UI for model versions (`GET /model-versions/get-artifact`):
 * a version's files wherever its download URI points (a proxied `mlflow-artifacts:` URI in the
 * server's destination, a `file:` or `s3:` one in place). The operation the protocol table's
 * row names (`MODEL_VERSION_ARTIFACTS_API`).
 */
export interface ModelVersionArtifactService {
  /**
   * Opens the file `path` below the version's download URI for reading, streamed.
   * RESOURCE_DOES_NOT_EXIST for an unknown model or version, or no file there.
   */
  openModelVersionArtifact(name: string, version: string, path: string): Promise<ArtifactDownload>;
}

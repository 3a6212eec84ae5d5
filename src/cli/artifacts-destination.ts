import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultArtifactsDestination } from '../artifacts/artifact-locations.js';
import { openArtifactRepository } from '../artifacts/artifact-registry.js';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';

/** Where a server keeps the artifacts it proxies (MLflow's `--artifacts-destination`). */
export interface ArtifactsDestination {
  repository: ArtifactRepository;
  /** Where that is, for messages: the absolute folder of a local destination, else its URI. */
  location: string;
  /**
   * Removes the temporary folder of an in-memory database's destination; nothing for any
   * other. Call it once the server using the repository has closed.
   */
  dispose(): Promise<void>;
}

/**
 * Opens the artifacts destination `uri` (a folder, `file:` or `s3:` URI), or by default the
 * folder beside the database at `databasePath` ({@link defaultArtifactsDestination}); an
 * in-memory database gets a temporary folder, removed by `dispose`. A local folder is created
 * by the first upload, not here. An unsupported URI is INVALID_PARAMETER_VALUE.
 *
 * @example const { repository, location } = await openArtifactsDestination(undefined, '/data/agentrack.db', process.env);
 */
export async function openArtifactsDestination(
  uri: string | undefined,
  databasePath: string,
  env: NodeJS.ProcessEnv,
): Promise<ArtifactsDestination> {
  const chosen = uri ?? defaultArtifactsDestination(databasePath);
  if (chosen !== undefined) {
    const repository = await openArtifactRepository(chosen, { env });
    return { repository, location: locationOf(repository), dispose: async () => {} };
  }
  const folder = await mkdtemp(join(tmpdir(), 'agentrack-artifacts-'));
  const repository = new LocalArtifactRepository(folder);
  return {
    repository,
    location: folder,
    dispose: () => rm(folder, { recursive: true, force: true }),
  };
}

function locationOf(repository: ArtifactRepository): string {
  return repository instanceof LocalArtifactRepository ? repository.root : repository.uri;
}

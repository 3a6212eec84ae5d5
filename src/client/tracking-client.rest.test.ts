import { join } from 'node:path';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { startServer } from '../server/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeRunArtifactsContract } from './run-artifacts.contract.js';
import { describeTrackingClientContract, type ContractBackend } from './tracking-client.contract.js';
import { TrackingClient } from './tracking-client.js';

/** A client over HTTP on an agentrack server serving a fresh SQLite file opened with `storeOptions`. */
async function restBackend(storeOptions: { defaultArtifactRoot?: string } = {}): Promise<ContractBackend> {
  const dir = tempDir();
  const server = await startServer({
    store: await openSqliteStore(join(dir.path, 'served.db'), {
      ...(storeOptions.defaultArtifactRoot !== undefined
        ? { defaultArtifactRoot: join(dir.path, storeOptions.defaultArtifactRoot) }
        : {}),
    }),
    port: 0,
    logger: false,
    // The artifact service keeps proxied files here; the client reaches it once wired in (below).
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'destination')),
  });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    client,
    cleanup: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
}

// TrackingClient → HTTP → agentrack server → SQLite: the same contract, unchanged. Runs there
// keep their artifacts at mlflow-artifacts: URIs, behind the server's artifact service.
describeTrackingClientContract('REST, agentrack server on SQLite', () => restBackend());

// As `mlflow server --no-serve-artifacts --default-artifact-root <folder>`: runs' artifact URIs
// name a folder that client and server share, which the client opens directly.
describeRunArtifactsContract('REST, agentrack server with a shared artifact folder', () =>
  restBackend({ defaultArtifactRoot: 'mlartifacts' }),
);

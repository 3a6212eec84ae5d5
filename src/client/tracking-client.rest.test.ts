import { join } from 'node:path';
import { describe, it } from 'vitest';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { startServer } from '../server/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeRunArtifactsContract } from './run-artifacts.contract.js';
import {
  describeTrackingClientContract,
  expectError,
  type ContractBackend,
} from './tracking-client.contract.js';
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

// TrackingClient → HTTP → agentrack server → SQLite: the same contract, unchanged.
// Runs there keep their artifacts at mlflow-artifacts: URIs, behind the server's artifact
// service, which this client reaches once HttpArtifactRepository is wired into
// defaultProxiedArtifacts (src/client/proxied-artifacts.ts): then drop `artifacts: false`
// and the refusal test at the end of this file.
describeTrackingClientContract('REST, agentrack server on SQLite', () => restBackend(), { artifacts: false });

// As `mlflow server --no-serve-artifacts --default-artifact-root <folder>`: runs' artifact URIs
// name a folder that client and server share, which the client opens directly.
describeRunArtifactsContract('REST, agentrack server with a shared artifact folder', () =>
  restBackend({ defaultArtifactRoot: 'mlartifacts' }),
);

describe('TrackingClient over REST, proxied artifacts', () => {
  it('refuses mlflow-artifacts: runs with a readable error while no artifact service is wired in', async () => {
    const backend = await restBackend();
    try {
      const { client } = backend;
      const run = await client.createRun(await client.createExperiment('/Shared/agent/proxied'));
      await expectError(
        client.logText(run.info.run_id, 'x', 'notes.txt'),
        'INVALID_PARAMETER_VALUE',
        /are at 'mlflow-artifacts:\/1\/[0-9a-f]{32}\/artifacts', kept by a tracking server's artifact service, which this build of agentrack cannot reach on http:\/\/127\.0\.0\.1:\d+ yet/,
      );
    } finally {
      await backend.cleanup();
    }
  });
});

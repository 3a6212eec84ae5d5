import { join } from 'node:path';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openServedClient } from '../testing/served-client.js';
import { describeRunArtifactsContract } from './run-artifacts.contract.js';
import { describeTrackingClientContract, type ContractBackend } from './tracking-client.contract.js';

/** A client over HTTP on an agentrack server serving a fresh SQLite file opened with `storeOptions`. */
function restBackend(storeOptions: { defaultArtifactRoot?: string } = {}): Promise<ContractBackend> {
  // The artifact service keeps proxied files in the destination; the client reaches it once wired in.
  return openServedClient((dir) =>
    openSqliteStore(join(dir, 'served.db'), {
      ...(storeOptions.defaultArtifactRoot !== undefined
        ? { defaultArtifactRoot: join(dir, storeOptions.defaultArtifactRoot) }
        : {}),
    }),
  );
}

// TrackingClient → HTTP → agentrack server → SQLite: the same contract, unchanged. Runs there
// keep their artifacts at mlflow-artifacts: URIs, behind the server's artifact service.
describeTrackingClientContract('REST, agentrack server on SQLite', () => restBackend());

// As `mlflow server --no-serve-artifacts --default-artifact-root <folder>`: runs' artifact URIs
// name a folder that client and server share, which the client opens directly.
describeRunArtifactsContract('REST, agentrack server with a shared artifact folder', () =>
  restBackend({ defaultArtifactRoot: 'mlartifacts' }),
);

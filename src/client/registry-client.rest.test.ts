import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { startServer } from '../server/index.js';
import type { LoggedModelLocation } from '../store/sql/sql-registry-store.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeRegistryClientContract } from './registry-client.contract.js';
import { TrackingClient } from './tracking-client.js';

// RegistryClient → HTTP → agentrack server → SQLite: the same contract, unchanged. The served
// store keeps no logged models yet, so it stands in for them as the embedded backend does: a
// table of its own, filled as MLflow 3's `log_model` would. Client and server share a file
// system, as with a server on the same machine.
describeRegistryClientContract('REST, agentrack server on SQLite', async () => {
  const dir = tempDir();
  const logged = new Map<string, LoggedModelLocation>();
  const server = await startServer({
    store: await openSqliteStore(join(dir.path, 'served.db'), {
      loggedModels: { artifactLocation: async (modelId) => logged.get(modelId) },
    }),
    port: 0,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'destination')),
  });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    client,
    logModel: async (runId) => {
      const run = await client.getRun(runId);
      const experiment = await client.getExperiment(run.info.experiment_id);
      const modelId = `m-${randomUUID().replaceAll('-', '')}`;
      const artifactUri = `${experiment.artifact_location}/models/${modelId}/artifacts`;
      logged.set(modelId, { artifactUri, sourceRunId: runId });
      return { modelId, artifactUri };
    },
    cleanup: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
});

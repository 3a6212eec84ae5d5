import { join } from 'node:path';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { startServer } from '../server/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeRegistryClientContract } from './registry-client.contract.js';
import { TrackingClient } from './tracking-client.js';

// RegistryClient → HTTP → agentrack server → SQLite: the same contract, unchanged. Models are
// logged over the same connection, as MLflow 3's `log_model` does. Client and server share a
// file system, as with a server on the same machine.
describeRegistryClientContract('REST, agentrack server on SQLite', async () => {
  const dir = tempDir();
  const server = await startServer({
    store: await openSqliteStore(join(dir.path, 'served.db'), {}),
    port: 0,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'destination')),
  });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    client,
    logModel: async (runId) => {
      const run = await client.getRun(runId);
      const model = await client.createLoggedModel(run.info.experiment_id, { sourceRunId: runId });
      return { modelId: model.info.model_id, artifactUri: model.info.artifact_uri };
    },
    cleanup: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
});

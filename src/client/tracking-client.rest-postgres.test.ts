import { join } from 'node:path';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { TRACE_ARTIFACT_LOCATION_TAG, TRACE_DATA_FILE, type TraceInfo } from '../entities/index.js';
import { startServer, type RunningServer } from '../server/index.js';
import { openPostgresStore } from '../store/postgres/index.js';
import { freshDatabase, freshSchema } from '../testing/postgres.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeTraceClientContract } from './trace-client.contract.js';
import { describeTrackingClientContract } from './tracking-client.contract.js';
import { TrackingClient } from './tracking-client.js';

// One database for the file; every test gets a new, empty schema of it (a fresh store).
const db = await freshDatabase();

/** An agentrack server on a fresh PostgreSQL schema, its proxied artifacts in a temporary folder, and a client over HTTP. */
async function served(): Promise<{
  client: TrackingClient;
  server: RunningServer;
  cleanup: () => Promise<void>;
}> {
  const dir = tempDir();
  const server = await startServer({
    store: await openPostgresStore(await freshSchema(db)),
    port: 0,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'destination')),
  });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    client,
    server,
    cleanup: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
}

// TrackingClient → HTTP → agentrack server → PostgreSQL: the same contracts, unchanged.
describeTrackingClientContract('REST, agentrack server on PostgreSQL', async () => {
  const { client, cleanup } = await served();
  return { client, cleanup };
});

describeTraceClientContract('REST, agentrack server on PostgreSQL', async () => {
  const { client, server, cleanup } = await served();
  return {
    client,
    readTraceData: async (info: TraceInfo) => {
      const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
      if (location === undefined) return undefined;
      const path = `${location.replace(/^mlflow-artifacts:\/*/, '')}/${TRACE_DATA_FILE}`;
      // As MLflow's client downloads it: through the server's artifact service, which answers
      // a known trace's file from the database.
      const answer = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`);
      if (answer.status === 404) return undefined;
      if (!answer.ok) throw new Error(`download of ${path}: HTTP ${answer.status}`);
      return answer.text();
    },
    cleanup,
  };
});

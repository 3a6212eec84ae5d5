import { join } from 'node:path';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { TRACE_ARTIFACT_LOCATION_TAG, TRACE_DATA_FILE, type TraceInfo } from '../entities/index.js';
import { startServer } from '../server/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeTraceClientContract } from './trace-client.contract.js';
import { TrackingClient } from './tracking-client.js';

// TraceClient → HTTP → agentrack server → SQLite: the same contract, unchanged. Spans travel
// as MLflow's client moves them, as `traces.json` through the server's artifact service, and
// the server stores them as rows; the file is read back as MLflow's client downloads it.
describeTraceClientContract('REST, agentrack server on SQLite', async () => {
  const dir = tempDir();
  const destination = new LocalArtifactRepository(join(dir.path, 'destination'));
  const server = await startServer({
    store: await openSqliteStore(join(dir.path, 'served.db'), {}),
    port: 0,
    logger: false,
    artifactDestination: destination,
  });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    client,
    readTraceData: async (info: TraceInfo) => {
      const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
      if (location === undefined) return undefined;
      const path = `${location.replace(/^mlflow-artifacts:\/*/, '')}/${TRACE_DATA_FILE}`;
      // As MLflow's client downloads it: through the server's artifact service (the server
      // keeps a known trace's file in its database, not in the destination).
      const answer = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${path}`);
      if (answer.status === 404) return undefined;
      if (!answer.ok) throw new Error(`download of ${path}: HTTP ${answer.status}`);
      return answer.text();
    },
    cleanup: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
});

import { join } from 'node:path';
import { startServer } from '../server/index.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeTrackingClientContract } from './tracking-client.contract.js';
import { TrackingClient } from './tracking-client.js';

// TrackingClient → HTTP → agentrack server → SQLite: the same contract, unchanged.
describeTrackingClientContract('REST, agentrack server on SQLite', async () => {
  const dir = tempDir();
  const server = await startServer({
    store: await openSqliteStore(join(dir.path, 'served.db')),
    port: 0,
    logger: false,
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
});

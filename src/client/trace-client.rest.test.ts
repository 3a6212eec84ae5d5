import { join } from 'node:path';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openServedClient } from '../testing/served-client.js';
import { describeTraceClientContract, downloadTraceData } from './trace-client.contract.js';

// TraceClient → HTTP → agentrack server → SQLite: the same contract, unchanged. Spans travel
// as MLflow's client moves them, as `traces.json` through the server's artifact service, and
// the server stores them as rows; the file is read back as MLflow's client downloads it (the
// server keeps a known trace's file in its database, not in the destination).
describeTraceClientContract('REST, agentrack server on SQLite', async () => {
  const { client, server, cleanup } = await openServedClient((dir) =>
    openSqliteStore(join(dir, 'served.db'), {}),
  );
  return { client, readTraceData: downloadTraceData(server.url), cleanup };
});

import { join } from 'node:path';
import { openSqliteStore } from '../store/sqlite/index.js';
import { openServedClient } from '../testing/served-client.js';
import { describeRegistryClientContract, logModelThrough } from './registry-client.contract.js';

// RegistryClient → HTTP → agentrack server → SQLite: the same contract, unchanged. Models are
// logged over the same connection, as MLflow 3's `log_model` does. Client and server share a
// file system, as with a server on the same machine.
describeRegistryClientContract('REST, agentrack server on SQLite', async () => {
  const { client, cleanup } = await openServedClient((dir) => openSqliteStore(join(dir, 'served.db'), {}));
  return { client, logModel: logModelThrough(client), cleanup };
});

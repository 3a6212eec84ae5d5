import { freshDatabase } from '../testing/postgres.js';
import { openPostgresClient } from '../testing/postgres-client.js';
import { describeRegistryClientContract, logModelThrough } from './registry-client.contract.js';

// One database for the file; every test gets a new, empty schema of it (a fresh store).
const db = await freshDatabase();

// Models are logged as MLflow 3's `log_model` does: a logged model of the run's experiment,
// with the run as source run, which the registry finds in the same database.
describeRegistryClientContract('PostgreSQL', async () => {
  const { client, cleanup } = await openPostgresClient(db);
  return { client, logModel: logModelThrough(client), cleanup };
});

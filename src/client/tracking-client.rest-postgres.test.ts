import { openPostgresStore } from '../store/postgres/index.js';
import { freshDatabase, freshSchema } from '../testing/postgres.js';
import { openServedClient } from '../testing/served-client.js';
import { describeTraceClientContract, downloadTraceData } from './trace-client.contract.js';
import { describeTrackingClientContract } from './tracking-client.contract.js';

// One database for the file; every test gets a new, empty schema of it (a fresh store).
const db = await freshDatabase();

/** An agentrack server on a fresh PostgreSQL schema, its proxied artifacts in a temporary folder, and a client over HTTP. */
const served = () => openServedClient(async () => openPostgresStore(await freshSchema(db)));

// TrackingClient → HTTP → agentrack server → PostgreSQL: the same contracts, unchanged.
describeTrackingClientContract('REST, agentrack server on PostgreSQL', async () => {
  const { client, cleanup } = await served();
  return { client, cleanup };
});

describeTraceClientContract('REST, agentrack server on PostgreSQL', async () => {
  const { client, server, cleanup } = await served();
  return { client, readTraceData: downloadTraceData(server.url), cleanup };
});

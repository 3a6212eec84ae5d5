import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TRACE_ARTIFACT_LOCATION_TAG, TRACE_DATA_FILE, type TraceInfo } from '../entities/index.js';
import { freshDatabase } from '../testing/postgres.js';
import { openPostgresClient } from '../testing/postgres-client.js';
import { describeTraceClientContract } from './trace-client.contract.js';

// One database for the file; every test gets a new, empty schema of it (a fresh store).
const db = await freshDatabase();

/** The `traces.json` a `mlflow-artifacts:` location names, in the client's artifacts folder. */
async function readTraceData(artifacts: string, info: TraceInfo): Promise<string | undefined> {
  const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
  if (location === undefined) return undefined;
  const path = join(artifacts, ...location.replace(/^mlflow-artifacts:\/*/, '').split('/'), TRACE_DATA_FILE);
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

describeTraceClientContract('PostgreSQL', async () => {
  const { client, artifacts, cleanup } = await openPostgresClient(db);
  return { client, readTraceData: (info) => readTraceData(artifacts, info), cleanup };
});

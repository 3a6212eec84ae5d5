import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDatabase, freshSchema } from '../testing/postgres.js';
import { tempDir } from '../testing/temp-dir.js';
import { TrackingClient } from './tracking-client.js';

// One database for the file; each test opens a new, empty schema of it.
const db = await freshDatabase();

describe('TrackingClient.open on a postgresql:// URI', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('creates, logs and searches through the PostgreSQL backend', async () => {
    const dir = tempDir('agentrack-pg-open-');
    cleanups.push(() => dir.remove());
    const client = await TrackingClient.open(await freshSchema(db), {
      artifactsDestination: join(dir.path, 'artifacts'),
    });
    cleanups.push(() => client.close());
    expect(client.store.kind).toBe('postgresql');
    const experimentId = await client.createExperiment('/Shared/pg_agent/development');
    const run = await client.createRun(experimentId, { runName: 'dev_1' });
    await client.logMetric(run.info.run_id, 'accuracy', 0.93);
    await client.logParam(run.info.run_id, 'model', 'small');
    await client.logText(run.info.run_id, 'hello', 'notes/hello.txt');
    await client.setTerminated(run.info.run_id);
    const found = await client.searchRuns({
      experimentIds: [experimentId],
      filter: 'metrics.accuracy > 0.9',
    });
    expect(found.items.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
    expect(found.items[0]?.data.params).toEqual([{ key: 'model', value: 'small' }]);
    // mlflow-artifacts: URIs are kept in the destination given.
    expect(
      existsSync(
        join(dir.path, 'artifacts', experimentId, run.info.run_id, 'artifacts', 'notes', 'hello.txt'),
      ),
    ).toBe(true);
  });

  it('refuses proxied artifacts without a destination, saying which option to give', async () => {
    const client = await TrackingClient.open(await freshSchema(db));
    cleanups.push(() => client.close());
    const run = await client.createRun(await client.createExperiment('no_destination'));
    const error = await client.logText(run.info.run_id, 'x', 'x.txt').catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining('artifactsDestination'),
    });
  });

  it('reads what the URI leaves out from the PG* environment variables, and opens read-only', async () => {
    const url = new URL(await freshSchema(db));
    const saved = { ...process.env };
    cleanups.push(() => {
      for (const key of ['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    });
    Object.assign(process.env, {
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
    });
    // Only the database and the schema in the URI: host, port, user and password from PG*.
    const bare = `postgresql:///${db.name}?sslmode=disable&options=${encodeURIComponent(url.searchParams.get('options') ?? '')}`;
    const writer = await TrackingClient.open(bare);
    const experimentId = await writer.createExperiment('from_env');
    await writer.close();
    const reader = await TrackingClient.open(bare, { mode: 'read' });
    cleanups.push(() => reader.close());
    expect((await reader.getExperiment(experimentId)).name).toBe('from_env');
    await expect(reader.createExperiment('refused')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});

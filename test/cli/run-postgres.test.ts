import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Run } from '../../src/entities/index.js';
import { freshDatabase, freshSchema, type FreshDatabase } from '../../src/testing/postgres.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, writeAgentConfig, type CliResult } from './helpers.js';

const STARTED = /^agentrack: \S+ \(([0-9a-f]{32})\) started in \S+$/m;

/**
 * What MLflow's Python client does in the command: log a metric, read the run's artifact URI
 * and PUT a file's bytes through the artifact service of $MLFLOW_TRACKING_URI.
 */
const MLFLOW_CHILD = `
  const api = process.env.MLFLOW_TRACKING_URI + '/api/2.0';
  const runId = process.env.MLFLOW_RUN_ID;
  const logged = await fetch(api + '/mlflow/runs/log-metric', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ run_id: runId, key: 'accuracy', value: 0.93, timestamp: Date.now(), step: 0 }),
  });
  if (logged.status !== 200) { console.error('log-metric answered', logged.status, await logged.text()); process.exit(1); }
  const got = await fetch(api + '/mlflow/runs/get?run_id=' + runId);
  const path = (await got.json()).run.info.artifact_uri.replace(/^mlflow-artifacts:\\/+/, '');
  const put = await fetch(api + '/mlflow-artifacts/artifacts/' + path + '/notes.txt', { method: 'PUT', body: 'hello' });
  if (put.status !== 200) { console.error('upload answered', put.status, await put.text()); process.exit(1); }
  const { mkdirSync, writeFileSync } = await import('node:fs');
  mkdirSync('out', { recursive: true });
  writeFileSync('out/report.md', '# passed\\n');
`;

describe('agentrack run on PostgreSQL', () => {
  let db: FreshDatabase;
  let dir: ReturnType<typeof tempDir>;
  let folder = 0;
  const clients: TrackingClient[] = [];

  beforeAll(async () => {
    db = await freshDatabase();
    dir = tempDir('agentrack-cli-run-postgres-');
  });
  afterAll(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    dir.remove();
  });

  /** A project folder of its own whose agent tracks into a fresh schema of the database. */
  async function project(): Promise<{ cwd: string; url: string }> {
    const url = await freshSchema(db);
    const cwd = writeAgentConfig(dir.path, `p${++folder}`, { agent: 'pg_agent', trackingUri: url });
    return { cwd, url };
  }

  async function startedRun(result: CliResult, url: string, destination: string): Promise<Run> {
    const match = STARTED.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    const client = await TrackingClient.open(url, { artifactsDestination: destination });
    clients.push(client);
    return client.getRun(match![1]!);
  }

  it('serves the database and --artifacts-destination to an MLflow client in the command, and logs --artifacts there', async () => {
    const { cwd, url } = await project();
    const destination = join(dir.path, 'team-artifacts');
    const result = agentrack(
      [
        'run',
        'eval',
        '--threshold',
        'accuracy >= 0.9',
        '--artifacts-destination',
        destination,
        '--artifacts',
        'out',
        '--',
        process.execPath,
        '--input-type=module',
        '-e',
        MLFLOW_CHILD,
      ],
      { cwd },
    );
    expect(result.stderr).not.toMatch(/answered/);
    expect(result.code, result.stderr).toBe(0);
    const run = await startedRun(result, url, destination);
    expect(run.info.status).toBe('FINISHED');
    expect(run.data.metrics).toEqual([expect.objectContaining({ key: 'accuracy', value: 0.93 })]);
    expect(run.data.tags).toEqual(
      expect.arrayContaining([
        { key: 'deployment_candidate', value: 'true' },
        { key: 'agentrack.gate', value: 'passed' },
      ]),
    );
    expect(run.info.artifact_uri).toBe(
      `mlflow-artifacts:/${run.info.experiment_id}/${run.info.run_id}/artifacts`,
    );
    const stored = join(destination, run.info.experiment_id, run.info.run_id, 'artifacts');
    expect(readFileSync(join(stored, 'notes.txt'), 'utf8')).toBe('hello');
    expect(readFileSync(join(stored, 'report.md'), 'utf8')).toBe('# passed\n');
    // Nothing was kept beside the project: the database has no folder.
    expect(readdirSync(cwd).sort()).toEqual(['agentrack.config.json', 'out']);
  });

  it('refuses a PostgreSQL store without --artifacts-destination before it writes anything', async () => {
    const { cwd, url } = await project();
    const result = agentrack(['run', 'dev', '--', process.execPath, '-e', ''], { cwd });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "is a PostgreSQL database, which has no folder beside it for the run's artifacts: give --artifacts-destination <uri>",
    );
    // The password never shows.
    expect(result.stderr).not.toContain(`${new URL(url).password}@`);
    const client = await TrackingClient.open(url, { artifactsDestination: join(dir.path, 'unused') });
    clients.push(client);
    const shared = await client.searchExperiments({ filter: "name LIKE '/Shared/%'" });
    expect(shared.items).toEqual([]);
  });

  it('refuses an --artifacts-destination nothing can keep artifacts in, as a usage error', async () => {
    const { cwd } = await project();
    const result = agentrack(
      ['run', 'dev', '--artifacts-destination', 'ftp://files/x', '--', process.execPath, '-e', ''],
      { cwd },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--artifacts-destination: Unsupported artifact URI 'ftp://files/x'");
  });

  it('refuses --artifacts-destination with a remote tracking server, which keeps its own artifacts', () => {
    const cwd = writeAgentConfig(dir.path, `p${++folder}`, {
      agent: 'remote_agent',
      trackingUri: 'http://127.0.0.1:9',
    });
    const result = agentrack(
      ['run', 'dev', '--artifacts-destination', join(dir.path, 'x'), '--', process.execPath, '-e', ''],
      { cwd },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--artifacts-destination applies to a store agentrack opens itself (SQLite, PostgreSQL)',
    );
  });
});

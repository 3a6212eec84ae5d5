import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, freshSchema, type FreshDatabase } from '../../src/testing/postgres.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { bin, cleanEnv, startAgentrack, within, type RunningCli } from './helpers.js';

const LISTENING = /agentrack server listening on (http:\/\/\S+) \((.*)\)$/m;

let db: FreshDatabase;
let dir: ReturnType<typeof tempDir>;
const started: RunningCli[] = [];

beforeAll(async () => {
  db = await freshDatabase();
  dir = tempDir();
});

afterAll(async () => {
  for (const cli of started.splice(0)) {
    cli.kill('SIGKILL');
    await cli.done;
  }
  dir.remove();
});

/** `url` as the server must show it: the password masked. */
function masked(url: string): string {
  const parsed = new URL(url);
  return `${parsed.username}:***@`;
}

async function post<T>(base: string, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${base}/api/2.0/mlflow/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

describe('agentrack server on PostgreSQL', () => {
  it('refuses to serve artifacts without --artifacts-destination, naming the database masked', async () => {
    const url = await freshSchema(db);
    const result = spawnSync(process.execPath, [bin, 'server', '--port', '0', '--backend-store-uri', url], {
      cwd: dir.path,
      encoding: 'utf8',
      env: cleanEnv(),
      timeout: 30_000,
      killSignal: 'SIGKILL',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is a PostgreSQL database, which has no folder beside it for artifacts');
    expect(result.stderr).toContain('give --artifacts-destination <uri>, or --no-serve-artifacts');
    expect(result.stderr).toContain(masked(url));
    expect(result.stderr).not.toContain(new URL(url).password + '@');
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('serves tracking and artifacts from one database and a destination folder', async () => {
    const url = await freshSchema(db);
    const destination = join(dir.path, 'artifacts');
    const cli = startAgentrack(
      [
        'server',
        '--port',
        '0',
        '--log-level',
        'silent',
        '--backend-store-uri',
        url,
        '--artifacts-destination',
        destination,
      ],
      { cwd: dir.path },
    );
    started.push(cli);
    await within(cli.waitForStderr('listening on'), 60_000, 'the server to listen');
    const match = LISTENING.exec(cli.stderr());
    const base = match?.[1] ?? '';
    expect(match?.[2]).toContain(`store postgresql://${masked(url)}`);
    expect(match?.[2]).toContain(`artifacts ${destination}`);
    expect(cli.stderr()).not.toContain(`:${new URL(url).password}@`);

    const { experiment_id } = await post<{ experiment_id: string }>(base, 'experiments/create', {
      name: 'pg-served',
    });
    const { run } = await post<{ run: { info: { run_id: string; artifact_uri: string } } }>(
      base,
      'runs/create',
      { experiment_id, run_name: 'first' },
    );
    await post(base, 'runs/log-metric', {
      run_id: run.info.run_id,
      key: 'loss',
      value: 0.25,
      timestamp: 1,
      step: 0,
    });
    const found = await post<{ runs: { info: { run_id: string }; data: { metrics: unknown[] } }[] }>(
      base,
      'runs/search',
      { experiment_ids: [experiment_id], filter: 'metrics.loss < 0.5' },
    );
    expect(found.runs.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
    expect(run.info.artifact_uri).toMatch(/^mlflow-artifacts:\//);

    const path = `${run.info.artifact_uri.replace(/^mlflow-artifacts:\/?/, '')}/notes.txt`;
    const put = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${path}`, {
      method: 'PUT',
      body: 'kept in the destination',
    });
    expect(put.status).toBe(200);
    const got = await fetch(`${base}/api/2.0/mlflow-artifacts/artifacts/${path}`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('kept in the destination');
    expect(readdirSync(destination).length).toBeGreaterThan(0);

    cli.kill('SIGTERM');
    expect((await within(cli.done, 30_000, 'the server to stop')).code).toBe(0);
  }, 120_000);

  it('needs no destination with --no-serve-artifacts', async () => {
    const url = await freshSchema(db);
    const cli = startAgentrack(
      ['server', '--port', '0', '--log-level', 'silent', '--no-serve-artifacts', '--backend-store-uri', url],
      { cwd: dir.path },
    );
    started.push(cli);
    await within(cli.waitForStderr('listening on'), 60_000, 'the server to listen');
    const match = LISTENING.exec(cli.stderr());
    expect(match?.[2]).toContain('artifacts not served');
    const response = await fetch(
      `${match?.[1] ?? ''}/api/2.0/mlflow/experiments/get-by-name?experiment_name=Default`,
    );
    expect(response.status).toBe(200);
    cli.kill('SIGTERM');
    expect((await within(cli.done, 30_000, 'the server to stop')).code).toBe(0);
  }, 120_000);
});

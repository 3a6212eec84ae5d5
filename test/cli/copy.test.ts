import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../../src/artifacts/local-artifact-repository.js';
import { TrackingClient } from '../../src/index.js';
import { createApp } from '../../src/server/create-app.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { closedPort } from '../../src/testing/closed-port.js';
import { createMlflowDatabase } from '../../src/testing/mlflow-database.js';
import { freshDatabase, freshSchema } from '../../src/testing/postgres.js';
import { seedCopySourceAt } from '../../src/testing/seed-copy-source.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrackInProcess, cleanEnv, lines, startAgentrack, type CliResult } from './helpers.js';

/** A server whose requests to one path, from the n-th on, get no answer until released. */
interface GatedServer {
  url: string;
  /** Resolves when the first held request arrived. */
  reached: Promise<void>;
  /** Lets the held requests (and later ones) through. */
  release(): void;
  close(): Promise<void>;
}

/**
 * An agentrack server on the database at `path`, holding the requests to `options.path` from
 * the `holdFrom`-th on: before they are handled (`onRequest`) or after, with the answer held
 * back (`onSend`).
 */
async function gatedServer(
  path: string,
  options: { path: string; holdFrom: number; when: 'onRequest' | 'onSend' },
): Promise<GatedServer> {
  const store = await openSqliteStore(path);
  const app = createApp({
    store,
    logger: false,
    artifactDestination: new LocalArtifactRepository(`${path.replace(/\.db$/, '')}-artifacts`),
  });
  let seen = 0;
  let open: () => void = () => undefined;
  const released = new Promise<void>((resolve) => (open = resolve));
  let reach: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  app.addHook(options.when, async (request: FastifyRequest) => {
    if (!request.url.startsWith(`/api/2.0/mlflow${options.path}`)) return;
    seen += 1;
    if (seen < options.holdFrom) return;
    reach();
    await released;
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    reached,
    release: open,
    close: async () => {
      open();
      await app.close();
      await store.close();
    },
  };
}

/** The verification table's row of a kind: `[kind, from, to, from checksum, to checksum, verdict]`. */
function row(stdout: string, kind: string): string[] {
  const line = lines(stdout).find((l) => l.startsWith(`${kind}  `) || l.startsWith(`${kind} `));
  return (line ?? '').split(/\s{2,}/);
}

/** Checks that the verification table counts all 201 runs of the source on both sides, alike. */
function expectAllRuns(stdout: string): void {
  expect(row(stdout, 'runs')).toEqual(['runs', '201', '201', expect.any(String), expect.any(String), 'ok']);
}

describe('agentrack copy', () => {
  let dir: ReturnType<typeof tempDir>;
  let source = '';
  let from = '';
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-copy-');
    source = join(dir.path, 'source.db');
    from = `sqlite:///${source}`;
    await seedCopySourceAt(from, { runs: 200 });
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    dir.remove();
  });

  async function server(name: string): Promise<RunningServer> {
    const running = await startServer({
      store: await openSqliteStore(join(dir.path, `${name}.db`)),
      port: 0,
      logger: false,
      artifactDestination: new LocalArtifactRepository(join(dir.path, `${name}-artifacts`)),
    });
    servers.push(running);
    return running;
  }

  /**
   * Runs `agentrack args` until `gate` holds a request, kills it there, opens the gate and runs
   * the same command again to its end (not spawnSync: the gated server runs in this process).
   */
  async function killAtGateAndResume(gate: GatedServer, args: readonly string[]): Promise<CliResult> {
    const running = startAgentrack(args, { cwd: dir.path });
    await gate.reached;
    running.kill('SIGKILL');
    expect((await running.done).signal).toBe('SIGKILL');
    gate.release();
    return startAgentrack(args, { cwd: dir.path }).done;
  }

  it('copies a SQLite file into a new one, printing progress on stderr and the verification on stdout', async () => {
    const to = join(dir.path, 'copy.db');
    const result = await agentrackInProcess(['copy', from, to]);
    expect(result.stderr).toMatch(/^copy: experiments 0\/4/m);
    expect(result.stderr).toMatch(
      /^copied 201 runs, 1 logged models, 2 traces, 2 registered models and \d+ artifact files .*; ids kept$/m,
    );
    expectAllRuns(result.stdout);
    expect(row(result.stdout, 'metrics')[1]).toBe(row(result.stdout, 'metrics')[2]);
    expect(lines(result.stdout).at(-1)).toBe(`verified: ${from} and ${to} hold the same objects`);
    expect(result.code).toBe(0);

    const again = await agentrackInProcess(['copy', '--quiet', from, to]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
  });

  it('copies into PostgreSQL with its artifacts destination, verifies it again, and never prints the password', async () => {
    const to = await freshSchema(await freshDatabase());
    const password = new URL(to).password;
    expect(password.length).toBeGreaterThan(0);
    const artifacts = join(dir.path, 'pg-artifacts');
    const result = await agentrackInProcess(['copy', from, to, '--to-artifacts-destination', artifacts]);
    expect(result.stderr).toMatch(/^copied 201 runs, .* and [1-9]\d* artifact files .*; ids kept$/m);
    expect(row(result.stdout, 'runs')).toEqual([
      'runs',
      '201',
      '201',
      expect.any(String),
      expect.any(String),
      'ok',
    ]);
    expect(row(result.stdout, 'artifact bytes')[5]).toBe('ok');
    expect(lines(result.stdout).at(-1)).toMatch(
      /^verified: sqlite:\/\/\/.* and postgresql:\/\/[^:]+:\*\*\*@/,
    );
    expect(result.code).toBe(0);
    const again = await agentrackInProcess([
      'copy',
      '--verify-only',
      '--json',
      from,
      to,
      '--to-artifacts-destination',
      artifacts,
    ]);
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { equal: boolean }).equal).toBe(true);
    for (const printed of [result.stdout, result.stderr, again.stdout, again.stderr]) {
      expect(printed).not.toContain(`:${password}@`);
    }
  });

  it('prints JSON lines of progress and a JSON result with --json', async () => {
    const to = join(dir.path, 'json.db');
    const result = await agentrackInProcess(['copy', '--json', from, `sqlite:///${to}`]);
    expect(result.code).toBe(0);
    const progress = lines(result.stderr).map((line) => JSON.parse(line) as { event: string; phase: string });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.event === 'progress')).toBe(true);
    const report = JSON.parse(result.stdout) as {
      equal: boolean;
      keeps_ids: boolean;
      written: Record<string, number>;
      verification: { kind: string; equal: boolean; from: { count: number } }[];
    };
    expect(report).toMatchObject({ equal: true, keeps_ids: true, written: { runs: 201 } });
    expect(report.verification.find((v) => v.kind === 'assessments')).toMatchObject({
      equal: true,
      from: { count: 5 },
    });
  });

  it('verifies only with --verify-only, and exits 3 naming what differs once the target changed', async () => {
    const to = `sqlite:///${join(dir.path, 'changed.db')}`;
    expect((await agentrackInProcess(['copy', '--quiet', '--no-verify', from, to])).code).toBe(0);
    expect((await agentrackInProcess(['copy', '--verify-only', '--quiet', from, to])).code).toBe(0);
    const target = await TrackingClient.open(to);
    const run = (await target.searchRuns({ experimentIds: ['1'], maxResults: 1 })).items[0];
    await target.logMetric(run?.info.run_id ?? '', 'loss', 7, { step: 99 });
    await target.close();
    const before = statSync(source).mtimeMs;
    const result = await agentrackInProcess(['copy', '--verify-only', from, to]);
    expect(result.code).toBe(3);
    expect(row(result.stdout, 'metrics').at(-1)).toBe('DIFFERENT');
    expect(row(result.stdout, 'runs').at(-1)).toBe('ok');
    expect(lines(result.stdout).at(-1)).toMatch(/^verification failed: metrics differ between /);
    expect(statSync(source).mtimeMs).toBe(before);
  });

  it('copies to an agentrack server over REST, mapping ids in the state file it names', async () => {
    const target = await server('served');
    const state = join(dir.path, 'served.state');
    const result = await agentrackInProcess(['copy', '--quiet', '--state', state, from, target.url]);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout).at(-1)).toBe(`verified: ${from} and ${target.url} hold the same objects`);
    expect(result.code).toBe(0);
    expect(readFileSync(state, 'utf8').split('\n')[0]).toBe(
      JSON.stringify({ t: 'copy', from, to: target.url }),
    );
    const verified = await agentrackInProcess([
      'copy',
      '--verify-only',
      '--quiet',
      '--state',
      state,
      from,
      target.url,
    ]);
    expect(verified.code).toBe(0);
  });

  it('continues a copy whose process was killed while reading a server, into a SQLite file', async () => {
    // The source is served; its third run search (experiment 2) never answers, so the copy is
    // killed with experiments 0 and 1 written and nothing of the others.
    const gate = await gatedServer(source, { path: '/runs/search', holdFrom: 3, when: 'onRequest' });
    const to = `sqlite:///${join(dir.path, 'killed.db')}`;
    const args = ['copy', gate.url, to];
    const resumed = await killAtGateAndResume(gate, args);
    expectAllRuns(resumed.stdout);
    expect(resumed.stdout).toContain('hold the same objects');
    expect(resumed.code).toBe(0);
    await gate.close();
  });

  it('continues a copy to a server killed after the server created a run it never heard back about', async () => {
    // The 50th run is created, its answer held back: only its marker tag can tell the next copy.
    const gate = await gatedServer(join(dir.path, 'gated.db'), {
      path: '/runs/create',
      holdFrom: 50,
      when: 'onSend',
    });
    const args = ['copy', '--state', join(dir.path, 'gated.state'), from, gate.url];
    const resumed = await killAtGateAndResume(gate, args);
    expectAllRuns(resumed.stdout);
    expect(row(resumed.stdout, 'metrics').at(-1)).toBe('ok');
    expect(resumed.code).toBe(0);
    await gate.close();
  });

  it('refuses the same store twice, a server that is not there, an MLflow database and a target that has other experiments', async () => {
    const same = await agentrackInProcess(['copy', from, source]);
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/^error: FROM and TO are the same store/);

    const nowhere = `http://127.0.0.1:${await closedPort()}`;
    const env = cleanEnv({ MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
    const unreachable = await agentrackInProcess(
      ['copy', '--state', join(dir.path, 'n.state'), from, nowhere],
      { env },
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/error: Cannot reach http:\/\/127\.0\.0\.1:\d+/);

    const mlflowDb = join(dir.path, 'mlflow.db');
    createMlflowDatabase(mlflowDb);
    const mlflowBytes = readFileSync(mlflowDb);
    const mlflow = await agentrackInProcess(['copy', from, mlflowDb]);
    expect(mlflow.code).toBe(1);
    expect(mlflow.stderr).toMatch(/^error: .*mlflow\.db.*MLflow/);
    expect(readFileSync(mlflowDb).equals(mlflowBytes)).toBe(true);

    const taken = join(dir.path, 'taken.db');
    const store = await openSqliteStore(taken);
    await store.createExperiment({ name: 'another team' });
    await store.close();
    const conflict = await agentrackInProcess(['copy', from, taken]);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(
      /already has an experiment 1 named 'another team'.*\(RESOURCE_ALREADY_EXISTS\)$/m,
    );

    // Nothing was lost in the source.
    const check = await agentrackInProcess([
      'copy',
      '--verify-only',
      '--quiet',
      from,
      join(dir.path, 'copy.db'),
    ]);
    expect(check.code).toBe(0);
  });
});

/**
 * Several agentrack servers on one database, with artifacts on one S3-compatible destination:
 * what a team behind a load balancer gets. Three `agentrack server` processes share the store
 * and s3rver; concurrent clients spread 10,000 writes over them (each run's calls go to a
 * different server than the one before), and then every write is read back from every server.
 * The lifecycle's own races (creating the three experiments, naming runs, moving aliases) are
 * run through all three at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spansOf, traceInfoOf } from '../src/client/trace-client.contract.js';
import { TrackingClient } from '../src/client/tracking-client.js';
import { Agent } from '../src/lifecycle/agent.js';
import { freshDatabase, freshSchema, type FreshDatabase } from '../src/testing/postgres.js';
import { startS3Server, type S3TestServer } from '../src/testing/s3-server.js';
import { tempDir } from '../src/testing/temp-dir.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const SERVERS = 3;
const CLIENTS = 24;
const RUNS = 250;
/** Per run: create, 30 batches, 4 artifacts, 4 traces, terminate: 40 writes, 10,000 in all. */
const BATCHES_PER_RUN = 30;
const ARTIFACTS_PER_RUN = 4;
const TRACES_PER_RUN = 4;
const METRICS_PER_BATCH = 10;

interface ServerProcess {
  url: string;
  child: ChildProcess;
  stderr: () => string;
}

/** Starts `agentrack server` on a free port and waits for its "listening on" line. */
async function startServerProcess(
  backendStoreUri: string,
  env: Record<string, string>,
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      bin,
      'server',
      '--backend-store-uri',
      backendStoreUri,
      '--artifacts-destination',
      's3://artifacts/team',
      '--port',
      '0',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
    if (url !== undefined) return { url, child, stderr: () => stderr };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`agentrack server did not start (exit ${child.exitCode}):\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopServerProcess(server: ServerProcess): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  const exited = once(server.child, 'exit');
  server.child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  return code;
}

/** Runs `work(i)` for i in [0, n) with at most `width` at once. */
async function inParallel(n: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

/** What one run of the write phase wrote, to be read back. */
interface Written {
  runId: string;
  traceIds: string[];
}

/** The backends several servers can share. PostgreSQL joins when its store lands. */
/** The PostgreSQL database of this file; each backend row below gets a schema of its own in it. */
let postgres: FreshDatabase;
beforeAll(async () => {
  postgres = await freshDatabase();
});

const BACKENDS: ReadonlyArray<{ name: string; uri: (folder: string) => string | Promise<string> }> = [
  { name: 'a SQLite file', uri: (folder) => `sqlite:///${join(folder, 'team.db')}` },
  { name: 'one PostgreSQL database', uri: () => freshSchema(postgres) },
];

describe.each(BACKENDS)('three agentrack servers on $name with artifacts on S3', (backend) => {
  let dir: ReturnType<typeof tempDir>;
  let s3: S3TestServer;
  let servers: ServerProcess[] = [];
  let clients: TrackingClient[] = [];
  const client = (i: number) => clients[i % SERVERS] as TrackingClient;

  beforeAll(async () => {
    dir = tempDir();
    s3 = await startS3Server('artifacts');
    const uri = await backend.uri(dir.path);
    // The first server creates the schema; the other two start at once on it.
    servers = [await startServerProcess(uri, s3.env)];
    servers.push(...(await Promise.all([startServerProcess(uri, s3.env), startServerProcess(uri, s3.env)])));
    clients = await Promise.all(servers.map((server) => TrackingClient.open(server.url)));
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    const codes = await Promise.all(servers.map(stopServerProcess));
    await s3?.stop();
    dir?.remove();
    expect(codes).toEqual(servers.map(() => 0));
  });

  it('serves 10,000 writes from concurrent clients, each readable from every server', async () => {
    const experimentId = await client(0).createExperiment('/Shared/team_agent/development');
    const written: Written[] = [];
    let writes = 0;
    await inParallel(RUNS, CLIENTS, async (r) => {
      // Call k of this run goes to server (r + k) mod 3: no call reaches the server of the previous one.
      let k = r;
      const next = () => client(k++);
      const run = await next().createRun(experimentId, { runName: `run_${r}` });
      const runId = run.info.run_id;
      writes++;
      for (let b = 0; b < BATCHES_PER_RUN; b++) {
        await next().logBatch(runId, {
          metrics: Array.from({ length: METRICS_PER_BATCH }, (_, m) => ({
            key: `m${m}`,
            value: r + b / 100,
            step: b,
            timestamp: 1_700_000_000_000 + b,
          })),
          params: { [`p${b}`]: `${r}-${b}` },
          tags: { [`t${b}`]: `v${r}` },
        });
        writes++;
      }
      for (let a = 0; a < ARTIFACTS_PER_RUN; a++) {
        await next().logText(runId, `run ${r} artifact ${a}`, `notes/a${a}.txt`);
        writes++;
      }
      const traceIds: string[] = [];
      for (let t = 0; t < TRACES_PER_RUN; t++) {
        const info = traceInfoOf(experimentId, {
          requestTimeMs: 1_796_000_000_000 + r * 10 + t,
          metadata: { 'mlflow.sourceRun': runId },
        });
        await next().traces.logTrace({ info, spans: spansOf(info.trace_id) });
        traceIds.push(info.trace_id);
        writes++;
      }
      await next().setTerminated(runId, 'FINISHED');
      writes++;
      written.push({ runId, traceIds });
    });
    expect(writes).toBe(10_000);
    expect(written).toHaveLength(RUNS);

    const download = tempDir();
    try {
      await inParallel(RUNS * SERVERS, 12, async (i) => {
        const { runId, traceIds } = written[Math.floor(i / SERVERS)] as Written;
        const reader = client(i);
        const run = await reader.getRun(runId);
        expect(run.info.status).toBe('FINISHED');
        expect(run.data.params).toHaveLength(BATCHES_PER_RUN);
        expect(run.data.metrics).toHaveLength(METRICS_PER_BATCH);
        expect((run.data.tags ?? []).filter((tag) => /^t\d+$/.test(tag.key))).toHaveLength(BATCHES_PER_RUN);
        expect(await reader.getMetricHistory(runId, 'm3')).toHaveLength(BATCHES_PER_RUN);
        const files = await reader.listArtifacts(runId, 'notes');
        expect(files.map((file) => file.path).sort()).toEqual(
          Array.from({ length: ARTIFACTS_PER_RUN }, (_, a) => `notes/a${a}.txt`),
        );
        const r = run.info.run_name.replace('run_', '');
        const into = join(download.path, `${i}`);
        mkdirSync(into);
        const file = await reader.downloadArtifacts(runId, 'notes/a1.txt', into);
        expect(readFileSync(file, 'utf8')).toBe(`run ${r} artifact 1`);
        for (const traceId of traceIds) {
          const trace = await reader.traces.getTrace(traceId);
          expect(trace.spans).toHaveLength(3);
          expect(trace.info.trace_metadata?.['mlflow.sourceRun']).toBe(runId);
        }
      });
    } finally {
      download.remove();
    }
    for (const reader of clients) {
      let count = 0;
      for await (const run of reader.iterateRuns({ experimentIds: [experimentId], maxResults: 100 })) {
        expect(run.info.status).toBe('FINISHED');
        count++;
      }
      expect(count).toBe(RUNS);
      let traces = 0;
      let pageToken: string | undefined;
      do {
        const page = await reader.traces.searchTraces({
          experimentIds: [experimentId],
          maxResults: 500,
          ...(pageToken ? { pageToken } : {}),
        });
        traces += page.items.length;
        pageToken = page.nextPageToken;
      } while (pageToken);
      expect(traces).toBe(RUNS * TRACES_PER_RUN);
    }
  });

  it('creates one experiment per path when every server ensures them at once', async () => {
    const agents = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        Agent.open({ config: { agent: 'ensured_agent', version: '1.0.0' }, client: client(i) }),
      ),
    );
    const reports = await Promise.all(agents.map((agent) => agent.ensureExperiments()));
    const idsOf = (report: (typeof reports)[number]) => report.map((entry) => entry.experimentId);
    for (const report of reports)
      expect(idsOf(report)).toEqual(idsOf(reports[0] as (typeof reports)[number]));
    expect(reports.flat().filter((entry) => entry.outcome === 'created')).toHaveLength(3);
    for (const reader of clients) {
      const page = await reader.searchExperiments({
        filter: "name LIKE '/Shared/ensured_agent/%'",
        viewType: 'ALL',
      });
      expect(page.items.map((e) => e.name).sort()).toEqual([
        '/Shared/ensured_agent/deployment',
        '/Shared/ensured_agent/development',
        '/Shared/ensured_agent/evaluation',
      ]);
    }
  });

  it('keeps run names unique when runs start in the same second through different servers', async () => {
    const now = () => Date.UTC(2026, 11, 2, 9, 30, 0);
    const agents = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        Agent.open({ config: { agent: 'naming_agent', version: '1.0.0' }, client: client(i), now }),
      ),
    );
    await agents[0]?.ensureExperiments();
    const handles = await Promise.all(agents.map((agent) => agent.startRun('development')));
    const names = handles.map((handle) => handle.runName);
    expect(new Set(names).size).toBe(12);
    expect(names).toContain('dev_20261202_093000');
    for (const name of names) expect(name).toMatch(/^dev_20261202_093000(_([2-9]|1[0-2]))?$/);
    await Promise.all(handles.map((handle) => handle.end()));
    const experimentId = handles[0]?.experimentId as string;
    for (const reader of clients) {
      const stored: string[] = [];
      for await (const run of reader.iterateRuns({ experimentIds: [experimentId], maxResults: 100 }))
        stored.push(run.info.run_name);
      expect(stored.sort()).toEqual([...names].sort());
    }
  });

  it('numbers versions once and moves an alias consistently when servers race on them', async () => {
    await client(0).registry.createRegisteredModel('team_model');
    const versions = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        client(i).registry.createModelVersion('team_model', `s3://artifacts/models/${i}`),
      ),
    );
    expect(versions.map((v) => Number(v.version)).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const moves = Array.from({ length: 30 }, (_, i) => ({ via: i, version: String(((i * 7) % 9) + 1) }));
    await Promise.all(
      moves.map((move) =>
        client(move.via).registry.setRegisteredModelAlias('team_model', 'champion', move.version),
      ),
    );
    const seen = await Promise.all(
      clients.map((reader) => reader.registry.getModelVersionByAlias('team_model', 'champion')),
    );
    const champion = seen[0]?.version as string;
    expect(moves.map((move) => move.version)).toContain(champion);
    for (const version of seen) expect(version.version).toBe(champion);
    for (const reader of clients) {
      const model = await reader.registry.getRegisteredModel('team_model');
      expect(model.aliases).toEqual([{ alias: 'champion', version: champion }]);
      const holders = [];
      for (let v = 1; v <= 9; v++) {
        const version = await reader.registry.getModelVersion('team_model', String(v));
        if (version.aliases?.includes('champion')) holders.push(version.version);
      }
      expect(holders).toEqual([champion]);
    }
  });
});

/**
 * Server benchmark: prints figures, asserts nothing but that it measures the right thing.
 *
 *   npm run build && npm run bench:server                          # 1,000,000 runs, 5 s per level
 *   BENCH_SERVER_RUNS=20000 BENCH_SERVER_SECONDS=2 npm run bench:server
 *   BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:server
 *   BENCH_SERVER_ARGS='--write-bytes-in-flight 131072' npm run bench:server     # server options
 *   BENCH_POSTGRES=0 npm run bench:server                           # SQLite only
 *   BENCH_POSTGRES_URL=postgresql://user:pw@host:5432/postgres npm run bench:server
 *
 * SQLite: `agentrack server` runs in a process of its own (dist/cli/main.js) on a SQLite file
 * seeded with BENCH_SERVER_RUNS runs; autocannon drives it over loopback at 1, 8, 32 and 64
 * connections, BENCH_SERVER_SECONDS each, through MLflow's REST API:
 * 1. runs/create into one experiment;
 * 2. runs/log-batch of 1000 new metric rows into pre-created runs;
 * 3. runs/search for the latest run where tags.run_type = 'evaluation' among the seeded runs;
 * 4. runs/get of random seeded runs;
 * with p50/p99 latencies, throughput, errors (non-2xx and socket errors) and the server's RSS.
 *
 * PostgreSQL (unless BENCH_POSTGRES=0; the server bench/postgres.ts finds or starts): the seeded
 * SQLite file is copied into a database of its own there (`copyBetween`, the work of
 * `agentrack copy`; timed, then ANALYZE, timed), and BENCH_SERVER_PG_SERVERS (3) server
 * processes serve that one database, with one `--artifacts-destination` folder shared by all.
 * The same four scenarios run at 1 connection and at BENCH_SERVER_PG_CONNECTIONS (32) in all,
 * spread round-robin over the servers by one autocannon (latest-by-tag's target is judged at 1
 * connection, as SQLite's is; log-batch's at 32), then the figures are printed beside SQLite's
 * single server at the same number of connections, with a verdict per target.
 */
import Database from 'better-sqlite3';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createArtifactLocator } from '../../src/artifacts/artifact-locator.js';
import { LocalArtifactRepository } from '../../src/artifacts/local-artifact-repository.js';
import { ArtifactAccess } from '../../src/copy/artifact-access.js';
import { copyBetween, type CopyResult } from '../../src/copy/copy-stores.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { benchPostgres, type BenchPostgres } from '../postgres.js';
import { printSideBySide, type SideBySideRow } from '../side-by-side.js';
import { runLoad, type LoadRequest, type LoadResult } from './load.js';
import { seedRuns, type SeededRuns } from './seed.js';
import { startServerProcess, startStoreServerProcess, type ServerProcess } from './server-process.js';

const RUNS = Number(process.env.BENCH_SERVER_RUNS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SERVER_SECONDS ?? 5);
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
/** Arguments added to every `agentrack server` started, e.g. `--write-bytes-in-flight 131072`. */
const SERVER_ARGS = (process.env.BENCH_SERVER_ARGS ?? '').split(/\s+/).filter(Boolean);
const CONNECTIONS = [1, 8, 32, 64] as const;
const PG_SERVERS = Number(process.env.BENCH_SERVER_PG_SERVERS ?? 3);
const PG_CONNECTIONS = Number(process.env.BENCH_SERVER_PG_CONNECTIONS ?? 32);
const BATCH = 1000;
const BATCH_KEYS = 20;
const LOG_BATCH_RUNS = 64;
const API = '/api/2.0/mlflow';
const JSON_HEADERS = { 'content-type': 'application/json' };
const LATEST_EVALUATION = {
  filter: "tags.run_type = 'evaluation'",
  order_by: ['start_time DESC'],
  max_results: 1,
};

const TARGETS = {
  latestByTagP50Ms: 2,
  logBatchP50Ms: 10,
  serverRssMb: 300,
  /** PostgreSQL, several servers, {@link PG_CONNECTIONS} connections. */
  pgLatestByTagP50Ms: 3,
  pgLogBatchRowsPerSecond: 150_000,
} as const;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n: number) => `${fmt(n, n < 10 ? 2 : 1)} ms`;
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** The servers a scenario drives (one, or several on one database) and its connection levels. */
interface Target {
  servers: readonly ServerProcess[];
  levels: readonly number[];
}

async function call<T>(target: Target, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${(target.servers[0] as ServerProcess).url}${API}/${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { headers: JSON_HEADERS, body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

interface RunJson {
  info: { run_id: string };
  data: { tags?: { key: string; value: string }[] };
}

function printMemory(servers: readonly ServerProcess[], when: string): void {
  servers.forEach((server, i) => {
    const memory = server.memory();
    const which = servers.length > 1 ? `server ${i + 1}` : 'server';
    console.log(
      memory
        ? `  ${which} RSS ${when}: ${fmt(memory.rssMb)} MB, peak (VmHWM) ${fmt(memory.peakRssMb)} MB`
        : `  ${which} RSS ${when}: unavailable (no /proc)`,
    );
  });
}

function printErrors(result: LoadResult): void {
  if (result.errors === 0 && result.mismatches === 0) return;
  const codes = Object.entries(result.statusCodes)
    .map(([code, count]) => `${code}: ${fmt(count)}`)
    .join(', ');
  console.log(
    `      non-2xx ${fmt(result.non2xx)}, socket errors ${fmt(result.socketErrors)}, mismatches ${fmt(result.mismatches)} (status codes ${codes})`,
  );
  if (result.firstErrorBody !== undefined)
    console.log(`      first error: ${result.firstErrorBody.slice(0, 300)}`);
}

/**
 * A saturated server accepts waiting connections slowly, so some clients' first answers
 * include seconds of waiting to be accepted: when that shapes the p99, say so, with the tail
 * of the answers after each connection's first.
 */
function printRampUp(result: LoadResult): void {
  const starved = result.answeredConnections < result.connections;
  if (!starved && result.p99 <= 1.5 * result.p99AfterFirst) return;
  console.log(
    `      ramp-up: ${result.answeredConnections}/${result.connections} connections answered, slowest first answer ${ms(result.slowestFirstAnswer)}; p99 after each connection's first answer ${ms(result.p99AfterFirst)}`,
  );
}

/** Runs `request` at every level of `target`; `line` formats one level's figures. */
async function scenario(
  target: Target,
  title: string,
  request: LoadRequest,
  line: (result: LoadResult) => string,
  verifyBody?: (body: string) => boolean,
): Promise<LoadResult[]> {
  console.log(title);
  const results: LoadResult[] = [];
  for (const connections of target.levels) {
    const result = await runLoad({
      url: target.servers.map((server) => server.url),
      connections,
      seconds: SECONDS,
      request,
      ...(verifyBody ? { verifyBody } : {}),
    });
    console.log(`  c=${String(connections).padEnd(3)} ${line(result)}   errors ${fmt(result.errors)}`);
    printRampUp(result);
    printErrors(result);
    results.push(result);
  }
  printMemory(target.servers, `after ${title.split(/[\s:]/)[0]}`);
  return results;
}

function latencies(result: LoadResult): string {
  return `p50 ${ms(result.p50).padStart(9)}   p99 ${ms(result.p99).padStart(9)}`;
}

async function createRuns(target: Target): Promise<LoadResult[]> {
  const { experiment_id: experimentId } = await call<{ experiment_id: string }>(
    target,
    'experiments/create',
    {
      name: '/Shared/bench/create',
    },
  );
  let n = 0;
  const request: LoadRequest = {
    method: 'POST',
    path: `${API}/runs/create`,
    headers: JSON_HEADERS,
    vary: () => {
      const i = n++;
      const runName = `eval_${i}`;
      return {
        body: JSON.stringify({
          experiment_id: experimentId,
          run_name: runName,
          user_id: 'bench',
          start_time: Date.now(),
          tags: [
            { key: 'mlflow.user', value: 'bench' },
            { key: 'mlflow.source.name', value: 'agent_eval.py' },
            { key: 'mlflow.source.type', value: 'LOCAL' },
            { key: 'agent_name', value: 'bench_agent' },
            { key: 'run_type', value: 'evaluation' },
            { key: 'environment', value: 'staging' },
            { key: 'version', value: `1.${i % 50}.0` },
          ],
        }),
      };
    },
  };
  return scenario(
    target,
    'runs/create into one experiment (7 tags and a run name per run)',
    request,
    (r) => `${fmt(r.perSecond).padStart(7)} runs/s   ${latencies(r)}`,
  );
}

/** 1000 metrics: 20 keys at 50 steps, steps never used before in that run. */
function logBatchRequest(runIds: readonly string[]): LoadRequest {
  const values = Array.from({ length: BATCH }, (_, i) => String(Math.sin(i + 1)));
  let n = 0;
  return {
    method: 'POST',
    path: `${API}/runs/log-batch`,
    headers: JSON_HEADERS,
    vary: () => {
      const i = n++;
      const runId = runIds[i % runIds.length] as string;
      const firstStep = Math.floor(i / runIds.length) * (BATCH / BATCH_KEYS);
      const timestamp = Date.now();
      const metrics: string[] = [];
      for (let m = 0; m < BATCH; m++) {
        metrics.push(
          `{"key":"metric_${m % BATCH_KEYS}","value":${values[m] as string},"timestamp":${timestamp},"step":${firstStep + Math.floor(m / BATCH_KEYS)}}`,
        );
      }
      return { body: `{"run_id":"${runId}","metrics":[${metrics.join(',')}]}` };
    },
  };
}

async function logBatches(target: Target, targetNote: string): Promise<LoadResult[]> {
  const { experiment_id: experimentId } = await call<{ experiment_id: string }>(
    target,
    'experiments/create',
    {
      name: '/Shared/bench/log-batch',
    },
  );
  const runIds: string[] = [];
  for (let r = 0; r < LOG_BATCH_RUNS; r++) {
    const { run } = await call<{ run: RunJson }>(target, 'runs/create', {
      experiment_id: experimentId,
      run_name: `train_${r}`,
      start_time: Date.now(),
    });
    runIds.push(run.info.run_id);
  }
  return scenario(
    target,
    `runs/log-batch of ${BATCH} new metric rows into ${LOG_BATCH_RUNS} runs (${targetNote})`,
    logBatchRequest(runIds),
    (r) => `${latencies(r)}   ${fmt(r.perSecond * BATCH).padStart(9)} metric rows/s`,
  );
}

async function latestByTag(target: Target, seeded: SeededRuns, targetP50Ms: number): Promise<LoadResult[]> {
  const body = { experiment_ids: [seeded.experimentId], ...LATEST_EVALUATION };
  const { runs } = await call<{ runs?: RunJson[] }>(target, 'runs/search', body);
  const found = runs?.[0];
  const runType = found?.data.tags?.find((t) => t.key === 'run_type')?.value;
  if (runs?.length !== 1 || found?.info.run_id !== seeded.latestEvaluationRunId || runType !== 'evaluation') {
    throw new Error(
      `the latest evaluation run should be ${seeded.latestEvaluationRunId}, the server answered ${JSON.stringify(runs)}`,
    );
  }
  return scenario(
    target,
    `runs/search: latest run where tags.run_type = 'evaluation' among ${fmt(RUNS)} runs, max_results 1 (target p50 < ${targetP50Ms} ms)`,
    { method: 'POST', path: `${API}/runs/search`, headers: JSON_HEADERS, body: JSON.stringify(body) },
    (r) => `${latencies(r)}   ${fmt(r.perSecond).padStart(7)} requests/s`,
    (text) => text.includes(seeded.latestEvaluationRunId),
  );
}

async function getRuns(target: Target, seeded: SeededRuns): Promise<LoadResult[]> {
  const ids = seeded.sampleRunIds;
  const probe = ids[ids.length >> 1] as string;
  const { run } = await call<{ run: RunJson }>(target, `runs/get?run_id=${probe}`);
  if (run.info.run_id !== probe) throw new Error(`runs/get of ${probe} answered ${run.info.run_id}`);
  return scenario(
    target,
    `runs/get of random runs among ${fmt(RUNS)} (${fmt(ids.length)} distinct ids)`,
    {
      method: 'GET',
      path: `${API}/runs/get?run_id=${probe}`,
      vary: () => ({
        path: `${API}/runs/get?run_id=${ids[Math.floor(Math.random() * ids.length)] as string}`,
      }),
    },
    (r) => `${latencies(r)}   ${fmt(r.perSecond).padStart(7)} requests/s`,
  );
}

/** Rows the servers stored, read after they stopped, against the rows they acknowledged. */
async function checkStored(
  count: (sql: string) => Promise<number>,
  acknowledgedMetricRows: number,
  acknowledgedRuns: number,
): Promise<void> {
  const metricRows = await count('SELECT COUNT(*) AS n FROM metrics');
  const created = await count(
    `SELECT COUNT(*) AS n FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id
     WHERE e.name = '/Shared/bench/create'`,
  );
  console.log(
    `stored: ${fmt(metricRows)} metric rows (${fmt(acknowledgedMetricRows)} acknowledged), ${fmt(created)} created runs (${fmt(acknowledgedRuns)} acknowledged)`,
  );
  if (metricRows < acknowledgedMetricRows) throw new Error('fewer metric rows stored than acknowledged');
  if (created < acknowledgedRuns) throw new Error('fewer runs stored than acknowledged');
}

/** The figures of the four scenarios, per connection level. */
type Results = Record<'create' | 'logBatch' | 'search' | 'get', LoadResult[]>;

/** What one backend's part measured. */
interface Part {
  results: Results;
  /** The highest peak RSS among its servers. */
  peakRssMb: number | undefined;
}

const sum = (list: LoadResult[]) => list.reduce((total, r) => total + r.ok, 0);
const at = (list: LoadResult[], connections: number) => list.find((r) => r.connections === connections);
const errorsOf = (results: Results) =>
  Object.values(results)
    .flat()
    .reduce((total, r) => total + r.errors, 0);

/**
 * Runs the four scenarios against `servers` (all started), stops them, prints what they wrote
 * on stderr and answers the figures.
 */
async function drive(
  servers: readonly ServerProcess[],
  levels: readonly number[],
  seeded: SeededRuns,
  targets: { latestByTagP50Ms: number; logBatch: string },
): Promise<Part> {
  const target: Target = { servers, levels };
  let results: Results;
  let peakRssMb: number | undefined;
  try {
    for (const [i, server] of servers.entries()) {
      console.log(
        `server${servers.length > 1 ? ` ${i + 1}` : ''}: ${server.url} (pid ${server.pid}${NODE_ARGS.length ? `, node ${NODE_ARGS.join(' ')}` : ''})`,
      );
    }
    printMemory(servers, 'at start');
    console.log(
      `load: autocannon over loopback, ${SECONDS} s per level, ${levels.join('/')} connections${servers.length > 1 ? ` in all, round-robin over the ${servers.length} servers` : ''}; latencies of 2xx responses`,
    );
    results = {
      create: await createRuns(target),
      logBatch: await logBatches(target, targets.logBatch),
      search: await latestByTag(target, seeded, targets.latestByTagP50Ms),
      get: await getRuns(target, seeded),
    };
    printMemory(servers, 'at the end');
    const peaks = servers.map((server) => server.memory()?.peakRssMb);
    peakRssMb = peaks.includes(undefined) ? undefined : Math.max(...(peaks as number[]));
  } finally {
    for (const [i, server] of servers.entries()) {
      const exit = await server.stop();
      const which = servers.length > 1 ? `server ${i + 1}` : 'server';
      for (const line of exit.stderr.split('\n').filter(Boolean)) console.log(`${which}: ${line}`);
      if (exit.code !== 0) console.log(`${which} exited with code ${exit.code}`);
    }
  }
  return { results, peakRssMb };
}

/** The SQLite part: one server on the seeded file, at every level of {@link CONNECTIONS}. */
async function sqlitePart(dbPath: string, seeded: SeededRuns): Promise<Part> {
  console.log('SQLite, one server:');
  const server = await startServerProcess(dbPath, NODE_ARGS, SERVER_ARGS);
  const part = await drive([server], CONNECTIONS, seeded, {
    latestByTagP50Ms: TARGETS.latestByTagP50Ms,
    logBatch: `target p50 < ${TARGETS.logBatchP50Ms} ms`,
  });
  const db = new Database(dbPath, { readonly: true });
  try {
    await checkStored(
      async (sql) => Number((db.prepare(sql).get() as { n: number }).n),
      sum(part.results.logBatch) * BATCH,
      sum(part.results.create),
    );
  } finally {
    db.close();
  }
  return part;
}

/** Runs `fn` with a client of the database at `url`. */
async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Copies the seeded SQLite file into a new database on `postgres` as `agentrack copy` does,
 * then runs ANALYZE (the copy leaves the planner's statistics to autovacuum); prints both times.
 */
async function copyToPostgres(postgres: BenchPostgres, dbPath: string, artifacts: string): Promise<string> {
  const database = await postgres.createDatabase('agentrack_bench_server');
  const from = `sqlite:///${dbPath}`;
  const source = await openSqliteStore(dbPath, { mode: 'read' });
  const target = await openPostgresStore(database.url);
  const sourceArtifacts = ArtifactAccess.forTarget({ kind: 'sqlite', path: dbPath, uri: from });
  const targetArtifacts = new ArtifactAccess(
    createArtifactLocator({ proxied: new LocalArtifactRepository(artifacts) }),
  );
  let started = performance.now();
  let copied: CopyResult;
  try {
    copied = await copyBetween(
      { uri: from, store: source, artifacts: sourceArtifacts },
      { uri: database.url, store: target, artifacts: targetArtifacts },
      { noVerify: true },
    );
  } finally {
    await Promise.all([source.close(), target.close(), sourceArtifacts.close(), targetArtifacts.close()]);
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `copy SQLite -> PostgreSQL (copyBetween, as agentrack copy, no verification): ${fmt(copied.written.runs)} runs in ${fmt(seconds, 1)} s (${fmt(copied.written.runs / seconds)} runs/s)`,
  );
  started = performance.now();
  await withClient(database.url, (client) => client.query('ANALYZE'));
  console.log(`ANALYZE after the copy: ${fmt((performance.now() - started) / 1000, 1)} s`);
  return database.url;
}

/** The PostgreSQL part: {@link PG_SERVERS} servers on one database, {@link PG_CONNECTIONS} connections in all. */
async function postgresPart(url: string, artifacts: string, seeded: SeededRuns): Promise<Part> {
  console.log(`PostgreSQL, ${PG_SERVERS} servers on one database:`);
  const started = await Promise.allSettled(
    Array.from({ length: PG_SERVERS }, () =>
      startStoreServerProcess(url, NODE_ARGS, ['--artifacts-destination', artifacts, ...SERVER_ARGS]),
    ),
  );
  const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const server of servers) await server.stop();
    throw failed.reason;
  }
  const part = await drive(servers, [1, PG_CONNECTIONS], seeded, {
    latestByTagP50Ms: TARGETS.pgLatestByTagP50Ms,
    logBatch: `target >= ${fmt(TARGETS.pgLogBatchRowsPerSecond)} metric rows/s across all servers`,
  });
  await withClient(url, (client) =>
    checkStored(
      async (sql) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n),
      sum(part.results.logBatch) * BATCH,
      sum(part.results.create),
    ),
  );
  return part;
}

/** SQLite's single server and PostgreSQL's servers at {@link PG_CONNECTIONS} connections, side by side. */
function printComparison(sqlite: Part, postgres: Part): void {
  const columns = [
    [`SQLite, 1 server`, at(sqlite.results.create, PG_CONNECTIONS) ? sqlite : undefined],
    [`PostgreSQL, ${PG_SERVERS} servers`, postgres],
  ] as const;
  const figure = (
    part: Part | undefined,
    pick: (results: Results) => LoadResult[],
    show: (r: LoadResult) => string,
  ) => {
    const result = part && at(pick(part.results), PG_CONNECTIONS);
    return result ? show(result) : 'n/a';
  };
  const pair = (r: LoadResult) => `${ms(r.p50)} / ${ms(r.p99)}`;
  const rows: SideBySideRow<Part | undefined>[] = [
    [
      'runs/create, runs/s',
      (p) =>
        figure(
          p,
          (r) => r.create,
          (r) => fmt(r.perSecond),
        ),
    ],
    ['runs/create, p50 / p99', (p) => figure(p, (r) => r.create, pair)],
    [
      `log-batch(${BATCH}), metric rows/s`,
      (p) =>
        figure(
          p,
          (r) => r.logBatch,
          (r) => fmt(r.perSecond * BATCH),
        ),
    ],
    [`log-batch(${BATCH}), p50 / p99`, (p) => figure(p, (r) => r.logBatch, pair)],
    ['latest by tag, p50 / p99', (p) => figure(p, (r) => r.search, pair)],
    [
      'latest by tag, requests/s',
      (p) =>
        figure(
          p,
          (r) => r.search,
          (r) => fmt(r.perSecond),
        ),
    ],
    ['runs/get, p50 / p99', (p) => figure(p, (r) => r.get, pair)],
    [
      'runs/get, requests/s',
      (p) =>
        figure(
          p,
          (r) => r.get,
          (r) => fmt(r.perSecond),
        ),
    ],
    [
      'errors (non-2xx + socket)',
      (p) =>
        p
          ? fmt(
              [p.results.create, p.results.logBatch, p.results.search, p.results.get]
                .map((list) => at(list, PG_CONNECTIONS)?.errors ?? 0)
                .reduce((a, b) => a + b, 0),
            )
          : 'n/a',
    ],
    ['peak RSS per server, MB', (p) => (p?.peakRssMb === undefined ? 'n/a' : fmt(p.peakRssMb))],
  ];
  printSideBySide(`side by side at ${PG_CONNECTIONS} connections, ${fmt(RUNS)} seeded runs:`, rows, columns);
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `agentrack server benchmark (node ${process.version}, ${availableParallelism()} CPUs, ${new Date().toISOString()})`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-server-'));
  const dbPath = join(dir, 'bench.db');
  const artifacts = join(dir, 'pg-artifacts');
  let postgres: BenchPostgres | undefined;
  try {
    const seeded = await seedRuns(dbPath, RUNS);
    const tagRows = RUNS * 11;
    console.log(
      `seed: ${fmt(RUNS)} runs and ${fmt(tagRows)} tag rows (10 tags + mlflow.runName per run) written to SQLite in ${fmt(seeded.seconds, 1)} s (${fmt(RUNS / seeded.seconds)} runs/s); database ${fmt(statSync(dbPath).size / 2 ** 20)} MB`,
    );
    postgres = await benchPostgres();
    // Copied before SQLite's scenarios write into the file: both backends start from the same runs.
    mkdirSync(artifacts);
    const postgresUrl = postgres ? await copyToPostgres(postgres, dbPath, artifacts) : undefined;

    const sqlite = await sqlitePart(dbPath, seeded);
    let pgPart: Part | undefined;
    if (postgresUrl !== undefined) {
      try {
        pgPart = await postgresPart(postgresUrl, artifacts, seeded);
      } catch (error) {
        // SQLite's figures are still printed; the run fails at the end.
        console.log(`PostgreSQL part failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      }
    }

    const searchP50 = at(sqlite.results.search, 1)?.p50 ?? Number.NaN;
    const batchP50 = at(sqlite.results.logBatch, 1)?.p50 ?? Number.NaN;
    const writers = [at(sqlite.results.create, 64), at(sqlite.results.logBatch, 64)];
    const writerErrors = writers.reduce((total, r) => total + (r?.errors ?? 0), 0);
    const { peakRssMb } = sqlite;
    if (pgPart) printComparison(sqlite, pgPart);
    console.log('targets:');
    console.log(
      `  latest-by-tag p50 < ${TARGETS.latestByTagP50Ms} ms at ${fmt(RUNS)} runs (1 connection): ${ms(searchP50)}: ${verdict(searchP50 < TARGETS.latestByTagP50Ms)}`,
    );
    console.log(
      `  log-batch(${BATCH}) p50 < ${TARGETS.logBatchP50Ms} ms (1 connection): ${ms(batchP50)}: ${verdict(batchP50 < TARGETS.logBatchP50Ms)}`,
    );
    console.log(
      `  zero errors at 64 concurrent writers on SQLite (runs/create, log-batch): ${fmt(writerErrors)}: ${verdict(writerErrors === 0)} (all scenarios: ${fmt(errorsOf(sqlite.results))})`,
    );
    console.log(
      `  server RSS < ${TARGETS.serverRssMb} MB: peak ${peakRssMb === undefined ? 'unavailable' : `${fmt(peakRssMb)} MB`}: ${peakRssMb === undefined ? 'unknown' : verdict(peakRssMb < TARGETS.serverRssMb)}`,
    );
    if (pgPart) {
      const where = `${PG_SERVERS} servers on PostgreSQL, ${PG_CONNECTIONS} connections`;
      const pgSearchP50 = at(pgPart.results.search, 1)?.p50 ?? Number.NaN;
      const pgSearchLoadedP50 = at(pgPart.results.search, PG_CONNECTIONS)?.p50 ?? Number.NaN;
      const pgRows = (at(pgPart.results.logBatch, PG_CONNECTIONS)?.perSecond ?? Number.NaN) * BATCH;
      const pgErrors = errorsOf(pgPart.results);
      // A scenario none of whose requests was answered in its time has no errors either.
      const silent = Object.entries(pgPart.results)
        .filter(([, list]) => sum(list) === 0)
        .map(([name]) => name);
      console.log(
        `  latest-by-tag p50 < ${TARGETS.pgLatestByTagP50Ms} ms at ${fmt(RUNS)} runs (${PG_SERVERS} servers on PostgreSQL, 1 connection): ${ms(pgSearchP50)}: ${verdict(pgSearchP50 < TARGETS.pgLatestByTagP50Ms)} (at ${PG_CONNECTIONS} connections: ${ms(pgSearchLoadedP50)})`,
      );
      console.log(
        `  log-batch(${BATCH}) >= ${fmt(TARGETS.pgLogBatchRowsPerSecond)} metric rows/s (${where}): ${fmt(pgRows)}: ${verdict(pgRows >= TARGETS.pgLogBatchRowsPerSecond)}`,
      );
      console.log(
        `  zero errors on PostgreSQL (all four scenarios, ${where}): ${fmt(pgErrors)}: ${verdict(pgErrors === 0 && silent.length === 0)}${silent.length ? ` (no answer at all in ${silent.join(', ')})` : ''}`,
      );
      const pgPeak = pgPart.peakRssMb;
      console.log(
        `  server RSS < ${TARGETS.serverRssMb} MB on PostgreSQL: highest peak ${pgPeak === undefined ? 'unavailable' : `${fmt(pgPeak)} MB`}: ${pgPeak === undefined ? 'unknown' : verdict(pgPeak < TARGETS.serverRssMb)}`,
      );
    }
    const mismatches = [sqlite, ...(pgPart ? [pgPart] : [])]
      .flatMap((part) => part.results.search)
      .reduce((total, r) => total + r.mismatches, 0);
    if (mismatches > 0) throw new Error(`${mismatches} searches did not answer the latest evaluation run`);
    console.log(`wall time: ${fmt((performance.now() - started) / 1000, 1)} s`);
  } finally {
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

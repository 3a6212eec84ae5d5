/**
 * Server benchmark: prints figures, asserts nothing but that it measures the right thing.
 *
 *   npm run build && npm run bench:server                          # 1,000,000 runs, 5 s per level
 *   BENCH_SERVER_RUNS=20000 BENCH_SERVER_SECONDS=2 npm run bench:server
 *   BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:server
 *
 * `agentrack server` runs in a process of its own (dist/cli/main.js) on a SQLite file seeded
 * with BENCH_SERVER_RUNS runs; autocannon drives it over loopback at 1, 8, 32 and 64
 * connections, BENCH_SERVER_SECONDS each, through MLflow's REST API:
 * 1. runs/create into one experiment;
 * 2. runs/log-batch of 1000 new metric rows into pre-created runs;
 * 3. runs/search for the latest run where tags.run_type = 'evaluation' among the seeded runs;
 * 4. runs/get of random seeded runs;
 * with p50/p99 latencies, throughput, errors (non-2xx and socket errors) and the server's RSS.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runLoad, type LoadRequest, type LoadResult } from './load.js';
import { seedRuns, type SeededRuns } from './seed.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const RUNS = Number(process.env.BENCH_SERVER_RUNS ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SERVER_SECONDS ?? 5);
const NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const CONNECTIONS = [1, 8, 32, 64] as const;
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
} as const;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n: number) => `${fmt(n, n < 10 ? 2 : 1)} ms`;
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

async function call<T>(server: ServerProcess, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${server.url}${API}/${path}`, {
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

function printMemory(server: ServerProcess, when: string): void {
  const memory = server.memory();
  console.log(
    memory
      ? `  server RSS ${when}: ${fmt(memory.rssMb)} MB, peak (VmHWM) ${fmt(memory.peakRssMb)} MB`
      : `  server RSS ${when}: unavailable (no /proc)`,
  );
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

/** Runs `request` at every level of {@link CONNECTIONS}; `line` formats one level's figures. */
async function scenario(
  server: ServerProcess,
  title: string,
  request: LoadRequest,
  line: (result: LoadResult) => string,
  verifyBody?: (body: string) => boolean,
): Promise<LoadResult[]> {
  console.log(title);
  const results: LoadResult[] = [];
  for (const connections of CONNECTIONS) {
    const result = await runLoad({
      url: server.url,
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
  printMemory(server, `after ${title.split(/[\s:]/)[0]}`);
  return results;
}

function latencies(result: LoadResult): string {
  return `p50 ${ms(result.p50).padStart(9)}   p99 ${ms(result.p99).padStart(9)}`;
}

async function createRuns(server: ServerProcess): Promise<LoadResult[]> {
  const { experiment_id: experimentId } = await call<{ experiment_id: string }>(
    server,
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
    server,
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

async function logBatches(server: ServerProcess): Promise<LoadResult[]> {
  const { experiment_id: experimentId } = await call<{ experiment_id: string }>(
    server,
    'experiments/create',
    {
      name: '/Shared/bench/log-batch',
    },
  );
  const runIds: string[] = [];
  for (let r = 0; r < LOG_BATCH_RUNS; r++) {
    const { run } = await call<{ run: RunJson }>(server, 'runs/create', {
      experiment_id: experimentId,
      run_name: `train_${r}`,
      start_time: Date.now(),
    });
    runIds.push(run.info.run_id);
  }
  return scenario(
    server,
    `runs/log-batch of ${BATCH} new metric rows into ${LOG_BATCH_RUNS} runs (target p50 < ${TARGETS.logBatchP50Ms} ms)`,
    logBatchRequest(runIds),
    (r) => `${latencies(r)}   ${fmt(r.perSecond * BATCH).padStart(9)} metric rows/s`,
  );
}

async function latestByTag(server: ServerProcess, seeded: SeededRuns): Promise<LoadResult[]> {
  const body = { experiment_ids: [seeded.experimentId], ...LATEST_EVALUATION };
  const { runs } = await call<{ runs?: RunJson[] }>(server, 'runs/search', body);
  const found = runs?.[0];
  const runType = found?.data.tags?.find((t) => t.key === 'run_type')?.value;
  if (runs?.length !== 1 || found?.info.run_id !== seeded.latestEvaluationRunId || runType !== 'evaluation') {
    throw new Error(
      `the latest evaluation run should be ${seeded.latestEvaluationRunId}, the server answered ${JSON.stringify(runs)}`,
    );
  }
  return scenario(
    server,
    `runs/search: latest run where tags.run_type = 'evaluation' among ${fmt(RUNS)} runs, max_results 1 (target p50 < ${TARGETS.latestByTagP50Ms} ms)`,
    { method: 'POST', path: `${API}/runs/search`, headers: JSON_HEADERS, body: JSON.stringify(body) },
    (r) => `${latencies(r)}   ${fmt(r.perSecond).padStart(7)} requests/s`,
    (text) => text.includes(seeded.latestEvaluationRunId),
  );
}

async function getRuns(server: ServerProcess, seeded: SeededRuns): Promise<LoadResult[]> {
  const ids = seeded.sampleRunIds;
  const probe = ids[ids.length >> 1] as string;
  const { run } = await call<{ run: RunJson }>(server, `runs/get?run_id=${probe}`);
  if (run.info.run_id !== probe) throw new Error(`runs/get of ${probe} answered ${run.info.run_id}`);
  return scenario(
    server,
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

/** Rows the server stored, read after it stopped, against the rows it acknowledged. */
function checkStored(dbPath: string, acknowledgedMetricRows: number, acknowledgedRuns: number): void {
  const db = new Database(dbPath, { readonly: true });
  try {
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    const metricRows = count('SELECT COUNT(*) AS n FROM metrics');
    const created = count(
      `SELECT COUNT(*) AS n FROM runs r JOIN experiments e ON e.experiment_id = r.experiment_id
       WHERE e.name = '/Shared/bench/create'`,
    );
    console.log(
      `stored: ${fmt(metricRows)} metric rows (${fmt(acknowledgedMetricRows)} acknowledged), ${fmt(created)} created runs (${fmt(acknowledgedRuns)} acknowledged)`,
    );
    if (metricRows < acknowledgedMetricRows) throw new Error('fewer metric rows stored than acknowledged');
    if (created < acknowledgedRuns) throw new Error('fewer runs stored than acknowledged');
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  console.log(
    `agentrack server benchmark (node ${process.version}, ${availableParallelism()} CPUs, ${new Date().toISOString()})`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-server-'));
  const dbPath = join(dir, 'bench.db');
  try {
    const seeded = await seedRuns(dbPath, RUNS);
    const tagRows = RUNS * 11;
    console.log(
      `seed: ${fmt(RUNS)} runs and ${fmt(tagRows)} tag rows (10 tags + mlflow.runName per run) written to SQLite in ${fmt(seeded.seconds, 1)} s (${fmt(RUNS / seeded.seconds)} runs/s); database ${fmt(statSync(dbPath).size / 2 ** 20)} MB`,
    );
    const server = await startServerProcess(dbPath, NODE_ARGS);
    let results: Record<'create' | 'logBatch' | 'search' | 'get', LoadResult[]>;
    let peakRssMb: number | undefined;
    try {
      console.log(
        `server: ${server.url} (pid ${server.pid}${NODE_ARGS.length ? `, node ${NODE_ARGS.join(' ')}` : ''})`,
      );
      printMemory(server, 'at start');
      console.log(
        `load: autocannon over loopback, ${SECONDS} s per level, ${CONNECTIONS.join('/')} connections; latencies of 2xx responses`,
      );
      results = {
        create: await createRuns(server),
        logBatch: await logBatches(server),
        search: await latestByTag(server, seeded),
        get: await getRuns(server, seeded),
      };
      printMemory(server, 'at the end');
      peakRssMb = server.memory()?.peakRssMb;
    } finally {
      const exit = await server.stop();
      for (const line of exit.stderr.split('\n').filter(Boolean)) console.log(`server: ${line}`);
      if (exit.code !== 0) console.log(`server exited with code ${exit.code}`);
    }

    const sum = (list: LoadResult[]) => list.reduce((total, r) => total + r.ok, 0);
    checkStored(dbPath, sum(results.logBatch) * BATCH, sum(results.create));

    const at = (list: LoadResult[], connections: number) => list.find((r) => r.connections === connections);
    const searchP50 = at(results.search, 1)?.p50 ?? Number.NaN;
    const batchP50 = at(results.logBatch, 1)?.p50 ?? Number.NaN;
    const writers = [at(results.create, 64), at(results.logBatch, 64)];
    const writerErrors = writers.reduce((total, r) => total + (r?.errors ?? 0), 0);
    const allErrors = Object.values(results)
      .flat()
      .reduce((total, r) => total + r.errors, 0);
    console.log('targets:');
    console.log(
      `  latest-by-tag p50 < ${TARGETS.latestByTagP50Ms} ms at ${fmt(RUNS)} runs (1 connection): ${ms(searchP50)}: ${verdict(searchP50 < TARGETS.latestByTagP50Ms)}`,
    );
    console.log(
      `  log-batch(${BATCH}) p50 < ${TARGETS.logBatchP50Ms} ms (1 connection): ${ms(batchP50)}: ${verdict(batchP50 < TARGETS.logBatchP50Ms)}`,
    );
    console.log(
      `  zero errors at 64 concurrent writers on SQLite (runs/create, log-batch): ${fmt(writerErrors)}: ${verdict(writerErrors === 0)} (all scenarios: ${fmt(allErrors)})`,
    );
    console.log(
      `  server RSS < ${TARGETS.serverRssMb} MB: peak ${peakRssMb === undefined ? 'unavailable' : `${fmt(peakRssMb)} MB`}: ${peakRssMb === undefined ? 'unknown' : verdict(peakRssMb < TARGETS.serverRssMb)}`,
    );
    const mismatches = results.search.reduce((total, r) => total + r.mismatches, 0);
    if (mismatches > 0) throw new Error(`${mismatches} searches did not answer the latest evaluation run`);
    console.log(`wall time: ${fmt((performance.now() - started) / 1000, 1)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * Soak benchmark: a server under a mixed workload for a long while, on SQLite then PostgreSQL.
 * Prints figures; exits 1 when a request failed.
 *
 *   npm run bench:soak
 *   BENCH_SOAK_SECONDS=60 BENCH_SOAK_SAMPLE_SECONDS=10 npm run bench:soak   # a short run
 *   BENCH_POSTGRES=0 npm run bench:soak                                     # SQLite only
 *
 * `agentrack server` runs in a process of its own (dist/cli/main.js) on a fresh SQLite file,
 * then on a fresh PostgreSQL database (on the server bench/postgres.ts finds or starts), each
 * with a temporary `--artifacts-destination`. BENCH_SOAK_CLIENTS (64) clients in this process,
 * each on a keep-alive connection of its own, send requests back to back for
 * BENCH_SOAK_SECONDS (600), each drawn from this mix, as MLflow's client and an OpenTelemetry
 * exporter send them:
 *   create a run 10%, log-batch of 100 metrics, 5 params and 5 tags to the client's run 35%,
 *   search runs by tag 15%, get a run 15%, upload a 16 KiB artifact then download it 10%,
 *   a trace of 5 spans over OTLP 10%, search traces 5%.
 * Every BENCH_SOAK_SAMPLE_SECONDS (30) it prints the server's RSS, requests per second and the
 * p50/p99 of the interval; at the end the errors (any answer but 2xx, any socket error), the
 * server's peak RSS, the mean RSS of each half, and the slope of its RSS over the last half of
 * the run (least squares, in MB per minute), with a verdict (see {@link FLAT_SHARE}).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { benchPostgres } from '../postgres.js';
import { percentile } from '../server/load.js';
import { startStoreServerProcess, type ServerProcess } from '../server/server-process.js';

const SECONDS = Number(process.env.BENCH_SOAK_SECONDS ?? 600);
const CLIENTS = Number(process.env.BENCH_SOAK_CLIENTS ?? 64);
const SAMPLE_SECONDS = Number(process.env.BENCH_SOAK_SAMPLE_SECONDS ?? 30);
/**
 * RSS saws up and down with garbage collection by tens of MB between samples, so the verdict
 * is on what the slope adds up to over the last half: flat when that is under 10% of the mean
 * RSS, and the last half's mean is no more than 5% above the first half's.
 */
const FLAT_SHARE = 0.1;

interface Answer {
  status: number;
  body: string;
  bytes: Buffer;
}

/** One HTTP request on `agent`'s connection; the body as text. */
function send(
  agent: Agent,
  base: URL,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: {
          ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, body: bytes.toString('utf8'), bytes });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const JSON_HEADERS = { 'content-type': 'application/json' };

interface Tally {
  requests: number;
  errors: number;
  firstErrors: string[];
  latencies: number[];
}

/** The mix, cumulative weights out of 100. */
const MIX: ReadonlyArray<readonly [number, string]> = [
  [10, 'create'],
  [45, 'log-batch'],
  [60, 'search'],
  [75, 'get'],
  [85, 'artifact'],
  [95, 'trace'],
  [100, 'trace-search'],
];

function batch(step: number): string {
  const metrics = Array.from({ length: 100 }, (_, i) => ({
    key: `m${i % 10}`,
    value: Math.random(),
    timestamp: Date.now(),
    step: step * 10 + Math.floor(i / 10),
  }));
  const params = Array.from({ length: 5 }, (_, i) => ({ key: `p${step}_${i}`, value: String(i) }));
  const tags = Array.from({ length: 5 }, (_, i) => ({ key: `t${i}`, value: String(step) }));
  return JSON.stringify({ metrics, params, tags });
}

function otlpTrace(): string {
  const traceId = randomBytes(16).toString('hex');
  const root = randomBytes(8).toString('hex');
  const start = BigInt(Date.now()) * 1_000_000n;
  const spans = [root, ...Array.from({ length: 4 }, () => randomBytes(8).toString('hex'))].map(
    (spanId, i) => ({
      traceId,
      spanId,
      ...(i > 0 ? { parentSpanId: root } : {}),
      name: i === 0 ? 'agent' : `tool${i}`,
      kind: 1,
      startTimeUnixNano: String(start + BigInt(i) * 1000n),
      endTimeUnixNano: String(start + 2_000_000n),
      attributes: [{ key: 'mlflow.spanInputs', value: { stringValue: '{"q":"soak"}' } }],
      status: { code: 1 },
    }),
  );
  return JSON.stringify({
    resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'soak' }, spans }] }],
  });
}

/** One client: its own connection and run, drawing requests from the mix until `deadline`. */
async function client(
  base: URL,
  experimentId: string,
  deadline: number,
  tally: Tally,
  seen: string[],
): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const api = '/api/2.0/mlflow';
  const created = await send(
    agent,
    base,
    'POST',
    `${api}/runs/create`,
    JSON.stringify({ experiment_id: experimentId, start_time: Date.now() }),
    JSON_HEADERS,
  );
  let runId = (JSON.parse(created.body) as { run: { info: { run_id: string } } }).run.info.run_id;
  seen.push(runId);
  let step = 0;
  let blob = 0;
  while (performance.now() < deadline) {
    const draw = Math.random() * 100;
    const kind = (MIX.find(([upTo]) => draw < upTo) as readonly [number, string])[1];
    const started = performance.now();
    try {
      const answers: Answer[] = [];
      switch (kind) {
        case 'create': {
          const answer = await send(
            agent,
            base,
            'POST',
            `${api}/runs/create`,
            JSON.stringify({
              experiment_id: experimentId,
              start_time: Date.now(),
              tags: [{ key: 'run_type', value: 'development' }],
            }),
            JSON_HEADERS,
          );
          answers.push(answer);
          if (answer.status === 200) {
            runId = (JSON.parse(answer.body) as { run: { info: { run_id: string } } }).run.info.run_id;
            seen.push(runId);
          }
          break;
        }
        case 'log-batch':
          answers.push(
            await send(
              agent,
              base,
              'POST',
              `${api}/runs/log-batch`,
              `{"run_id":"${runId}",${batch(step++).slice(1)}`,
              JSON_HEADERS,
            ),
          );
          break;
        case 'search':
          answers.push(
            await send(
              agent,
              base,
              'POST',
              `${api}/runs/search`,
              JSON.stringify({
                experiment_ids: [experimentId],
                filter: "tags.run_type = 'development'",
                max_results: 10,
              }),
              JSON_HEADERS,
            ),
          );
          break;
        case 'get': {
          const id = seen[Math.floor(Math.random() * seen.length)] as string;
          answers.push(await send(agent, base, 'GET', `${api}/runs/get?run_id=${id}`));
          break;
        }
        case 'artifact': {
          const path = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/blob-${blob++}.bin`;
          const bytes = randomBytes(16 * 1024);
          answers.push(
            await send(agent, base, 'PUT', path, bytes, { 'content-type': 'application/octet-stream' }),
          );
          const back = await send(agent, base, 'GET', path);
          answers.push(back);
          if (back.status === 200 && !back.bytes.equals(bytes))
            throw new Error(`${path}: other bytes than uploaded`);
          break;
        }
        case 'trace':
          answers.push(
            await send(agent, base, 'POST', '/v1/traces', otlpTrace(), {
              ...JSON_HEADERS,
              'x-mlflow-experiment-id': experimentId,
            }),
          );
          break;
        case 'trace-search':
          answers.push(
            await send(
              agent,
              base,
              'POST',
              '/api/3.0/mlflow/traces/search',
              JSON.stringify({
                locations: [
                  { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
                ],
                max_results: 10,
              }),
              JSON_HEADERS,
            ),
          );
          break;
      }
      tally.requests += answers.length;
      for (const answer of answers) {
        if (answer.status < 200 || answer.status > 299) {
          tally.errors++;
          if (tally.firstErrors.length < 5)
            tally.firstErrors.push(`${kind}: ${answer.status} ${answer.body.slice(0, 200)}`);
        }
      }
    } catch (error) {
      tally.requests++;
      tally.errors++;
      if (tally.firstErrors.length < 5) tally.firstErrors.push(`${kind}: ${(error as Error).message}`);
    }
    tally.latencies.push(performance.now() - started);
  }
  agent.destroy();
}

/** Least-squares slope of `points` (minutes, MB), MB per minute. */
function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

interface SoakResult {
  backend: string;
  requests: number;
  errors: number;
  peakRssMb: number;
  slopeMbPerMinute: number;
  /** Mean RSS of the first and the last half of the samples. */
  firstHalfMb: number;
  lastHalfMb: number;
  flat: boolean;
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

async function soak(backend: string, server: ServerProcess): Promise<SoakResult> {
  const base = new URL(server.url);
  const agent = new Agent({ keepAlive: true });
  const made = await send(
    agent,
    base,
    'POST',
    '/api/2.0/mlflow/experiments/create',
    JSON.stringify({ name: `/Shared/soak/${Date.now()}` }),
    JSON_HEADERS,
  );
  agent.destroy();
  const experimentId = (JSON.parse(made.body) as { experiment_id: string }).experiment_id;
  console.log(`${backend}: ${CLIENTS} clients for ${SECONDS} s, a sample every ${SAMPLE_SECONDS} s`);
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  const tally: Tally = { requests: 0, errors: 0, firstErrors: [], latencies: [] };
  const seen: string[] = [];
  const clients = Array.from({ length: CLIENTS }, () => client(base, experimentId, deadline, tally, seen));
  const samples: Array<readonly [number, number]> = [];
  let lastRequests = 0;
  const sampler = setInterval(() => {
    const minutes = (performance.now() - started) / 60_000;
    const rss = server.memory()?.rssMb ?? Number.NaN;
    samples.push([minutes, rss]);
    const interval = tally.latencies.splice(0).sort((a, b) => a - b);
    const perSecond = (tally.requests - lastRequests) / SAMPLE_SECONDS;
    lastRequests = tally.requests;
    console.log(
      `  ${(minutes * 60).toFixed(0).padStart(4)} s  RSS ${rss.toFixed(1).padStart(6)} MB  ${perSecond.toFixed(0).padStart(5)} req/s  p50 ${percentile(interval, 50).toFixed(1)} ms  p99 ${percentile(interval, 99).toFixed(1)} ms  errors ${tally.errors}`,
    );
  }, SAMPLE_SECONDS * 1000);
  await Promise.all(clients);
  clearInterval(sampler);
  const lastHalf = samples.filter(([minutes]) => minutes >= SECONDS / 120);
  const firstHalf = samples.filter(([minutes]) => minutes < SECONDS / 120);
  const slopeMbPerMinute = slope(lastHalf);
  const firstHalfMb = mean(firstHalf.map(([, mb]) => mb));
  const lastHalfMb = mean(lastHalf.map(([, mb]) => mb));
  const result: SoakResult = {
    backend,
    requests: tally.requests,
    errors: tally.errors,
    peakRssMb: server.memory()?.peakRssMb ?? Number.NaN,
    slopeMbPerMinute,
    firstHalfMb,
    lastHalfMb,
    flat:
      Math.abs(slopeMbPerMinute * (SECONDS / 120)) < FLAT_SHARE * lastHalfMb &&
      lastHalfMb <= 1.05 * firstHalfMb,
  };
  console.log(
    `  ${backend}: ${result.requests.toLocaleString('en-US')} requests, ${result.errors} errors; peak RSS ${result.peakRssMb.toFixed(1)} MB; RSS slope over the last half ${result.slopeMbPerMinute.toFixed(2)} MB/min (${lastHalf.length} samples)`,
  );
  console.log(`  mean RSS: first half ${firstHalfMb.toFixed(1)} MB, last half ${lastHalfMb.toFixed(1)} MB`);
  for (const error of tally.firstErrors) console.log(`    ${error}`);
  return result;
}

async function main(): Promise<void> {
  console.log(
    `load average at start: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-soak-'));
  const results: SoakResult[] = [];
  try {
    const sqlite = await startStoreServerProcess(
      `sqlite:///${join(dir, 'soak.db')}`,
      [],
      ['--artifacts-destination', join(dir, 'sqlite-artifacts')],
    );
    try {
      results.push(await soak('SQLite', sqlite));
    } finally {
      await sqlite.stop();
    }
    const postgres = await benchPostgres();
    if (postgres) {
      const database = await postgres.createDatabase('soak');
      const server = await startStoreServerProcess(
        database.url,
        [],
        ['--artifacts-destination', join(dir, 'pg-artifacts')],
      );
      try {
        results.push(await soak('PostgreSQL', server));
      } finally {
        await server.stop();
        await database.drop();
        await postgres.stop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    '| backend | requests | errors | peak RSS | mean RSS, first / last half | RSS slope, last half | verdict |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.backend} | ${r.requests.toLocaleString('en-US')} | ${r.errors} | ${r.peakRssMb.toFixed(1)} MB | ${r.firstHalfMb.toFixed(1)} / ${r.lastHalfMb.toFixed(1)} MB | ${r.slopeMbPerMinute.toFixed(2)} MB/min | ${r.errors === 0 ? '0 errors: met' : 'errors: MISSED'}; ${r.flat ? 'flat: met' : 'not flat: MISSED'} |`,
    );
  }
  if (results.some((r) => r.errors > 0)) process.exitCode = 1;
}

await main();

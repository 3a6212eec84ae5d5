/**
 * Traces benchmark: prints figures, asserts nothing but that it measured the right thing.
 *
 *   npm run bench:traces
 *   BENCH_TRACES_INGEST=5000 BENCH_TRACES_SEARCHED=20000 npm run bench:traces
 *   BENCH_POSTGRES=0 npm run bench:traces            # SQLite only
 *   BENCH_POSTGRES_URL=postgresql://user:pw@host:5432/postgres npm run bench:traces
 *
 * `agentrack server` runs in a process of its own (dist/cli/main.js), first on a fresh SQLite
 * file, then on a fresh PostgreSQL database (on the server bench/postgres.ts finds or starts,
 * with `--artifacts-destination` a temporary folder, where its `traces.json` files go); steps
 * 1 to 3 run against each, and their figures are printed side by side at the end, with the
 * targets' verdicts per backend. The client is node:http with a keep-alive agent, in this
 * process, and sends what MLflow 3.3's Python client sends:
 * 1. ingest: BENCH_TRACES_INGEST traces of 10 spans, each written as MLflow's exporter writes
 *    one (`POST /api/3.0/mlflow/traces` with the trace info, then `PUT traces.json` to the
 *    artifact location the answer names), BENCH_TRACES_CONCURRENCY traces in flight: traces/s;
 * 2. search: BENCH_TRACES_SEARCHED more traces seeded (infos only, tags `flow` among 100
 *    values, one in ten ERROR), then `POST /api/3.0/mlflow/traces/search` with
 *    `tags.flow = '<flow>'` and with `trace.status = 'ERROR'` (`max_results` 100), one request
 *    at a time after an untimed warm-up, each checked to answer 100 matching traces: p50, p99;
 * 3. read: one trace of 10,000 spans, read as MLflow's client reads it
 *    (`GET /api/3.0/mlflow/traces/<id>` then the `traces.json` download) and from its span rows
 *    (`client.traces.getTrace` on the same store, in this process): p50, p99;
 * 4. where ingest's time goes, the two floors of step 1 on this machine (once, after SQLite's
 *    steps): the same client against a bare `node:http` server that stores nothing
 *    (bench/traces/bare-server.ts: HTTP alone, traces/s and the server's CPU per trace), and the
 *    server's work without HTTP (the same traces parsed and stored in this process through the
 *    SQLite store, BENCH_TRACES_CONCURRENCY in flight: CPU per trace).
 * Times run to the last byte of the answer. The load average is printed at the start and the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { TraceInfo } from '../../src/entities/index.js';
import { parseTraceData } from '../../src/protocol/trace-data.js';
import { isTraceDataStore } from '../../src/store/trace-store.js';
import { benchPostgres } from '../postgres.js';
import { printSideBySide, type SideBySideRow } from '../side-by-side.js';
import { pool, timeSequential, type SequentialTimes } from '../server/sequential.js';
import { startListeningProcess, startStoreServerProcess } from '../server/server-process.js';

const INGEST = Number(process.env.BENCH_TRACES_INGEST ?? 10_000);
const SEARCHED = Number(process.env.BENCH_TRACES_SEARCHED ?? 100_000);
const CONCURRENCY = Number(process.env.BENCH_TRACES_CONCURRENCY ?? 16);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 200);
const READ_REPEATS = Number(process.env.BENCH_TRACES_READ_REPEATS ?? 30);
const BIG_TRACE_SPANS = 10_000;
const SPANS_PER_TRACE = 10;
const WARMUP = 20;
const TARGETS = { ingestPerSecond: 2000, searchP50Ms: 20, readMs: 100 } as const;

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const fmt = (n: number, digits = 2) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** One request; resolves with the status and the whole answer once its last byte has arrived. */
function send(
  base: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${path}`,
      {
        method,
        agent,
        headers:
          body === undefined
            ? {}
            : { 'content-type': contentType, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function ok(
  base: string,
  method: 'GET' | 'POST' | 'PUT',
  path: string,
  body?: unknown,
  contentType?: string,
): Promise<string> {
  const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  const answer = await send(base, method, path, text, contentType);
  if (answer.status !== 200)
    throw new Error(`${method} ${path}: HTTP ${answer.status}: ${answer.text.slice(0, 500)}`);
  return answer.text;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const b64 = (hexText: string) => Buffer.from(hexText, 'hex').toString('base64');

/** A trace info as MLflow 3.3's client sends it in `POST /api/3.0/mlflow/traces`. */
function traceInfo(experimentId: string, traceId: string, i: number, startMs: number, spans: number) {
  return {
    trace: {
      trace_info: {
        trace_id: traceId,
        trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
        request_time: new Date(startMs).toISOString(),
        execution_duration: '0.012s',
        state: i % 10 === 0 ? 'ERROR' : 'OK',
        trace_metadata: {
          'mlflow.traceInputs': JSON.stringify({ question: `q${i}` }),
          'mlflow.traceOutputs': JSON.stringify({ answer: `a${i}` }),
          'mlflow.trace_schema.version': '3',
          'mlflow.trace.sizeStats': JSON.stringify({ num_spans: spans }),
          'mlflow.user': 'bench',
        },
        tags: { 'mlflow.traceName': 'agent', flow: `f${i % 100}`, host: `h${i % 7}` },
        request_preview: JSON.stringify({ question: `q${i}` }),
        response_preview: JSON.stringify({ answer: `a${i}` }),
      },
    },
  };
}

/** A `traces.json` of `count` spans: a root AGENT span, its LLM/TOOL children and their RETRIEVER grandchildren. */
function traceData(traceId: string, count: number, startMs: number): string {
  const otel = b64(traceId.slice(3));
  const start = BigInt(startMs) * 1_000_000n;
  const ids = Array.from({ length: count }, () => hex(8));
  const spans = ids.map((id, s) => {
    const parent = s === 0 ? '' : s < 10 ? b64(ids[0] as string) : b64(ids[1 + (s % 9)] as string);
    const type = s === 0 ? 'AGENT' : s < 10 ? (s % 2 === 0 ? 'TOOL' : 'LLM') : 'RETRIEVER';
    return `{"trace_id":"${otel}","span_id":"${b64(id)}","trace_state":"","parent_span_id":"${parent}","name":"step_${s}","start_time_unix_nano":${start + BigInt(s) * 1000n},"end_time_unix_nano":${start + BigInt(s) * 1000n + 900n},"attributes":${JSON.stringify(
      {
        'mlflow.traceRequestId': JSON.stringify(traceId),
        'mlflow.spanType': JSON.stringify(type),
        'mlflow.spanInputs': JSON.stringify({ query: `input of span ${s}`, k: 5 }),
        'mlflow.spanOutputs': JSON.stringify({ text: `output of span ${s}`, tokens: 42 }),
      },
    )},"status":{"message":"","code":"STATUS_CODE_OK"}}`;
  });
  return `{"spans": [${spans.join(', ')}]}`;
}

/** Writes one trace as MLflow's exporter does: the info, then its spans to the artifact location it names. */
async function writeTrace(base: string, experimentId: string, i: number, spans: number): Promise<string> {
  const traceId = `tr-${hex(16)}`;
  const startMs = Date.now() - (SEARCHED + INGEST - i);
  const answer = JSON.parse(
    await ok(base, 'POST', '/api/3.0/mlflow/traces', traceInfo(experimentId, traceId, i, startMs, spans)),
  ) as { trace: { trace_info: { tags: Record<string, string> } } };
  const location = answer.trace.trace_info.tags['mlflow.artifactLocation'];
  if (location === undefined) throw new Error('the server did not answer mlflow.artifactLocation');
  if (spans > 0) {
    const path = location.replace(/^mlflow-artifacts:\//, '');
    await ok(
      base,
      'PUT',
      `/api/2.0/mlflow-artifacts/artifacts/${path}/traces.json`,
      traceData(traceId, spans, startMs),
      'text/plain',
    );
  }
  return traceId;
}

/** Step 4a: the client of step 1 against a server that only answers (HTTP alone). */
async function httpFloor(): Promise<{ perSecond: number; cpuMs: number }> {
  const bare = await startListeningProcess([fileURLToPath(new URL('./bare-server.js', import.meta.url))]);
  try {
    const cpuStart = bare.cpuSeconds();
    const start = performance.now();
    await pool(INGEST, CONCURRENCY, async (i) => {
      await writeTrace(bare.url, '1', SEARCHED + i, SPANS_PER_TRACE);
    });
    const seconds = (performance.now() - start) / 1000;
    return {
      perSecond: INGEST / seconds,
      cpuMs: (((bare.cpuSeconds() ?? NaN) - (cpuStart ?? NaN)) * 1000) / INGEST,
    };
  } finally {
    await bare.stop();
  }
}

/** Step 4b: what the server does per trace, without HTTP: parse `traces.json`, store the info, spans and file. */
async function storageFloor(dir: string): Promise<number> {
  const client = await TrackingClient.open(`sqlite:///${join(dir, 'storage-floor.db')}`);
  try {
    const traces = client.traces.store;
    if (!isTraceDataStore(traces)) throw new Error('the embedded store keeps no trace files');
    const experimentId = await client.createExperiment('/Shared/bench_agent/development');
    const startMs = Date.now();
    const inputs = Array.from({ length: INGEST }, (_, i) => {
      const traceId = `tr-${hex(16)}`;
      return {
        traceId,
        // The wire's JSON is the store's TraceInfo: the server hands it over as it came.
        info: traceInfo(experimentId, traceId, i, startMs + i, SPANS_PER_TRACE).trace.trace_info as TraceInfo,
        bytes: Buffer.from(traceData(traceId, SPANS_PER_TRACE, startMs + i), 'utf8'),
      };
    });
    const cpuStart = process.cpuUsage();
    await pool(INGEST, CONCURRENCY, async (i) => {
      const { traceId, info, bytes } = inputs[i] as (typeof inputs)[number];
      await traces.startTrace(info);
      const spans = parseTraceData(bytes.toString('utf8'), traceId);
      if (!(await traces.putTraceData(traceId, experimentId, spans, { bytes })))
        throw new Error(`the trace ${traceId} was not stored`);
    });
    const cpu = process.cpuUsage(cpuStart);
    return (cpu.user + cpu.system) / 1000 / INGEST;
  } finally {
    await client.close();
  }
}

/** The figures of one backend's server. */
interface TraceFigures {
  ingestPerSecond: number;
  ingestCpuMs: number;
  byTag: SequentialTimes;
  byStatus: SequentialTimes;
  httpRead: SequentialTimes;
  rowsRead: SequentialTimes;
}

/**
 * Steps 1 to 3 against `agentrack server --backend-store-uri <backendStoreUri> <serverArgs>`,
 * in a process of its own; the span rows are read through a client of the same store.
 */
async function traceFigures(backendStoreUri: string, serverArgs: readonly string[]): Promise<TraceFigures> {
  // BENCH_NODE_ARGS go to the server's node, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const server = await startStoreServerProcess(
    backendStoreUri,
    (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    serverArgs,
  );
  let reader: TrackingClient | undefined;
  try {
    const created = JSON.parse(
      await ok(server.url, 'POST', '/api/2.0/mlflow/experiments/create', {
        name: '/Shared/bench_agent/development',
      }),
    ) as { experiment_id: string };
    const experimentId = created.experiment_id;

    const ingestCpuStart = server.cpuSeconds();
    const clientCpuStart = process.cpuUsage();
    const ingestStart = performance.now();
    await pool(INGEST, CONCURRENCY, async (i) => {
      await writeTrace(server.url, experimentId, SEARCHED + i, SPANS_PER_TRACE);
    });
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    const perSecond = INGEST / ingestSeconds;
    console.log(
      `ingest: ${INGEST} traces of ${SPANS_PER_TRACE} spans in ${fmt(ingestSeconds, 1)} s = ${fmt(perSecond, 0)} traces/s (${CONCURRENCY} in flight, info + traces.json each)`,
    );
    const clientCpu = process.cpuUsage(clientCpuStart);
    const ingestCpuMs = (((server.cpuSeconds() ?? NaN) - (ingestCpuStart ?? NaN)) * 1000) / INGEST;
    console.log(
      `ingest: server CPU (user + system) ${fmt(ingestCpuMs, 3)} ms per trace, at most ${fmt(1000 / ingestCpuMs, 0)} traces/s on one core; the client's ${fmt((clientCpu.user + clientCpu.system) / 1000 / INGEST, 3)} ms`,
    );

    const seedStart = performance.now();
    await pool(SEARCHED, CONCURRENCY, async (i) => {
      await writeTrace(server.url, experimentId, i, 0);
    });
    console.log(
      `seeded ${SEARCHED} more traces (infos only) in ${fmt((performance.now() - seedStart) / 1000, 1)} s`,
    );

    const locations = [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }];
    const total = SEARCHED + INGEST;
    const search = async (
      filter: string,
      expected: number,
      check: (info: { tags?: Record<string, string>; state: string }) => boolean,
    ) => {
      const body = JSON.parse(
        await ok(server.url, 'POST', '/api/3.0/mlflow/traces/search', {
          locations,
          filter,
          max_results: 100,
        }),
      ) as { traces?: { tags?: Record<string, string>; state: string }[] };
      const traces = body.traces ?? [];
      if (traces.length !== Math.min(100, expected) || !traces.every(check)) {
        throw new Error(
          `search ${filter} answered ${traces.length} traces, not ${Math.min(100, expected)} matching ones`,
        );
      }
    };
    const byTag = await timeSequential(
      `search_traces(filter="tags.flow = '<flow>'") over HTTP`,
      { repeats: REPEATS, warmup: WARMUP, unit: 'reads' },
      async (i) => {
        const flow = `f${(i * 37) % 100}`;
        const f = (i * 37) % 100;
        await search(
          `tags.flow = '${flow}'`,
          Math.floor(total / 100) + (f < total % 100 ? 1 : 0),
          (t) => t.tags?.flow === flow,
        );
      },
    );
    const byStatus = await timeSequential(
      `search_traces(filter="trace.status = 'ERROR'") over HTTP`,
      { repeats: REPEATS, warmup: WARMUP, unit: 'reads' },
      async () => {
        await search(`trace.status = 'ERROR'`, Math.ceil(total / 10), (t) => t.state === 'ERROR');
      },
    );

    const bigId = await writeTrace(server.url, experimentId, 0, BIG_TRACE_SPANS);
    const httpRead = await timeSequential(
      `read a ${BIG_TRACE_SPANS}-span trace as MLflow's client does (info + traces.json)`,
      { repeats: READ_REPEATS, warmup: 3, unit: 'reads' },
      async () => {
        const info = JSON.parse(
          await ok(server.url, 'GET', `/api/3.0/mlflow/traces/${bigId}?trace_id=${bigId}`),
        ) as {
          trace: { trace_info: { tags: Record<string, string> } };
        };
        const location = (info.trace.trace_info.tags['mlflow.artifactLocation'] as string).replace(
          /^mlflow-artifacts:\//,
          '',
        );
        const data = JSON.parse(
          await ok(server.url, 'GET', `/api/2.0/mlflow-artifacts/artifacts/${location}/traces.json`),
        ) as {
          spans: unknown[];
        };
        if (data.spans.length !== BIG_TRACE_SPANS)
          throw new Error(`traces.json held ${data.spans.length} spans`);
      },
    );
    reader = await TrackingClient.open(backendStoreUri, { mode: 'read' });
    const client = reader;
    const rowsRead = await timeSequential(
      `read a ${BIG_TRACE_SPANS}-span trace from its span rows (client.traces.getTrace, embedded)`,
      { repeats: READ_REPEATS, warmup: 3, unit: 'reads' },
      async () => {
        const trace = await client.traces.getTrace(bigId);
        if (trace.spans.length !== BIG_TRACE_SPANS)
          throw new Error(`getTrace answered ${trace.spans.length} spans`);
      },
    );
    return { ingestPerSecond: perSecond, ingestCpuMs, byTag, byStatus, httpRead, rowsRead };
  } finally {
    await reader?.close();
    const exit = await server.stop();
    if (exit.stderr.trim()) console.error(exit.stderr);
  }
}

/** The figures side by side, a column per backend. */
function printTable(columns: readonly [string, TraceFigures][]): void {
  const ms = (t: SequentialTimes) => `${fmt(t.p50)} / ${fmt(t.p99)}`;
  const rows: SideBySideRow<TraceFigures>[] = [
    [`ingest, traces/s (${CONCURRENCY} in flight)`, (f) => fmt(f.ingestPerSecond, 0)],
    ['ingest, server CPU ms per trace', (f) => fmt(f.ingestCpuMs, 3)],
    ["search tags.flow = '<flow>', p50 / p99 ms", (f) => ms(f.byTag)],
    ["search trace.status = 'ERROR', p50 / p99 ms", (f) => ms(f.byStatus)],
    [`read ${BIG_TRACE_SPANS} spans over HTTP, p50 / p99 ms`, (f) => ms(f.httpRead)],
    [`read ${BIG_TRACE_SPANS} spans from rows, p50 / p99 ms`, (f) => ms(f.rowsRead)],
  ];
  printSideBySide('side by side:', rows, columns);
}

function printTargets(backend: string, f: TraceFigures): void {
  const target = (what: string, met: boolean) => console.log(`target (${backend}): ${what}: ${verdict(met)}`);
  target(`ingest >= ${TARGETS.ingestPerSecond} traces/s`, f.ingestPerSecond >= TARGETS.ingestPerSecond);
  target(`search by tag p50 < ${TARGETS.searchP50Ms} ms`, f.byTag.p50 < TARGETS.searchP50Ms);
  target(`search by status p50 < ${TARGETS.searchP50Ms} ms`, f.byStatus.p50 < TARGETS.searchP50Ms);
  target(
    `read a ${BIG_TRACE_SPANS}-span trace over HTTP p50 < ${TARGETS.readMs} ms`,
    f.httpRead.p50 < TARGETS.readMs,
  );
  target(
    `read a ${BIG_TRACE_SPANS}-span trace from rows p50 < ${TARGETS.readMs} ms`,
    f.rowsRead.p50 < TARGETS.readMs,
  );
}

async function main(): Promise<void> {
  console.log(
    `agentrack traces benchmark: ingest ${INGEST} traces of ${SPANS_PER_TRACE} spans, search among ${SEARCHED + INGEST} traces, read one of ${BIG_TRACE_SPANS} spans`,
  );
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => fmt(l))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-traces-'));
  try {
    console.log('SQLite:');
    const columns: [string, TraceFigures][] = [
      ['SQLite', await traceFigures(`sqlite:///${join(dir, 'agentrack.db')}`, [])],
    ];

    const http = await httpFloor();
    console.log(
      `ingest, HTTP alone (a bare node:http server that stores nothing, same client): ${fmt(http.perSecond, 0)} traces/s, server CPU ${fmt(http.cpuMs, 3)} ms per trace`,
    );
    const storageMs = await storageFloor(dir);
    console.log(
      `ingest, storage alone (parse traces.json, store info, spans and file; in process, ${CONCURRENCY} in flight): CPU ${fmt(storageMs, 3)} ms per trace`,
    );
    console.log(
      `ingest: the two floors add up to ${fmt(http.cpuMs + storageMs, 3)} ms per trace, at most ${fmt(1000 / (http.cpuMs + storageMs), 0)} traces/s on one core`,
    );

    const postgres = await benchPostgres();
    if (postgres) {
      try {
        console.log('PostgreSQL:');
        const database = await postgres.createDatabase('agentrack_bench_traces');
        columns.push([
          'PostgreSQL',
          await traceFigures(database.url, ['--artifacts-destination', join(dir, 'pg-artifacts')]),
        ]);
      } catch (error) {
        // SQLite's figures are still printed; the run fails at the end.
        console.log(`PostgreSQL part failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      } finally {
        await postgres.stop();
      }
    }

    console.log('');
    printTable(columns);
    for (const [backend, figures] of columns) printTargets(backend, figures);
    console.log(
      `load average at the end ${loadavg()
        .map((l) => fmt(l))
        .join(' ')}`,
    );
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

/**
 * Web UI benchmark: prints figures from a real browser, asserts nothing but that it measured
 * the right thing.
 *
 *   npm run bench:ui
 *   BENCH_UI_RUNS=20000 BENCH_UI_REPEATS=3 npm run bench:ui
 *
 * `agentrack server` runs in a process of its own (dist/cli/main.js, serving the built UI in
 * dist/ui) on a SQLite file seeded before it starts: BENCH_UI_RUNS runs (100,000) written
 * straight into the store's tables (bench/server/seed.ts) in the lane
 * `/Shared/bench_agent/development`, and through the store's log-batch calls a run of the
 * evaluation lane with a metric of BENCH_UI_POINTS steps (100,000). Once it listens, a trace
 * of 10,000 spans is logged through its REST API. Then, in Debian's Chromium (playwright-core),
 * each in a fresh browser context (nothing cached), after an untimed warm-up, the median of
 * BENCH_UI_REPEATS loads (5) of:
 * 1. the lane `/experiments/<id>`: navigation start to the first table row visible; and the same
 *    lane sorted by duration (`?order=duration:desc`, agentrack's `attributes.duration`, which
 *    no index serves: every run of the lane is read and sorted);
 * 2. the agents page `/`: navigation start to the first agent's name visible;
 * 3. the run page `/runs/<id>` of the long metric: navigation start to its chart's canvas painted;
 * 4. the trace page `/traces/<id>`: navigation start to the first span row visible;
 * 5. the JavaScript `/` loads: every script the browser fetched, gzipped from dist/ui/assets.
 * Times are read in the page (`performance.now()`, whose origin is the navigation's start) on
 * the first animation frame where the element is there. A page that never shows it within
 * BENCH_UI_TIMEOUT_MS (10 s) is reported as not rendered.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium, errors, type Browser } from 'playwright-core';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Span } from '../../src/entities/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { seedRuns } from '../server/seed.js';
import { startServerProcess } from '../server/server-process.js';

/**
 * What each figure waits for, evaluated in the page on every animation frame: generic signals
 * while the pages are being built; adjust here when a page settles on its own markup.
 */
export const SIGNALS = {
  /** The lane: a table row that holds cells (not the header row, nor the data table's aria-hidden spacer rows). */
  laneRow: `!!document.querySelector('main [role="row"]:has([role="cell"], [role="gridcell"]), main tbody tr:not([aria-hidden="true"]):has(td)')`,
  /** The agents page: the seeded agent's name shown in the page. */
  agent: `(document.querySelector('main')?.innerText ?? '').includes('bench_agent')`,
  /** The run page: a canvas in the page with at least one painted pixel. */
  chart: `[...document.querySelectorAll('main canvas')].some((c) => {
    if (c.width === 0 || c.height === 0) return false;
    const ctx = c.getContext('2d');
    if (!ctx) return false;
    const pixels = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
    return false;
  })`,
  /** The trace page: a row or tree item naming one of the seeded spans. */
  spanRow: `[...document.querySelectorAll('main [role="treeitem"], main [role="row"]')].some((e) => (e.textContent ?? '').includes('step_'))`,
} as const;

const RUNS = Number(process.env.BENCH_UI_RUNS ?? 100_000);
const POINTS = Number(process.env.BENCH_UI_POINTS ?? 100_000);
const SPANS = 10_000;
const REPEATS = Number(process.env.BENCH_UI_REPEATS ?? 5);
const TIMEOUT_MS = Number(process.env.BENCH_UI_TIMEOUT_MS ?? 10_000);
const TARGETS = { firstPageMs: 1000, chartMs: 1000, spansMs: 1000, firstPageJsKb: 300 } as const;
const ASSETS = fileURLToPath(new URL('../../../dist/ui/assets/', import.meta.url));

/** Debian's Chromium, as the browser tests use it (test/ui/browser.ts, which imports the server and so is not imported here). */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * Loads `url` in a fresh context and answers the page's `performance.now()` on the first frame
 * where `signal` holds (milliseconds since the navigation started), or undefined on a timeout.
 */
async function timeToSignal(browser: Browser, url: string, signal: string): Promise<number | undefined> {
  // Playwright polls a string predicate with eval, which the UI's CSP forbids; the app's own scripts load as ever.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page
      .waitForFunction(`(() => (${signal}) ? performance.now() : false)()`, undefined, {
        polling: 'raf',
        timeout: TIMEOUT_MS,
      })
      .catch((error: unknown) => {
        // A signal that throws is a bug here, not a page that is slow.
        if (error instanceof errors.TimeoutError) return undefined;
        throw error;
      });
    return handle === undefined ? undefined : ((await handle.jsonValue()) as number);
  } finally {
    await context.close();
  }
}

/** One figure: a warm-up, then the median of REPEATS loads, printed with its target. */
async function figure(browser: Browser, label: string, url: string, signal: string, targetMs: number) {
  if ((await timeToSignal(browser, url, signal)) === undefined) {
    console.log(`${label}: not rendered within ${fmt(TIMEOUT_MS)} ms (target < ${targetMs} ms): MISSED`);
    return;
  }
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const ms = await timeToSignal(browser, url, signal);
    if (ms === undefined) {
      console.log(`${label}: not rendered within ${fmt(TIMEOUT_MS)} ms (target < ${targetMs} ms): MISSED`);
      return;
    }
    times.push(ms);
  }
  const p50 = median(times);
  console.log(
    `${label}: median ${fmt(p50)} ms of ${REPEATS} (${times.map((t) => fmt(t)).join(', ')}) (target < ${targetMs} ms): ${verdict(p50 < targetMs)}`,
  );
}

/** The gzipped size of every script the browser fetched for `url`, from the built files. */
async function firstPageScripts(browser: Browser, url: string): Promise<void> {
  const context = await browser.newContext();
  const names = new Set<string>();
  try {
    const page = await context.newPage();
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script')
        names.add(basename(new URL(response.url()).pathname));
    });
    await page.goto(url, { waitUntil: 'networkidle' });
  } finally {
    await context.close();
  }
  if (names.size === 0) throw new Error(`the browser fetched no script for ${url}`);
  let total = 0;
  for (const name of [...names].sort()) {
    const file = join(ASSETS, name);
    if (!existsSync(file)) throw new Error(`${name} was fetched but is not in ${ASSETS}`);
    const raw = readFileSync(file);
    const gzipped = gzipSync(raw).length;
    total += gzipped;
    console.log(`  ${name}: ${fmt(raw.length / 1024, 1)} kB, ${fmt(gzipped / 1024, 1)} kB gzipped`);
  }
  const kb = total / 1024;
  console.log(
    `JavaScript of the first page (/): ${names.size} scripts, ${fmt(kb, 1)} kB gzipped (target < ${TARGETS.firstPageJsKb} kB): ${verdict(kb < TARGETS.firstPageJsKb)}`,
  );
}

/** A trace of `count` spans: a root AGENT span, nine LLM/TOOL children, RETRIEVER grandchildren below them. */
function bigTrace(experimentId: string, count: number) {
  const traceId = `tr-${randomBytes(16).toString('hex')}`;
  const startMs = Date.now() - 60_000;
  const start = BigInt(startMs) * 1_000_000n;
  const ids = Array.from({ length: count }, () => randomBytes(8).toString('hex'));
  const spans: Span[] = ids.map((id, s) => ({
    trace_id: traceId,
    span_id: id,
    ...(s === 0 ? {} : { parent_span_id: (s < 10 ? ids[0] : ids[1 + (s % 9)]) as string }),
    name: `step_${s}`,
    span_type: s === 0 ? 'AGENT' : s < 10 ? (s % 2 === 0 ? 'TOOL' : 'LLM') : 'RETRIEVER',
    status: 'OK',
    start_time_unix_nano: String(start + BigInt(s) * 1_000_000n),
    end_time_unix_nano: String(start + BigInt(s) * 1_000_000n + 900_000n),
    attributes: {
      'mlflow.spanInputs': { query: `input of span ${s}`, k: 5 },
      'mlflow.spanOutputs': { text: `output of span ${s}`, tokens: 42 },
    },
  }));
  return {
    info: {
      trace_id: traceId,
      trace_location: {
        type: 'MLFLOW_EXPERIMENT' as const,
        mlflow_experiment: { experiment_id: experimentId },
      },
      request_time: new Date(startMs).toISOString(),
      execution_duration: `${(count / 1000).toFixed(3)}s`,
      state: 'OK' as const,
      tags: { 'mlflow.traceName': 'step_0' },
    },
    spans,
  };
}

async function main(): Promise<void> {
  console.log(
    `agentrack web UI benchmark (npm run bench:ui): a lane of ${fmt(RUNS)} runs, a metric of ${fmt(POINTS)} steps, a trace of ${fmt(SPANS)} spans; median of ${REPEATS} loads after a warm-up, each in a fresh browser context`,
  );
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
  if (!existsSync(ASSETS)) throw new Error(`${ASSETS} not found: run \`npm run build\` first`);
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-ui-'));
  const database = join(dir, 'agentrack.db');
  try {
    const seeded = await seedRuns(database, RUNS);
    const store = await openSqliteStore(database);
    let runId: string;
    let evaluationId: string;
    const laneId = seeded.experimentId;
    const metricStart = performance.now();
    try {
      await store.renameExperiment(laneId, '/Shared/bench_agent/development');
      evaluationId = await store.createExperiment({ name: '/Shared/bench_agent/evaluation' });
      await store.createExperiment({ name: '/Shared/bench_agent/deployment' });
      const run = await store.createRun({
        experimentId: evaluationId,
        startTime: Date.now(),
        runName: 'eval_pre_deploy_long_metric',
        tags: [
          { key: 'agent_name', value: 'bench_agent' },
          { key: 'run_type', value: 'evaluation' },
        ],
      });
      runId = run.info.run_id;
      const timestamp = Date.now();
      for (let from = 0; from < POINTS; from += 1000) {
        const metrics = Array.from({ length: Math.min(1000, POINTS - from) }, (_, i) => ({
          key: 'loss',
          value: Math.exp(-(from + i) / 20_000) + 0.01 * Math.sin((from + i) / 50),
          timestamp: timestamp + from + i,
          step: from + i,
        }));
        await store.logBatch(runId, { metrics, params: [], tags: [] });
      }
      await store.updateRun(runId, { status: 'FINISHED', endTime: Date.now() });
    } finally {
      await store.close();
    }
    console.log(
      `seeded: ${fmt(RUNS)} runs in ${fmt(seeded.seconds, 1)} s (straight into the tables), ${fmt(POINTS)} metric steps in ${fmt((performance.now() - metricStart) / 1000, 1)} s (store.logBatch, 1,000 a call)`,
    );

    const server = await startServerProcess(database);
    let browser: Browser | undefined;
    try {
      const client = await TrackingClient.open(server.url);
      let traceId: string;
      try {
        const traceStart = performance.now();
        traceId = (await client.traces.logTrace(bigTrace(laneId, SPANS))).info.trace_id;
        console.log(
          `seeded: a trace of ${fmt(SPANS)} spans in ${fmt((performance.now() - traceStart) / 1000, 1)} s (client.traces.logTrace over REST)`,
        );
      } finally {
        await client.close();
      }
      if (!existsSync(CHROMIUM_PATH))
        throw new Error(`Chromium is not installed at ${CHROMIUM_PATH}: set CHROMIUM_PATH`);
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      console.log(`browser: ${browser.version()}`);
      await figure(
        browser,
        `lane of ${fmt(RUNS)} runs (/experiments/${laneId}), to the first row`,
        `${server.url}/experiments/${laneId}`,
        SIGNALS.laneRow,
        TARGETS.firstPageMs,
      );
      await figure(
        browser,
        `lane of ${fmt(RUNS)} runs sorted by duration (?order=duration:desc), to the first row`,
        `${server.url}/experiments/${laneId}?order=duration:desc`,
        SIGNALS.laneRow,
        TARGETS.firstPageMs,
      );
      await figure(
        browser,
        'agents page (/), to the first agent',
        `${server.url}/`,
        SIGNALS.agent,
        TARGETS.firstPageMs,
      );
      await figure(
        browser,
        `run page with a ${fmt(POINTS)}-point metric (/runs/${runId}), to the chart painted`,
        `${server.url}/runs/${runId}`,
        SIGNALS.chart,
        TARGETS.chartMs,
      );
      await figure(
        browser,
        `trace of ${fmt(SPANS)} spans (/traces/${traceId}), to the first span rows`,
        `${server.url}/traces/${traceId}`,
        SIGNALS.spanRow,
        TARGETS.spansMs,
      );
      await firstPageScripts(browser, `${server.url}/`);
    } finally {
      await browser?.close();
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `load average at the end ${loadavg()
      .map((l) => fmt(l, 2))
      .join(' ')}`,
  );
}

// Imported (to check the signals), it only exports them.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();

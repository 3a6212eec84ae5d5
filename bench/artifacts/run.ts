/**
 * Artifact benchmark: prints figures, asserts nothing but that it measured the right thing.
 *
 *   npm run build && npm run bench:artifacts                 # a 1 GiB file, 10,000 files listed
 *   BENCH_ARTIFACT_MB=256 BENCH_ARTIFACT_FILES=2000 npm run bench:artifacts
 *
 * `agentrack server` runs in a process of its own (dist/cli/main.js) on a fresh SQLite file,
 * serving artifacts from a local destination beside it. Over loopback, as MLflow's client
 * does (one PUT with the raw bytes and Content-Length; one chunked GET):
 * 1. uploads a file of BENCH_ARTIFACT_MB MiB, then downloads it, each timed (MB/s), while the
 *    server's RSS is sampled every 50 ms; the stored file and the downloaded bytes are checked
 *    against the source (size and SHA-256, outside the timing);
 * 2. uploads BENCH_ARTIFACT_FILES small files into one folder, then lists that folder
 *    (`GET /api/2.0/mlflow-artifacts/artifacts?path=`) BENCH_LIST_REPEATS times: p50 and p99.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { startServerProcess, type ServerProcess } from '../server/server-process.js';

const MIB = 1024 * 1024;
const FILE_MB = Number(process.env.BENCH_ARTIFACT_MB ?? 1024);
const LIST_FILES = Number(process.env.BENCH_ARTIFACT_FILES ?? 10_000);
const LIST_REPEATS = Number(process.env.BENCH_LIST_REPEATS ?? 50);
const UPLOAD_CONCURRENCY = 16;
const API = '/api/2.0/mlflow';
const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

const TARGETS = { uploadMBps: 300, downloadMBps: 300, rssGrowthMb: 64, listP50Ms: 100 } as const;

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

async function call<T>(server: ServerProcess, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}${API}/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** One HTTP exchange with node:http (no fetch overhead on the client side of the figures). */
function exchange(
  url: string,
  method: string,
  headers: Record<string, string | number>,
  send: (req: ClientRequest) => Promise<void> | void,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, resolve);
    req.on('error', reject);
    Promise.resolve(send(req)).catch((error: unknown) => {
      req.destroy(error as Error);
      reject(error as Error);
    });
  });
}

async function readAll(res: IncomingMessage): Promise<string> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk as string;
  return text;
}

async function expectOk(res: IncomingMessage, what: string): Promise<string> {
  const text = await readAll(res);
  if ((res.statusCode ?? 0) >= 300) throw new Error(`${what}: HTTP ${res.statusCode}: ${text.slice(0, 300)}`);
  return text;
}

/** Writes `mb` MiB of incompressible bytes (a random MiB, varied per block) and returns its SHA-256. */
async function makeFile(path: string, mb: number): Promise<string> {
  const block = randomBytes(MIB);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  for (let i = 0; i < mb; i++) {
    block.writeUInt32LE(i, 0);
    hash.update(block);
    if (!out.write(block)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  return hash.digest('hex');
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: MIB }), hash);
  return hash.digest('hex');
}

/** Samples the server's RSS every 50 ms until stopped; returns the highest sample. */
function sampleRss(server: ServerProcess): { stop(): number } {
  let peak = server.memory()?.rssMb ?? NaN;
  const timer = setInterval(() => {
    const rss = server.memory()?.rssMb;
    if (rss !== undefined && !(rss <= peak)) peak = rss;
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      const rss = server.memory()?.rssMb;
      if (rss !== undefined && !(rss <= peak)) peak = rss;
      return peak;
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-artifacts-'));
  const dbPath = join(dir, 'bench.db');
  const destination = join(dir, 'destination');
  const server = await startServerProcess(dbPath, [], ['--artifacts-destination', destination]);
  try {
    console.log(
      `agentrack server ${server.url} (pid ${server.pid}), destination ${destination}, ${FILE_MB} MiB file, ${fmt(LIST_FILES)} files listed`,
    );
    const { experiment_id: experimentId } = await call<{ experiment_id: string }>(
      server,
      'experiments/create',
      {
        name: '/Shared/bench/artifacts',
      },
    );
    const { run } = await call<{ run: { info: { run_id: string; artifact_uri: string } } }>(
      server,
      'runs/create',
      {
        experiment_id: experimentId,
        start_time: Date.now(),
      },
    );
    const prefix = run.info.artifact_uri.replace(/^mlflow-artifacts:\/*/, '');
    if (prefix === run.info.artifact_uri) throw new Error(`unexpected artifact_uri ${run.info.artifact_uri}`);

    // 1. One large file up and down.
    const source = join(dir, 'large.bin');
    const bytes = FILE_MB * MIB;
    const digest = await makeFile(source, FILE_MB);
    const url = `${server.url}${ARTIFACTS}/${prefix}/large/large.bin`;
    const before = server.memory();
    let rss = sampleRss(server);
    let start = performance.now();
    await expectOk(
      await exchange(
        url,
        'PUT',
        { 'content-type': 'application/octet-stream', 'content-length': bytes },
        (req) => pipeline(createReadStream(source, { highWaterMark: MIB }), req),
      ),
      'upload',
    );
    const uploadSeconds = (performance.now() - start) / 1000;
    const uploadPeak = rss.stop();

    rss = sampleRss(server);
    start = performance.now();
    const download = await exchange(url, 'GET', {}, (req) => void req.end());
    if (download.statusCode !== 200)
      throw new Error(`download: HTTP ${download.statusCode}: ${await readAll(download)}`);
    let received = 0;
    const downloadHash = createHash('sha256');
    const hashing = process.env.BENCH_HASH_DOWNLOAD === '1';
    for await (const chunk of download) {
      received += (chunk as Buffer).length;
      if (hashing) downloadHash.update(chunk as Buffer);
    }
    const downloadSeconds = (performance.now() - start) / 1000;
    const downloadPeak = rss.stop();
    if (received !== bytes) throw new Error(`download: ${received} bytes received, ${bytes} expected`);
    if (hashing && downloadHash.digest('hex') !== digest)
      throw new Error('download: SHA-256 differs from the source');
    const stored = join(destination, prefix, 'large', 'large.bin');
    if ((await stat(stored)).size !== bytes || (await sha256(stored)) !== digest) {
      throw new Error(`the stored file ${stored} differs from the source`);
    }
    rmSync(source);

    const uploadMBps = bytes / MIB / uploadSeconds;
    const downloadMBps = bytes / MIB / downloadSeconds;
    const baseline = before?.rssMb ?? NaN;
    const growth = Math.max(uploadPeak, downloadPeak) - baseline;
    console.log(`1. ${FILE_MB} MiB file through the server (local destination), stored file SHA-256 checked`);
    console.log(
      `  upload    ${fmt(uploadMBps).padStart(6)} MB/s (${fmt(uploadSeconds, 2)} s)   target >= ${TARGETS.uploadMBps}: ${verdict(uploadMBps >= TARGETS.uploadMBps)}`,
    );
    console.log(
      `  download  ${fmt(downloadMBps).padStart(6)} MB/s (${fmt(downloadSeconds, 2)} s)   target >= ${TARGETS.downloadMBps}: ${verdict(downloadMBps >= TARGETS.downloadMBps)}${hashing ? ' (SHA-256 of the received bytes checked)' : ''}`,
    );
    console.log(
      `  server RSS before ${fmt(baseline)} MB, peak during upload ${fmt(uploadPeak)} MB, during download ${fmt(downloadPeak)} MB: growth ${fmt(growth, 1)} MB   target < ${TARGETS.rssGrowthMb}: ${verdict(growth < TARGETS.rssGrowthMb)}`,
    );

    // 2. A folder of many small files, listed.
    const folder = `${prefix}/many`;
    let next = 0;
    start = performance.now();
    await Promise.all(
      Array.from({ length: UPLOAD_CONCURRENCY }, async () => {
        for (let i = next++; i < LIST_FILES; i = next++) {
          const body = Buffer.from(`file ${i}\n`);
          await expectOk(
            await exchange(
              `${server.url}${ARTIFACTS}/${folder}/file-${String(i).padStart(5, '0')}.txt`,
              'PUT',
              { 'content-type': 'text/plain', 'content-length': body.length },
              (req) => void req.end(body),
            ),
            'small upload',
          );
        }
      }),
    );
    const smallSeconds = (performance.now() - start) / 1000;
    const timings: number[] = [];
    for (let i = 0; i < LIST_REPEATS; i++) {
      const t0 = performance.now();
      const text = await expectOk(
        await exchange(
          `${server.url}${ARTIFACTS}?path=${encodeURIComponent(folder)}`,
          'GET',
          {},
          (req) => void req.end(),
        ),
        'listing',
      );
      timings.push(performance.now() - t0);
      const files = (JSON.parse(text) as { files?: unknown[] }).files ?? [];
      if (files.length !== LIST_FILES)
        throw new Error(`listing: ${files.length} files, ${LIST_FILES} expected`);
    }
    timings.sort((a, b) => a - b);
    const p50 = percentile(timings, 0.5);
    console.log(
      `2. a folder of ${fmt(LIST_FILES)} files (uploaded in ${fmt(smallSeconds, 1)} s, ${fmt(LIST_FILES / smallSeconds)} files/s at ${UPLOAD_CONCURRENCY} connections), listed ${LIST_REPEATS} times`,
    );
    console.log(
      `  listing   p50 ${fmt(p50, 1)} ms   p99 ${fmt(percentile(timings, 0.99), 1)} ms   target p50 < ${TARGETS.listP50Ms} ms: ${verdict(p50 < TARGETS.listP50Ms)}`,
    );
    const memory = server.memory();
    if (memory)
      console.log(
        `  server RSS at the end ${fmt(memory.rssMb)} MB, peak (VmHWM) ${fmt(memory.peakRssMb)} MB`,
      );
  } finally {
    const exit = await server.stop();
    if (exit.code !== 0) console.log(`server exited with ${exit.code}:\n${exit.stderr}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

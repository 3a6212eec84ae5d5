/**
 * Artifact benchmark: prints figures, asserts nothing but that it measured the right thing.
 *
 *   npm run build && npm run bench:artifacts                 # a 1 GiB file, 10,000 files listed
 *   BENCH_ARTIFACT_MB=256 BENCH_ARTIFACT_FILES=2000 npm run bench:artifacts
 *   BENCH_ARTIFACT_DIR=/dev/shm npm run bench:artifacts      # files on tmpfs instead of os.tmpdir()
 *   BENCH_ARTIFACT_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:artifacts
 *
 * `agentrack server` runs in a process of its own (dist/cli/main.js, with BENCH_ARTIFACT_NODE_ARGS
 * given to node) on a fresh SQLite file, serving artifacts from a local destination beside it,
 * in a new folder under BENCH_ARTIFACT_DIR (default os.tmpdir(); its file system is printed).
 * The client is node:http, in this process. Over loopback, as MLflow's client does (one PUT
 * with the raw bytes and Content-Length; one chunked GET):
 * 1. after an untimed warm-up (a 16 MiB file up and down), uploads a file of BENCH_ARTIFACT_MB
 *    MiB (written beforehand and flushed to its disk, so that its write-back is not timed), then
 *    downloads it (flushed to disk first, still in the page cache), each timed (MB/s) with the
 *    CPU time the server and the client used, while the server's RSS is sampled every 50 ms
 *    from before the warm-up; the stored file is checked against the source (size and SHA-256,
 *    outside the timing), the downloaded bytes by count (and SHA-256 with BENCH_HASH_DOWNLOAD=1);
 * 2. uploads BENCH_ARTIFACT_FILES small files into one folder, then lists that folder
 *    (`GET /api/2.0/mlflow-artifacts/artifacts?path=`) once untimed and BENCH_LIST_REPEATS times
 *    timed (to the last byte of the answer, one at a time): p50 and p99.
 * The load average is printed at the start and the end: other processes on the machine count.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { startServerProcess, type ServerProcess } from '../server/server-process.js';

const MIB = 1024 * 1024;
const FILE_MB = Number(process.env.BENCH_ARTIFACT_MB ?? 1024);
const LIST_FILES = Number(process.env.BENCH_ARTIFACT_FILES ?? 10_000);
const LIST_REPEATS = Number(process.env.BENCH_LIST_REPEATS ?? 50);
const BASE_DIR = process.env.BENCH_ARTIFACT_DIR ?? tmpdir();
const NODE_ARGS = (process.env.BENCH_ARTIFACT_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const WARMUP_MB = 16;
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

/**
 * Writes `mb` MiB of incompressible bytes (a random MiB, varied per block), flushed to its
 * disk (so that no write-back of it runs while the upload is timed), and returns its SHA-256.
 */
async function makeFile(path: string, mb: number): Promise<string> {
  const block = randomBytes(MIB);
  const hash = createHash('sha256');
  const out = await open(path, 'w');
  try {
    for (let i = 0; i < mb; i++) {
      block.writeUInt32LE(i, 0);
      hash.update(block);
      await out.write(block);
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return hash.digest('hex');
}

/** Flushes the file at `path` to its disk; its pages stay cached. */
async function flush(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The type of the file system `path` is on (`ext4`, `tmpfs`, ...), from /proc/mounts. */
function fileSystemOf(path: string): string {
  let mounts: string;
  try {
    mounts = readFileSync('/proc/mounts', 'utf8');
  } catch {
    return 'unknown';
  }
  const real = realpathSync(path);
  let best = { point: '', type: 'unknown' };
  for (const line of mounts.split('\n')) {
    const [, point, type] = line.split(' ');
    if (point === undefined || type === undefined) continue;
    const inside = point === '/' || real === point || real.startsWith(`${point}/`);
    if (inside && point.length >= best.point.length) best = { point, type };
  }
  return `${best.type} (${best.point})`;
}

const load = () =>
  loadavg()
    .map((n) => fmt(n, 2))
    .join(' ');

/** The CPU time the server and this process (the client) use while `run` runs, in seconds. */
async function withCpu<T>(
  server: ServerProcess,
  run: () => Promise<T>,
): Promise<{ result: T; serverCpu: number; clientCpu: number }> {
  const serverBefore = server.cpuSeconds() ?? NaN;
  const clientBefore = process.cpuUsage();
  const result = await run();
  const client = process.cpuUsage(clientBefore);
  return {
    result,
    serverCpu: (server.cpuSeconds() ?? NaN) - serverBefore,
    clientCpu: (client.user + client.system) / 1e6,
  };
}

/** One PUT of the file at `source` (`bytes` long) to `url`, as MLflow's client sends it. */
async function uploadFile(url: string, source: string, bytes: number): Promise<void> {
  await expectOk(
    await exchange(
      url,
      'PUT',
      { 'content-type': 'application/octet-stream', 'content-length': bytes },
      (req) => pipeline(createReadStream(source, { highWaterMark: MIB }), req),
    ),
    'upload',
  );
}

/** One GET of `url`, read to its end; the number of bytes and, with `hash`, their SHA-256. */
async function downloadFile(url: string, hash: boolean): Promise<{ received: number; digest?: string }> {
  const download = await exchange(url, 'GET', {}, (req) => void req.end());
  if (download.statusCode !== 200)
    throw new Error(`download: HTTP ${download.statusCode}: ${await readAll(download)}`);
  let received = 0;
  const digest = hash ? createHash('sha256') : undefined;
  // 'data' events rather than an async iterator: about a tenth less client CPU per GiB.
  await new Promise<void>((resolve, reject) => {
    download.on('data', (chunk: Buffer) => {
      received += chunk.length;
      digest?.update(chunk);
    });
    download.once('end', resolve);
    download.once('error', reject);
    download.once('close', () => {
      if (!download.complete) reject(new Error('download: the connection closed before the end'));
    });
  });
  return digest ? { received, digest: digest.digest('hex') } : { received };
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
  const dir = mkdtempSync(join(BASE_DIR, 'agentrack-bench-artifacts-'));
  const dbPath = join(dir, 'bench.db');
  const destination = join(dir, 'destination');
  const loadAtStart = load();
  const server = await startServerProcess(dbPath, NODE_ARGS, ['--artifacts-destination', destination]);
  try {
    console.log(
      `agentrack server ${server.url} (pid ${server.pid}${NODE_ARGS.length ? `, node ${NODE_ARGS.join(' ')}` : ''}), ${FILE_MB} MiB file, ${fmt(LIST_FILES)} files listed`,
    );
    console.log(
      `  files in ${dir} on ${fileSystemOf(dir)}; ${availableParallelism()} CPUs, load average at the start ${loadAtStart}`,
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

    // 1. One large file up and down, after a small one (untimed) for the server's first-use costs.
    const before = server.memory();
    let rss = sampleRss(server);
    const warmup = join(dir, 'warmup.bin');
    await makeFile(warmup, WARMUP_MB);
    const warmupUrl = `${server.url}${ARTIFACTS}/${prefix}/warmup/warmup.bin`;
    await uploadFile(warmupUrl, warmup, WARMUP_MB * MIB);
    if ((await downloadFile(warmupUrl, false)).received !== WARMUP_MB * MIB)
      throw new Error('warm-up download');
    rmSync(warmup);

    const source = join(dir, 'large.bin');
    const bytes = FILE_MB * MIB;
    const digest = await makeFile(source, FILE_MB);
    const url = `${server.url}${ARTIFACTS}/${prefix}/large/large.bin`;
    let start = performance.now();
    const upload = await withCpu(server, () => uploadFile(url, source, bytes));
    const uploadSeconds = (performance.now() - start) / 1000;
    const uploadPeak = rss.stop();
    const stored = join(destination, prefix, 'large', 'large.bin');
    await flush(stored);

    const hashing = process.env.BENCH_HASH_DOWNLOAD === '1';
    rss = sampleRss(server);
    start = performance.now();
    const download = await withCpu(server, () => downloadFile(url, hashing));
    const downloadSeconds = (performance.now() - start) / 1000;
    const downloadPeak = rss.stop();
    if (download.result.received !== bytes)
      throw new Error(`download: ${download.result.received} bytes received, ${bytes} expected`);
    if (hashing && download.result.digest !== digest)
      throw new Error('download: SHA-256 differs from the source');
    if ((await stat(stored)).size !== bytes || (await sha256(stored)) !== digest) {
      throw new Error(`the stored file ${stored} differs from the source`);
    }
    rmSync(source);

    const uploadMBps = bytes / MIB / uploadSeconds;
    const downloadMBps = bytes / MIB / downloadSeconds;
    const baseline = before?.rssMb ?? NaN;
    const growth = Math.max(uploadPeak, downloadPeak) - baseline;
    const cpu = (phase: { serverCpu: number; clientCpu: number }) =>
      `server CPU ${fmt(phase.serverCpu, 2)} s (${fmt(bytes / MIB / phase.serverCpu)} MB per CPU-second), client CPU ${fmt(phase.clientCpu, 2)} s`;
    console.log(`1. ${FILE_MB} MiB file through the server (local destination), stored file SHA-256 checked`);
    console.log(
      `  upload    ${fmt(uploadMBps).padStart(6)} MB/s (${fmt(uploadSeconds, 2)} s)   target >= ${TARGETS.uploadMBps}: ${verdict(uploadMBps >= TARGETS.uploadMBps)}   ${cpu(upload)}`,
    );
    console.log(
      `  download  ${fmt(downloadMBps).padStart(6)} MB/s (${fmt(downloadSeconds, 2)} s)   target >= ${TARGETS.downloadMBps}: ${verdict(downloadMBps >= TARGETS.downloadMBps)}   ${cpu(download)}${hashing ? ' (SHA-256 of the received bytes checked)' : ''}`,
    );
    console.log(
      `  server RSS before ${fmt(baseline)} MB, peak during warm-up and upload ${fmt(uploadPeak)} MB, during download ${fmt(downloadPeak)} MB: growth ${fmt(growth, 1)} MB   target < ${TARGETS.rssGrowthMb}: ${verdict(growth < TARGETS.rssGrowthMb)}`,
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
    const listOnce = async () => {
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
      const ms = performance.now() - t0;
      const files = (JSON.parse(text) as { files?: unknown[] }).files ?? [];
      if (files.length !== LIST_FILES)
        throw new Error(`listing: ${files.length} files, ${LIST_FILES} expected`);
      return ms;
    };
    await listOnce();
    const timings: number[] = [];
    const listing = await withCpu(server, async () => {
      for (let i = 0; i < LIST_REPEATS; i++) timings.push(await listOnce());
    });
    timings.sort((a, b) => a - b);
    const p50 = percentile(timings, 0.5);
    console.log(
      `2. a folder of ${fmt(LIST_FILES)} files (uploaded in ${fmt(smallSeconds, 1)} s, ${fmt(LIST_FILES / smallSeconds)} files/s at ${UPLOAD_CONCURRENCY} connections), listed ${LIST_REPEATS} times`,
    );
    console.log(
      `  listing   p50 ${fmt(p50, 1)} ms   p99 ${fmt(percentile(timings, 0.99), 1)} ms   target p50 < ${TARGETS.listP50Ms} ms: ${verdict(p50 < TARGETS.listP50Ms)}   server CPU ${fmt((listing.serverCpu * 1000) / LIST_REPEATS, 1)} ms per listing`,
    );
    const memory = server.memory();
    if (memory)
      console.log(
        `  server RSS at the end ${fmt(memory.rssMb)} MB, peak (VmHWM) ${fmt(memory.peakRssMb)} MB`,
      );
    console.log(`load average at the end ${load()}`);
  } finally {
    const exit = await server.stop();
    if (exit.code !== 0) console.log(`server exited with ${exit.code}:\n${exit.stderr}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();

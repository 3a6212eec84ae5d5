/**
 * Registry benchmark: prints figures, asserts nothing but that it measured the right thing.
 *
 *   npm run bench:registry                                  # 100 registered models × 100 versions
 *   BENCH_REGISTRY_MODELS=20 BENCH_REGISTRY_VERSIONS=50 npm run bench:registry
 *   BENCH_REGISTRY_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' npm run bench:registry
 *
 * `agentrack server` runs in a process of its own (dist/cli/main.js) on a fresh SQLite file. The
 * client is node:http with a keep-alive agent, in this process, one request at a time, as MLflow's
 * client sends them:
 * 1. seeds BENCH_REGISTRY_MODELS registered models with BENCH_REGISTRY_VERSIONS versions each
 *    (`registered-models/create`, `model-versions/create`, 8 requests in flight), and points the
 *    alias `production` of each model at its middle version (`registered-models/alias`);
 * 2. `GET model-versions/search?filter=name='<model>'&max_results=10000` (what
 *    `MlflowClient.search_model_versions(f"name='{name}'")` sends) for a random model, BENCH_REPEATS
 *    times after an untimed warm-up, each checked to list all of that model's versions: p50, p99;
 * 3. `GET registered-models/alias?name=&alias=production` (what `get_model_version_by_alias` and
 *    loading `models:/<name>@production` send) the same way, each checked to answer the right
 *    version: p50, p99.
 * Times run to the last byte of the answer. The load average is printed at the start and the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pool, timeSequential } from '../server/sequential.js';
import { startServerProcess } from '../server/server-process.js';

const MODELS = Number(process.env.BENCH_REGISTRY_MODELS ?? 100);
const VERSIONS = Number(process.env.BENCH_REGISTRY_VERSIONS ?? 100);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 500);
const NODE_ARGS = (process.env.BENCH_REGISTRY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
const SEED_CONCURRENCY = 8;
const WARMUP = 50;
const API = '/api/2.0/mlflow';
const TARGETS = { searchP50Ms: 5, aliasP50Ms: 1 } as const;

const agent = new Agent({ keepAlive: true, maxSockets: SEED_CONCURRENCY });
const fmt = (n: number, digits = 2) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const verdict = (met: boolean) => (met ? 'met' : 'MISSED');

/** One request; resolves with the status and the whole answer once its last byte has arrived. */
function send(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${base}${API}/${path}`,
      {
        method,
        agent,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
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
    req.end(payload);
  });
}

async function ok(base: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const { status, text } = await send(base, method, path, body);
  if (status !== 200) throw new Error(`${method} ${path}: HTTP ${status}: ${text}`);
  return JSON.parse(text) as unknown;
}

const modelName = (i: number) => `bench_agent_${String(i).padStart(3, '0')}`;
const middle = Math.ceil(VERSIONS / 2);

async function seed(base: string): Promise<void> {
  await pool(MODELS, SEED_CONCURRENCY, async (m) => {
    await ok(base, 'POST', 'registered-models/create', {
      name: modelName(m),
      tags: [{ key: 'team', value: `t${m % 7}` }],
    });
  });
  // Versions of one model are created one after another (their numbers are the model's), models in parallel.
  await pool(MODELS, SEED_CONCURRENCY, async (m) => {
    for (let v = 1; v <= VERSIONS; v++) {
      await ok(base, 'POST', 'model-versions/create', {
        name: modelName(m),
        source: `mlflow-artifacts:/0/models/m-${m}-${v}/artifacts`,
        run_id: `${String(m).padStart(16, '0')}${String(v).padStart(16, '0')}`,
        tags: [{ key: 'quality', value: v % 2 === 0 ? 'even' : 'odd' }],
      });
    }
    await ok(base, 'POST', 'registered-models/alias', {
      name: modelName(m),
      alias: 'production',
      version: String(middle),
    });
  });
}

async function main(): Promise<void> {
  console.log(
    `agentrack registry benchmark: ${MODELS} registered models × ${VERSIONS} versions = ${MODELS * VERSIONS} versions`,
  );
  console.log(
    `machine: ${availableParallelism()} cores, load average ${loadavg()
      .map((l) => fmt(l))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-registry-'));
  const server = await startServerProcess(join(dir, 'agentrack.db'), NODE_ARGS);
  try {
    const seedStart = performance.now();
    await seed(server.url);
    const seedSeconds = (performance.now() - seedStart) / 1000;
    console.log(
      `seeded in ${fmt(seedSeconds, 1)} s (${fmt((MODELS * VERSIONS) / seedSeconds, 0)} versions/s over HTTP)`,
    );

    let random = 42;
    const pick = () => {
      random = (random * 1103515245 + 12345) % 2 ** 31;
      return random % MODELS;
    };
    const search = await timeSequential(
      `search_model_versions(name='<model>') over HTTP`,
      { repeats: REPEATS, warmup: WARMUP },
      async () => {
        const name = modelName(pick());
        const filter = encodeURIComponent(`name='${name}'`);
        const body = (await ok(
          server.url,
          'GET',
          `model-versions/search?filter=${filter}&max_results=10000`,
        )) as {
          model_versions?: { name: string }[];
        };
        const versions = body.model_versions ?? [];
        if (versions.length !== VERSIONS || versions.some((v) => v.name !== name)) {
          throw new Error(`search of ${name} answered ${versions.length} versions, expected ${VERSIONS}`);
        }
      },
    );
    const alias = await timeSequential(
      `get_model_version_by_alias(<model>, 'production') over HTTP`,
      { repeats: REPEATS, warmup: WARMUP },
      async () => {
        const name = modelName(pick());
        const body = (await ok(
          server.url,
          'GET',
          `registered-models/alias?name=${encodeURIComponent(name)}&alias=production`,
        )) as { model_version?: { name: string; version: string } };
        if (body.model_version?.name !== name || body.model_version.version !== String(middle)) {
          throw new Error(`alias of ${name} answered ${JSON.stringify(body)}`);
        }
      },
    );
    console.log('');
    console.log(
      `target: search p50 < ${TARGETS.searchP50Ms} ms: ${verdict(search.p50 < TARGETS.searchP50Ms)}`,
    );
    console.log(
      `target: get by alias p50 < ${TARGETS.aliasP50Ms} ms: ${verdict(alias.p50 < TARGETS.aliasP50Ms)}`,
    );
    console.log(
      `load average at the end ${loadavg()
        .map((l) => fmt(l))
        .join(' ')}`,
    );
  } finally {
    const exit = await server.stop();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
    if (exit.stderr.trim()) console.error(exit.stderr);
  }
}

await main();

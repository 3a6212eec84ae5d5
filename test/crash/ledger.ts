/**
 * What crash tests write and what they check afterwards. Writers record each write before they
 * send it (attempted) and when its answer arrives (acknowledged); after a kill, the store must
 * hold every acknowledged write, and every write it holds must be whole: a run's batch with all
 * its metrics, params and tags, an artifact file with exactly the bytes sent, a trace with all
 * its spans.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Run } from '../../src/entities/index.js';

/** The metrics, params and tags of batch `b`: each batch's keys are its own, so a part of one shows. */
export const BATCH = { metrics: 20, params: 5, tags: 3 } as const;

export function batchOf(b: number): {
  metrics: { key: string; value: number; timestamp: number; step: number }[];
  params: { key: string; value: string }[];
  tags: { key: string; value: string }[];
} {
  return {
    metrics: Array.from({ length: BATCH.metrics }, (_, i) => ({
      key: `b${b}_m${i}`,
      value: b + i / 100,
      timestamp: 1_796_000_000_000 + b,
      step: i,
    })),
    params: Array.from({ length: BATCH.params }, (_, i) => ({ key: `b${b}_p${i}`, value: `v${b}.${i}` })),
    tags: Array.from({ length: BATCH.tags }, (_, i) => ({ key: `b${b}_t${i}`, value: `t${b}.${i}` })),
  };
}

export interface Write {
  acked: boolean;
}

/** Everything written in one experiment, by any writer. */
export class Ledger {
  readonly runs = new Map<string, Write>();
  /** Run creations sent and not answered: each may have made a run the ledger has no id of. */
  runCreatesInFlight = 0;
  /** Writes the server answered with an error (none are expected). */
  readonly errors: string[] = [];
  /** `runId/b`. */
  readonly batches = new Map<string, Write & { runId: string; b: number }>();
  /** By artifact path under the destination folder. */
  readonly files = new Map<string, Write & { sha256: string; size: number }>();
  readonly traces = new Map<string, Write & { spans: number }>();

  acknowledged(): { runs: number; batches: number; files: number; traces: number } {
    const count = (m: Map<string, Write>) => [...m.values()].filter((w) => w.acked).length;
    return {
      runs: count(this.runs),
      batches: count(this.batches),
      files: count(this.files),
      traces: count(this.traces),
    };
  }
}

/** What many kills' ledgers add up to, and whether the kills proved something. */
export class Totals {
  runs = 0;
  batches = 0;
  files = 0;
  traces = 0;
  /** Kills that came while some write was sent and not yet answered. */
  interrupted = 0;

  add(ledger: Ledger): void {
    const acked = ledger.acknowledged();
    this.runs += acked.runs;
    this.batches += acked.batches;
    this.files += acked.files;
    this.traces += acked.traces;
    const attempted = ledger.batches.size + ledger.files.size + ledger.traces.size;
    if (attempted > acked.batches + acked.files + acked.traces || ledger.runCreatesInFlight > 0) {
      this.interrupted++;
    }
  }

  summary(): string {
    return `acknowledged ${this.runs} runs, ${this.batches} batches, ${this.files} files, ${this.traces} traces; ${this.interrupted} kills cut writes in flight`;
  }

  /** The kills must have found writes to cut, and left many to check. */
  expectEnough(kills: number): void {
    expect(this.interrupted).toBeGreaterThanOrEqual(kills / 2);
    expect(this.batches).toBeGreaterThanOrEqual(kills);
    expect(this.files).toBeGreaterThanOrEqual(kills / 4);
    expect(this.traces).toBeGreaterThanOrEqual(kills / 4);
  }
}

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Every run of `experimentId`, with its data. */
async function allRuns(client: TrackingClient, experimentId: string): Promise<Run[]> {
  const runs: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.searchRuns({
      experimentIds: [experimentId],
      maxResults: 1000,
      ...(pageToken ? { pageToken } : {}),
    });
    runs.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return runs;
}

async function allTraceIds(client: TrackingClient, experimentId: string): Promise<string[]> {
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.traces.searchTraces({
      experimentIds: [experimentId],
      maxResults: 500,
      ...(pageToken ? { pageToken } : {}),
    });
    ids.push(...page.items.map((info) => info.trace_id));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return ids;
}

/**
 * Checks the experiment `experimentId` of the store at `uri` against `ledger`, with artifact
 * files under `artifactsRoot` (the destination's folder for the experiment is
 * `<artifactsRoot>/<experimentId>`). Answers what it found, for the figures.
 */
export async function checkExperiment(
  uri: string,
  experimentId: string,
  ledger: Ledger,
  artifactsRoot: string,
): Promise<{ runs: number; batches: number; files: number; traces: number }> {
  const client = await TrackingClient.open(uri, { mode: 'read' });
  try {
    const runs = await allRuns(client, experimentId);
    const byId = new Map(runs.map((run) => [run.info.run_id, run]));
    for (const [runId, write] of ledger.runs) {
      if (write.acked) expect(byId.has(runId), `acknowledged run ${runId}`).toBe(true);
    }
    let batches = 0;
    const unknown = runs.filter((run) => !ledger.runs.has(run.info.run_id));
    expect(unknown.length).toBeLessThanOrEqual(ledger.runCreatesInFlight);
    for (const run of runs) {
      // Whole batches only: each batch number seen has all its keys.
      const seen = new Map<number, { metrics: number; params: number; tags: number }>();
      const note = (key: string, kind: 'metrics' | 'params' | 'tags') => {
        const match = /^b(\d+)_[mpt]\d+$/.exec(key);
        if (!match) return;
        const b = Number(match[1]);
        const entry = seen.get(b) ?? { metrics: 0, params: 0, tags: 0 };
        entry[kind]++;
        seen.set(b, entry);
      };
      for (const metric of run.data.metrics ?? []) note(metric.key, 'metrics');
      for (const param of run.data.params ?? []) note(param.key, 'params');
      for (const tag of run.data.tags ?? []) note(tag.key, 'tags');
      for (const [b, entry] of seen) {
        expect([run.info.run_id, b, entry]).toEqual([run.info.run_id, b, { ...BATCH }]);
        batches++;
      }
    }
    for (const write of ledger.batches.values()) {
      if (!write.acked) continue;
      const run = byId.get(write.runId);
      const keys = new Set((run?.data.metrics ?? []).map((metric) => metric.key));
      expect(keys.has(`b${write.b}_m0`), `acknowledged batch ${write.b} of ${write.runId}`).toBe(true);
    }

    // Files: every one the ledger sent is absent (not acknowledged) or exactly what was sent;
    // and the folder holds nothing else but uploads in progress and the traces' files.
    let files = 0;
    for (const [path, write] of ledger.files) {
      const full = join(artifactsRoot, path);
      if (!existsSync(full)) {
        expect(write.acked, `acknowledged file ${path} is missing`).toBe(false);
        continue;
      }
      const bytes = readFileSync(full);
      expect([path, bytes.length, sha256(bytes)]).toEqual([path, write.size, write.sha256]);
      files++;
    }
    for (const path of filesBelow(join(artifactsRoot, experimentId))) {
      const name = relative(artifactsRoot, path);
      if (/\/\.agentrack-upload-[^/]+$/.test(name) || name.endsWith('/traces.json')) continue;
      expect(ledger.files.has(name), `unexpected file ${name}`).toBe(true);
    }

    // Traces: whole, or absent; their traces.json, when written, has every span.
    const traceIds = await allTraceIds(client, experimentId);
    const stored = new Set(traceIds);
    for (const [traceId, write] of ledger.traces) {
      if (write.acked) expect(stored.has(traceId), `acknowledged trace ${traceId}`).toBe(true);
    }
    for (const traceId of traceIds) {
      const write = ledger.traces.get(traceId);
      expect(write, `trace ${traceId} was written by the test`).toBeDefined();
      const trace = await client.traces.getTrace(traceId);
      expect([traceId, trace.info.state, trace.spans.length]).toEqual([traceId, 'OK', write?.spans]);
      const file = join(artifactsRoot, experimentId, 'traces', traceId, 'artifacts', 'traces.json');
      if (existsSync(file)) {
        const parsed = JSON.parse(readFileSync(file, 'utf8')) as { spans: unknown[] };
        expect([traceId, parsed.spans.length]).toEqual([traceId, write?.spans]);
      } else {
        expect(write?.acked, `acknowledged trace ${traceId} has no traces.json`).toBe(false);
      }
    }
    return { runs: runs.length, batches, files, traces: traceIds.length };
  } finally {
    await client.close();
  }
}

function filesBelow(folder: string): string[] {
  if (!existsSync(folder)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(folder)) {
    const path = join(folder, entry);
    if (statSync(path).isDirectory()) found.push(...filesBelow(path));
    else found.push(path);
  }
  return found;
}

/** SQLite's own checks of the file: `integrity_check` is ok and no foreign key is broken. */
export function checkSqliteIntegrity(path: string): void {
  const db = new Database(path);
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
  } finally {
    db.close();
  }
}

/**
 * PostgreSQL's `amcheck` over the schema the URL's `search_path` names: every B-tree index and
 * every table's heap is checked, and must report nothing. With `mayBeEmpty`, a schema with no
 * tables yet passes.
 */
export async function checkPostgresIntegrity(
  url: string,
  options: { mayBeEmpty?: boolean } = {},
): Promise<void> {
  const schema = /search_path=([\w]+)/.exec(
    decodeURIComponent(new URL(url).searchParams.get('options') ?? ''),
  )?.[1];
  expect(schema).toBeDefined();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS amcheck SCHEMA public');
    const indexes = await client.query<{ oid: number; name: string }>(
      `SELECT c.oid, c.relname AS name FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_am am ON am.oid = c.relam
       WHERE n.nspname = $1 AND am.amname = 'btree'`,
      [schema],
    );
    // A store has its tables once opened; a copy killed before it opened the target has none.
    if (!(options.mayBeEmpty && indexes.rows.length === 0)) expect(indexes.rows.length).toBeGreaterThan(10);
    for (const index of indexes.rows) {
      await client.query('SELECT public.bt_index_check($1, true)', [index.oid]);
    }
    const tables = await client.query<{ oid: number; name: string }>(
      `SELECT c.oid, c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r'`,
      [schema],
    );
    for (const table of tables.rows) {
      const problems = await client.query('SELECT * FROM public.verify_heapam($1)', [table.oid]);
      expect([table.name, problems.rows]).toEqual([table.name, []]);
    }
  } finally {
    await client.end();
  }
}

/** One line of a child's ledger file (see `test/fixtures/crash-library.mjs`). */
type LedgerLine =
  | { kind: 'run'; acked: false }
  | { kind: 'run'; acked: true; runId: string }
  | { kind: 'batch'; acked: boolean; runId: string; b: number }
  | { kind: 'file'; acked: false; path: string; sha256: string; size: number }
  | { kind: 'file'; acked: true; path: string }
  | { kind: 'trace'; acked: false; traceId: string; spans: number }
  | { kind: 'trace'; acked: true; traceId: string };

/** The ledger a child process wrote, line by line, before it was killed. */
export function ledgerFromLines(text: string): Ledger {
  const ledger = new Ledger();
  const lines = text.split('\n').filter((line) => line !== '');
  for (const [i, line] of lines.entries()) {
    let entry: LedgerLine;
    try {
      entry = JSON.parse(line) as LedgerLine;
    } catch (error) {
      // Only the last line can have been cut by the kill.
      if (i === lines.length - 1) break;
      throw error;
    }
    switch (entry.kind) {
      case 'run':
        if (entry.acked) {
          ledger.runCreatesInFlight--;
          ledger.runs.set(entry.runId, { acked: true });
        } else {
          ledger.runCreatesInFlight++;
        }
        break;
      case 'batch':
        if (entry.acked) (ledger.batches.get(`${entry.runId}/${entry.b}`) as Write).acked = true;
        else
          ledger.batches.set(`${entry.runId}/${entry.b}`, { acked: false, runId: entry.runId, b: entry.b });
        break;
      case 'file':
        if (entry.acked) (ledger.files.get(entry.path) as Write).acked = true;
        else ledger.files.set(entry.path, { acked: false, sha256: entry.sha256, size: entry.size });
        break;
      case 'trace':
        if (entry.acked) (ledger.traces.get(entry.traceId) as Write).acked = true;
        else ledger.traces.set(entry.traceId, { acked: false, spans: entry.spans });
        break;
    }
  }
  return ledger;
}

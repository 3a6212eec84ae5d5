/**
 * What the replays of MLflow's recorded exchanges (test/fixtures/mlflow-wire/) share: reading a
 * recording, rebuilding its bodies and queries, and comparing a recorded response with this server's.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalArtifactRepository } from '../../src/artifacts/index.js';
import { createApp } from '../../src/server/index.js';
import type { SqlTrackingStore } from '../../src/store/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { afterAll, beforeAll } from 'vitest';

/** Server times: they differ by nature, so only their type is compared. */
const VOLATILE = new Set(['creation_time', 'last_update_time']);

/** Replaces every recorded run id (32 hex digits) by the id this server gave, wherever it occurs in text or JSON. */
export function mapRunIdsInText<T>(value: T, ids: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') {
    let out: string = value;
    for (const [recorded, actual] of ids) if (recorded.length === 32) out = out.replaceAll(recorded, actual);
    return out as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => mapRunIdsInText(v, ids)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapRunIdsInText(v, ids)])) as T;
  }
  return value;
}

/**
 * A JSON response reduced to what must match: server times become their type, key/value lists
 * are sorted by key, and page tokens are left out (opaque, and MLflow hands one out for a full
 * last page where agentrack knows there is no next page).
 */
export function canonical(value: unknown, key = ''): unknown {
  if (VOLATILE.has(key)) return `<${typeof value}>`;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    const keyed = items.every((v) => typeof v === 'object' && v !== null && 'key' in v);
    return keyed ? [...items].sort((a, b) => compareText(keyOf(a), keyOf(b))) : items;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([k]) => k !== 'next_page_token');
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v, k)]));
  }
  return value;
}

function keyOf(item: unknown): string {
  return String((item as { key: unknown }).key);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Checks that server times keep the recording's relations, then puts the recorded values in
 * their place: each recorded time under one of `keys` must come back as the same time of this
 * server every time it appears, and two recorded times never as one. So a registered model's
 * `last_updated_timestamp` that MLflow gave the version created with it is this server's time
 * of that version too, without the times themselves being compared.
 */
export function alignTimes(
  actual: unknown,
  recorded: unknown,
  times: Map<number, number>,
  keys: ReadonlySet<string>,
  key = '',
): unknown {
  if (keys.has(key) && typeof actual === 'number' && typeof recorded === 'number') {
    const known = times.get(recorded);
    if (known === undefined) {
      for (const [other, mapped] of times) {
        if (mapped === actual && other !== recorded) {
          throw new Error(`${key}: ${actual} stands for both recorded times ${other} and ${recorded}`);
        }
      }
      times.set(recorded, actual);
    } else if (known !== actual) {
      throw new Error(`${key}: recorded ${recorded} was ${known} before, now ${actual}`);
    }
    return recorded;
  }
  if (Array.isArray(actual) && Array.isArray(recorded)) {
    return actual.map((item: unknown, i) => alignTimes(item, recorded[i], times, keys));
  }
  if (typeof actual === 'object' && actual !== null && typeof recorded === 'object' && recorded !== null) {
    const other = recorded as Record<string, unknown>;
    return Object.fromEntries(
      Object.entries(actual).map(([k, v]) => [k, alignTimes(v, other[k], times, keys, k)]),
    );
  }
  return actual;
}

/** A body the recording summarizes instead of holding it: binary, or over 32 KiB. */
export interface BodySummary {
  bytes: number;
  sha256: string;
  content_type?: string;
  head?: string;
}

/** One recorded exchange (see test/fixtures/mlflow-wire/README.md). */
export interface Exchange {
  step: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query: Record<string, string | string[]>;
  request: unknown;
  request_headers: Record<string, string>;
  status: number;
  response: unknown;
  response_headers: Record<string, string>;
}

/** The exchanges of a recording in `test/fixtures/mlflow-wire/`, in the order they were made. */
export function readExchanges(fixture: string): Exchange[] {
  return readFileSync(join(import.meta.dirname, '..', 'fixtures', 'mlflow-wire', fixture), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Exchange);
}

/** Whether a recorded body is a summary rather than the body itself. */
export function isSummary(value: unknown): value is BodySummary {
  return typeof value === 'object' && value !== null && 'bytes' in value && 'sha256' in value;
}

/** `size` bytes that are the same on every replay and not all alike (so a shifted or truncated copy differs). */
export function bytesOf(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** The SHA-256 of `bytes`, in hex. */
export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A recorded query as a query string (`?a=1&b=2`, repeated keys repeated), or `''`. */
export function queryString(query: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

const ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts/artifacts/';

/** The artifact path a PUT or GET under the artifact service names, decoded, or undefined. */
export function artifactPathOf(path: string): string | undefined {
  return path.startsWith(ARTIFACTS_PREFIX)
    ? decodeURIComponent(path.slice(ARTIFACTS_PREFIX.length))
    : undefined;
}

/** A recorded request as this replay sends it: ids mapped, bodies rebuilt. */
export interface ReplayRequest {
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/**
 * Rebuilds the request of `exchange` for this server: recorded run ids replaced by this server's
 * (in the path, query, JSON body and text uploads, as the client would write them), a summarized
 * upload rebuilt from its size; the SHA-256 of each artifact uploaded is noted in `uploaded`.
 */
export function replayRequest(
  exchange: Exchange,
  ids: ReadonlyMap<string, string>,
  uploaded: Map<string, string>,
): ReplayRequest {
  const path = mapRunIdsInText(exchange.path, ids) + queryString(mapRunIdsInText(exchange.query ?? {}, ids));
  if (exchange.method === 'PUT') {
    const artifactPath = artifactPathOf(mapRunIdsInText(exchange.path, ids));
    const body = isSummary(exchange.request)
      ? bytesOf(exchange.request.bytes, exchange.path)
      : Buffer.from(mapRunIdsInText(String(exchange.request ?? ''), ids), 'utf8');
    if (artifactPath !== undefined) uploaded.set(artifactPath, sha256(body));
    const contentType = exchange.request_headers['content-type'] ?? 'application/octet-stream';
    return { path, headers: { 'content-type': contentType }, body };
  }
  if (exchange.request !== null && exchange.request !== undefined) {
    const body = Buffer.from(JSON.stringify(mapRunIdsInText(exchange.request, ids)));
    return { path, headers: { 'content-type': 'application/json' }, body };
  }
  return { path, headers: {} };
}

/** The three experiments the MLflow 3 recordings start with (ids 1, 2 and 3). */
export const RECORDED_EXPERIMENTS = ['development', 'evaluation', 'deployment'].map(
  (type) => `/Shared/health_monitor_agent/${type}`,
);

/** An agentrack server a recording is replayed against: a fresh SQLite file, artifacts in a local folder. */
export interface ReplayServer {
  store: SqlTrackingStore;
  base: URL;
  /** The temporary folder holding the database and the artifacts. */
  dir: string;
  /** Sets the store's clock (epoch milliseconds) for the next requests. */
  setClock(ms: number): void;
  close(): Promise<void>;
}

/**
 * Starts a {@link ReplayServer} on 127.0.0.1 whose store's clock starts at `clock`, with
 * `experiments` created first (in order, so they get ids 1, 2, ...).
 */
export async function startReplayServer(
  prefix: string,
  options: { experiments?: readonly string[]; clock: number },
): Promise<ReplayServer> {
  const dir = tempDir(prefix);
  let clock = options.clock;
  const store = await openSqliteStore(join(dir.path, 'mlflow.db'), { now: () => clock });
  for (const name of options.experiments ?? []) await store.createExperiment({ name });
  const app = createApp({
    store,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'mlartifacts')),
  });
  const base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  return {
    store,
    base,
    dir: dir.path,
    setClock: (ms) => {
      clock = ms;
    },
    close: async () => {
      await app.close();
      await store.close();
      dir.remove();
    },
  };
}

/**
 * A {@link ReplayServer} for the tests of the calling `describe`: started before them, closed
 * after them. Its fields are there once the tests run.
 */
export function useReplayServer(
  prefix: string,
  options: { experiments?: readonly string[]; clock: number },
): ReplayServer {
  let server: ReplayServer | undefined;
  const started = (): ReplayServer => {
    if (server === undefined) throw new Error('the replay server is started before the tests run');
    return server;
  };
  beforeAll(async () => {
    server = await startReplayServer(prefix, options);
  });
  afterAll(() => started().close());
  return {
    get store() {
      return started().store;
    },
    get base() {
      return started().base;
    },
    get dir() {
      return started().dir;
    },
    setClock: (ms) => started().setClock(ms),
    close: () => started().close(),
  };
}

/**
 * The table of a replay: one case per exchange, labelled with its number, the part
 * `step.slice(...stepSlice)` of its step and its request line.
 */
export function replayCases(
  exchanges: readonly Exchange[],
  stepSlice: readonly [number, number],
): (readonly [string, number, Exchange])[] {
  return exchanges.map(
    (exchange, i) =>
      [
        `#${i + 1} ${exchange.step.slice(...stepSlice)}: ${exchange.method} ${exchange.path.slice(0, 90)}`,
        i,
        exchange,
      ] as const,
  );
}

/** Server times of logged models: they differ by nature, so only their type is compared. */
const MODEL_TIMES = new Set(['creation_timestamp_ms', 'last_updated_timestamp_ms']);

/** `value` with the logged models' server times (`creation_timestamp_ms`, ...) replaced by their type. */
export function withoutModelTimes(value: unknown, key = ''): unknown {
  if (MODEL_TIMES.has(key)) return `<${typeof value}>`;
  if (Array.isArray(value)) return value.map((v) => withoutModelTimes(v));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutModelTimes(v, k)]));
  }
  return value;
}

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../../src/artifacts/index.js';
import { createApp } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';

/** A body the recording summarizes instead of holding it: binary, or over 32 KiB. */
interface BodySummary {
  bytes: number;
  sha256: string;
  content_type?: string;
  head?: string;
}

/** One recorded exchange (see test/fixtures/mlflow-wire/README.md, `artifacts.jsonl`). */
interface Exchange {
  step: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query: Record<string, string | string[]>;
  request: unknown;
  request_headers: Record<string, string>;
  status: number;
  response: unknown;
  response_headers: Record<string, string>;
}

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'mlflow-wire', 'artifacts.jsonl');
const ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts/artifacts/';
const VOLATILE = new Set(['creation_time', 'last_update_time']);
const REPLAY_EPOCH = 1_796_123_600_000;

const exchanges: Exchange[] = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Exchange);

function isSummary(value: unknown): value is BodySummary {
  return typeof value === 'object' && value !== null && 'bytes' in value && 'sha256' in value;
}

/** `size` bytes that are the same on every replay and not all alike (so a shifted or truncated copy differs). */
function bytesOf(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Replaces every recorded run id by the id this server gave, anywhere in text or JSON. */
function mapRunIds<T>(value: T, ids: ReadonlyMap<string, string>): T {
  if (typeof value === 'string') {
    let out: string = value;
    for (const [recorded, actual] of ids) out = out.replaceAll(recorded, actual);
    return out as T;
  }
  if (Array.isArray(value)) return value.map((v: unknown) => mapRunIds(v, ids)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapRunIds(v, ids)])) as T;
  }
  return value;
}

/** A JSON response reduced to what must match: server times become their type, key/value lists are sorted. */
function canonical(value: unknown, key = ''): unknown {
  if (VOLATILE.has(key)) return `<${typeof value}>`;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v));
    const keyed = items.every((v) => typeof v === 'object' && v !== null && 'key' in v);
    return keyed ? [...items].sort((a, b) => keyOf(a).localeCompare(keyOf(b))) : items;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonical(v, k)]));
  }
  return value;
}

function keyOf(item: unknown): string {
  return String((item as { key: unknown }).key);
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Sends one request over a real connection with node:http, which sends the path exactly as
 * given (fetch would resolve `..` segments before they reach the server).
 */
function send(
  base: URL,
  method: string,
  path: string,
  headers: Record<string, string | number>,
  body?: Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: base.hostname, port: base.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function queryString(query: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, item);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** The artifact path a PUT or GET under the artifact service names, decoded, or undefined. */
function artifactPathOf(path: string): string | undefined {
  return path.startsWith(ARTIFACTS_PREFIX)
    ? decodeURIComponent(path.slice(ARTIFACTS_PREFIX.length))
    : undefined;
}

describe('replaying artifacts.jsonl (MLflow 3.3.1 client and server) over a real connection', () => {
  const ids = new Map<string, string>();
  /** SHA-256 of the bytes this replay uploaded, by artifact path, for the binary bodies the recording summarizes. */
  const uploaded = new Map<string, string>();
  let dir: { path: string; remove: () => void };
  let store: TrackingStore;
  let app: FastifyInstance;
  let base: URL;
  let clock = REPLAY_EPOCH;

  beforeAll(async () => {
    dir = tempDir('agentrack-wire-artifacts-');
    store = await openSqliteStore(join(dir.path, 'mlflow.db'), { now: () => clock });
    app = createApp({
      store,
      logger: false,
      artifactDestination: new LocalArtifactRepository(join(dir.path, 'mlartifacts')),
    });
    base = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    dir.remove();
  });

  it.each(
    exchanges.map(
      (exchange, i) =>
        [
          `#${i + 1} ${exchange.step.slice(11, 70)}: ${exchange.method} ${exchange.path.slice(0, 90)}`,
          i,
          exchange,
        ] as const,
    ),
  )('%s', async (_label, i, exchange) => {
    clock = REPLAY_EPOCH + i;
    const path = mapRunIds(exchange.path, ids) + queryString(mapRunIds(exchange.query ?? {}, ids));
    const headers: Record<string, string | number> = {};
    let body: Buffer | undefined;
    if (exchange.method === 'PUT') {
      const artifactPath = artifactPathOf(mapRunIds(exchange.path, ids));
      body = isSummary(exchange.request)
        ? bytesOf(exchange.request.bytes, exchange.path)
        : Buffer.from(String(exchange.request ?? ''), 'utf8');
      if (artifactPath !== undefined) uploaded.set(artifactPath, sha256(body));
      headers['content-type'] = exchange.request_headers['content-type'] ?? 'application/octet-stream';
    } else if (exchange.request !== null && exchange.request !== undefined) {
      body = Buffer.from(JSON.stringify(mapRunIds(exchange.request, ids)));
      headers['content-type'] = 'application/json';
    }
    if (body !== undefined) headers['content-length'] = body.length;

    const answer = await send(base, exchange.method, path, headers, body);
    const recorded = mapRunIds(exchange.response, ids);
    const recordedType = exchange.response_headers['content-type'] ?? '';

    if (exchange.status === 500 && exchange.method === 'GET' && artifactPathOf(exchange.path) !== undefined) {
      // MLflow's defect, not copied: a missing artifact is 404, and the message shows no storage path.
      expect(answer.status).toBe(404);
      const error = JSON.parse(answer.body.toString('utf8')) as { error_code: string; message: string };
      expect(error.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(error.message).not.toContain(dir.path);
      return;
    }
    expect(answer.status).toBe(exchange.status);

    if (recordedType.startsWith('application/json')) {
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      const actual = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      if (exchange.status !== 200) {
        const error = recorded as { error_code: string; message: string };
        expect(actual.error_code).toBe(error.error_code);
        expect(String(actual.message)).toContain(error.message.split(' Error: (')[0]);
        return;
      }
      if (exchange.path.endsWith('/runs/create')) {
        const recordedId = (exchange.response as { run: { info: { run_id: string } } }).run.info.run_id;
        const actualId = (actual.run as { info: { run_id: string } }).info.run_id;
        expect(actualId).toMatch(/^[0-9a-f]{32}$/);
        ids.set(recordedId, actualId);
      }
      expect(canonical(actual)).toEqual(canonical(mapRunIds(exchange.response, ids)));
      return;
    }

    // A download: the same bytes, the same type, as an attachment, never sniffed.
    expect(String(answer.headers['content-type']).split(';')[0]).toBe(recordedType.split(';')[0]);
    expect(answer.headers['content-disposition']).toBe(exchange.response_headers['content-disposition']);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    if (isSummary(recorded)) {
      expect(answer.body.length).toBe(recorded.bytes);
      const artifactPath = artifactPathOf(mapRunIds(exchange.path, ids)) as string;
      expect(sha256(answer.body)).toBe(uploaded.get(artifactPath));
    } else {
      expect(answer.body.toString('utf8')).toBe(recorded);
    }
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { canonical, mapRunIdsInText } from './wire-replay.js';

/** One recorded exchange with MLflow 3.3's server (see test/fixtures/mlflow-wire/README.md). */
interface Exchange {
  method: 'GET' | 'POST';
  path: string;
  query: Record<string, string>;
  request: unknown;
  status: number;
  response: unknown;
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'mlflow-wire');
const ID_FIELDS = new Set(['experiment_id', 'run_id', 'run_uuid']);
// The store's clock during a replay: exchange i happens at REPLAY_EPOCH + i. MLflow's server
// spent more than a millisecond on each recorded request, so experiments created one after
// the other got distinct creation times, and its default order (creation_time DESC, then
// experiment_id ASC) lists the newest first. Against the wall clock, a fast replay creates
// several experiments in one millisecond, and the same order then lists them by id.
const REPLAY_EPOCH = 1_795_710_150_000;

function load(name: string): Exchange[] {
  return readFileSync(join(FIXTURES, `${name}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Exchange);
}

/** Replaces the ids MLflow gave by the ids this server gave, in request fields that name them. */
function mapIds(value: unknown, ids: ReadonlyMap<string, string>, key = ''): unknown {
  if (typeof value === 'string') return ID_FIELDS.has(key) ? (ids.get(value) ?? value) : value;
  if (Array.isArray(value)) {
    return value.map((v) => (key === 'experiment_ids' ? mapIds(v, ids, 'experiment_id') : mapIds(v, ids)));
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapIds(v, ids, k)]));
  }
  return value;
}

/** The part of MLflow's message clients rely on: without the database noise it appends. */
function keyPhrase(message: string): string {
  const noise = message.indexOf(' Error: (');
  return noise < 0 ? message : message.slice(0, noise);
}

describe.each(['seed-workflow', 'rest-edges'])('replaying %s.jsonl', (name) => {
  const exchanges = load(name);
  const ids = new Map<string, string>();
  let dir: { path: string; remove: () => void };
  let store: TrackingStore;
  let app: FastifyInstance;
  let clock = REPLAY_EPOCH;

  beforeAll(async () => {
    dir = tempDir('agentrack-wire-');
    store = await openSqliteStore(join(dir.path, 'mlflow.db'), { now: () => clock });
    app = createApp({ store, logger: false });
  });

  afterAll(async () => {
    await app.close();
    await store.close();
    dir.remove();
  });

  it.each(
    exchanges.map((exchange, i) => [`#${i} ${exchange.method} ${exchange.path}`, i, exchange] as const),
  )('%s', async (_label, i, exchange) => {
    clock = REPLAY_EPOCH + i;
    const query = mapIds(exchange.query, ids) as Record<string, string>;
    const raw = typeof exchange.request === 'string';
    const res = await app.inject({
      method: exchange.method,
      url: exchange.path,
      query,
      ...(exchange.method === 'POST'
        ? {
            headers: { 'content-type': 'application/json' },
            payload: raw ? (exchange.request as string) : JSON.stringify(mapIds(exchange.request, ids)),
          }
        : {}),
    });
    expect(res.statusCode).toBe(exchange.status);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const actual = res.json() as Record<string, unknown>;
    const recorded = mapRunIdsInText(exchange.response, ids) as Record<string, unknown>;

    if (exchange.status !== 200) {
      expect(actual.error_code).toBe(recorded.error_code);
      if (raw) {
        // MLflow reads a body it cannot parse as `{}` and then misses `name`; agentrack says why.
        expect(actual.message).toMatch(/^Malformed JSON in request body/);
      } else {
        // agentrack may add detail after MLflow's text (e.g. where a filter goes wrong).
        const phrase = keyPhrase(String(recorded.message));
        expect(String(actual.message).slice(0, phrase.length)).toBe(phrase);
      }
      return;
    }

    if ('next_page_token' in actual) expect(recorded).toHaveProperty('next_page_token');
    if (exchange.path.endsWith('/experiments/create')) {
      // Both stores number experiments from 1 after the Default experiment 0.
      expect(actual.experiment_id).toBe(recorded.experiment_id);
      ids.set(String(recorded.experiment_id), String(actual.experiment_id));
    }
    if (exchange.path.endsWith('/runs/create')) {
      const recordedId = (recorded.run as { info: { run_id: string } }).info.run_id;
      const actualId = (actual.run as { info: { run_id: string } }).info.run_id;
      expect(actualId).toMatch(/^[0-9a-f]{32}$/);
      ids.set(recordedId, actualId);
    }
    expect(canonical(actual)).toEqual(canonical(mapRunIdsInText(exchange.response, ids)));
  });
});

import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { spansOf, traceInfoOf } from '../../client/trace-client.contract.js';
import { compareText } from '../../query/index.js';
import { freshDatabase, freshSchema, type FreshDatabase } from '../../testing/postgres.js';
import type { SqlTrackingStore } from '../sql/sql-store.js';
import { openPostgresStore } from './postgres-store.js';

let db: FreshDatabase;
let admin: pg.Pool;

beforeAll(async () => {
  db = await freshDatabase();
  admin = new pg.Pool({ connectionString: db.url, max: 4 });
});

afterAll(() => admin.end());

let url: string;
let schema: string;
let store: SqlTrackingStore;

beforeEach(async () => {
  url = await freshSchema(db);
  schema = /search_path=(\w+)/.exec(new URL(url).searchParams.get('options') ?? '')?.[1] as string;
  store = await openPostgresStore(url);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await store.close();
});

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Waits until some session of the test database waits for a lock another one holds. */
async function someoneWaitsForALock(): Promise<void> {
  for (;;) {
    const { rows } = await admin.query<{ n: string }>(
      `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (Number(rows[0]?.n) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Runs `statement` in a transaction of another connection that stays open while `call` starts
 * and reaches the lock the statement holds, then commits it: `call` has done its check before
 * the other row exists, and inserts after it does, the race two servers run.
 */
async function racedBy<T>(statement: string, params: unknown[], call: () => Promise<T>): Promise<T> {
  const other = await admin.connect();
  try {
    await other.query(`SET search_path = ${schema}`);
    await other.query('BEGIN');
    await other.query(statement, params);
    const result = call();
    result.catch(() => undefined);
    await someoneWaitsForALock();
    await other.query('COMMIT');
    return await result;
  } finally {
    other.release();
  }
}

describe('check-then-insert paths that lose a race to another connection', () => {
  it('createExperiment: RESOURCE_ALREADY_EXISTS, with the message of the check', async () => {
    const error = await rejection(
      racedBy(
        `INSERT INTO experiments (name, creation_time, last_update_time) VALUES ($1, 0, 0)`,
        ['/Shared/raced'],
        () => store.createExperiment({ name: '/Shared/raced' }),
      ),
    );
    expect(error).toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
      message: 'Experiment(name=/Shared/raced) already exists.',
    });
  });

  it('two concurrent createExperiment of one name: one succeeds, the other is RESOURCE_ALREADY_EXISTS', async () => {
    for (let i = 0; i < 10; i++) {
      const outcomes = await Promise.allSettled([
        store.createExperiment({ name: `twice-${i}` }),
        store.createExperiment({ name: `twice-${i}` }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      const failed = outcomes.find((o) => o.status === 'rejected');
      expect(failed?.reason).toMatchObject({
        code: 'RESOURCE_ALREADY_EXISTS',
        message: `Experiment(name=twice-${i}) already exists.`,
      });
    }
  });

  it('renameExperiment: RESOURCE_ALREADY_EXISTS for the new name', async () => {
    const id = await store.createExperiment({ name: 'before' });
    const error = await rejection(
      racedBy(
        `INSERT INTO experiments (name, creation_time, last_update_time) VALUES ($1, 0, 0)`,
        ['after'],
        () => store.renameExperiment(id, 'after'),
      ),
    );
    expect(error).toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
      message: 'Experiment(name=after) already exists.',
    });
  });

  it('createRegisteredModel and renameRegisteredModel: RESOURCE_ALREADY_EXISTS', async () => {
    const insert = `INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp) VALUES ($1, 0, 0)`;
    expect(
      await rejection(
        racedBy(insert, ['agent'], () => store.registry.createRegisteredModel({ name: 'agent' })),
      ),
    ).toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
      message: 'Registered Model (name=agent) already exists.',
    });
    await store.registry.createRegisteredModel({ name: 'old' });
    expect(
      await rejection(racedBy(insert, ['new'], () => store.registry.renameRegisteredModel('old', 'new'))),
    ).toMatchObject({
      code: 'RESOURCE_ALREADY_EXISTS',
      message: 'Registered Model (name=new) already exists.',
    });
  });

  it('logParam: the same value is accepted, another value is refused as a changed param', async () => {
    const run = await store.createRun({ experimentId: '0' });
    const seq = (await admin.query(`SELECT run_seq FROM ${schema}.runs`)).rows[0]?.run_seq as string;
    const insert = `INSERT INTO params (run_seq, key, value) VALUES ($1, $2, $3)`;
    await racedBy(insert, [seq, 'lr', '0.1'], () =>
      store.logParam(run.info.run_id, { key: 'lr', value: '0.1' }),
    );
    const error = await rejection(
      racedBy(insert, [seq, 'layers', '4'], () =>
        store.logBatch(run.info.run_id, { params: [{ key: 'layers', value: '8' }] }),
      ),
    );
    expect(error).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringContaining(
        `Changing param values is not allowed. Params were already logged='[{'key': 'layers', 'old_value': '4', 'new_value': '8'}]'`,
      ),
    });
    expect((await store.getRun(run.info.run_id)).data.params).toEqual([
      { key: 'layers', value: '4' },
      { key: 'lr', value: '0.1' },
    ]);
  });

  it('startTrace: a trace of the same id written meanwhile is replaced, as a retry replaces it', async () => {
    const info = traceInfoOf('0', { tags: { mine: 'yes' } });
    const stored = await racedBy(
      `INSERT INTO trace_info (trace_id, experiment_id, request_time, state) VALUES ($1, 0, 1, 'IN_PROGRESS')`,
      [info.trace_id],
      () => store.traces.startTrace(info),
    );
    expect(stored.trace_id).toBe(info.trace_id);
    const read = await store.traces.getTraceInfo(info.trace_id);
    expect(read.state).toBe(info.state);
    expect(read.tags?.mine).toBe('yes');
  });
});

describe('text compares and sorts by code point, whatever the database collation', () => {
  // ICU English sorts these as _x, a, B, é, Z; code-point order is B, Z, _x, a, é.
  const keys = ['a', 'B', '_x', 'é', 'Z'];

  it('declares every text column of the schema COLLATE "C"', async () => {
    const { rows } = await admin.query<{ column: string; collation: string | null }>(
      `SELECT table_name || '.' || column_name AS column, collation_name AS collation
       FROM information_schema.columns
       WHERE table_schema = $1 AND data_type = 'text' AND table_name <> 'agentrack_schema'
       ORDER BY 1`,
      [schema],
    );
    expect(rows.length).toBeGreaterThan(50);
    expect(rows.filter((r) => r.collation !== 'C' && !r.column.endsWith('.lifecycle_stage'))).toEqual([]);
  });

  it("orders a run's tags and params, and experiments by name, as SQLite and the evaluator do", async () => {
    const run = await store.createRun({ experimentId: '0' });
    await store.logBatch(run.info.run_id, {
      params: keys.map((key) => ({ key, value: key })),
      tags: keys.map((key) => ({ key, value: key })),
    });
    const sorted = [...keys].sort(compareText);
    expect(sorted).toEqual(['B', 'Z', '_x', 'a', 'é']);
    const data = (await store.getRun(run.info.run_id)).data;
    expect(data.params?.map((p) => p.key)).toEqual(sorted);
    expect(data.tags?.map((t) => t.key).filter((k) => keys.includes(k))).toEqual(sorted);
    for (const key of keys) await store.createExperiment({ name: key });
    const page = await store.searchExperiments({ orderBy: ['name ASC'], filter: "name != 'Default'" });
    expect(page.items.map((e) => e.name)).toEqual(sorted);
  });
});

describe('the NUL character, which PostgreSQL text cannot hold', () => {
  it('is refused with INVALID_PARAMETER_VALUE naming the field, and nothing is written', async () => {
    const run = await store.createRun({ experimentId: '0' });
    expect(await rejection(store.setTag(run.info.run_id, { key: 'note', value: 'a\u0000b' }))).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(
        /^Invalid value for tags\.value: it contains the NUL character \(U\+0000\)/,
      ),
    });
    expect(await rejection(store.createExperiment({ name: 'x\u0000' }))).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/^Invalid value for name: it contains the NUL character/),
    });
    expect(
      await rejection(store.logBatch(run.info.run_id, { params: [{ key: 'k', value: 'v\u0000' }] })),
    ).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: expect.stringMatching(/^Invalid value for params\.value: it contains the NUL character/),
    });
    const data = (await store.getRun(run.info.run_id)).data;
    expect(data.tags?.map((t) => t.key)).toEqual(['mlflow.runName']);
    expect(data.params).toBeUndefined();
  });

  it('in span attributes is kept, as JSON escapes it', async () => {
    const info = traceInfoOf('0');
    await store.traces.startTrace(info);
    const [span] = spansOf(info.trace_id);
    const withNul = { ...span!, attributes: { 'mlflow.spanInputs': 'a\u0000b' } };
    await store.traces.logSpans(info.trace_id, [withNul]);
    expect((await store.traces.getSpans(info.trace_id))[0]?.attributes).toEqual({
      'mlflow.spanInputs': 'a\u0000b',
    });
  });
});

describe('ids', () => {
  it('continue after ids written explicitly, once syncSerialIds has run', async () => {
    await admin.query(
      `INSERT INTO ${schema}.experiments (experiment_id, name, creation_time, last_update_time) VALUES (41, 'copied', 0, 0)`,
    );
    await store.syncSerialIds();
    expect(await store.createExperiment({ name: 'next' })).toBe('42');
    // Never back: a sequence already past the greatest id stays where it is.
    await admin.query(`DELETE FROM ${schema}.experiments WHERE experiment_id = 42`);
    await store.syncSerialIds();
    expect(await store.createExperiment({ name: 'after' })).toBe('43');
  });

  it('start at 1 beside the experiment Default (0) of the first migration', async () => {
    expect(await store.createExperiment({ name: 'first' })).toBe('1');
  });
});

describe('round trips', () => {
  /** Counts the queries the store's pool sends while `fn` runs. */
  async function queriesDuring(fn: () => Promise<unknown>): Promise<string[]> {
    const sent: string[] = [];
    const original = pg.Client.prototype.query;
    vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args: unknown[]) {
      const first = args[0];
      sent.push(typeof first === 'string' ? first : String((first as { text?: unknown })?.text));
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof original);
    await fn();
    vi.restoreAllMocks();
    return sent;
  }

  it('a log-batch of 800 metrics, 100 params and 100 tags is a handful of statements', async () => {
    const run = await store.createRun({ experimentId: '0' });
    const metrics = Array.from({ length: 800 }, (_, i) => ({
      key: `m${i % 10}`,
      value: i,
      timestamp: 1_700_000_000_000 + i,
      step: i,
    }));
    const params = Array.from({ length: 100 }, (_, i) => ({ key: `p${i}`, value: String(i) }));
    const tags = Array.from({ length: 100 }, (_, i) => ({ key: `t${i}`, value: String(i) }));
    const sent = await queriesDuring(() => store.logBatch(run.info.run_id, { metrics, params, tags }));
    expect(sent.filter((q) => /INSERT INTO metrics/.test(q))).toHaveLength(1);
    expect(sent.filter((q) => /INSERT INTO params/.test(q))).toHaveLength(1);
    expect(sent.filter((q) => /INSERT INTO tags/.test(q))).toHaveLength(1);
    // BEGIN, the run, its params, then one INSERT per table, COMMIT.
    expect(sent.length).toBeLessThanOrEqual(8);
    const history = await store.getMetricHistory(run.info.run_id, 'm3');
    expect(history.items).toHaveLength(80);
  });

  it('logTrace writes the info and the spans in one transaction', async () => {
    const info = traceInfoOf('0');
    const spans = spansOf(info.trace_id);
    const sent = await queriesDuring(() => store.traces.logTrace(info, spans));
    expect(sent[0]).toMatch(/^BEGIN/);
    expect(sent.at(-1)).toBe('COMMIT');
    expect(sent.filter((q) => /^(BEGIN|COMMIT)/.test(q))).toHaveLength(2);
    expect(sent.some((q) => /INSERT INTO trace_info/.test(q))).toBe(true);
    expect(sent.some((q) => /INSERT INTO trace_spans/.test(q))).toBe(true);
    expect(await store.traces.getSpans(info.trace_id)).toHaveLength(spans.length);
  });

  it('ingesting a trace of 500 spans is one span statement', async () => {
    const info = traceInfoOf('0');
    await store.traces.startTrace(info);
    const [template] = spansOf(info.trace_id);
    const spans = Array.from({ length: 500 }, (_, i) => ({
      ...template!,
      span_id: (i + 1).toString(16).padStart(16, '0'),
      start_time_unix_nano: (1_796_123_635_877_000_000n + BigInt(i)).toString(),
    }));
    const sent = await queriesDuring(() => store.traces.logSpans(info.trace_id, spans));
    expect(sent.filter((q) => /trace_spans/.test(q))).toHaveLength(1);
    // BEGIN, the trace, the spans, COMMIT.
    expect(sent.length).toBeLessThanOrEqual(4);
    expect(await store.traces.getSpans(info.trace_id)).toHaveLength(500);
  });
});

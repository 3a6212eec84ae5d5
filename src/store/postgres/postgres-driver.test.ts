import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isAgentrackError } from '../../errors.js';
import { closedPort } from '../../testing/closed-port.js';
import { freshDatabase, type FreshDatabase } from '../../testing/postgres.js';
import { DatabaseError } from '../sql/database-error.js';
import { withDatabaseErrors } from '../sql/with-database-errors.js';
import { PostgresDriver } from './postgres-driver.js';

let db: FreshDatabase;
let driver: PostgresDriver;

beforeAll(async () => {
  db = await freshDatabase();
  driver = PostgresDriver.open({ connectionString: db.url });
  await driver.run('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n BIGINT)');
});

afterAll(() => driver.close());

/** A table of its own for one test. */
async function table(name: string, columns: string): Promise<string> {
  await driver.run(`CREATE TABLE ${name} (${columns})`);
  return name;
}

/** The error `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Polls `probe` until it gives `expected` (the server ends a backend just after its client left). */
async function eventually<T>(probe: () => Promise<T>, expected: T): Promise<T> {
  const deadline = Date.now() + 10_000;
  let last = await probe();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = await probe();
  }
  return last;
}

/** A promise and the function that resolves it. */
function signal(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('statements', () => {
  test('all, get and run take ? placeholders and give rows and changes', async () => {
    const t = await table('basic', 'id INTEGER PRIMARY KEY, name TEXT');
    expect(await driver.run(`INSERT INTO ${t} (id, name) VALUES (?, ?), (?, ?)`, [1, 'a', 2, 'b'])).toEqual({
      changes: 2,
    });
    expect(await driver.all(`SELECT id, name FROM ${t} WHERE id >= ? ORDER BY id`, [1])).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    expect(await driver.get(`SELECT name FROM ${t} WHERE id = ?`, [2])).toEqual({ name: 'b' });
    expect(await driver.get(`SELECT name FROM ${t} WHERE id = ?`, [3])).toBeUndefined();
    expect(await driver.run(`UPDATE ${t} SET name = ? WHERE id > ?`, ['z', 0])).toEqual({ changes: 2 });
    expect(await driver.run(`DELETE FROM ${t} WHERE id = ?`, [99])).toEqual({ changes: 0 });
  });

  test('a database error comes as pg gives it; the shared core wraps it once, with the SQLSTATE, statement and cause', async () => {
    const raw = await rejection(driver.all('SELEC ?', [1]));
    expect(isAgentrackError(raw)).toBe(false);
    expect(driver.describeError(raw)).toBe('other');
    const error = await rejection(withDatabaseErrors(driver).all('SELEC ?', [1]));
    expect(isAgentrackError(error, 'INTERNAL_ERROR')).toBe(true);
    expect((error as Error).message).toMatch(
      /^PostgreSQL error \(42601\): syntax error.*; statement: SELEC \?; parameters: \[1\]$/,
    );
    expect(((error as Error).cause as { code?: string }).code).toBe('42601');
  });

  test('a unique violation and a lost race are told apart by kind', async () => {
    const t = await table('kinds', 'id INTEGER PRIMARY KEY');
    const wrapped = withDatabaseErrors(driver);
    await wrapped.run(`INSERT INTO ${t} (id) VALUES (?)`, [1]);
    const error = await rejection(
      wrapped.transaction((tx) => tx.run(`INSERT INTO ${t} (id) VALUES (?)`, [1])),
    );
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({
      code: 'INTERNAL_ERROR',
      kind: 'unique-violation',
      database: 'PostgreSQL',
      statement: `INSERT INTO ${t} (id) VALUES (?)`,
      params: ['1'],
    });
  });

  test('a server that cannot be reached is TEMPORARILY_UNAVAILABLE, without the password', async () => {
    const port = await closedPort();
    const nowhere = withDatabaseErrors(
      PostgresDriver.open({ connectionString: `postgresql://u:s3cret@127.0.0.1:${port}/x` }),
    );
    try {
      const error = await rejection(nowhere.get('SELECT 1'));
      expect(isAgentrackError(error, 'TEMPORARILY_UNAVAILABLE')).toBe(true);
      expect(error).toMatchObject({ kind: 'unavailable' });
      expect((error as Error).message).not.toContain('s3cret');
      expect(
        isAgentrackError(await rejection(nowhere.transaction(async () => 1)), 'TEMPORARILY_UNAVAILABLE'),
      ).toBe(true);
    } finally {
      await nowhere.close();
    }
  });
});

describe('types come back as the SQLite driver gives them', () => {
  test('NaN and ±Infinity as DOUBLE PRECISION and NUMERIC', async () => {
    const t = await table('floats', 'i INTEGER, d DOUBLE PRECISION, r REAL, n NUMERIC');
    const values = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1, -0, 1e308, 5e-324];
    await driver.runMany(
      `INSERT INTO ${t} (i, d, r, n) VALUES (?, ?, ?, ?)`,
      values.map((v, i) => [i, v, Number.isFinite(v) ? 0.5 : v, v]),
    );
    const rows = await driver.all<{ d: number; r: number; n: number }>(`SELECT d, r, n FROM ${t} ORDER BY i`);
    // -0 comes back as 0, as from a REAL column of SQLite (pg sends it as the text '0').
    expect(rows.map((row) => row.d)).toEqual(values.map((v) => (Object.is(v, -0) ? 0 : v)));
    expect(rows.map((row) => row.r)).toEqual([Number.NaN, Infinity, -Infinity, 0.5, 0.5, 0.5, 0.5]);
    // NUMERIC has no negative zero and keeps the decimal text, which reads back as the same double.
    expect(rows.map((row) => row.n)).toEqual([Number.NaN, Infinity, -Infinity, 0.1, 0, 1e308, 5e-324]);
    for (const row of rows) expect(typeof row.n).toBe('number');
  });

  test('BIGINT as a number while exact, as a bigint beyond, never rounded', async () => {
    const t = await table('bigs', 'i INTEGER, b BIGINT');
    const safe = [0, -1, 1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    await driver.runMany(
      `INSERT INTO ${t} (i, b) VALUES (?, ?)`,
      [...safe, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n].map((v, i) => [i, v]),
    );
    const rows = await driver.all<{ b: unknown }>(`SELECT b FROM ${t} ORDER BY i`);
    expect(rows.map((row) => row.b)).toEqual([...safe, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n]);
    expect(await driver.get(`SELECT count(*) AS c, sum(i) AS s FROM ${t}`)).toEqual({ c: 8, s: 28 });
  });

  test('BYTEA as a Buffer, every byte kept; JSON as its text', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const row = await driver.get<{ b: Buffer; j: string; jb: string }>(
      `SELECT ?::bytea AS b, '{"a": [1, 2]}'::json AS j, '{"b": 1}'::jsonb AS jb`,
      [bytes],
    );
    expect(Buffer.isBuffer(row?.b)).toBe(true);
    expect(row?.b.equals(bytes)).toBe(true);
    expect(row?.j).toBe('{"a": [1, 2]}');
    expect(row?.jb).toBe('{"b": 1}');
  });

  test("the pool's parsers are its own: pg's defaults stay as they were", async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT 9007199254740993::bigint AS b, 1.5::numeric AS n`);
      expect(rows[0]).toEqual({ b: '9007199254740993', n: '1.5' });
    } finally {
      await client.end();
    }
  });
});

describe('runMany', () => {
  test('inserts 2,500 rows (several multi-row statements) and counts them', async () => {
    const t = await table('many', 'id INTEGER PRIMARY KEY, name TEXT, v DOUBLE PRECISION, k TEXT');
    const rows = Array.from({ length: 2_500 }, (_, i) => [i, `row ${i}`, i / 4]);
    // With $n placeholders, as the store sends it (driverSql), and a constant in the tuple.
    expect(await driver.runMany(`INSERT INTO ${t} (id, name, v, k) VALUES ($1, $2, $3, 'c')`, rows)).toEqual({
      changes: 2_500,
    });
    expect(await driver.get(`SELECT count(*) AS n FROM ${t} WHERE k = 'c'`)).toEqual({ n: 2_500 });
    await driver.run(`ALTER TABLE ${t} DROP COLUMN k`);
    const stored = await driver.all<{ id: number; name: string; v: number }>(
      `SELECT * FROM ${t} ORDER BY id`,
    );
    expect(stored.map((row) => [row.id, row.name, row.v])).toEqual(rows);
  });

  test('rows too wide for 1,000 per statement stay within 65,535 parameters', async () => {
    const columns = Array.from({ length: 100 }, (_, i) => `c${i}`);
    const t = await table('wide', columns.map((c) => `${c} INTEGER`).join(', '));
    const rows = Array.from({ length: 1_500 }, (_, r) => columns.map((_, c) => r * 100 + c));
    const sql = `INSERT INTO ${t} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    expect(await driver.runMany(sql, rows)).toEqual({ changes: 1_500 });
    expect(await driver.get(`SELECT count(*) AS n, sum(c99) AS s FROM ${t}`)).toEqual({
      n: 1_500,
      s: rows.reduce((sum, row) => sum + (row[99] as number), 0),
    });
  });

  test('an upsert meeting the same key twice in one batch ends as row by row would', async () => {
    const t = await table('upserts', 'k TEXT PRIMARY KEY, v INTEGER');
    const sql = `INSERT INTO ${t} (k, v) VALUES (?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v`;
    expect(
      await driver.runMany(sql, [
        ['a', 1],
        ['b', 2],
        ['a', 3],
      ]),
    ).toEqual({ changes: 3 });
    expect(await driver.all(`SELECT k, v FROM ${t} ORDER BY k`)).toEqual([
      { k: 'a', v: 3 },
      { k: 'b', v: 2 },
    ]);
    const ignore = `INSERT INTO ${t} (k, v) VALUES (?, ?) ON CONFLICT DO NOTHING`;
    expect(
      await driver.runMany(ignore, [
        ['a', 9],
        ['c', 4],
        ['c', 5],
      ]),
    ).toEqual({ changes: 1 });
    expect(await driver.get(`SELECT v FROM ${t} WHERE k = ?`, ['c'])).toEqual({ v: 4 });
  });

  test('a conditional upsert of 3,000 rows with repeated keys ends as row by row', async () => {
    const columns =
      'run_seq BIGINT, key TEXT, value DOUBLE PRECISION, step BIGINT, PRIMARY KEY (run_seq, key)';
    const batch = await table('latest_batch', columns);
    const single = await table('latest_single', columns);
    const upsert = (t: string) =>
      `INSERT INTO ${t} (run_seq, key, value, step) VALUES ($1, $2, $3, $4)
       ON CONFLICT (run_seq, key) DO UPDATE SET value = excluded.value, step = excluded.step
       WHERE (excluded.step, excluded.value) > (${t}.step, ${t}.value)`;
    // 3,000 rows over 40 keys of 3 runs, in an order where keys come back often and steps go both ways.
    const rows = Array.from({ length: 3_000 }, (_, i) => [
      i % 3,
      `k${(i * 7) % 40}`,
      (i * 37) % 101,
      (i * 13) % 17,
    ]);
    const changes = await driver.runMany(upsert(batch), rows);
    let expected = 0;
    for (const row of rows) expected += (await driver.run(upsert(single), row)).changes;
    expect(changes).toEqual({ changes: expected });
    const read = (t: string) =>
      driver.all(`SELECT run_seq, key, value, step FROM ${t} ORDER BY run_seq, key`);
    expect(await read(batch)).toEqual(await read(single));
    expect((await read(batch)).length).toBe(120);
  });

  test('placeholders out of order or reused in the tuple keep their values', async () => {
    const t = await table('reordered', 'a INTEGER, b INTEGER, c INTEGER');
    const rows = Array.from({ length: 1_001 }, (_, i) => [i, i + 5_000]);
    expect(await driver.runMany(`INSERT INTO ${t} (a, b, c) VALUES ($2, $1, $1)`, rows)).toEqual({
      changes: 1_001,
    });
    const stored = await driver.all<{ a: number; b: number; c: number }>(
      `SELECT a, b, c FROM ${t} ORDER BY b`,
    );
    expect(stored.map((row) => [row.a, row.b, row.c])).toEqual(rows.map(([i, j]) => [j, i, i]));
  });

  test('UPDATE and DELETE run once per parameter list', async () => {
    const t = await table('updates', 'k INTEGER PRIMARY KEY, v INTEGER');
    await driver.runMany(`INSERT INTO ${t} (k, v) VALUES (?, 0)`, [[1], [2], [3]]);
    expect(
      await driver.runMany(`UPDATE ${t} SET v = ? WHERE k = ?`, [
        [10, 1],
        [30, 3],
        [40, 4],
      ]),
    ).toEqual({
      changes: 2,
    });
    expect(await driver.runMany(`DELETE FROM ${t} WHERE k = ?`, [[2], [5]])).toEqual({ changes: 1 });
    expect(await driver.all(`SELECT k, v FROM ${t} ORDER BY k`)).toEqual([
      { k: 1, v: 10 },
      { k: 3, v: 30 },
    ]);
    expect(await driver.runMany(`DELETE FROM ${t}`, [])).toEqual({ changes: 0 });
  });

  test('a batch with one bad row writes nothing', async () => {
    const t = await table('atomic', 'id INTEGER PRIMARY KEY');
    const rows = Array.from({ length: 1_200 }, (_, i) => [i === 1_100 ? 5 : i]);
    const error = await rejection(
      withDatabaseErrors(driver).runMany(`INSERT INTO ${t} (id) VALUES (?)`, rows),
    );
    expect(isAgentrackError(error, 'INTERNAL_ERROR')).toBe(true);
    expect(error).toMatchObject({ kind: 'unique-violation', params: ['0'] });
    expect((error as Error).message).toContain('(23505)');
    expect((error as Error).message).toContain('parameters (first of 1200 rows): [0]');
    expect(await driver.get(`SELECT count(*) AS n FROM ${t}`)).toEqual({ n: 0 });
  });
});

describe('transactions', () => {
  test('commits what the callback wrote and returns its value', async () => {
    const value = await driver.transaction(async (tx) => {
      await tx.run('INSERT INTO items (id, name) VALUES (?, ?)', [1, 'one']);
      await tx.runMany('INSERT INTO items (id, name) VALUES (?, ?)', [
        [2, 'two'],
        [3, 'three'],
      ]);
      return (await tx.get<{ n: number }>('SELECT count(*) AS n FROM items'))?.n;
    });
    expect(value).toBe(3);
    expect(await driver.all('SELECT name FROM items ORDER BY id')).toEqual([
      { name: 'one' },
      { name: 'two' },
      { name: 'three' },
    ]);
  });

  test('a callback that throws rolls everything back and its error comes out unchanged', async () => {
    const failure = new Error('the caller changed its mind');
    const error = await rejection(
      driver.transaction(async (tx) => {
        await tx.run('INSERT INTO items (id, name) VALUES (?, ?)', [10, 'ten']);
        await tx.runMany('INSERT INTO items (id, name) VALUES (?, ?)', [[11, 'eleven']]);
        await tx.run('UPDATE items SET name = ?', ['gone']);
        throw failure;
      }),
    );
    expect(error).toBe(failure);
    expect(await driver.get('SELECT count(*) AS n FROM items WHERE id >= 10 OR name = ?', ['gone'])).toEqual({
      n: 0,
    });
  });

  test('calls through the driver inside a callback run in its transaction; nested ones in a savepoint', async () => {
    await driver.transaction(async (tx) => {
      await tx.run('INSERT INTO items (id, name) VALUES (?, ?)', [20, 'twenty']);
      // Not committed yet: only the transaction's own connection sees it.
      expect(await driver.get('SELECT name FROM items WHERE id = ?', [20])).toEqual({ name: 'twenty' });
      await driver.transaction((inner) =>
        inner.run('INSERT INTO items (id, name) VALUES (?, ?)', [21, 'kept']),
      );
      await rejection(
        driver.transaction(async (inner) => {
          await inner.run('INSERT INTO items (id, name) VALUES (?, ?)', [22, 'undone']);
          throw new Error('inner failure');
        }),
      );
      expect(await driver.read((r) => r.all('SELECT id FROM items WHERE id >= 20 ORDER BY id'))).toEqual([
        { id: 20 },
        { id: 21 },
      ]);
    });
    expect(await driver.all('SELECT id FROM items WHERE id >= 20 ORDER BY id')).toEqual([
      { id: 20 },
      { id: 21 },
    ]);
  });

  test('several transactions run at once on their own connections', async () => {
    const t = await table('concurrent', 'id INTEGER PRIMARY KEY');
    const all = signal();
    const counted = signal();
    let started = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        driver.transaction(async (tx) => {
          await tx.run(`INSERT INTO ${t} (id) VALUES (?)`, [i]);
          started += 1;
          if (started === 4) all.resolve();
          // Each waits for the others to be inside their own transaction at the same time.
          await all.promise;
          expect(await tx.get(`SELECT count(*) AS n FROM ${t}`)).toEqual({ n: 1 });
          done += 1;
          if (done === 4) counted.resolve();
          // And none commits before all have counted.
          await counted.promise;
        }),
      ),
    );
    expect(await driver.get(`SELECT count(*) AS n FROM ${t}`)).toEqual({ n: 4 });
  });

  test('a transaction chosen as a deadlock victim runs again and both succeed', async () => {
    const t = await table('deadlock', 'id INTEGER PRIMARY KEY, v INTEGER');
    await driver.run(`INSERT INTO ${t} (id, v) VALUES (1, 0), (2, 0)`);
    const locked = [signal(), signal()];
    let attempts = 0;
    const crossing = (first: number, second: number, mine: number) =>
      driver.transaction(async (tx) => {
        attempts += 1;
        await tx.run(`UPDATE ${t} SET v = v + 1 WHERE id = ?`, [first]);
        locked[mine]?.resolve();
        await locked[1 - mine]?.promise;
        await tx.run(`UPDATE ${t} SET v = v + 1 WHERE id = ?`, [second]);
      });
    await Promise.all([crossing(1, 2, 0), crossing(2, 1, 1)]);
    expect(attempts).toBe(3);
    expect(await driver.all(`SELECT v FROM ${t} ORDER BY id`)).toEqual([{ v: 2 }, { v: 2 }]);
  });

  test('a statement sent after its transaction ended is refused', async () => {
    let escaped: (() => Promise<unknown>) | undefined;
    await driver.transaction(async (tx) => {
      escaped = () => tx.get('SELECT 1 AS one');
    });
    expect(isAgentrackError(await rejection(escaped!()), 'INVALID_STATE')).toBe(true);
  });
});

describe('read', () => {
  test('sees one snapshot: a commit made meanwhile shows only after it', async () => {
    const t = await table('snapshot', 'id INTEGER PRIMARY KEY');
    await driver.run(`INSERT INTO ${t} (id) VALUES (1)`);
    const counts = await driver.read(async (tx) => {
      const before = await tx.get<{ n: number }>(`SELECT count(*) AS n FROM ${t}`);
      // Another connection commits while the snapshot is open.
      const other = new pg.Client({ connectionString: db.url });
      await other.connect();
      await other.query(`INSERT INTO ${t} (id) VALUES (2)`);
      await other.end();
      const after = await tx.get<{ n: number }>(`SELECT count(*) AS n FROM ${t}`);
      return [before?.n, after?.n];
    });
    expect(counts).toEqual([1, 1]);
    expect(await driver.get(`SELECT count(*) AS n FROM ${t}`)).toEqual({ n: 2 });
  });

  test('refuses to write', async () => {
    const error = await rejection(
      withDatabaseErrors(driver).read((tx) =>
        tx.run('INSERT INTO items (id, name) VALUES (?, ?)', [30, 'x']),
      ),
    );
    expect(isAgentrackError(error, 'INTERNAL_ERROR')).toBe(true);
    expect(error).toMatchObject({ kind: 'readonly', params: ['30', "'x'"] });
    expect((error as Error).message).toContain('(25006)');
    expect(await driver.get('SELECT count(*) AS n FROM items WHERE id = 30')).toEqual({ n: 0 });
  });
});

describe('readOnly', () => {
  test('refuses transactions, run and runMany with INVALID_STATE naming the store, and still reads', async () => {
    const reader = PostgresDriver.open({
      connectionString: db.url,
      readOnly: { label: 'the team database' },
    });
    try {
      for (const attempt of [
        () => reader.transaction(async () => 1),
        () => reader.run('INSERT INTO items (id, name) VALUES (?, ?)', [31, 'x']),
        () => reader.runMany('INSERT INTO items (id, name) VALUES (?, ?)', [[32, 'y']]),
      ]) {
        const error = await rejection(attempt());
        expect(isAgentrackError(error, 'INVALID_STATE')).toBe(true);
        expect((error as Error).message).toBe(
          'The tracking store the team database was opened for reading only; open it for writing to change it.',
        );
      }
      expect(reader.poolStats.total).toBe(0);
      expect(await reader.read((tx) => tx.get('SELECT count(*) AS n FROM items WHERE id > 30'))).toEqual({
        n: 0,
      });
    } finally {
      await reader.close();
    }
  });
});

describe('text holding NUL', () => {
  test('is refused before it is sent, in and outside transactions, naming the column', async () => {
    // Each attempt starts only when the one before has been awaited: a rejection left pending
    // while another is awaited would be reported as unhandled.
    for (const attempt of [
      () => driver.run('INSERT INTO items (id, name) VALUES (?, ?)', [40, 'a\u0000b']),
      () => driver.transaction((tx) => tx.run('UPDATE items SET name = ? WHERE id = ?', ['\u0000', 1])),
      () =>
        driver.runMany('INSERT INTO items (id, name) VALUES (?, ?)', [
          [41, 'fine'],
          [42, 'not\u0000fine'],
        ]),
    ]) {
      const error = await rejection(attempt());
      expect(isAgentrackError(error, 'INVALID_PARAMETER_VALUE')).toBe(true);
      expect((error as Error).message).toMatch(
        /^Invalid value for (items\.)?name: it contains the NUL character/,
      );
    }
    expect(await driver.get('SELECT count(*) AS n FROM items WHERE id >= 40')).toEqual({ n: 0 });
  });
});

describe('the pool', () => {
  test('defaults: application_name agentrack, a 60 s statement timeout', async () => {
    expect(
      await driver.get(
        `SELECT current_setting('application_name') AS a, current_setting('statement_timeout') AS s`,
      ),
    ).toEqual({
      a: 'agentrack',
      s: '1min',
    });
  });

  test('max connections, application name and statement timeout are the options given', async () => {
    const small = PostgresDriver.open({
      connectionString: db.url,
      max: 2,
      applicationName: 'agentrack-pool-test',
      statementTimeoutMs: 200,
    });
    try {
      const inside = signal();
      let entered = 0;
      let mostOpen = 0;
      const holders = Array.from({ length: 5 }, () =>
        small.transaction(async (tx) => {
          entered += 1;
          mostOpen = Math.max(mostOpen, small.poolStats.total);
          if (entered === 2) inside.resolve();
          await inside.promise;
          return tx.get<{ a: string }>(`SELECT current_setting('application_name') AS a`);
        }),
      );
      expect(await Promise.all(holders)).toEqual(Array(5).fill({ a: 'agentrack-pool-test' }));
      expect(mostOpen).toBe(2);
      const slow = await rejection(withDatabaseErrors(small).get('SELECT pg_sleep(5)'));
      expect(isAgentrackError(slow, 'TEMPORARILY_UNAVAILABLE')).toBe(true);
      expect(slow).toMatchObject({ kind: 'timeout' });
      expect((slow as Error).message).toContain('(57014)');
    } finally {
      await small.close();
    }
  });

  test('a request that waits past the connect timeout for a busy pool is TEMPORARILY_UNAVAILABLE', async () => {
    const busy = withDatabaseErrors(
      PostgresDriver.open({ connectionString: db.url, max: 1, connectionTimeoutMs: 300 }),
    );
    const release = signal();
    const inside = signal();
    try {
      const holder = busy.transaction(async (tx) => {
        await tx.get('SELECT 1');
        inside.resolve();
        await release.promise;
        return 'held';
      });
      await inside.promise;
      const started = Date.now();
      const waiting = await rejection(busy.get('SELECT 1'));
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(isAgentrackError(waiting, 'TEMPORARILY_UNAVAILABLE')).toBe(true);
      expect(waiting).toMatchObject({ kind: 'unavailable' });
      release.resolve();
      expect(await holder).toBe('held');
      // The pool recovers once the connection is back.
      expect(await busy.get<{ n: number }>('SELECT 1 AS n')).toEqual({ n: 1 });
    } finally {
      release.resolve();
      await busy.close();
    }
  });

  test('close ends every connection and later calls fail with INVALID_STATE', async () => {
    const name = 'agentrack-close-test';
    const closing = PostgresDriver.open({ connectionString: db.url, applicationName: name });
    await Promise.all([closing.get('SELECT 1'), closing.read((tx) => tx.get('SELECT 2'))]);
    const connections = () =>
      driver.get<{ n: number }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = ?', [
        name,
      ]);
    expect((await connections())?.n).toBeGreaterThan(0);
    await closing.close();
    await closing.close();
    expect(await eventually(connections, { n: 0 })).toEqual({ n: 0 });
    for (const call of [
      () => closing.get('SELECT 1'),
      () => closing.all('SELECT 1'),
      () => closing.run('SELECT 1'),
      () => closing.runMany('SELECT 1', [[]]),
      () => closing.transaction(async () => 1),
      () => closing.read(async () => 1),
    ]) {
      expect(isAgentrackError(await rejection(call()), 'INVALID_STATE')).toBe(true);
    }
  });
});

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { migrate } from '../sql/migrator.js';
import { MIGRATIONS } from '../sql/schema.js';
import { SqliteDriver } from './sqlite-driver.js';

describe('SqliteDriver and migrations', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('opens files in WAL mode with a busy timeout', async () => {
    const driver = SqliteDriver.open(join(dir.path, 'a.db'));
    expect(driver.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(driver.database.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    await driver.close();
  });

  it('applies every migration once and is idempotent on reopen', async () => {
    const path = join(dir.path, 'b.db');
    const first = SqliteDriver.open(path);
    expect(await migrate(first)).toBe(MIGRATIONS.at(-1)?.version);
    await first.close();
    const second = SqliteDriver.open(path);
    await migrate(second);
    const versions = await second.all<{ version: number }>(
      'SELECT version FROM agentrack_schema ORDER BY version',
    );
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    const defaults = await second.all('SELECT experiment_id, name FROM experiments');
    expect(defaults).toEqual([{ experiment_id: 0, name: 'Default' }]);
    await second.close();
  });

  it('refuses a database written by a newer schema version', async () => {
    const path = join(dir.path, 'c.db');
    const driver = SqliteDriver.open(path);
    await migrate(driver);
    await driver.run('INSERT INTO agentrack_schema (version, description, applied_at) VALUES (999, ?, 0)', [
      'future',
    ]);
    await expect(migrate(driver)).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining('999'),
    });
    await driver.close();
  });

  it('rolls a failed transaction back', async () => {
    const driver = SqliteDriver.open(join(dir.path, 'd.db'));
    await migrate(driver);
    await expect(
      driver.transaction(async (tx) => {
        await tx.run("INSERT INTO experiments (name, creation_time, last_update_time) VALUES ('x', 1, 1)");
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await driver.get("SELECT name FROM experiments WHERE name = 'x'")).toBeUndefined();
    await driver.close();
  });

  it('waits for another process holding the write lock instead of failing', async () => {
    const path = join(dir.path, 'e.db');
    const driver = SqliteDriver.open(path, { busyTimeoutMs: 20 });
    await migrate(driver);
    // Another process takes the write lock and keeps it for 400 ms, far past the busy timeout.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const D = require('better-sqlite3'); const db = new D(process.argv[1]);
         db.exec('BEGIN IMMEDIATE'); process.stdout.write('locked\\n');
         Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 400); db.exec('COMMIT');`,
        path,
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const closed = once(holder, 'close');
    await once(holder.stdout, 'data');
    const started = Date.now();
    const write = driver.run(
      "INSERT INTO experiments (name, creation_time, last_update_time) VALUES ('y', 1, 1)",
    );
    await expect(write).resolves.toMatchObject({ changes: 1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    await closed;
    await driver.close();
  });

  it('fails with INVALID_STATE once closed', async () => {
    const driver = SqliteDriver.open(join(dir.path, 'f.db'));
    await driver.close();
    await expect(driver.get('SELECT 1')).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  describe('concurrent write transactions', () => {
    let path: string;
    let driver: SqliteDriver;
    /** Another connection to the same file: it sees only what was committed. */
    let other: Database.Database;

    beforeEach(async () => {
      path = join(dir.path, 'group.db');
      driver = SqliteDriver.open(path);
      await driver.run('CREATE TABLE parents (id INTEGER PRIMARY KEY)');
      await driver.run(
        'CREATE TABLE items (name TEXT PRIMARY KEY, parent INTEGER REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)',
      );
      await driver.run('CREATE TABLE doomed (name TEXT)');
      await driver.run(
        "CREATE TRIGGER doom BEFORE INSERT ON doomed BEGIN SELECT RAISE(ROLLBACK, 'doomed'); END",
      );
      other = new Database(path, { readonly: true });
    });
    afterEach(async () => {
      other.close();
      await driver.close();
    });

    const committed = () =>
      (other.prepare('SELECT name FROM items ORDER BY name').all() as { name: string }[]).map((r) => r.name);

    /**
     * Starts `writes` while a read holds the driver, so that they all wait for the lock
     * together, then lets the read end; resolves with how each write ended.
     */
    async function together(
      writes: ((tx: Parameters<Parameters<SqliteDriver['transaction']>[0]>[0]) => Promise<unknown>)[],
      onSettled: () => void = () => {},
    ): Promise<PromiseSettledResult<unknown>[]> {
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const reading = driver.read(() => held);
      const results = Promise.allSettled(writes.map((write) => driver.transaction(write).finally(onSettled)));
      release();
      await reading;
      return results;
    }

    it('share one commit: none is visible to another connection, or acknowledged, before the last has run', async () => {
      const seenByOthers: string[][] = [];
      const insert =
        (name: string) => async (tx: Parameters<Parameters<SqliteDriver['transaction']>[0]>[0]) => {
          await tx.run('INSERT INTO items (name) VALUES (?)', [name]);
          seenByOthers.push(committed());
          return name;
        };
      const seenAtAnswer: string[][] = [];
      const settled = await together(['a', 'b', 'c'].map(insert), () => seenAtAnswer.push(committed()));
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      // Each one ran before anything was committed: they were one transaction.
      expect(seenByOthers).toEqual([[], [], []]);
      // Each caller heard of its result once all three were committed.
      expect(seenAtAnswer).toEqual([
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
        ['a', 'b', 'c'],
      ]);
      expect(committed()).toEqual(['a', 'b', 'c']);
    });

    it('started in the same turn of the event loop share one commit, even when the driver is idle', async () => {
      const seenByOthers: string[][] = [];
      const settled = await Promise.allSettled(
        ['a', 'b', 'c'].map((name) =>
          driver.transaction(async (tx) => {
            await tx.run('INSERT INTO items (name) VALUES (?)', [name]);
            seenByOthers.push(committed());
          }),
        ),
      );
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
      expect(seenByOthers).toEqual([[], [], []]);
      expect(committed()).toEqual(['a', 'b', 'c']);
    });

    it('past one group, wait for the reads and the event loop between groups, and all commit, in order', async () => {
      // 200 writes queued at once: groups of 64, 64, 64 and 8.
      const order: string[] = [];
      let read: Promise<void> | undefined;
      let turned: Promise<void> | undefined;
      const writes = Array.from({ length: 200 }, (_, i) =>
        driver
          .transaction(async (tx) => {
            await tx.run('INSERT INTO items (name) VALUES (?)', [`w${i}`]);
            if (i === 0) {
              // Asked for while the first group runs: served before the second group.
              read = driver
                .read((r) => r.all('SELECT name FROM items'))
                .then((rows) => void order.push(`read after ${rows.length}`));
              turned = new Promise<void>((resolve) => setImmediate(resolve)).then(
                () => void order.push('loop turned'),
              );
            }
          })
          .then(() => order.push(`w${i}`)),
      );
      await Promise.all(writes);
      await Promise.all([read, turned]);
      expect(order.indexOf('read after 64')).toBe(64);
      expect(order.indexOf('loop turned')).toBeLessThan(order.indexOf('w199'));
      expect(order.filter((e) => e.startsWith('w'))).toEqual(Array.from({ length: 200 }, (_, i) => `w${i}`));
      expect(committed()).toHaveLength(200);
    });

    it('queued before close() are all done before the database closes', async () => {
      const writes = Array.from({ length: 150 }, (_, i) =>
        driver.transaction((tx) => tx.run('INSERT INTO items (name) VALUES (?)', [`c${i}`])),
      );
      const closing = driver.close();
      expect((await Promise.allSettled(writes)).every((r) => r.status === 'fulfilled')).toBe(true);
      await closing;
      expect(committed()).toHaveLength(150);
      driver = SqliteDriver.open(path);
    });

    it('roll back only the work of the one that throws', async () => {
      const settled = await together([
        async (tx) => tx.run("INSERT INTO items (name) VALUES ('a')"),
        async (tx) => {
          await tx.run("INSERT INTO items (name) VALUES ('b')");
          await tx.run("INSERT INTO items (name) VALUES ('b2')");
          throw new Error('b fails');
        },
        async (tx) => tx.run("INSERT INTO items (name) VALUES ('a')"), // a constraint error of its own
        async (tx) => tx.run("INSERT INTO items (name) VALUES ('c')"),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
      expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'b fails' });
      // The driver reports SQLite's error as it is; the shared SQL core wraps it (withDatabaseErrors).
      expect((settled[2] as PromiseRejectedResult).reason).toMatchObject({
        code: 'SQLITE_CONSTRAINT_PRIMARYKEY',
      });
      expect(committed()).toEqual(['a', 'c']);
    });

    it('are done again one by one when the shared COMMIT fails, so that only the faulty one fails', async () => {
      await driver.run('INSERT INTO parents (id) VALUES (1)');
      const settled = await together([
        async (tx) => tx.run("INSERT INTO items (name, parent) VALUES ('a', 1)"),
        // A deferred foreign key: checked only at COMMIT, which it makes fail.
        async (tx) => tx.run("INSERT INTO items (name, parent) VALUES ('orphan', 2)"),
        async (tx) => tx.run("INSERT INTO items (name, parent) VALUES ('c', 1)"),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({
        message: expect.stringContaining('FOREIGN KEY'),
      });
      expect(committed()).toEqual(['a', 'c']);
    });

    it('are done again one by one when one of them makes SQLite roll the whole transaction back', async () => {
      const settled = await together([
        async (tx) => tx.run("INSERT INTO items (name) VALUES ('a')"),
        async (tx) => tx.run("INSERT INTO doomed (name) VALUES ('x')"),
        async (tx) => tx.run("INSERT INTO items (name) VALUES ('c')"),
      ]);
      expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({
        message: expect.stringContaining('doomed'),
      });
      expect(committed()).toEqual(['a', 'c']);
    });
  });
});

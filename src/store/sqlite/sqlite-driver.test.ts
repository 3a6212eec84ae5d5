import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
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
});

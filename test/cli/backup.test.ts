import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines } from './helpers.js';

describe('agentrack backup and agentrack restore', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: string;
  let runId: string;

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-backup-');
    db = join(dir.path, 'team.db');
    const client = await TrackingClient.open(`sqlite:///${db}`);
    const experimentId = await client.createExperiment('/Shared/backup_agent/development');
    const run = await client.createRun(experimentId, { runName: 'dev_20261204_010000' });
    runId = run.info.run_id;
    await client.logMetric(runId, 'loss', 0.25);
    await client.logText(runId, 'hello', 'notes.txt');
    await client.close();
  });
  afterAll(() => dir.remove());

  it('backs up the database and its artifacts, then restores them into a new file, verified', async () => {
    const dest = join(dir.path, 'nightly');
    const backup = agentrack(['backup', dest, '--backend-store-uri', `sqlite:///${db}`], { cwd: dir.path });
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toMatch(/^runs\s+1\s+[0-9a-f]{12}$/m);
    expect(lines(backup.stdout).at(-1)).toMatch(
      new RegExp(
        `^backed up ${db} \\(\\d+ pages\\) and 1 artifact file into ${dest} in [\\d.]+ s; manifest ${join(dest, 'agentrack-backup.json')}$`,
      ),
    );
    const manifest = JSON.parse(readFileSync(join(dest, 'agentrack-backup.json'), 'utf8'));
    expect(manifest).toMatchObject({ database: 'team.db', artifacts: 'team-artifacts', source: db });

    const restored = join(dir.path, 'restored', 'team.db');
    const restore = agentrack(['restore', dest, `sqlite:///${restored}`], { cwd: dir.path });
    expect(restore.code, restore.stderr).toBe(0);
    expect(lines(restore.stdout).at(-1)).toBe(
      `restored ${dest} into ${restored} (1 artifact file) and verified: the same objects`,
    );
    const client = await TrackingClient.open(`sqlite:///${restored}`, { mode: 'read' });
    try {
      expect((await client.getRun(runId)).data.metrics).toEqual([
        expect.objectContaining({ key: 'loss', value: 0.25 }),
      ]);
      const local = await client.downloadArtifacts(runId, 'notes.txt', dir.path);
      expect(readFileSync(local, 'utf8')).toBe('hello');
    } finally {
      await client.close();
    }

    const again = agentrack(['restore', dest, `sqlite:///${restored}`], { cwd: dir.path });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists: restore into a new file');
  });

  it('says in --json how often writes made the snapshot start over (never, on a quiet database)', () => {
    const dest = join(dir.path, 'json-backup');
    const backup = agentrack(['backup', dest, '--backend-store-uri', `sqlite:///${db}`, '--json'], {
      cwd: dir.path,
    });
    expect(backup.code, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({
      manifest: join(dest, 'agentrack-backup.json'),
      files: 1,
      restarts: 0,
      database: 'team.db',
    });
  });

  it.each([
    [['backup', 'x', '--backend-store-uri', 'http://127.0.0.1:5000'], /is not a SQLite file/],
    [
      ['backup', 'x', '--backend-store-uri', 'postgresql://u:secret@127.0.0.1:1/db'],
      /is a PostgreSQL database: back it up with PostgreSQL's own tools/,
    ],
    [['restore', 'x', 'http://127.0.0.1:5000'], /TO 'http:\/\/127.0.0.1:5000' is not a SQLite file/],
  ])('%j is a usage error', (args, message) => {
    const result = agentrack(args, { cwd: dir.path });
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain('secret');
    expect(result.code).toBe(2);
    expect(existsSync(join(dir.path, 'x'))).toBe(false);
  });

  it('says what is wrong with a folder that is not a backup', () => {
    const result = agentrack(['restore', dir.path, `sqlite:///${join(dir.path, 'new.db')}`], {
      cwd: dir.path,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not an agentrack backup: cannot read');
    expect(existsSync(join(dir.path, 'new.db'))).toBe(false);
  });
});

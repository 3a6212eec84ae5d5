import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileState, folderListing } from '../../testing/file-state.js';
import { createMlflowDatabase, MLFLOW_3_3_REVISION } from '../../testing/mlflow-database.js';
import { tempDir } from '../../testing/temp-dir.js';
import { canSwitchUser, makeTraversable, NOBODY } from '../../testing/unprivileged.js';
import { migrate } from '../sql/migrator.js';
import { MIGRATIONS, OLDEST_READABLE_VERSION } from '../sql/schema.js';
import { SqliteDriver } from './sqlite-driver.js';
import { openSqliteStore, type StoreMode } from './sqlite-store.js';

const MODES: readonly StoreMode[] = ['read', 'write'];
const distStore = fileURLToPath(new URL('../../../dist/store/index.js', import.meta.url));

/** Opens and closes a store, returning the error it failed with (or undefined). */
async function openError(path: string, mode: StoreMode): Promise<unknown> {
  try {
    const store = await openSqliteStore(path, { mode });
    await store.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** An agentrack database with one experiment, closed cleanly (no -wal, no -shm). */
async function agentrackDatabase(path: string): Promise<void> {
  const store = await openSqliteStore(path);
  await store.createExperiment({ name: '/Shared/ro/development' });
  await store.close();
}

/** A SQLite file of some other application, in the given journal mode. */
function foreignDatabase(path: string, journal: 'delete' | 'wal'): void {
  const db = new Database(path);
  db.pragma(`journal_mode = ${journal}`);
  db.exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('x')`);
  db.close();
}

describe('openSqliteStore: what it opens, and what it never touches', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('agentrack-open-');
  });
  afterEach(() => {
    chmodSync(dir.path, 0o700);
    dir.remove();
  });

  it('read mode: a missing file is an error naming the path, and nothing is created', async () => {
    const path = join(dir.path, 'sub', 'agentrack.db');
    const error = await openError(path, 'read');
    expect(error).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: `no agentrack database at ${path}; create one with \`agentrack init\` (or start any run)`,
    });
    expect(folderListing(dir.path)).toEqual([]);
  });

  it('read mode: an empty file is no database, and stays as it was', async () => {
    const path = join(dir.path, 'empty.db');
    writeFileSync(path, '');
    const before = fileState(path);
    expect(await openError(path, 'read')).toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining(`no agentrack database at ${path} (the file is empty)`),
    });
    expect(fileState(path)).toEqual(before);
    expect(folderListing(dir.path)).toEqual(['empty.db']);
  });

  it('write mode: an empty file is a fresh database', async () => {
    const path = join(dir.path, 'empty.db');
    writeFileSync(path, '');
    const store = await openSqliteStore(path);
    expect(await store.getExperiment('0')).toMatchObject({ name: 'Default' });
    await store.close();
  });

  it('read mode leaves no file behind and changes no byte of the database', async () => {
    const path = join(dir.path, 'agentrack.db');
    await agentrackDatabase(path);
    const before = fileState(path);
    expect(folderListing(dir.path)).toEqual(['agentrack.db']);
    const store = await openSqliteStore(path, { mode: 'read' });
    expect((await store.searchExperiments({})).items.map((e) => e.name)).toContain('/Shared/ro/development');
    await expect(store.createExperiment({ name: '/Shared/other' })).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining(`${path} was opened for reading only`),
    });
    await store.close();
    expect(folderListing(dir.path)).toEqual(['agentrack.db']);
    expect(fileState(path)).toEqual(before);
  });

  it('read mode reads a database that another connection is writing', async () => {
    const path = join(dir.path, 'agentrack.db');
    const writer = await openSqliteStore(path);
    await writer.createExperiment({ name: '/Shared/live/development' });
    const reader = await openSqliteStore(path, { mode: 'read' });
    await writer.createExperiment({ name: '/Shared/live/evaluation' });
    expect((await reader.searchExperiments({})).items.map((e) => e.name)).toEqual(
      expect.arrayContaining(['/Shared/live/development', '/Shared/live/evaluation']),
    );
    await reader.close();
    await writer.close();
    expect(folderListing(dir.path)).toEqual(['agentrack.db']);
  });

  it.each(MODES)(
    '%s mode: an MLflow 3.3 database is named as such, with what to do instead, and never written to',
    async (mode) => {
      const path = join(dir.path, 'mlflow.db');
      createMlflowDatabase(path);
      const before = fileState(path);
      expect(await openError(path, mode)).toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
        message:
          `${path} is an MLflow database (alembic revision ${MLFLOW_3_3_REVISION}); agentrack keeps its own ` +
          `schema and never writes to it. Serve it with \`mlflow server --backend-store-uri sqlite:///${path}\` ` +
          'and point agentrack at that server (--tracking-uri http://127.0.0.1:5000), or give agentrack another file.',
      });
      expect(fileState(path)).toEqual(before);
      expect(folderListing(dir.path)).toEqual(['mlflow.db']);
    },
  );

  it.each(MODES.flatMap((mode) => (['delete', 'wal'] as const).map((journal) => [mode, journal] as const)))(
    "%s mode: another application's SQLite file (%s journal) is refused, naming what it holds, byte for byte untouched",
    async (mode, journal) => {
      const path = join(dir.path, 'notes.db');
      foreignDatabase(path, journal);
      const before = fileState(path);
      expect(await openError(path, mode)).toMatchObject({
        code: 'INVALID_PARAMETER_VALUE',
        message:
          `${path} is not an agentrack database: it holds the tables notes and no agentrack_schema; ` +
          'agentrack never writes to it. Give agentrack another file.',
      });
      expect(fileState(path)).toEqual(before);
      expect(folderListing(dir.path)).toEqual(['notes.db']);
    },
  );

  it.each(MODES)('%s mode: a file that is not SQLite is refused and left as it was', async (mode) => {
    const path = join(dir.path, 'notes.db');
    writeFileSync(path, 'shopping list\nmilk\n');
    const binary = join(dir.path, 'blob.db');
    writeFileSync(binary, Buffer.from([0, 1, 2, 0xfe, 0xff, 9, 8, 7, 6, 5]));
    const before = [fileState(path), fileState(binary)];
    expect(await openError(path, mode)).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: `${path} is not a SQLite database (it holds text: "shopping list"); agentrack never writes to it. Give agentrack another file.`,
    });
    expect(await openError(binary, mode)).toMatchObject({
      message: expect.stringContaining(
        `${binary} is not a SQLite database (its first bytes are 00 01 02 fe ff 09 08 07)`,
      ),
    });
    expect([fileState(path), fileState(binary)]).toEqual(before);
    expect(folderListing(dir.path)).toEqual(['blob.db', 'notes.db']);
  });

  it('read mode: a database that needs an upgrade says so, and is not migrated', async () => {
    const path = join(dir.path, 'old.db');
    const driver = SqliteDriver.open(path);
    await migrate(driver, MIGRATIONS.slice(0, 2));
    await driver.close();
    const before = fileState(path);
    expect(await openError(path, 'read')).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining(
        `${path} is at schema version 2, older than this agentrack reads (${OLDEST_READABLE_VERSION}); open it once for writing`,
      ),
    });
    expect(fileState(path)).toEqual(before);
    const store = await openSqliteStore(path);
    await store.close();
    expect(await openError(path, 'read')).toBeUndefined();
  });

  it('read mode: reads a database that lacks only migrations that add indexes, without migrating it', async () => {
    const path = join(dir.path, 'index-behind.db');
    const driver = SqliteDriver.open(path);
    await migrate(driver, MIGRATIONS.slice(0, OLDEST_READABLE_VERSION));
    await driver.close();
    expect(OLDEST_READABLE_VERSION).toBeLessThan(MIGRATIONS.at(-1)!.version);
    const before = fileState(path);
    const store = await openSqliteStore(path, { mode: 'read' });
    try {
      const { items } = await store.searchExperiments({});
      expect(items.map((e) => e.name)).toEqual(['Default']);
    } finally {
      await store.close();
    }
    expect(fileState(path)).toEqual(before);
  });

  it.each(MODES)('%s mode: a database of a newer agentrack is refused, naming the path', async (mode) => {
    const path = join(dir.path, 'new.db');
    const driver = SqliteDriver.open(path);
    await migrate(driver);
    await driver.run('INSERT INTO agentrack_schema (version, description, applied_at) VALUES (999, ?, 0)', [
      'x',
    ]);
    await driver.close();
    expect(await openError(path, mode)).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringContaining(
        `${path} is at schema version 999, newer than this agentrack supports`,
      ),
    });
  });

  it('every failure to open names the path and why, and a failed create leaves no folder behind', async () => {
    const file = join(dir.path, 'plain.txt');
    writeFileSync(file, 'x');
    expect(await openError(join(file, 'x.db'), 'write')).toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: `cannot open ${join(file, 'x.db')}: ${file} is not a folder`,
    });
    expect(await openError(join(file, 'deeper', 'x.db'), 'read')).toMatchObject({
      message: `cannot open ${join(file, 'deeper', 'x.db')}: ${file} is not a folder`,
    });
    expect(await openError(dir.path, 'write')).toMatchObject({
      message: `cannot open ${dir.path}: it is a folder, not a database file`,
    });
    expect(folderListing(dir.path)).toEqual(['plain.txt']);
  });

  it.skipIf(process.platform !== 'linux')(
    'write mode: /proc/x.db and /proc/a/b/x.db fail with the file or folder that could not be created',
    async () => {
      expect(await openError('/proc/x.db', 'write')).toMatchObject({
        message: expect.stringMatching(/^cannot open \/proc\/x\.db: cannot create the file: .+ \(E[A-Z]+\)$/),
      });
      // A recursive mkdir under /proc never returns; the folders are made one by one.
      expect(await openError('/proc/a/b/x.db', 'write')).toMatchObject({
        message: expect.stringMatching(
          /^cannot open \/proc\/a\/b\/x\.db: cannot create the folder \/proc\/a: .+/,
        ),
      });
      expect(existsSync('/proc/a')).toBe(false);
    },
  );

  describe.skipIf(!canSwitchUser)(
    'as an unprivileged user (the tests run as root, whom file modes do not bind)',
    () => {
      /** Runs `script` (an ES module body with `openStore` in scope) as `nobody`. */
      function asNobody(script: string) {
        const result = spawnSync(
          process.execPath,
          ['--input-type=module', '-e', `import { openStore } from ${JSON.stringify(distStore)};\n${script}`],
          { ...NOBODY, encoding: 'utf8', cwd: '/' },
        );
        return { code: result.status, stdout: result.stdout, stderr: result.stderr };
      }

      const listExperiments = (uri: string, mode: StoreMode) => `
      try {
        const store = await openStore(${JSON.stringify(uri)}, { mode: ${JSON.stringify(mode)} });
        const page = await store.searchExperiments({});
        console.log(page.items.map((e) => e.name).join(','));
        await store.close();
      } catch (error) {
        console.log('error: ' + error.message + ' (' + error.code + ')');
      }`;

      it('reads a 0444 database in a 0555 folder, and leaves nothing behind', async () => {
        expect(asNobody('console.log("ok")')).toMatchObject({ code: 0, stdout: 'ok\n' });
        const folder = join(dir.path, 'ro');
        mkdirSync(folder);
        const path = join(folder, 'agentrack.db');
        await agentrackDatabase(path);
        const before = fileState(path);
        chmodSync(path, 0o444);
        chmodSync(folder, 0o555);
        makeTraversable(dir.path, dir.path);
        try {
          const read = asNobody(listExperiments(`sqlite:///${path}`, 'read'));
          expect(read.stderr).toBe('');
          expect(read.stdout).toBe('/Shared/ro/development,Default\n');
          const write = asNobody(listExperiments(`sqlite:///${path}`, 'write'));
          expect(write.stdout).toMatch(
            new RegExp(`^error: cannot open ${path}: cannot write to it: permission denied \\(EACCES\\)`),
          );
          expect(folderListing(folder)).toEqual(['agentrack.db']);
          expect(fileState(path)).toEqual(before);
        } finally {
          chmodSync(folder, 0o755);
        }
      });

      it("reads another user's read-only database in a writable folder without leaving -wal or -shm files", async () => {
        const folder = join(dir.path, 'shared');
        mkdirSync(folder);
        const path = join(folder, 'agentrack.db');
        await agentrackDatabase(path);
        chmodSync(path, 0o444);
        chmodSync(folder, 0o777);
        makeTraversable(dir.path, dir.path);
        const read = asNobody(listExperiments(`sqlite:///${path}`, 'read'));
        expect(read.stdout).toBe('/Shared/ro/development,Default\n');
        expect(folderListing(folder)).toEqual(['agentrack.db']);
      });

      it('a folder it may not write is a clear error when writing, and nothing is created', async () => {
        const folder = join(dir.path, 'locked');
        mkdirSync(folder);
        chmodSync(folder, 0o555);
        makeTraversable(dir.path, dir.path);
        try {
          const path = join(folder, 'sub', 'agentrack.db');
          const write = asNobody(listExperiments(`sqlite:///${path}`, 'write'));
          expect(write.stdout).toBe(
            `error: cannot open ${path}: cannot create the folder ${join(folder, 'sub')}: permission denied (EACCES) (PERMISSION_DENIED)\n`,
          );
          expect(folderListing(folder)).toEqual([]);
        } finally {
          chmodSync(folder, 0o755);
        }
      });
    },
  );
});

describe("openSqliteStore: artifact locations, as MLflow's SQL store gives them", () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir('agentrack-locations-');
  });
  afterEach(() => {
    dir.remove();
  });

  it('keeps artifacts behind the proxy by default: mlflow-artifacts:/<id>, runs below it', async () => {
    const store = await openSqliteStore(join(dir.path, 'a.db'));
    const id = await store.createExperiment({ name: 'x' });
    expect((await store.getExperiment(id)).artifact_location).toBe(`mlflow-artifacts:/${id}`);
    expect((await store.getExperiment('0')).artifact_location).toBe('mlflow-artifacts:/0');
    const run = await store.createRun({ experimentId: id });
    expect(run.info.artifact_uri).toBe(`mlflow-artifacts:/${id}/${run.info.run_id}/artifacts`);
    await store.close();
  });

  it('makes a relative root and a relative location given to a new experiment absolute', async () => {
    const store = await openSqliteStore(join(dir.path, 'a.db'), { defaultArtifactRoot: './mlruns/' });
    const cwd = process.cwd();
    const id = await store.createExperiment({ name: 'rooted' });
    expect((await store.getExperiment(id)).artifact_location).toBe(`${cwd}/mlruns/${id}`);
    expect((await store.getExperiment('0')).artifact_location).toBe(`${cwd}/mlruns/0`);
    const given = await store.createExperiment({ name: 'given', artifactLocation: 'file:elsewhere' });
    expect((await store.getExperiment(given)).artifact_location).toBe(`file://${cwd}/elsewhere`);
    const run = await store.createRun({ experimentId: given });
    expect(run.info.artifact_uri).toBe(`file://${cwd}/elsewhere/${run.info.run_id}/artifacts`);
    const absolute = await store.createExperiment({ name: 'absolute', artifactLocation: 's3://bucket/x/' });
    expect((await store.getExperiment(absolute)).artifact_location).toBe('s3://bucket/x/');
    expect((await store.createRun({ experimentId: absolute })).info.artifact_uri).toMatch(
      /^s3:\/\/bucket\/x\/[0-9a-f]{32}\/artifacts$/,
    );
    await store.close();
  });

  it("sets Default's location only when it creates the database", async () => {
    const path = join(dir.path, 'a.db');
    await (await openSqliteStore(path)).close();
    const reopened = await openSqliteStore(path, { defaultArtifactRoot: 's3://bucket/root' });
    expect((await reopened.getExperiment('0')).artifact_location).toBe('mlflow-artifacts:/0');
    expect(
      (await reopened.getExperiment(await reopened.createExperiment({ name: 'x' }))).artifact_location,
    ).toBe('s3://bucket/root/1');
    await reopened.close();
  });

  it('refuses a root on another host before creating anything', async () => {
    const path = join(dir.path, 'a.db');
    await expect(
      openSqliteStore(path, { defaultArtifactRoot: 'file://fileserver/share' }),
    ).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
    });
    expect(existsSync(path)).toBe(false);
  });
});

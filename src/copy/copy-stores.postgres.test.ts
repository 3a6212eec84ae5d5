import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArtifactLocator } from '../artifacts/artifact-locator.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { PostgresDriver } from '../store/postgres/postgres-driver.js';
import { postgresDialect } from '../store/postgres/postgres-dialect.js';
import { migrate } from '../store/sql/migrator.js';
import { MIGRATIONS } from '../store/sql/schema.js';
import { SqlTrackingStore } from '../store/sql/sql-store.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { freshDatabase, type FreshDatabase } from '../testing/postgres.js';
import { seedCopySourceAt, type SeededCopySource } from '../testing/seed-copy-source.js';
import { tempDir } from '../testing/temp-dir.js';
import { ArtifactAccess } from './artifact-access.js';
import { copyBetween, type CopyEndpoint, type CopyStep } from './copy-stores.js';
import type { VerifyRow } from './verify.js';

function differing(rows: readonly VerifyRow[] | undefined): VerifyRow[] {
  expect(rows).toBeDefined();
  return (rows ?? []).filter((row) => !row.equal);
}

// PostgreSQL is one more SQL store: the same import surface keeps every id, with nothing
// of the copy written for it. (Opening it by a postgresql:// URI is the backend registry's.)
describe('copyBetween a SQLite file and PostgreSQL', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: FreshDatabase;
  let seeded: SeededCopySource;
  const closing: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    dir = tempDir('agentrack-copy-pg-');
    db = await freshDatabase();
    seeded = await seedCopySourceAt(`sqlite:///${join(dir.path, 'source.db')}`);
  });
  afterAll(async () => {
    for (const close of closing.reverse()) await close();
    dir.remove();
  });

  async function sqlite(name: string): Promise<CopyEndpoint> {
    const store = await openSqliteStore(join(dir.path, `${name}.db`));
    const artifacts = ArtifactAccess.forTarget(
      {
        kind: 'sqlite',
        path: join(dir.path, `${name}.db`),
        uri: `sqlite:///${join(dir.path, `${name}.db`)}`,
      },
      {},
    );
    closing.push(
      () => store.close(),
      () => artifacts.close(),
    );
    return { uri: `sqlite:///${join(dir.path, `${name}.db`)}`, store, artifacts };
  }

  async function postgres(schema: string): Promise<CopyEndpoint> {
    const driver = PostgresDriver.open({ connectionString: db.url });
    await migrate(driver, MIGRATIONS, undefined, { artifactRoot: 'mlflow-artifacts:/' });
    const store = new SqlTrackingStore(driver, postgresDialect);
    const artifacts = new ArtifactAccess(
      createArtifactLocator({ proxied: new LocalArtifactRepository(join(dir.path, `${schema}-artifacts`)) }),
    );
    closing.push(
      () => store.close(),
      () => artifacts.close(),
    );
    return { uri: db.url, store, artifacts };
  }

  it('copies every kind into PostgreSQL keeping ids, resumes an interruption, and copies back', async () => {
    const source = await sqlite('source');
    const target = await postgres('copied');
    const stop = (step: CopyStep): void => {
      if (step.kind === 'logged models') throw new Error('interrupted');
    };
    await expect(copyBetween(source, target, { onStep: stop, pageSize: 1 })).rejects.toThrow('interrupted');
    const result = await copyBetween(source, target);
    expect(differing(result.verification)).toEqual([]);
    expect(result.verification?.find((row) => row.kind === 'runs')?.to.count).toBe(seeded.runIds.length);

    // Ids given explicitly moved the sequence on: a new experiment takes the next free id.
    expect(await target.store.createExperiment({ name: 'after the copy' })).toBe('4');
    await target.store.deleteExperiment('4');

    const back = await copyBetween(target, await sqlite('back'));
    expect(differing(back.verification)).toEqual([]);
    expect(back.verification?.find((row) => row.kind === 'experiments')?.to.count).toBe(5);
  });
});

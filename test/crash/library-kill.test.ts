/**
 * A process using the embedded library (`TrackingClient` on SQLite, and on PostgreSQL with an
 * artifacts destination) killed with SIGKILL at random moments while 4 concurrent loops create
 * runs, log batches, log artifact files and log whole traces, CRASH_KILLS times (default 100)
 * per backend. The child writes a ledger line before and after each call; after each kill the
 * database passes its integrity check, every call that returned is in the store, and nothing
 * is there in part. At the end every earlier experiment is checked again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { freshDatabase, freshSchema } from '../../src/testing/postgres.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import {
  checkExperiment,
  checkPostgresIntegrity,
  checkSqliteIntegrity,
  ledgerFromLines,
  Totals,
  type Ledger,
} from './ledger.js';
import { pause, startReady } from './child.js';

const CHILD = fileURLToPath(new URL('../fixtures/crash-library.mjs', import.meta.url));
const KILLS = Number(process.env.CRASH_KILLS ?? 100);
const WRITERS = 4;
const MAX_WAIT_MS = 600;

/** Runs the child on `uri` until it is ready, lets it write for a random while, and kills it. */
async function killOnce(
  uri: string,
  experimentId: string,
  ledgerFile: string,
  artifacts?: string,
): Promise<Ledger> {
  const child = await startReady([
    CHILD,
    uri,
    experimentId,
    ledgerFile,
    String(WRITERS),
    ...(artifacts ? [artifacts] : []),
  ]);
  await pause(Math.random() * MAX_WAIT_MS);
  const { code, signal } = await child.kill();
  // Killed, not failed: a write the library refused would have ended the child first.
  expect([code, signal, child.stderr().replace('ready\n', '')]).toEqual([null, 'SIGKILL', '']);
  return ledgerFromLines(readFileSync(ledgerFile, 'utf8'));
}

async function killAndCheck(
  uri: string,
  artifacts: string,
  folder: string,
  integrity: () => Promise<void> | void,
  destination?: string,
): Promise<void> {
  const cycles: { experimentId: string; ledger: Ledger }[] = [];
  const totals = new Totals();
  for (let k = 0; k < KILLS; k++) {
    const setup = await TrackingClient.open(uri, destination ? { artifactsDestination: destination } : {});
    const experimentId = await setup.createExperiment(`crash-library-${k}`);
    await setup.close();
    const ledger = await killOnce(
      uri,
      experimentId,
      join(folder, `ledger-${uri.startsWith('sqlite') ? 'sqlite' : 'pg'}-${k}.jsonl`),
      destination,
    );
    await integrity();
    await checkExperiment(uri, experimentId, ledger, artifacts);
    totals.add(ledger);
    cycles.push({ experimentId, ledger });
  }
  for (const cycle of cycles) await checkExperiment(uri, cycle.experimentId, cycle.ledger, artifacts);
  console.log(
    `${KILLS} kills of a library process on ${uri.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL'}: ${totals.summary()}`,
  );
  totals.expectEnough(KILLS);
}

describe('a process using the library, killed while it writes', () => {
  let dir: ReturnType<typeof tempDir>;
  let pgUrl: string;
  beforeAll(async () => {
    dir = tempDir('agentrack-library-kill-');
    pgUrl = await freshSchema(await freshDatabase());
  });
  afterAll(() => dir.remove());

  it(`loses no returned call and shows nothing half-written on SQLite, ${KILLS} kills`, async () => {
    const db = join(dir.path, 'crash.db');
    await killAndCheck(`sqlite:///${db}`, join(dir.path, 'crash-artifacts'), dir.path, () =>
      checkSqliteIntegrity(db),
    );
  }, 1_800_000);

  it(`loses no returned call and shows nothing half-written on PostgreSQL, ${KILLS} kills`, async () => {
    const artifacts = join(dir.path, 'pg-artifacts');
    await killAndCheck(pgUrl, artifacts, dir.path, () => checkPostgresIntegrity(pgUrl), artifacts);
  }, 1_800_000);
});

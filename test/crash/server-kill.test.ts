/**
 * `agentrack server` killed with SIGKILL at random moments while writers keep it busy (runs,
 * log-batch, artifact uploads, OTLP traces), then started again, CRASH_KILLS times (default
 * 100) on SQLite and on PostgreSQL. After each kill: the database passes its integrity check
 * (SQLite's `integrity_check` and `foreign_key_check`, PostgreSQL's `amcheck` over every index
 * and table), every write acknowledged before the kill is there, and nothing is there in part
 * (a batch without some of its keys, a file with other bytes than were sent, a trace without
 * some of its spans). At the end every earlier experiment is checked again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, freshSchema } from '../../src/testing/postgres.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { startAgentrack } from '../cli/helpers.js';
import { createExperiment, writeUntilFailure } from './http-writers.js';
import { checkExperiment, checkPostgresIntegrity, checkSqliteIntegrity, Ledger, Totals } from './ledger.js';

const KILLS = Number(process.env.CRASH_KILLS ?? 100);
const WRITERS = 6;
/** The kill comes this long (at most) after the writers start. */
const MAX_WAIT_MS = 600;

interface Cycle {
  experimentId: string;
  ledger: Ledger;
}

/** Starts the server, lets the writers at it for a random while, and kills it. */
async function killOnce(args: readonly string[], cwd: string, k: number): Promise<Cycle> {
  const server = startAgentrack(['server', '--port', '0', '--log-level', 'error', ...args], { cwd });
  await server.waitForStderr('listening on ');
  const base = /listening on (http:\/\/\S+)/.exec(server.stderr())?.[1] as string;
  const experimentId = await createExperiment(base, `crash-${k}`);
  const ledger = new Ledger();
  const writers = Array.from({ length: WRITERS }, (_, w) => writeUntilFailure(base, experimentId, ledger, w));
  await new Promise((resolve) => setTimeout(resolve, Math.random() * MAX_WAIT_MS));
  server.kill('SIGKILL');
  expect((await server.done).signal).toBe('SIGKILL');
  await Promise.all(writers);
  expect(ledger.errors).toEqual([]);
  return { experimentId, ledger };
}

/** Kills the server KILLS times over `uri`, checking the store after each kill, then all of it again. */
async function killAndCheck(
  uri: string,
  artifacts: string,
  cwd: string,
  integrity: () => Promise<void> | void,
): Promise<void> {
  const cycles: Cycle[] = [];
  const totals = new Totals();
  for (let k = 0; k < KILLS; k++) {
    const cycle = await killOnce(['--backend-store-uri', uri, '--artifacts-destination', artifacts], cwd, k);
    await integrity();
    await checkExperiment(uri, cycle.experimentId, cycle.ledger, artifacts);
    totals.add(cycle.ledger);
    cycles.push(cycle);
  }
  // What was acknowledged before a kill is still there after all the later ones.
  for (const cycle of cycles) await checkExperiment(uri, cycle.experimentId, cycle.ledger, artifacts);
  console.log(`${KILLS} kills on ${uri.startsWith('sqlite') ? 'SQLite' : 'PostgreSQL'}: ${totals.summary()}`);
  totals.expectEnough(KILLS);
}

describe('the server killed under concurrent writers', () => {
  let dir: ReturnType<typeof tempDir>;
  let pgUrl: string;
  beforeAll(async () => {
    dir = tempDir('agentrack-server-kill-');
    pgUrl = await freshSchema(await freshDatabase());
  });
  afterAll(() => dir.remove());

  it(`loses no acknowledged write and shows nothing half-written on SQLite, ${KILLS} kills`, async () => {
    const db = join(dir.path, 'crash.db');
    await killAndCheck(`sqlite:///${db}`, join(dir.path, 'sqlite-artifacts'), dir.path, () =>
      checkSqliteIntegrity(db),
    );
  }, 1_800_000);

  it(`loses no acknowledged write and shows nothing half-written on PostgreSQL, ${KILLS} kills`, async () => {
    await killAndCheck(pgUrl, join(dir.path, 'pg-artifacts'), dir.path, () => checkPostgresIntegrity(pgUrl));
  }, 1_800_000);
});

/**
 * `agentrack copy` killed with SIGKILL at random moments (within half of what a whole copy takes), and
 * run again, CRASH_KILLS times (default 100) into SQLite and into PostgreSQL. A copy that gets to its end
 * before the kill leaves a target that is done; the next kills go into a new target. After each
 * kill the target passes its integrity check; a copy that reaches its end verifies (the same
 * objects as the source, by counts and checksums), and so does the same command run at the end
 * on the last target.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, freshSchema, type FreshDatabase } from '../../src/testing/postgres.js';
import { seedCopySourceAt } from '../../src/testing/seed-copy-source.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { lines, startAgentrack } from '../cli/helpers.js';
import { checkPostgresIntegrity, checkSqliteIntegrity } from './ledger.js';

const KILLS = Number(process.env.CRASH_KILLS ?? 100);

interface Target {
  uri: string;
  /** The copy's arguments after FROM TO. */
  extra: string[];
  integrity: () => Promise<void> | void;
}

describe('agentrack copy killed and resumed', () => {
  let dir: ReturnType<typeof tempDir>;
  let from: string;
  let db: FreshDatabase;

  beforeAll(async () => {
    dir = tempDir('agentrack-copy-kill-');
    from = `sqlite:///${join(dir.path, 'source.db')}`;
    await seedCopySourceAt(from, { runs: 500 });
    db = await freshDatabase();
  }, 300_000);
  afterAll(() => dir.remove());

  /**
   * Kills copies into `next()`'s targets KILLS times, each at a random moment of the first half
   * of what a whole copy takes, then finishes the last target and checks it.
   */
  async function killAndResume(next: (n: number) => Promise<Target>): Promise<void> {
    const probe = await next(0);
    const started = Date.now();
    const whole = await startAgentrack(['copy', from, probe.uri, ...probe.extra], { cwd: dir.path }).done;
    expect(whole.code, whole.stderr).toBe(0);
    const duration = Date.now() - started;
    const targets = [await next(1)];
    let kills = 0;
    let midway = 0;
    let finished = 0;
    while (kills < KILLS) {
      const target = targets.at(-1) as Target;
      const copy = startAgentrack(['copy', from, target.uri, ...target.extra], { cwd: dir.path });
      // Within the first half of what a whole copy takes: a resumed copy has less left to do,
      // and one that gets to its end proves less than one killed midway.
      await new Promise((resolve) => setTimeout(resolve, (Math.random() * duration) / 2));
      const copying = copy.stderr().includes('copy: ');
      copy.kill('SIGKILL');
      const result = await copy.done;
      if (result.signal === 'SIGKILL') {
        kills++;
        if (copying) midway++;
        await target.integrity();
      } else {
        // It got to its end: verified, and the next kills go into a new target.
        expect(result.code, result.stderr).toBe(0);
        expect(lines(result.stdout).at(-1)).toMatch(/^verified: .* hold the same objects$/);
        finished++;
        targets.push(await next(targets.length + 1));
      }
    }
    for (const target of targets) {
      const result = await startAgentrack(['copy', from, target.uri, ...target.extra], { cwd: dir.path })
        .done;
      expect(result.code, result.stderr).toBe(0);
      expect(lines(result.stdout).at(-1)).toMatch(/^verified: .* hold the same objects$/);
      await target.integrity();
    }
    console.log(
      `${KILLS} kills of agentrack copy (a whole copy takes ${duration} ms): ${midway} while it was copying, ${finished} copies finished between kills, ${targets.length} targets`,
    );
    // Most kills must land in the middle of a copy for the test to prove anything.
    expect(midway).toBeGreaterThanOrEqual(KILLS / 2);
  }

  it(`resumes into SQLite after ${KILLS} kills, every target verified`, async () => {
    await killAndResume(async (n) => {
      const path = join(dir.path, `target-${n}.db`);
      // A copy killed before it created the file leaves none.
      const integrity = () => (existsSync(path) ? checkSqliteIntegrity(path) : undefined);
      return { uri: `sqlite:///${path}`, extra: [], integrity };
    });
  }, 1_800_000);

  it(`resumes into PostgreSQL after ${KILLS} kills, every target verified`, async () => {
    await killAndResume(async (n) => {
      const uri = await freshSchema(db);
      return {
        uri,
        extra: ['--to-artifacts-destination', join(dir.path, `pg-artifacts-${n}`)],
        integrity: () => checkPostgresIntegrity(uri, { mayBeEmpty: true }),
      };
    });
  }, 1_800_000);
});

/**
 * Search-fuzz benchmark: a million hostile search inputs on both backends. Prints figures and
 * exits 1 when an input escaped or the backends disagreed.
 *
 *   npm run bench:search-fuzz
 *   BENCH_SEARCH_FUZZ_INPUTS=60000 npm run bench:search-fuzz      # a shorter run
 *   BENCH_SEARCH_FUZZ_SEED=42 npm run bench:search-fuzz           # the same inputs again
 *   BENCH_POSTGRES_URL=postgresql://user:pw@host:5432/postgres npm run bench:search-fuzz
 *
 * The generators are the test suite's (`src/store/equivalence/__tests__/hostile-inputs.ts`):
 * filter and order-by texts built from every search language's tokens, quotes, comments, NULs
 * and odd Unicode. BENCH_SEARCH_FUZZ_INPUTS inputs (default 1,000,000) are spread evenly over
 * the six searches (runs, experiments, logged models, registered models, model versions,
 * traces); each goes to a SQLite store and to a PostgreSQL store (on the server
 * bench/postgres.ts finds or starts) seeded with the same objects. An input escapes when its
 * search throws anything but INVALID_PARAMETER_VALUE; the backends disagree when they answer
 * differently (accept or refuse, or other objects), except for inputs holding a NUL, which
 * PostgreSQL alone refuses. Printed: inputs per second, and per search how many were answered
 * on both, refused on both, escaped, and disagreed, with the first few offending inputs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import {
  filterText,
  hasNul,
  orderBy,
  outcome,
  SEARCHES,
  seed,
  type Outcome,
  type SearchedBackend,
  type Seeded,
} from '../../src/store/equivalence/__tests__/hostile-inputs.js';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { benchPostgres } from '../postgres.js';

const INPUTS = Number(process.env.BENCH_SEARCH_FUZZ_INPUTS ?? 1_000_000);
const SEED = Number(process.env.BENCH_SEARCH_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** Inputs drawn from the generators at a time. */
const CHUNK = 2_000;

interface Tally {
  answered: number;
  refused: number;
  /** Refused by one backend and answered by the other, or answered differently, for inputs with a NUL. */
  nul: number;
  escaped: number;
  disagreed: number;
  examples: string[];
}

/** The outcome of one search, with anything but an agentrack error kept as an escape. */
async function settle(search: () => Promise<string[]>): Promise<Outcome | { escaped: string }> {
  try {
    return await outcome(search);
  } catch (error) {
    return { escaped: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

async function main(): Promise<void> {
  const server = await benchPostgres();
  if (!server) throw new Error('The search fuzz compares SQLite with PostgreSQL: unset BENCH_POSTGRES=0.');
  const dir = mkdtempSync(join(tmpdir(), 'agentrack-bench-search-fuzz-'));
  const database = await server.createDatabase('search_fuzz');
  const backends: SearchedBackend[] = [
    { name: 'sqlite', store: await openSqliteStore(join(dir, 'fuzz.db')) },
    { name: 'postgresql', store: await openPostgresStore(database.url) },
  ];
  try {
    const seeded = new Map<string, Seeded>();
    for (const b of backends) seeded.set(b.name, await seed(b));
    const perSearch = Math.ceil(INPUTS / SEARCHES.length);
    console.log(
      `search fuzz: ${(perSearch * SEARCHES.length).toLocaleString('en-US')} inputs (${perSearch.toLocaleString('en-US')} per search), seed ${SEED}, SQLite and PostgreSQL (${server.source})`,
    );
    const input = fc.tuple(filterText, fc.oneof(fc.constant<string[]>([]), orderBy));
    const tallies = new Map<string, Tally>();
    const started = performance.now();
    for (const [s, [name, search]] of SEARCHES.entries()) {
      const tally: Tally = { answered: 0, refused: 0, nul: 0, escaped: 0, disagreed: 0, examples: [] };
      tallies.set(name, tally);
      const searchStarted = performance.now();
      for (let done = 0, chunk = 0; done < perSearch; chunk++) {
        const count = Math.min(CHUNK, perSearch - done);
        for (const [filter, order] of fc.sample(input, {
          numRuns: count,
          seed: SEED + s * 1_000_003 + chunk,
        })) {
          const [sqlite, postgres] = await Promise.all(
            backends.map((b) => settle(() => search(b, seeded.get(b.name) as Seeded, filter, order))),
          );
          const shown = JSON.stringify({ filter, order });
          const escape = [sqlite, postgres].find(
            (r) => r !== undefined && ('escaped' in r || (!r.ok && r.code !== 'INVALID_PARAMETER_VALUE')),
          );
          if (escape) {
            tally.escaped++;
            if (tally.examples.length < 5) tally.examples.push(`escaped ${JSON.stringify(escape)}: ${shown}`);
            continue;
          }
          const same = JSON.stringify(sqlite) === JSON.stringify(postgres);
          if (!same && hasNul(filter, order)) {
            tally.nul++;
            continue;
          }
          if (!same) {
            tally.disagreed++;
            if (tally.examples.length < 5) {
              tally.examples.push(`disagreed ${JSON.stringify({ sqlite, postgres })}: ${shown}`);
            }
            continue;
          }
          if ((sqlite as Outcome).ok) tally.answered++;
          else tally.refused++;
        }
        done += count;
      }
      const seconds = (performance.now() - searchStarted) / 1000;
      console.log(
        `  ${name.padEnd(18)} ${line(tally)}  ${Math.round(perSearch / seconds).toLocaleString('en-US')} inputs/s`,
      );
      for (const example of tally.examples) console.log(`    ${example}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const all = [...tallies.values()];
    const sum = (k: keyof Omit<Tally, 'examples'>) => all.reduce((n, t) => n + t[k], 0);
    const total = perSearch * SEARCHES.length;
    console.log(
      `  ${'all'.padEnd(18)} ${line({ answered: sum('answered'), refused: sum('refused'), nul: sum('nul'), escaped: sum('escaped'), disagreed: sum('disagreed'), examples: [] })}`,
    );
    console.log(
      `${total.toLocaleString('en-US')} inputs in ${seconds.toFixed(1)} s (${Math.round(total / seconds).toLocaleString('en-US')} inputs/s, each on both backends); target: none escaped, none disagreed: ${sum('escaped') + sum('disagreed') === 0 ? 'met' : 'MISSED'}`,
    );
    if (sum('escaped') + sum('disagreed') > 0) process.exitCode = 1;
  } finally {
    for (const b of backends) await b.store.close();
    await database.drop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function line(t: Tally): string {
  const n = (v: number) => v.toLocaleString('en-US').padStart(9);
  return `answered ${n(t.answered)}  refused ${n(t.refused)}  NUL (PostgreSQL refuses) ${n(t.nul)}  escaped ${n(t.escaped)}  disagreed ${n(t.disagreed)}`;
}

await main();

/**
 * Hostile search input on both backends: random filter and order-by texts, built from every
 * language's own tokens mixed with quotes, comments, NULs and odd Unicode, go to each search
 * (runs, experiments, logged models, registered models, model versions, traces) on SQLite and
 * PostgreSQL. Nothing escapes but INVALID_PARAMETER_VALUE, both backends accept and refuse the
 * same inputs, and answer the same objects. Then an SQL-injection corpus, as values, quoted
 * identifiers and sort keys: it matches nothing it should not, and changes nothing.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBackends, type Backend, type Backends } from './__tests__/backends.js';
import {
  filterText,
  hasNul,
  orderBy,
  outcome,
  SEARCHES,
  seed,
  type Seeded,
} from './__tests__/hostile-inputs.js';

/** The property runs per language in the suite; the benchmark runs many more. */
const RUNS = Number(process.env.HOSTILE_SEARCH_RUNS ?? 150);
/**
 * The suite's inputs are the same every time (a fixed seed), so that the share of them that
 * reaches the SQL is a fact of the generators, not luck; a run with HOSTILE_SEARCH_RUNS draws new ones.
 */
const SEED = process.env.HOSTILE_SEARCH_RUNS === undefined ? 20_261_204 : undefined;

let backends: Backends;
const seeded = new Map<Backend['name'], Seeded>();

/** Row counts of the tables a statement slipped through could change, and the tables themselves. */
async function census(b: Backend): Promise<unknown> {
  const count = async (table: string) =>
    Number(
      (await b.driver.read((tx) => tx.get<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`)))?.n,
    );
  return {
    runs: await count('runs'),
    experiments: await count('experiments'),
    tags: await count('tags'),
    metrics: await count('metrics'),
  };
}

beforeAll(async () => {
  backends = await openBackends();
  for (const b of backends.all) seeded.set(b.name, await seed(b));
}, 120_000);
afterAll(() => backends?.close());

describe('hostile search input on SQLite and PostgreSQL', () => {
  it.each(SEARCHES)(
    '%s: random filters and orderings refuse only with INVALID_PARAMETER_VALUE, alike on both',
    async (_name, search) => {
      let answered = 0;
      await fc.assert(
        fc.asyncProperty(filterText, fc.oneof(fc.constant<string[]>([]), orderBy), async (filter, order) => {
          const [sqlite, postgres] = await Promise.all(
            backends.all.map((b) => outcome(() => search(b, seeded.get(b.name) as Seeded, filter, order))),
          );
          for (const result of [sqlite, postgres]) {
            if (!result?.ok) expect(result?.code).toBe('INVALID_PARAMETER_VALUE');
          }
          if (!hasNul(filter, order)) expect(postgres).toEqual(sqlite);
          if (sqlite?.ok && postgres?.ok) answered++;
        }),
        { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) },
      );
      // Some of the inputs went all the way to SQL on both, not only to the parser's refusal.
      expect(answered).toBeGreaterThan(0);
    },
    300_000,
  );

  const INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE runs; --",
    "x' UNION SELECT run_uuid FROM runs --",
    "\\' OR 1=1 --",
    "'' OR ''='",
    "%' OR name LIKE '%",
    "') OR ('1'='1",
    '" OR "1"="1',
    '`; DELETE FROM tags; --',
    "x'||(SELECT COUNT(*) FROM runs)||'",
    "x'; SELECT pg_sleep(5); --",
    "\u0000' OR 1=1 --",
  ];
  const quoteValue = (v: string) => `'${v.replace(/'/g, "\\'")}'`;
  const quoteKey = (k: string) => `\`${k.replace(/`/g, '')}\``;

  it.each(SEARCHES)(
    '%s: an SQL-injection corpus matches nothing and changes nothing',
    async (name, search) => {
      const before = await Promise.all(backends.all.map(census));
      for (const payload of INJECTIONS) {
        const texts = [
          // The payload as the text it is, inside a value and a key: no object has it.
          `tags.${quoteKey(payload)} = 'a'`,
          `tags.run_type = ${quoteValue(payload)}`,
          `name LIKE ${quoteValue(payload)}`,
          `tags.flow = ${quoteValue(payload)}`,
          // And raw, as an attacker would paste it.
          payload,
          `name = '${payload}'`,
        ];
        for (const filter of texts) {
          for (const order of [[], [payload], [`${payload} DESC`]]) {
            const results = await Promise.all(
              backends.all.map((b) => outcome(() => search(b, seeded.get(b.name) as Seeded, filter, order))),
            );
            for (const result of results) {
              if (result.ok) expect([name, filter, order, result.ids]).toEqual([name, filter, order, []]);
              else expect([filter, result.code]).toEqual([filter, 'INVALID_PARAMETER_VALUE']);
            }
          }
        }
      }
      expect(await Promise.all(backends.all.map(census))).toEqual(before);
    },
    300_000,
  );
});

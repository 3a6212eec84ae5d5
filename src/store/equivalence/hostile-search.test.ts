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
import { isAgentrackError } from '../../errors.js';
import { openBackends, type Backend, type Backends } from './__tests__/backends.js';

/** The property runs per language in the suite; the benchmark runs many more. */
const RUNS = Number(process.env.HOSTILE_SEARCH_RUNS ?? 150);
/**
 * The suite's inputs are the same every time (a fixed seed), so that the share of them that
 * reaches the SQL is a fact of the generators, not luck; a run with HOSTILE_SEARCH_RUNS draws new ones.
 */
const SEED = process.env.HOSTILE_SEARCH_RUNS === undefined ? 20_261_204 : undefined;

/** The comparison operators of the languages (and some they do not have). */
const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'IS', 'IS NOT'];

const TOKENS = [
  'metrics.',
  'params.',
  'tags.',
  'attributes.',
  'attribute.',
  'trace.',
  'span.',
  'request_metadata.',
  'dataset.',
  'name',
  'status',
  'run_name',
  'start_time',
  'end_time',
  'run_id',
  'experiment_id',
  'creation_time',
  'last_update_time',
  'timestamp_ms',
  'execution_time_ms',
  'version_number',
  'source_path',
  'model_id',
  'accuracy',
  '`weird key`',
  '"quoted"',
  "'value'",
  "'%x_'",
  ...OPERATORS,
  'NOT',
  'AND',
  'OR',
  '(',
  ')',
  ',',
  'NULL',
  'IS',
  '1',
  '-1.5e308',
  '1e999',
  'NaN',
  'Infinity',
  '0x10',
  ' ',
  ' ',
  "'",
  '"',
  '`',
  '\\',
  '--',
  '/*',
  '*/',
  ';',
  '\u0000',
  '\u202e',
  '\ud83d\ude00',
  'é',
  '\ufeff',
  'DESC',
  'ASC',
  'DROP TABLE runs',
  'UNION SELECT',
  '$1',
  '?',
  '%',
  '_',
];

const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(...TOKENS),
      fc.string({ maxLength: 4 }),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    {
      maxLength: 12,
    },
  )
  .map((parts) => parts.join(''));
/** Random text, quoted as a string value (quotes escaped, or not) or as a backticked key. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom(...TOKENS),
);
const value = fc.oneof(
  hostileText.map((t) => `'${t.replace(/'/g, "\\'")}'`),
  hostileText.map((t) => `"${t}"`),
  fc.double().map(String),
  fc.integer().map(String),
  fc
    .array(
      hostileText.map((t) => `'${t.replace(/'/g, '')}'`),
      { maxLength: 3 },
    )
    .map((items) => `(${items.join(', ')})`),
);
const key = fc.oneof(
  fc.constantFrom(
    'name',
    'status',
    'run_name',
    'start_time',
    'timestamp_ms',
    'version_number',
    'accuracy',
    'flow',
  ),
  hostileText.map((t) => `\`${t.replace(/`/g, '')}\``),
);
const prefix = fc.constantFrom(
  '',
  'metrics.',
  'params.',
  'tags.',
  'attributes.',
  'trace.',
  'span.',
  'request_metadata.',
);
const operator = fc.constantFrom(...OPERATORS);
/** Filters of clauses in the languages' shape, whose parts are hostile: they reach the SQL compilers. */
const clauses = fc
  .array(fc.tuple(prefix, key, operator, value), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.map(([p, k, op, v]) => `${p}${k} ${op} ${v}`).join(' AND '));
const filterText = fc.oneof(soup, clauses);
const orderBy = fc.array(
  fc.oneof(
    soup,
    fc.tuple(prefix, key, fc.constantFrom('', ' ASC', ' DESC')).map(([p, k, d]) => `${p}${k}${d}`),
  ),
  { maxLength: 3 },
);

/** What a search did: what it answered (names where ids are random), or the code it refused with. */
type Outcome = { ok: true; ids: string[] } | { ok: false; code: string };

async function outcome(search: () => Promise<string[]>): Promise<Outcome> {
  try {
    return { ok: true, ids: (await search()).sort() };
  } catch (error) {
    if (isAgentrackError(error)) return { ok: false, code: error.code };
    throw error;
  }
}

interface Seeded {
  experimentId: string;
}

/** The searches, each over one backend, by filter and order-by. */
const SEARCHES: ReadonlyArray<
  readonly [string, (b: Backend, s: Seeded, filter: string, order: string[]) => Promise<string[]>]
> = [
  [
    'runs',
    async (b, s, filter, order) =>
      (
        await b.store.searchRuns({
          experimentIds: [s.experimentId],
          filter,
          orderBy: order,
          runViewType: 'ALL',
        })
      ).items.map((r) => r.info.run_name),
  ],
  [
    'experiments',
    async (b, _s, filter, order) =>
      (await b.store.searchExperiments({ filter, orderBy: order, viewType: 'ALL' })).items.map(
        (e) => e.experiment_id,
      ),
  ],
  [
    'logged models',
    async (b, s, filter, order) =>
      (
        await b.store.searchLoggedModels({
          experimentIds: [s.experimentId],
          filter,
          orderBy: order.map((fieldName, i) => ({ fieldName, ascending: i % 2 === 0 })),
        })
      ).items.map((m) => m.info.name),
  ],
  [
    'registered models',
    async (b, _s, filter, order) =>
      (await b.store.registry.searchRegisteredModels({ filter, orderBy: order })).items.map((m) => m.name),
  ],
  [
    'model versions',
    async (b, _s, filter, order) =>
      (await b.store.registry.searchModelVersions({ filter, orderBy: order })).items.map(
        (v) => `${v.name}/${v.version}`,
      ),
  ],
  [
    'traces',
    async (b, s, filter, order) =>
      (
        await b.store.traces.searchTraces({ experimentIds: [s.experimentId], filter, orderBy: order })
      ).items.map((t) => t.trace_id),
  ],
];

let backends: Backends;
const seeded = new Map<Backend['name'], Seeded>();

/** The same few objects of every kind on one backend; ids agree across backends (both number from 1). */
async function seed(b: Backend): Promise<Seeded> {
  const experimentId = await b.store.createExperiment({
    name: "/Shared/o'brien",
    tags: [{ key: 'team', value: 'a' }],
  });
  for (const [i, name] of ['dev_1', "it's", '%_\\'].entries()) {
    const run = await b.store.createRun({
      experimentId,
      runName: name,
      tags: [{ key: 'run_type', value: i === 0 ? 'development' : 'evaluation' }],
    });
    await b.store.logBatch(run.info.run_id, {
      metrics: [{ key: 'accuracy', value: i / 2, timestamp: 1, step: 0 }],
      params: [{ key: 'lr', value: String(i) }],
      tags: [],
    });
  }
  await b.store.createLoggedModel({ experimentId, name: 'agent', tags: [{ key: 'k', value: 'v' }] });
  await b.store.registry.createRegisteredModel({ name: 'support-bot' });
  await b.store.traces.startTrace({
    trace_id: 'tr-00000000000000000000000000000001',
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_time: '2026-12-04T00:00:00Z',
    execution_duration: '0.5s',
    state: 'OK',
    trace_metadata: {},
    tags: { flow: 'a' },
  });
  return { experimentId };
}

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
          // PostgreSQL refuses a NUL in any statement's text (it cannot store one); SQLite may answer.
          const nul = [filter, ...order].some((text) => text.includes('\u0000'));
          if (!nul) expect(postgres).toEqual(sqlite);
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

/**
 * The hostile search inputs of `hostile-search.test.ts` and of the million-input benchmark
 * (`bench/search-fuzz/`): fast-check generators of filter and order-by texts built from every
 * search language's own tokens mixed with quotes, comments, NULs and odd Unicode, the searches
 * they go to, and the objects those searches find on a store. Free of the test runner, so the
 * benchmark shares them.
 */
import fc from 'fast-check';
import { isAgentrackError } from '../../../errors.js';
import type { SqlTrackingStore } from '../../sql/sql-store.js';

/** A store the searches run on, with its backend's name. */
export interface SearchedBackend {
  readonly name: string;
  readonly store: SqlTrackingStore;
}

/** The comparison operators of the languages (and some they do not have). */
export const OPERATORS = ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'IS', 'IS NOT'];

export const TOKENS = [
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

export const soup = fc
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
export const filterText = fc.oneof(soup, clauses);
export const orderBy = fc.array(
  fc.oneof(
    soup,
    fc.tuple(prefix, key, fc.constantFrom('', ' ASC', ' DESC')).map(([p, k, d]) => `${p}${k}${d}`),
  ),
  { maxLength: 3 },
);

/** What a search did: what it answered (names where ids are random), or the code it refused with. */
export type Outcome = { ok: true; ids: string[] } | { ok: false; code: string };

export async function outcome(search: () => Promise<string[]>): Promise<Outcome> {
  try {
    return { ok: true, ids: (await search()).sort() };
  } catch (error) {
    if (isAgentrackError(error)) return { ok: false, code: error.code };
    throw error;
  }
}

export interface Seeded {
  experimentId: string;
}

/** The searches, each over one backend, by filter and order-by. */
export const SEARCHES: ReadonlyArray<
  readonly [string, (b: SearchedBackend, s: Seeded, filter: string, order: string[]) => Promise<string[]>]
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

/** The same few objects of every kind on one backend; ids agree across backends (both number from 1). */
export async function seed(b: SearchedBackend): Promise<Seeded> {
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

/**
 * Whether an input holds a NUL: PostgreSQL refuses one in any statement's text (it cannot
 * store one) where SQLite may answer, the one place the backends may differ.
 */
export function hasNul(filter: string, order: readonly string[]): boolean {
  return [filter, ...order].some((text) => text.includes('\u0000'));
}

/**
 * Property test: for random registered models and versions (with ties, Unicode, case
 * differences, missing tags and prompts), random filters and random orderings, the compiled
 * registry searches run on a real SQLite file (migrated by `migrate()`, rows inserted with
 * SQL) and paged with keyset positions return exactly the rows, in exactly the order, that
 * the in-memory evaluator gives for the same data.
 */
import fc from 'fast-check';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, RegisteredModel } from '../../entities/index.js';
import {
  NUMBER_COMPARATORS,
  PROMPT_TAG_KEY,
  compareModelVersions,
  compareRegisteredModels,
  compileModelVersionSearch,
  compileRegisteredModelSearch,
  matchesModelVersion,
  matchesRegisteredModel,
  modelVersionSortKey,
  promptModelNames,
  registeredModelSortKey,
  serializeFilter,
  serializeOrderBy,
  sqliteDialect,
  type CompiledSearch,
  type Comparison,
  type OrderBy,
  type RegistrySearchOptions,
} from '../../query/index.js';
import { modelVersionOrderBy, registeredModelOrderBy } from '../../query/__tests__/arbitraries.js';
import {
  makeModelVersion,
  makeRegisteredModel,
  registryInserts,
} from '../../query/__tests__/registry-fixtures.js';
import { tempDir } from '../../testing/temp-dir.js';
import { migrate } from '../sql/migrator.js';
import type { SqlRow } from '../sql/sql-driver.js';
import { SqliteDriver } from './sqlite-driver.js';

const NAMES = [
  'agent',
  'Agent',
  'AGENT',
  'agent_v2',
  'agent%2',
  'é',
  'É',
  'été',
  '😀',
  '\uFFFD',
  "o'k",
  'a b',
  'x*y',
];
const NAME_PATTERNS = [
  'agent%',
  'AGENT%',
  '%e%',
  '_',
  '%',
  'agent\\%%',
  'é%',
  'É%',
  '%😀',
  "o'%",
  'x*%',
  'a_b',
];
const TAG_KEYS = ['team', 'my key', PROMPT_TAG_KEY];
const VALUES = ['', 'core', 'Core', 'true', 'TRUE', 'false', 'é', 'É', "o'k", 'x_y'];
const VALUE_PATTERNS = ['co%', 'CO%', '%', '_', '%e', 'tr%', 'x\\_y', '%É%'];
const PROMPT_VALUES = ['true', 'TRUE', 'True', 'false', 'FALSE', 'x'];
const TIMES = [0, 1, 2];
const VERSION_NUMBERS = [1, 2, 3, 9, 10, 11];
const RUN_IDS = ['r1', 'r2', 'R1', '', 'é'];
const SOURCES = ['models:/m-1', 'Models:/M-2', 'runs:/r1/model', 's3://b/x', 'file:///é'];

const pick = <T>(values: readonly T[]) => fc.constantFrom(...values);
const at = { start: 0, end: 0 };

/** Tags with some of `keys`; the prompt tag takes the values that matter to the prompt rule. */
const tags = (keys: readonly string[]): fc.Arbitrary<Record<string, string>> =>
  fc.record(
    Object.fromEntries(keys.map((k) => [k, k === PROMPT_TAG_KEY ? pick(PROMPT_VALUES) : pick(VALUES)])),
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, string>>;

const registry = fc
  .uniqueArray(
    fc.record({
      name: pick(NAMES),
      created: pick(TIMES),
      updated: pick(TIMES),
      tags: tags(TAG_KEYS),
      versions: fc.uniqueArray(
        fc.record({
          version: pick(VERSION_NUMBERS),
          created: pick(TIMES),
          updated: pick(TIMES),
          source: pick(SOURCES),
          runId: fc.option(pick(RUN_IDS), { nil: undefined }),
          tags: tags(['stage', 'my key', PROMPT_TAG_KEY]),
        }),
        { maxLength: 4, selector: (v) => v.version },
      ),
    }),
    { minLength: 1, maxLength: 8, selector: (m) => m.name },
  )
  .map((specs) => ({
    models: specs.map((spec) => makeRegisteredModel(spec)),
    versions: specs.flatMap((spec) => spec.versions.map((v) => makeModelVersion({ ...v, name: spec.name }))),
  }));

function stringClause(
  entity: 'attribute' | 'tag',
  key: fc.Arbitrary<string>,
  values: readonly string[],
  patterns: readonly string[],
): fc.Arbitrary<Comparison> {
  return fc.oneof(
    fc.record({
      type: fc.constant('string_comparison' as const),
      entity: fc.constant(entity),
      key,
      comparator: pick(['=', '!='] as const),
      value: pick(values),
      location: fc.constant(at),
    }),
    fc.record({
      type: fc.constant('string_comparison' as const),
      entity: fc.constant(entity),
      key,
      comparator: pick(['LIKE', 'ILIKE'] as const),
      value: pick(patterns),
      location: fc.constant(at),
    }),
  );
}

const promptClause = (comparator: fc.Arbitrary<'=' | '!=' | 'LIKE'>, value: fc.Arbitrary<string>) =>
  fc.record({
    type: fc.constant('string_comparison' as const),
    entity: fc.constant('tag' as const),
    key: fc.constant(PROMPT_TAG_KEY),
    comparator,
    value,
    location: fc.constant(at),
  });

/** Clauses on the prompt tag, often the two that ask for prompts in the plain way. */
const promptClauses = fc.oneof(
  promptClause(fc.constant('='), fc.constant('true')),
  promptClause(fc.constant('!='), fc.constant('false')),
  promptClause(pick(['=', '!=', 'LIKE'] as const), pick([...PROMPT_VALUES, 'tr%'])),
);

/** What MLflow's client appends to every registered-model search. */
const CLIENT_CLAUSE: Comparison = {
  type: 'string_comparison',
  entity: 'tag',
  key: PROMPT_TAG_KEY,
  comparator: '!=',
  value: 'true',
  location: at,
};

/** As MLflow's client sends it: the clause appended unless the filter names the prompt tag. */
const withClientClause = (clauses: fc.Arbitrary<Comparison[]>) =>
  fc
    .tuple(clauses, fc.boolean())
    .map(([filter, client]) =>
      client && !filter.some((c) => c.key === PROMPT_TAG_KEY) ? [...filter, CLIENT_CLAUSE] : filter,
    );

const registeredModelFilter = withClientClause(
  fc.array(
    fc.oneof(
      stringClause('attribute', fc.constant('name'), NAMES, NAME_PATTERNS),
      stringClause('tag', pick(TAG_KEYS), VALUES, VALUE_PATTERNS),
      promptClauses,
    ),
    { maxLength: 3 },
  ),
);

const modelVersionFilter = fc.array(
  fc.oneof(
    stringClause('attribute', fc.constant('name'), NAMES, NAME_PATTERNS),
    fc.record({
      type: fc.constant('number_comparison' as const),
      entity: fc.constant('attribute' as const),
      key: fc.constant('version_number'),
      comparator: pick(NUMBER_COMPARATORS),
      value: pick([0, 1, 2.5, 3, 9, 10, 11, Infinity, -Infinity]),
      location: fc.constant(at),
    }),
    stringClause('attribute', fc.constant('run_id'), RUN_IDS, ['r%', 'R%', '_1', '%', 'É%']),
    fc.record({
      type: fc.constant('list_comparison' as const),
      entity: fc.constant('attribute' as const),
      key: fc.constant('run_id'),
      comparator: fc.constant('IN' as const),
      value: fc.subarray([...RUN_IDS, 'nope'], { minLength: 1, maxLength: 3 }),
      location: fc.constant(at),
    }),
    stringClause('attribute', fc.constant('source_path'), SOURCES, [
      'models:/%',
      'MODELS:/%',
      '%é',
      's3://_/x',
    ]),
    stringClause('tag', pick(['stage', 'my key']), VALUES, VALUE_PATTERNS),
    promptClauses,
  ),
  { maxLength: 3 },
);

type Search = { filter: Comparison[]; orderBy: OrderBy; pageSize: number };

const search = (filter: fc.Arbitrary<Comparison[]>, orderBy: fc.Arbitrary<OrderBy>) =>
  fc.record({ filter, orderBy, pageSize: fc.integer({ min: 1, max: 5 }) });

const scenario = fc.record({
  registry,
  models: fc.array(search(registeredModelFilter, registeredModelOrderBy), { minLength: 1, maxLength: 3 }),
  versions: fc.array(search(modelVersionFilter, modelVersionOrderBy), { minLength: 1, maxLength: 3 }),
});

/** Every page of a search, `pageSize` rows at a time, each after the last row's sort key. */
async function pageThrough(
  driver: SqliteDriver,
  compile: (options: RegistrySearchOptions) => CompiledSearch,
  s: Search,
): Promise<{ rows: SqlRow[]; compiled: CompiledSearch }> {
  const rows: SqlRow[] = [];
  const options = { filter: serializeFilter(s.filter), orderBy: serializeOrderBy(s.orderBy) };
  let after: unknown[] | undefined;
  for (let page = 0; page < 100; page += 1) {
    const compiled = compile({ ...options, limit: s.pageSize, ...(after ? { after } : {}) });
    const batch = await driver.all(compiled.sql, compiled.params);
    expect(batch.length).toBeLessThanOrEqual(s.pageSize);
    rows.push(...batch);
    if (batch.length < s.pageSize) return { rows, compiled };
    // As a page token carries it: through JSON.
    after = JSON.parse(JSON.stringify(compiled.sortKeyOf(batch[batch.length - 1]!))) as unknown[];
  }
  throw new Error('pagination does not end');
}

const rowId = (row: SqlRow) => `${String(row.name)}/${String(row.version)}`;
const versionId = (v: ModelVersion) => `${v.name}/${v.version}`;

describe('SQLite registry searches equal the in-memory evaluator', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => dir.remove());

  it('for random registries, filters, orderings and page sizes', async () => {
    let n = 0;
    const seen = { models: 0, versions: 0, promptsLeftOut: 0, promptsAsked: 0, siblingsLeftOut: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const driver = SqliteDriver.open(join(dir.path, `registry-${n++}.db`));
        try {
          await migrate(driver);
          const { models, versions } = s.registry;
          await driver.transaction(async (tx) => {
            for (const { sql, params } of registryInserts(models, versions)) await tx.run(sql, params);
          });

          for (const q of s.models) {
            const expected: RegisteredModel[] = models
              .filter((m) => matchesRegisteredModel(q.filter, m))
              .sort(compareRegisteredModels(q.orderBy));
            const { rows, compiled } = await pageThrough(
              driver,
              (o) => compileRegisteredModelSearch(sqliteDialect, o),
              q,
            );
            expect(rows.map((r) => r.name)).toEqual(expected.map((m) => m.name));
            rows.forEach((row, i) => {
              expect(compiled.sortKeyOf(row)).toEqual(registeredModelSortKey(compiled.terms, expected[i]!));
            });
            if (expected.length > 0 && q.filter.length > 0) seen.models++;
            const prompts = models.filter((m) =>
              m.tags?.some((t) => t.key === PROMPT_TAG_KEY && t.value === 'true'),
            );
            if (prompts.length > 0 && !prompts.some((m) => expected.includes(m)) && expected.length > 0) {
              seen.promptsLeftOut++;
            }
            if (expected.some((m) => prompts.includes(m))) seen.promptsAsked++;
          }

          const promptModels = promptModelNames(versions);
          for (const q of s.versions) {
            const expected: ModelVersion[] = versions
              .filter((v) => matchesModelVersion(q.filter, v, promptModels))
              .sort(compareModelVersions(q.orderBy));
            const { rows, compiled } = await pageThrough(
              driver,
              (o) => compileModelVersionSearch(sqliteDialect, o),
              q,
            );
            expect(rows.map(rowId)).toEqual(expected.map(versionId));
            rows.forEach((row, i) => {
              expect(compiled.sortKeyOf(row)).toEqual(modelVersionSortKey(compiled.terms, expected[i]!));
            });
            if (expected.length > 0 && q.filter.length > 0) seen.versions++;
            // A version left out only because another version of its model is a prompt.
            if (
              versions.some(
                (v) =>
                  promptModels.has(v.name) &&
                  !v.tags?.some((t) => t.key === PROMPT_TAG_KEY && t.value === 'true') &&
                  !expected.includes(v) &&
                  matchesModelVersion(q.filter, v, new Set()),
              )
            ) {
              seen.siblingsLeftOut++;
            }
          }
        } finally {
          await driver.close();
        }
      }),
      { numRuns: 150 },
    );
    // Guard against a generator drift that would make the property vacuous.
    expect(seen.models).toBeGreaterThan(50);
    expect(seen.versions).toBeGreaterThan(40);
    expect(seen.promptsLeftOut).toBeGreaterThan(20);
    expect(seen.promptsAsked).toBeGreaterThan(5);
    expect(seen.siblingsLeftOut).toBeGreaterThan(20);
  });
});

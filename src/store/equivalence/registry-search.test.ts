/**
 * Property test: for random registered models and versions (with ties, Unicode, case
 * differences, missing tags and prompts) written as rows into a SQLite and a PostgreSQL
 * database, and random filters and orderings, both stores' registry searches, paged with their
 * page tokens, return exactly the models and versions, in exactly the order, that the
 * in-memory evaluator gives for the same data.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelVersion, RegisteredModel } from '../../entities/index.js';
import {
  PROMPT_TAG_KEY,
  compareModelVersions,
  compareRegisteredModels,
  matchesModelVersion,
  matchesRegisteredModel,
  promptModelNames,
  serializeFilter,
  serializeOrderBy,
  type Comparison,
  type OrderBy,
} from '../../query/index.js';
import { modelVersionOrderBy, registeredModelOrderBy } from '../../query/__tests__/arbitraries.js';
import {
  makeModelVersion,
  makeRegisteredModel,
  registryInserts,
} from '../../query/__tests__/registry-fixtures.js';
import type { Page } from '../tracking-store.js';
import {
  expectSameOrder,
  openBackends,
  pageThrough,
  type Backend,
  type Backends,
} from './__tests__/backends.js';
import { NO_LOCATION, numberClause, stringClause } from './__tests__/clauses.js';
import { TEXTS, derivedPattern, pick } from './__tests__/vocabulary.js';

const NAMES = [
  'agent',
  'Agent',
  'AGENT',
  'agent_v2',
  'agent%2',
  'é',
  'É',
  'e\u0301',
  'été',
  'ß',
  'SS',
  'ı',
  'İ',
  'I',
  '😀',
  '\uFFFD',
  '\uffee',
  "o'k",
  'a b',
  'a\u0001b',
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
const VALUES = ['core', 'Core', 'true', 'TRUE', 'false', 'x_y', ...TEXTS];
const VALUE_PATTERNS = ['co%', 'CO%', '%', '_', '%e', 'tr%', 'x\\_y', '%É%'];
const PROMPT_VALUES = ['true', 'TRUE', 'True', 'false', 'FALSE', 'x'];
const TIMES = [0, 1, 2];
const VERSION_NUMBERS = [1, 2, 3, 9, 10, 11];
const RUN_IDS = ['r1', 'r2', 'R1', '', 'é'];
const SOURCES = ['models:/m-1', 'Models:/M-2', 'runs:/r1/model', 's3://b/x', 'file:///é'];

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

/** A string clause whose patterns are one of `patterns` or, as often, derived from `values`. */
const patternClause = (
  entity: 'attribute' | 'tag',
  key: fc.Arbitrary<string>,
  values: readonly string[],
  patterns: readonly string[],
): fc.Arbitrary<Comparison> =>
  stringClause(entity, key, values, fc.oneof(pick(patterns), derivedPattern(values)));

const promptClause = (comparator: fc.Arbitrary<'=' | '!=' | 'LIKE'>, value: fc.Arbitrary<string>) =>
  fc.record({
    type: fc.constant('string_comparison' as const),
    entity: fc.constant('tag' as const),
    key: fc.constant(PROMPT_TAG_KEY),
    comparator,
    value,
    location: fc.constant(NO_LOCATION),
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
  location: NO_LOCATION,
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
      patternClause('attribute', fc.constant('name'), NAMES, NAME_PATTERNS),
      patternClause('tag', pick(TAG_KEYS), VALUES, VALUE_PATTERNS),
      promptClauses,
    ),
    { maxLength: 3 },
  ),
);

const modelVersionFilter = fc.array(
  fc.oneof(
    patternClause('attribute', fc.constant('name'), NAMES, NAME_PATTERNS),
    numberClause('attribute', fc.constant('version_number'), [0, 1, 2.5, 3, 9, 10, 11, Infinity, -Infinity]),
    patternClause('attribute', fc.constant('run_id'), RUN_IDS, ['r%', 'R%', '_1', '%', 'É%']),
    fc.record({
      type: fc.constant('list_comparison' as const),
      entity: fc.constant('attribute' as const),
      key: fc.constant('run_id'),
      comparator: fc.constant('IN' as const),
      value: fc.subarray([...RUN_IDS, 'nope'], { minLength: 1, maxLength: 3 }),
      location: fc.constant(NO_LOCATION),
    }),
    patternClause('attribute', fc.constant('source_path'), SOURCES, [
      'models:/%',
      'MODELS:/%',
      '%é',
      's3://_/x',
    ]),
    patternClause('tag', pick(['stage', 'my key']), VALUES, VALUE_PATTERNS),
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

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Both stores' answers to one search, page by page, and the evaluator's over `expected`. */
async function searchBoth<T>(
  backends: Backends,
  s: Search,
  find: (
    backend: Backend,
    input: { filter: string; orderBy: string[]; maxResults: number; pageToken?: string },
  ) => Promise<Page<T>>,
  idOf: (item: T) => string,
  expected: readonly T[],
): Promise<string[]> {
  const filter = serializeFilter(s.filter);
  const orderBy = serializeOrderBy(s.orderBy);
  const ids = expected.map(idOf);
  const answers: Record<string, string[]> = {};
  for (const backend of backends.all) {
    answers[backend.name] = await pageThrough(
      (pageToken) =>
        find(backend, { filter, orderBy, maxResults: s.pageSize, ...(pageToken ? { pageToken } : {}) }),
      s.pageSize,
      idOf,
    );
  }
  expectSameOrder(ids, answers);
  return ids;
}

const versionId = (v: ModelVersion) => `${v.name}/${v.version}`;

describe('registry searches: SQLite, PostgreSQL and the in-memory evaluator agree', () => {
  let backends: Backends;
  beforeAll(async () => {
    backends = await openBackends();
  });
  afterAll(() => backends.close());

  it('for random registries, filters, orderings and page sizes', async () => {
    const seen = {
      models: 0,
      versions: 0,
      patterns: 0,
      promptsLeftOut: 0,
      promptsAsked: 0,
      siblingsLeftOut: 0,
    };
    await fc.assert(
      fc.asyncProperty(scenario, async (s: Scenario) => {
        await backends.reset();
        const { models, versions } = s.registry;
        for (const backend of backends.all) {
          await backend.driver.transaction(async (tx) => {
            for (const { sql, params } of registryInserts(models, versions)) await tx.run(sql, params);
          });
        }

        for (const q of s.models) {
          const expected: RegisteredModel[] = models
            .filter((m) => matchesRegisteredModel(q.filter, m))
            .sort(compareRegisteredModels(q.orderBy));
          await searchBoth(
            backends,
            q,
            (b, input) => b.store.registry.searchRegisteredModels(input),
            (m) => m.name,
            expected,
          );
          if (expected.length > 0 && q.filter.length > 0) seen.models++;
          if (expected.length > 0 && q.filter.some((c) => c.comparator.endsWith('LIKE'))) seen.patterns++;
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
          await searchBoth(
            backends,
            q,
            (b, input) => b.store.registry.searchModelVersions(input),
            versionId,
            expected,
          );
          if (expected.length > 0 && q.filter.length > 0) seen.versions++;
          if (expected.length > 0 && q.filter.some((c) => c.comparator.endsWith('LIKE'))) seen.patterns++;
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
      }),
      { numRuns: 200 },
    );
    // Guard against a generator drift that would make the property vacuous.
    expect(seen.models).toBeGreaterThan(60);
    expect(seen.versions).toBeGreaterThan(50);
    expect(seen.patterns).toBeGreaterThan(40);
    expect(seen.promptsLeftOut).toBeGreaterThan(20);
    expect(seen.promptsAsked).toBeGreaterThan(5);
    expect(seen.siblingsLeftOut).toBeGreaterThan(20);
  });
});

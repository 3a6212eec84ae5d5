import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RUN_STATUSES, type Experiment, type Run, type ViewType } from '../entities/index.js';
import { isAgentrackError } from '../errors.js';
import { MIGRATIONS } from '../store/sql/schema.js';
import { runComparison, runOrderBy } from './__tests__/arbitraries.js';
import { makeExperiment, makeRun, timedRuns, type RunSpec } from './__tests__/fixtures.js';
import { makeModelVersion, makeRegisteredModel, registryInserts } from './__tests__/registry-fixtures.js';
import type { OrderBy, RunFilter } from './ast.js';
import {
  compareExperiments,
  compareModelVersions,
  compareRegisteredModels,
  compareRuns,
  matchesExperiment,
  matchesModelVersion,
  matchesRegisteredModel,
  matchesRun,
  matchesViewType,
  promptModelNames,
} from './evaluator.js';
import { postgresDialect } from '../store/postgres/postgres-dialect.js';
import { parseRunOrderBy } from './order-by-parser.js';
import {
  compareSortKeys,
  experimentOrderTerms,
  experimentSortKey,
  modelVersionSortKey,
  registeredModelSortKey,
  runOrderTerms,
  runSortKey,
} from './sort-key.js';
import {
  compileExperimentSearch,
  compileModelVersionSearch,
  compileRegisteredModelSearch,
  compileRunSearch,
  type CompiledSearch,
  type RegistrySearchOptions,
  type RunSearchOptions,
} from './sql-compiler.js';
import { sqliteDialect } from '../store/sqlite/sqlite-dialect.js';

type Db = Database.Database;

function createDb(): Db {
  const db = new Database(':memory:');
  for (const migration of MIGRATIONS) for (const statement of migration.statements.sqlite) db.exec(statement);
  db.exec('DELETE FROM experiments');
  return db;
}

function insertExperiment(db: Db, experiment: Experiment): void {
  db.prepare(
    `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(
    Number(experiment.experiment_id),
    experiment.name,
    experiment.artifact_location,
    experiment.lifecycle_stage,
    experiment.creation_time,
    experiment.last_update_time,
  );
  for (const tag of experiment.tags ?? []) {
    db.prepare('INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)').run(
      Number(experiment.experiment_id),
      tag.key,
      tag.value,
    );
  }
}

function ensureExperiment(db: Db, id: string): void {
  const exists = db.prepare('SELECT 1 FROM experiments WHERE experiment_id = ?').get(Number(id));
  if (exists === undefined) insertExperiment(db, makeExperiment({ id }));
}

function insertRun(db: Db, run: Run): void {
  const info = run.info;
  ensureExperiment(db, info.experiment_id);
  const { lastInsertRowid } = db
    .prepare(
      `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      info.run_uuid,
      Number(info.experiment_id),
      info.run_name,
      info.user_id,
      info.status,
      info.start_time ?? null,
      info.end_time ?? null,
      info.lifecycle_stage,
      info.artifact_uri,
    );
  for (const m of run.data.metrics ?? []) {
    const nan = Number.isNaN(m.value);
    db.prepare(
      'INSERT INTO latest_metrics (run_seq, key, value, timestamp, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)',
    ).run(lastInsertRowid, m.key, nan ? 0 : m.value, m.timestamp, m.step, nan ? 1 : 0);
  }
  for (const p of run.data.params ?? []) {
    db.prepare('INSERT INTO params (run_seq, key, value) VALUES (?, ?, ?)').run(
      lastInsertRowid,
      p.key,
      p.value,
    );
  }
  for (const t of run.data.tags ?? []) {
    db.prepare('INSERT INTO tags (run_seq, key, value) VALUES (?, ?, ?)').run(
      lastInsertRowid,
      t.key,
      t.value,
    );
  }
  for (const { dataset, tags = [] } of run.inputs.dataset_inputs ?? []) {
    const identity = [Number(info.experiment_id), dataset.name, dataset.digest];
    db.prepare(
      `INSERT INTO datasets (experiment_id, name, digest, dataset_source_type, dataset_source)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    ).run(...identity, dataset.source_type, dataset.source);
    const { dataset_seq } = db
      .prepare('SELECT dataset_seq FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?')
      .get(...identity) as { dataset_seq: number };
    const input = db
      .prepare('INSERT INTO inputs (run_seq, dataset_seq) VALUES (?, ?)')
      .run(lastInsertRowid, dataset_seq);
    for (const t of tags) {
      db.prepare('INSERT INTO input_tags (input_seq, name, value) VALUES (?, ?, ?)').run(
        input.lastInsertRowid,
        t.key,
        t.value,
      );
    }
  }
}

type Row = Record<string, unknown>;

function query(db: Db, compiled: { sql: string; params: unknown[] }): Row[] {
  return db.prepare(compiled.sql).all(...compiled.params) as Row[];
}

type RunQuery = Omit<RunSearchOptions, 'limit' | 'after'>;

/** The evaluator's answer: matching runs in the final order. */
function expected(runs: readonly Run[], search: RunQuery): string[] {
  return runs
    .filter(
      (run) =>
        search.experimentIds.includes(run.info.experiment_id) &&
        matchesViewType(search.viewType, run.info.lifecycle_stage) &&
        matchesRun(search.filter, run),
    )
    .sort(compareRuns(search.orderBy))
    .map((run) => run.info.run_uuid);
}

/** Every page, `limit` rows at a time, following sort keys. */
function pageThrough(db: Db, search: RunQuery, limit: number): { ids: string[]; pages: number } {
  const ids: string[] = [];
  let after: unknown[] | undefined;
  let pages = 0;
  for (;;) {
    const compiled = compileRunSearch(sqliteDialect, { ...search, limit, ...(after ? { after } : {}) });
    const rows = query(db, compiled);
    pages += 1;
    ids.push(...rows.map((r) => String(r.run_uuid)));
    if (rows.length < limit) return { ids, pages };
    after = JSON.parse(JSON.stringify(compiled.sortKeyOf(rows[rows.length - 1]!))) as unknown[];
    if (pages > 1000) throw new Error('pagination does not end');
  }
}

const RUNS: RunSpec[] = [
  {
    id: 'r01',
    name: 'dev_1',
    user: 'alice',
    status: 'FINISHED',
    startTime: 100,
    endTime: 150,
    artifactUri: 's3://b/r01',
    metrics: { acc: 0.9, loss: 0.2 },
    params: { model: 'LogisticRegression', lr: '0.01' },
    tags: { env: 'Prod', 'mlflow.runName': 'dev_1' },
    datasets: [
      { name: 'golden', digest: 'a1', context: 'eval' },
      { name: 'train_v1', digest: 'b2', context: 'training' },
    ],
  },
  {
    id: 'r02',
    name: 'dev_2',
    user: 'bob',
    status: 'FAILED',
    startTime: 200,
    metrics: { acc: NaN, loss: Infinity },
    params: { model: 'SVM' },
    tags: { env: 'prod' },
    datasets: [{ name: 'golden', digest: 'a1', context: 'training' }],
  },
  {
    id: 'r03',
    name: 'Eval',
    status: 'FINISHED',
    startTime: 200,
    endTime: 300,
    metrics: { acc: 0.5, loss: -Infinity },
    params: { model: 'logisticregression' },
    tags: { env: 'staging', 'a*b': 'x?y' },
    datasets: [{ name: 'Golden', digest: 'c3', tags: { note: 'eval' } }],
  },
  { id: 'r04', name: 'dev-3', startTime: 50, metrics: { loss: 0 }, tags: { env: 'ÉTÉ' } },
  {
    id: 'r05',
    name: 'deleted',
    startTime: 300,
    lifecycleStage: 'deleted',
    metrics: { acc: 1 },
    datasets: [{ name: 'golden', digest: 'a1', context: 'eval' }],
  },
  {
    id: 'r06',
    experimentId: '2',
    name: 'other',
    startTime: 400,
    metrics: { acc: 0.7 },
    datasets: [{ name: 'golden', digest: 'a1', context: 'eval' }],
  },
  {
    id: 'r07',
    name: '😀',
    startTime: 100,
    metrics: { acc: 0.9 },
    params: { lr: '0.1' },
    tags: { env: '\uFFFD' },
  },
];

describe('compileRunSearch on SQLite', () => {
  let db: Db;
  let runs: Run[];
  beforeEach(() => {
    db = createDb();
    runs = RUNS.map(makeRun);
    runs.forEach((run) => insertRun(db, run));
  });
  afterEach(() => db.close());

  const searches: Array<[string, string[]?, ViewType?]> = [
    [''],
    ['metrics.acc > 0.6'],
    ['metrics.acc != 0.9'],
    ['metrics.acc = 0'],
    ['metrics.loss < 0'],
    ['metrics.loss >= 1e308'],
    ['metrics.loss != 1e999'],
    ['metrics.loss = -1e999'],
    ["params.model = 'LogisticRegression'"],
    ["params.model LIKE 'Logistic%'"],
    ["params.model ILIKE 'logistic%'"],
    ["params.model != 'SVM'"],
    ["params.lr LIKE '0._1'"],
    ["tags.env ILIKE 'PROD'"],
    ["tags.env ILIKE 'été'"],
    ["tags.env = 'ÉTÉ'"],
    ["tags.`a*b` = 'x?y'"],
    ["tags.`a*b` LIKE 'x?%'"],
    ["tags.`a*b` LIKE 'x*y'"],
    ["tags.`mlflow.runName` LIKE 'dev%'"],
    ["attributes.run_id IN ('r01', 'r03', 'nope')"],
    ["attributes.run_id NOT IN ('r01')"],
    ["run_name LIKE 'dev_%'"],
    ["run_name ILIKE 'EVAL'"],
    ["`Run Name` = 'Eval'"],
    ["status = 'FINISHED' and user_id = 'alice'"],
    ["artifact_uri LIKE 's3://%'"],
    ['created > 100'],
    ['end_time >= 150'],
    ['end_time != 150'],
    ["datasets.name != 'x'"],
    ["datasets.name = 'golden'"],
    ["datasets.name != 'golden'"],
    ["datasets.name LIKE 'g%'"],
    ["datasets.name ILIKE 'G%'"],
    ["datasets.name IN ('train_v1', 'nope')"],
    ["datasets.name NOT IN ('golden')"],
    ["datasets.digest = 'a1'"],
    ["datasets.digest NOT IN ('a1', 'b2')"],
    ["datasets.context = 'eval'"],
    ["datasets.context != 'eval'"],
    ["datasets.context IN ('training')"],
    ["datasets.context LIKE '%'"],
    ["datasets.name = 'golden' and datasets.context = 'training'", ['start_time ASC']],
    ['', ['metrics.acc DESC']],
    ['', ['metrics.acc ASC']],
    ['', ['metrics.loss DESC', 'run_name']],
    ['', ['params.model']],
    ['', ['params.lr DESC']],
    ['', ['tags.env ASC']],
    ['', ['tags.env DESC']],
    ['', ['start_time ASC']],
    ['', ['end_time DESC']],
    ['', ['duration DESC']],
    ['', ['attributes.duration ASC']],
    ["status = 'FINISHED'", ['attributes.duration DESC', 'run_name']],
    ['', ['attributes.run_name DESC']],
    ['', ['run_id DESC']],
    ['', ['status', 'user_id DESC']],
    ["metrics.acc > 0 and params.lr != 'x'", ['metrics.acc DESC', 'params.lr']],
    ['', [], 'ALL'],
    ['', ['metrics.acc'], 'DELETED_ONLY'],
  ];

  test.each(searches)('%s %j %s', (filter, orderBy = [], viewType = 'ACTIVE_ONLY') => {
    const search: RunQuery = { experimentIds: ['1'], viewType, filter, orderBy };
    const compiled = compileRunSearch(sqliteDialect, { ...search, limit: 100 });
    const rows = query(db, compiled);
    expect(rows.map((r) => r.run_uuid)).toEqual(expected(runs, search));

    // SQL and evaluator agree on every row's sort key, too.
    const byId = new Map(runs.map((run) => [run.info.run_uuid, run]));
    for (const row of rows) {
      expect(compiled.sortKeyOf(row)).toEqual(runSortKey(compiled.terms, byId.get(String(row.run_uuid))!));
    }

    for (const limit of [1, 2, 3]) expect(pageThrough(db, search, limit).ids).toEqual(expected(runs, search));
  });

  test.each<[string, string[]]>([
    ["datasets.name = 'golden'", ['r01', 'r02', 'r05']],
    ["datasets.name != 'golden'", ['r01', 'r03']],
    ["datasets.digest IN ('c3', 'b2')", ['r01', 'r03']],
    ["datasets.context = 'training'", ['r01', 'r02']],
    // r03's input has tags, but no context tag.
    ["datasets.context != 'training'", ['r01', 'r05']],
    ["datasets.name = 'golden' and datasets.context = 'training'", ['r01', 'r02']],
  ])('%s finds the runs one of whose inputs satisfies it', (filter, ids) => {
    const rows = query(
      db,
      compileRunSearch(sqliteDialect, {
        experimentIds: ['1'],
        viewType: 'ALL',
        filter,
        orderBy: ['run_id'],
        limit: 100,
      }),
    );
    expect(rows.map((r) => r.run_uuid)).toEqual(ids);
  });

  test('selects the run columns and the sort-key columns', () => {
    const compiled = compileRunSearch(sqliteDialect, {
      experimentIds: ['1'],
      viewType: 'ALL',
      orderBy: ['metrics.acc'],
      limit: 1,
    });
    const [row] = query(db, compiled);
    expect(Object.keys(row!)).toEqual([
      'run_seq',
      'run_uuid',
      'experiment_id',
      'name',
      'user_id',
      'status',
      'start_time',
      'end_time',
      'lifecycle_stage',
      'artifact_uri',
      'sk_b0',
      'sk_v0',
      'sk_b1',
      'sk_v1',
      'sk_b2',
      'sk_v2',
    ]);
  });

  test('several experiments; unknown or malformed ids match nothing', () => {
    const search: RunQuery = { experimentIds: ['1', '2', 'x'], viewType: 'ACTIVE_ONLY' };
    expect(
      query(db, compileRunSearch(sqliteDialect, { ...search, limit: 100 })).map((r) => r.run_uuid),
    ).toEqual(expected(runs, search));
    expect(
      query(db, compileRunSearch(sqliteDialect, { experimentIds: [], viewType: 'ALL', limit: 10 })),
    ).toEqual([]);
    expect(
      query(db, compileRunSearch(sqliteDialect, { experimentIds: ['abc'], viewType: 'ALL', limit: 10 })),
    ).toEqual([]);
  });

  test('paging while runs are inserted neither skips nor repeats a pre-existing run', () => {
    const search: RunQuery = { experimentIds: ['1'], viewType: 'ACTIVE_ONLY', orderBy: ['metrics.acc DESC'] };
    const before = expected(runs, search);
    const seen: string[] = [];
    let after: unknown[] | undefined;
    let inserted = 0;
    for (;;) {
      const compiled = compileRunSearch(sqliteDialect, { ...search, limit: 2, ...(after ? { after } : {}) });
      const rows = query(db, compiled);
      seen.push(...rows.map((r) => String(r.run_uuid)));
      if (rows.length < 2) break;
      after = compiled.sortKeyOf(rows[rows.length - 1]!);
      // New runs land before, between and after the remaining ones.
      for (const acc of [2, 0.8, NaN, -1]) {
        const run = makeRun({ id: `new${inserted++}`, startTime: 1000 + inserted, metrics: { acc } });
        runs.push(run);
        insertRun(db, run);
      }
    }
    const preExisting = seen.filter((id) => before.includes(id));
    expect(preExisting).toEqual(before);
    expect(new Set(seen).size).toBe(seen.length);
    // Whatever new runs showed up, the page sequence is in the final order.
    const all = expected(runs, search);
    expect(seen).toEqual(all.filter((id) => seen.includes(id)));
  });

  test('orders by duration: ties by start_time DESC then run_id, runs without an end last both ways, on every page', () => {
    const timed = timedRuns();
    const own = createDb();
    try {
      timed.forEach((run) => insertRun(own, run));
      const ascending = ['short', 'tie-new-a', 'tie-new-b', 'tie-old', 'long', 'also-running', 'running'];
      const descending = ['long', 'tie-new-a', 'tie-new-b', 'tie-old', 'short', 'also-running', 'running'];
      for (const [orderBy, want] of [
        ['attributes.duration ASC', ascending],
        ['duration DESC', descending],
      ] as const) {
        const search: RunQuery = { experimentIds: ['1'], viewType: 'ALL', orderBy: [orderBy] };
        const compiled = compileRunSearch(sqliteDialect, { ...search, limit: 100 });
        expect(compiled.sql).toContain('(r.end_time - r.start_time)');
        const rows = query(own, compiled);
        expect(rows.map((r) => r.run_uuid)).toEqual(want);
        expect(compiled.sortKeyOf(rows[0]!).slice(0, 2)).toEqual([0, orderBy.endsWith('ASC') ? 1 : 900]);
        expect(compiled.sortKeyOf(rows.at(-1)!).slice(0, 2)).toEqual([2, null]);
        for (const limit of [1, 2, 3]) expect(pageThrough(own, search, limit).ids).toEqual(want);
      }
    } finally {
      own.close();
    }
  });

  test('a page position that does not fit the search is rejected', () => {
    const base = { experimentIds: ['1'], viewType: 'ALL' as const, orderBy: ['metrics.acc'], limit: 5 };
    for (const after of [
      [],
      [0, 1, 0, 100],
      [3, null, 0, 100, 0, 'r01'],
      [0, 'x', 0, 100, 0, 'r01'],
      [1, 5, 0, 100, 0, 'r01'],
      [0, 1, 1, null, 0, 'r01'],
      [0, 1, 0, 100, 0, 7],
      [0, 1, 0, 100, 2, null],
    ]) {
      let error: unknown;
      try {
        compileRunSearch(sqliteDialect, { ...base, after });
      } catch (e) {
        error = e;
      }
      expect(isAgentrackError(error, 'INVALID_PARAMETER_VALUE'), JSON.stringify(after)).toBe(true);
    }
    expect(() => compileRunSearch(sqliteDialect, { ...base, limit: -1 })).toThrow(/limit/);
    expect(() => compileRunSearch(sqliteDialect, { ...base, limit: 1.5 })).toThrow(/limit/);
  });
});

describe('SQL injection', () => {
  const NASTY = [
    "'; DROP TABLE runs; --",
    '"; DROP TABLE runs; --',
    'a\'b"c`d',
    'back\\slash\\',
    '100%_sure',
    'star*quest?[bracket]',
    '$1 ? :name @p',
  ];

  test('values and keys travel as parameters and match literally', () => {
    const db = createDb();
    const runs = NASTY.map((text, i) =>
      makeRun({ id: `n${i}`, name: text, startTime: i, params: { [text]: text }, tags: { [text]: text } }),
    );
    runs.push(makeRun({ id: 'plain', name: '100xysure', params: { k: 'v' }, tags: { 'a*b': 'axb' } }));
    runs.forEach((run) => insertRun(db, run));
    const quote = (s: string) => `'${s.split("'").join("''")}'`;
    const tick = (s: string) => `\`${s.split('`').join('``')}\``;

    for (const text of NASTY) {
      for (const filter of [
        `params.${tick(text)} = ${quote(text)}`,
        `tags.${tick(text)} LIKE ${quote(text)}`,
        `tags.${tick(text)} ILIKE ${quote(text)}`,
        `run_name = ${quote(text)}`,
        `run_name LIKE ${quote(text)}`,
        `attributes.run_id IN (${quote(text)}, 'x')`,
      ]) {
        const search: RunQuery = {
          experimentIds: ['1'],
          viewType: 'ALL',
          filter,
          orderBy: [`params.${tick(text)}`],
        };
        const compiled = compileRunSearch(sqliteDialect, { ...search, limit: 50 });
        expect(compiled.sql).not.toContain(text);
        expect(compiled.sql).not.toContain('DROP');
        expect(query(db, compiled).map((r) => r.run_uuid)).toEqual(expected(runs, search));

        // A page position carrying the text is a parameter too.
        const after = [0, text, 0, 3, 0, text];
        const paged = compileRunSearch(sqliteDialect, { ...search, limit: 50, after });
        expect(paged.sql).not.toContain(text);
        const beyond = expected(runs, search).filter((id) => {
          const run = runs.find((r) => r.info.run_uuid === id)!;
          return compareSortKeys(paged.terms, runSortKey(paged.terms, run), after) > 0;
        });
        expect(query(db, paged).map((r) => r.run_uuid)).toEqual(beyond);
      }
    }
    // LIKE wildcards in the value are wildcards; GLOB's own metacharacters are literal.
    const like = (pattern: string) =>
      query(
        db,
        compileRunSearch(sqliteDialect, {
          experimentIds: ['1'],
          viewType: 'ALL',
          filter: `run_name LIKE ${quote(pattern)}`,
          limit: 50,
        }),
      ).map((r) => r.run_uuid);
    expect(like('100%_sure').sort()).toEqual(['n4', 'plain']);
    expect(like('star*quest?[bracket]')).toEqual(['n5']);
    expect(like('star_quest%')).toEqual(['n5']);
    expect(like('s*')).toEqual([]);
    expect(like('%[b%')).toEqual(['n5']);
    expect(like('%?[%')).toEqual(['n5']);
    expect(like('%?%').sort()).toEqual(['n5', 'n6']);

    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables.map((t) => (t as { name: string }).name)).toContain('runs');
    expect(db.prepare('SELECT COUNT(*) AS n FROM runs').get()).toEqual({ n: NASTY.length + 1 });
    db.close();
  });
});

describe('compileExperimentSearch on SQLite', () => {
  const experiments = [
    makeExperiment({ id: '1', name: '/Shared/a', creationTime: 10, tags: { team: 'core' } }),
    makeExperiment({ id: '2', name: '/Shared/B', creationTime: 30, tags: { team: 'Core' } }),
    makeExperiment({ id: '3', name: 'private', creationTime: 30, lastUpdateTime: 40 }),
    makeExperiment({ id: '10', name: '/Shared/c', creationTime: 20, lifecycleStage: 'deleted' }),
    makeExperiment({ id: '11', name: '/Shared/a2', creationTime: 10 }),
  ];
  let db: Db;
  beforeEach(() => {
    db = createDb();
    experiments.forEach((e) => insertExperiment(db, e));
  });
  afterEach(() => db.close());

  const expectedExperiments = (viewType: ViewType, filter: string, orderBy: string[]) =>
    experiments
      .filter((e) => matchesViewType(viewType, e.lifecycle_stage) && matchesExperiment(filter, e))
      .sort(compareExperiments(orderBy))
      .map((e) => e.experiment_id);

  test.each([
    ['', []],
    ["name LIKE '/Shared/%'", []],
    ["name ILIKE '/shared/b'", []],
    ["name != 'private'", ['name DESC']],
    ['creation_time >= 20', []],
    ['last_update_time = 40', []],
    ["tags.team = 'core'", []],
    ["tags.team ILIKE 'CORE'", ['creation_time']],
    ["tags.team != 'x'", []],
    ['', ['name']],
    ['', ['creation_time ASC']],
    ['', ['experiment_id DESC']],
    ['', ['last_update_time DESC', 'name']],
  ] as Array<[string, string[]]>)('%s %j', (filter, orderBy) => {
    for (const viewType of ['ACTIVE_ONLY', 'ALL', 'DELETED_ONLY'] as const) {
      const want = expectedExperiments(viewType, filter, orderBy);
      const compiled = compileExperimentSearch(sqliteDialect, { viewType, filter, orderBy, limit: 100 });
      const rows = query(db, compiled);
      expect(rows.map((r) => String(r.experiment_id))).toEqual(want);
      for (const row of rows) {
        const experiment = experiments.find((e) => e.experiment_id === String(row.experiment_id))!;
        expect(compiled.sortKeyOf(row)).toEqual(experimentSortKey(compiled.terms, experiment));
      }
      // Page through two at a time.
      const seen: string[] = [];
      let after: unknown[] | undefined;
      for (;;) {
        const page = compileExperimentSearch(sqliteDialect, {
          viewType,
          filter,
          orderBy,
          limit: 2,
          ...(after ? { after } : {}),
        });
        const pageRows = query(db, page);
        seen.push(...pageRows.map((r) => String(r.experiment_id)));
        if (pageRows.length < 2) break;
        after = page.sortKeyOf(pageRows[pageRows.length - 1]!);
      }
      expect(seen).toEqual(want);
    }
  });
});

describe('SQL and evaluator agree on random data', () => {
  const KEYS = fc.constantFrom('a', 'b', 'c');
  const STRINGS = [
    'x',
    'X',
    'xa',
    'Xa',
    'a%',
    'a_b',
    'é',
    'É',
    '😀',
    '\uFFFD',
    '',
    'x*',
    'x[1]',
    "it's",
    'b\\c',
    'r1',
    'r2',
  ];
  const METRICS = [NaN, Infinity, -Infinity, 0, -0, 1, 1.5, -2, 1e300];
  const TIMES = [0, 1, 2];

  const runSpec = (id: string) =>
    fc.record({
      id: fc.constant(id),
      experimentId: fc.constantFrom('1', '2'),
      name: fc.constantFrom(...STRINGS),
      user: fc.constantFrom(...STRINGS),
      status: fc.constantFrom(...RUN_STATUSES),
      startTime: fc.constantFrom(...TIMES),
      endTime: fc.option(fc.constantFrom(...TIMES), { nil: undefined }),
      lifecycleStage: fc.constantFrom('active' as const, 'deleted' as const),
      metrics: fc.dictionary(KEYS, fc.constantFrom(...METRICS), { maxKeys: 3 }),
      params: fc.dictionary(KEYS, fc.constantFrom(...STRINGS), { maxKeys: 3 }),
      tags: fc.dictionary(KEYS, fc.constantFrom(...STRINGS), { maxKeys: 3 }),
      datasets: fc.uniqueArray(
        fc.record({
          name: fc.constantFrom(...STRINGS),
          digest: fc.constantFrom('x', 'X', 'r1'),
          context: fc.option(fc.constantFrom(...STRINGS), { nil: undefined }),
        }),
        { maxLength: 3, selector: (d) => `${d.name}\u0000${d.digest}` },
      ),
    });
  const runSpecs = fc
    .integer({ min: 0, max: 12 })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => runSpec(`r${i}`))));
  const filter: fc.Arbitrary<RunFilter> = fc.array(
    runComparison({
      key: KEYS,
      string: fc.constantFrom(...STRINGS, '%', '_', 'x%', '%a%', 'X_'),
      metric: fc.constantFrom(...METRICS.filter((m) => !Number.isNaN(m))),
      time: fc.constantFrom(...TIMES),
    }),
    { maxLength: 3 },
  );
  const orderBy: fc.Arbitrary<OrderBy> = runOrderBy(KEYS);

  test('same runs, same order, same pages', () => {
    fc.assert(
      fc.property(
        runSpecs,
        filter,
        orderBy,
        fc.constantFrom<ViewType>('ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'),
        fc.subarray(['1', '2'], { minLength: 1 }),
        fc.integer({ min: 1, max: 4 }),
        (specs, filterAst, orderByAst, viewType, experimentIds, limit) => {
          const db = createDb();
          try {
            const runs = specs.map(makeRun);
            runs.forEach((run) => insertRun(db, run));
            const search: RunQuery = { experimentIds, viewType, filter: filterAst, orderBy: orderByAst };
            const want = expected(runs, search);
            const rows = query(db, compileRunSearch(sqliteDialect, { ...search, limit: 100 }));
            expect(rows.map((r) => r.run_uuid)).toEqual(want);
            expect(pageThrough(db, search, limit).ids).toEqual(want);
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('postgresDialect', () => {
  test('numbers placeholders in textual order and keeps values out of the text', () => {
    const compiled = compileRunSearch(postgresDialect, {
      experimentIds: ['1', '2'],
      viewType: 'ACTIVE_ONLY',
      filter: "metrics.acc > 0.5 and params.p LIKE 'a\\%' and tags.t ILIKE 'Ab%' and run_id IN ('x', 'y')",
      orderBy: ['params.p DESC', 'metrics.acc'],
      after: [0, 'zz', 0, 1, 0, 5, 0, 'run'],
      limit: 10,
    });
    const placeholders = [...compiled.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    expect(placeholders).toEqual(compiled.params.map((_, i) => i + 1));
    expect(compiled.sql).not.toContain('?');
    expect(compiled.sql).toContain(`LIKE $`);
    expect(compiled.sql).toContain(`ESCAPE ''`);
    expect(compiled.sql).toContain(`COLLATE "C"`);
    expect(compiled.sql).not.toMatch(/'a\\%'|'ab%'|'zz'/);
    // ILIKE folds the pattern in JavaScript the way translate() folds the column.
    expect(compiled.params).toContain('ab%');
    expect(compiled.params).toContain('a\\%');
  });

  test('compiles dataset clauses with parameters only', () => {
    const compiled = compileRunSearch(postgresDialect, {
      experimentIds: ['1'],
      viewType: 'ALL',
      filter: "datasets.name ILIKE 'Gold%' and datasets.context IN ('eval', 'test')",
      limit: 10,
    });
    expect(compiled.params).toEqual([1, 'gold%', 'mlflow.data.context', 'eval', 'test', 10]);
    expect(compiled.sql).toContain(
      'FROM inputs AS f0 JOIN datasets AS f0d ON f0d.dataset_seq = f0.dataset_seq',
    );
    expect(compiled.sql).toContain(
      'FROM inputs AS f1 JOIN input_tags AS f1t ON f1t.input_seq = f1.input_seq',
    );
    expect(compiled.sql).not.toMatch(/'(gold|eval|mlflow)/i);
  });

  test('experiment search compiles with the same hooks', () => {
    const compiled = compileExperimentSearch(postgresDialect, {
      viewType: 'ALL',
      filter: "name LIKE 'x%' and tags.a = 'b'",
      orderBy: ['name'],
      after: [0, 'm', 0, 3],
      limit: 5,
    });
    expect(compiled.params).toEqual(['x%', 'a', 'b', 'm', 'm', 'm', 3, 5]);
    expect(compiled.sql).toContain('e.name COLLATE "C" >= $4 AND');
    expect(compiled.sql).toContain('ORDER BY e.name COLLATE "C" ASC, e.experiment_id DESC');
  });
});

test('compiled terms are the final ordering: user clauses, then the tie-breaks not already present', () => {
  const compiled = compileRunSearch(sqliteDialect, {
    experimentIds: ['1'],
    viewType: 'ALL',
    orderBy: ['start_time ASC', 'metrics.x'],
    limit: 1,
  });
  expect(compiled.terms).toEqual(runOrderTerms(parseRunOrderBy(['start_time ASC', 'metrics.x'])));
  expect(compiled.terms.map((t) => `${t.entity}.${t.key} ${t.ascending ? 'ASC' : 'DESC'}`)).toEqual([
    'attribute.start_time ASC',
    'metric.x ASC',
    'attribute.run_id ASC',
  ]);
  expect(experimentOrderTerms([]).map((t) => `${t.key} ${t.ascending ? 'ASC' : 'DESC'}`)).toEqual([
    'creation_time DESC',
    'experiment_id ASC',
  ]);
});

describe('registry searches on SQLite', () => {
  const PROMPT = 'mlflow.prompt.is_prompt';
  const models = [
    makeRegisteredModel({ name: 'health_monitor_agent', created: 10, updated: 30, tags: { team: 'core' } }),
    makeRegisteredModel({
      name: 'Health_v2',
      created: 20,
      updated: 30,
      tags: { team: 'Core', [PROMPT]: 'false' },
    }),
    makeRegisteredModel({ name: 'summarize', created: 5, updated: 40, tags: { [PROMPT]: 'true' } }),
    makeRegisteredModel({ name: 'shout', created: 5, updated: 10, tags: { [PROMPT]: 'TRUE', 'a*b': 'x?y' } }),
    makeRegisteredModel({ name: 'été', created: 30, updated: 30 }),
    makeRegisteredModel({ name: '😀', created: 40, updated: 50, tags: { team: '\uFFFD' } }),
  ];
  const versions = [
    makeModelVersion({
      name: 'health_monitor_agent',
      version: 1,
      created: 1,
      updated: 5,
      runId: 'r1',
      tags: { ok: 'yes' },
    }),
    makeModelVersion({
      name: 'health_monitor_agent',
      version: 2,
      created: 2,
      updated: 9,
      runId: 'r2',
      source: 'runs:/r2/model',
    }),
    makeModelVersion({
      name: 'health_monitor_agent',
      version: 10,
      created: 3,
      updated: 9,
      source: 's3://b/x',
    }),
    makeModelVersion({
      name: 'Health_v2',
      version: 9,
      created: 3,
      updated: 9,
      runId: 'r1',
      tags: { ok: 'Yes' },
    }),
    makeModelVersion({ name: 'summarize', version: 1, created: 4, updated: 4, tags: { [PROMPT]: 'true' } }),
    makeModelVersion({ name: 'summarize', version: 2, created: 4, updated: 4 }),
    makeModelVersion({ name: 'été', version: 1, created: 5, updated: 5, runId: 'R1', source: 'models:/m-é' }),
  ];
  const prompts = promptModelNames(versions);
  let db: Db;
  beforeEach(() => {
    db = createDb();
    for (const { sql, params } of registryInserts(models, versions)) db.prepare(sql).run(...params);
  });
  afterEach(() => db.close());

  const modelId = (row: Row) => String(row.name);
  const versionId = (row: Row) => `${String(row.name)}/${String(row.version)}`;

  function pages(
    compile: (options: RegistrySearchOptions) => CompiledSearch,
    search: Omit<RegistrySearchOptions, 'limit' | 'after'>,
    limit: number,
    id: (row: Row) => string,
  ): string[] {
    const ids: string[] = [];
    let after: unknown[] | undefined;
    for (let page = 0; page < 100; page += 1) {
      const compiled = compile({ ...search, limit, ...(after ? { after } : {}) });
      const rows = query(db, compiled);
      ids.push(...rows.map(id));
      if (rows.length < limit) return ids;
      after = JSON.parse(JSON.stringify(compiled.sortKeyOf(rows[rows.length - 1]!))) as unknown[];
    }
    throw new Error('pagination does not end');
  }

  test.each<[string, string[]]>([
    ['', []],
    ["name = 'health_monitor_agent'", []],
    ["name LIKE 'health%'", []],
    ["name ILIKE 'HEALTH%'", []],
    ["name ILIKE 'ÉTÉ'", []],
    ["name != 'été'", []],
    ["name LIKE '_'", []],
    ["tags.team = 'core'", []],
    ["tags.team ILIKE 'core'", []],
    ["tags.team != 'x'", []],
    ["tags.`a*b` LIKE 'x?%'", []],
    [`name LIKE '%' AND tag.\`${PROMPT}\` != 'true'`, []],
    [`tags.\`${PROMPT}\` = 'false'`, []],
    [`tags.\`${PROMPT}\` = 'true'`, []],
    [`tags.\`${PROMPT}\` = 'TRUE'`, []],
    [`tags.\`${PROMPT}\` != 'false'`, []],
    ['', ['name DESC']],
    ['', ['timestamp DESC']],
    ['', ['last_updated_timestamp ASC']],
    ["tags.team != ''", ['timestamp', 'name DESC']],
  ])('registered models: %s %j', (filter, orderBy) => {
    const search = { filter, orderBy };
    const want = models
      .filter((m) => matchesRegisteredModel(filter, m))
      .sort(compareRegisteredModels(orderBy))
      .map((m) => m.name);
    const compiled = compileRegisteredModelSearch(sqliteDialect, { ...search, limit: 100 });
    const rows = query(db, compiled);
    expect(rows.map(modelId)).toEqual(want);
    for (const row of rows) {
      const model = models.find((m) => m.name === row.name)!;
      expect(compiled.sortKeyOf(row)).toEqual(registeredModelSortKey(compiled.terms, model));
    }
    for (const limit of [1, 2, 3]) {
      expect(pages((o) => compileRegisteredModelSearch(sqliteDialect, o), search, limit, modelId)).toEqual(
        want,
      );
    }
  });

  test.each<[string, string[]]>([
    ['', []],
    ["name = 'health_monitor_agent'", []],
    ["name ILIKE 'health%'", []],
    ['version_number > 2', []],
    ["version_number <= '2'", []],
    ['version_number != 1', []],
    ['version_number < 1e999', []],
    ["run_id = 'r1'", []],
    ["run_id != 'r1'", []],
    ["run_id IN ('r1', 'r2', 'nope')", []],
    ["run_id LIKE 'r%'", []],
    ["run_id ILIKE 'r%'", []],
    ["source_path LIKE 'models:/%'", []],
    ["source_path = 's3://b/x'", []],
    ["tags.ok = 'yes'", []],
    ["tags.ok ILIKE 'YES'", []],
    ["tags.ok != 'no'", []],
    [`tags.\`${PROMPT}\` = 'true'`, []],
    [`tags.\`${PROMPT}\` != 'true'`, []],
    ['', ['version_number']],
    ['', ['name DESC', 'version_number ASC']],
    ['', ['creation_timestamp DESC']],
    ['', ['last_updated_timestamp ASC', 'version_number DESC']],
    ["name != 'x'", ['name', 'creation_timestamp']],
  ])('model versions: %s %j', (filter, orderBy) => {
    const search = { filter, orderBy };
    const want = versions
      .filter((v) => matchesModelVersion(filter, v, prompts))
      .sort(compareModelVersions(orderBy))
      .map((v) => `${v.name}/${v.version}`);
    const compiled = compileModelVersionSearch(sqliteDialect, { ...search, limit: 100 });
    const rows = query(db, compiled);
    expect(rows.map(versionId)).toEqual(want);
    for (const row of rows) {
      const version = versions.find((v) => `${v.name}/${v.version}` === versionId(row))!;
      expect(compiled.sortKeyOf(row)).toEqual(modelVersionSortKey(compiled.terms, version));
    }
    for (const limit of [1, 2, 3]) {
      expect(pages((o) => compileModelVersionSearch(sqliteDialect, o), search, limit, versionId)).toEqual(
        want,
      );
    }
  });

  test('prompts are left out unless asked for; the rule is for the prompt tag alone', () => {
    const rm = (filter: string) =>
      query(db, compileRegisteredModelSearch(sqliteDialect, { filter, limit: 100 })).map(modelId);
    expect(rm(`tag.\`${PROMPT}\` != 'true'`)).toEqual([
      'Health_v2',
      'health_monitor_agent',
      'shout',
      'été',
      '😀',
    ]);
    expect(rm(`tag.\`${PROMPT}\` = 'true'`)).toEqual(['summarize']);
    expect(rm("tags.team != 'x'")).toEqual(['Health_v2', 'health_monitor_agent', '😀']);
    // A version of a prompt is left out even when it is not tagged itself.
    const mv = (filter: string) =>
      query(db, compileModelVersionSearch(sqliteDialect, { filter, limit: 100 })).map(versionId);
    expect(mv("name = 'summarize'")).toEqual([]);
    expect(mv(`name = 'summarize' AND tags.\`${PROMPT}\` = 'true'`)).toEqual(['summarize/1']);
  });

  test('the default orders: registered models by name, versions by last update, name, version', () => {
    expect(query(db, compileRegisteredModelSearch(sqliteDialect, { limit: 100 })).map(modelId)).toEqual([
      'Health_v2',
      'health_monitor_agent',
      'shout',
      'été',
      '😀',
    ]);
    expect(query(db, compileModelVersionSearch(sqliteDialect, { limit: 100 })).map(versionId)).toEqual([
      'Health_v2/9',
      'health_monitor_agent/10',
      'health_monitor_agent/2',
      'health_monitor_agent/1',
      'été/1',
    ]);
  });

  test('select the registry columns and the sort-key columns', () => {
    const [model] = query(db, compileRegisteredModelSearch(sqliteDialect, { limit: 1 }));
    expect(Object.keys(model!)).toEqual([
      'model_seq',
      'name',
      'creation_timestamp',
      'last_updated_timestamp',
      'description',
      'user_id',
      'last_version',
      'sk_b0',
      'sk_v0',
    ]);
    const [version] = query(
      db,
      compileModelVersionSearch(sqliteDialect, {
        filter: "name = 'été'",
        orderBy: ['version_number'],
        limit: 1,
      }),
    );
    expect(Object.keys(version!)).toEqual([
      'version_seq',
      'model_seq',
      'version',
      'creation_timestamp',
      'last_updated_timestamp',
      'description',
      'user_id',
      'current_stage',
      'source',
      'storage_location',
      'run_id',
      'run_link',
      'status',
      'status_message',
      'model_id',
      'name',
      'sk_b0',
      'sk_v0',
      'sk_b1',
      'sk_v1',
    ]);
    expect(version).toMatchObject({ name: 'été', version: 1, run_id: 'R1', source: 'models:/m-é' });
  });

  test('values and keys travel as parameters', () => {
    const nasty = "'; DROP TABLE registered_models; --";
    for (const compiled of [
      compileRegisteredModelSearch(sqliteDialect, {
        filter: `name = '${nasty.split("'").join("''")}' AND tags.\`${nasty}\` LIKE 'x%'`,
        after: [0, nasty],
        limit: 5,
      }),
      compileModelVersionSearch(sqliteDialect, {
        filter: `run_id IN ('${nasty.split("'").join("''")}') AND tags.\`${nasty}\` != 'x'`,
        after: [0, 1, 0, nasty, 0, 2],
        limit: 5,
      }),
    ]) {
      expect(compiled.sql).not.toContain('DROP');
      expect(compiled.params).toContain(nasty);
      expect(query(db, compiled)).toEqual([]);
    }
    expect(db.prepare('SELECT COUNT(*) AS n FROM registered_models').get()).toEqual({ n: models.length });
  });

  test('a page position that does not fit the search is rejected', () => {
    for (const [compile, after] of [
      [compileRegisteredModelSearch, [0, 1]],
      [compileRegisteredModelSearch, [2, null]],
      [compileRegisteredModelSearch, [0, 'a', 0, 'b']],
      [compileModelVersionSearch, [0, 'x', 0, 'a', 0, 1]],
      [compileModelVersionSearch, [0, 1, 0, 'a']],
    ] as const) {
      let error: unknown;
      try {
        compile(sqliteDialect, { after, limit: 5 });
      } catch (e) {
        error = e;
      }
      expect(isAgentrackError(error, 'INVALID_PARAMETER_VALUE'), JSON.stringify(after)).toBe(true);
    }
  });

  test('both compile for PostgreSQL with numbered placeholders and byte order', () => {
    const model = compileRegisteredModelSearch(postgresDialect, {
      filter: "name ILIKE 'Health%' AND tags.team = 'core'",
      orderBy: ['timestamp DESC'],
      after: [0, 30, 0, 'health'],
      limit: 10,
    });
    const version = compileModelVersionSearch(postgresDialect, {
      filter: "name LIKE 'h%' AND version_number > 1 AND run_id IN ('r1', 'r2') AND tags.ok != 'no'",
      after: [0, 9, 0, 'health', 0, 3],
      limit: 10,
    });
    for (const compiled of [model, version]) {
      const placeholders = [...compiled.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
      expect(placeholders).toEqual(compiled.params.map((_, i) => i + 1));
      expect(compiled.sql).not.toContain('?');
      expect(compiled.sql).not.toMatch(/'(health|core|r1|ok|no|true|mlflow)/i);
      expect(compiled.sql).toContain('COLLATE "C"');
    }
    expect(model.params).toContain('health%');
    expect(model.sql).toContain('ORDER BY m.last_updated_timestamp DESC, m.name COLLATE "C" ASC');
    expect(version.sql).toContain('JOIN registered_models AS m ON m.model_seq = v.model_seq');
    expect(version.sql).toContain(
      'ORDER BY v.last_updated_timestamp DESC, m.name COLLATE "C" ASC, v.version DESC',
    );
  });
});

describe('number bounds on integer columns', () => {
  // PostgreSQL types a bound compared with a BIGINT column as a BIGINT: a fraction, an
  // infinity or a number beyond 2^63 would fail the statement there.
  test.each([
    ['attributes.start_time > 1500.5', '> $', 1500],
    ['attributes.start_time >= 1500.5', '>= $', 1501],
    ['attributes.start_time < 1500.5', '< $', 1501],
    ['attributes.start_time <= 1500.5', '<= $', 1500],
    ['attributes.start_time <= -1500.5', '<= $', -1501],
    ['attributes.end_time = 1500', '= $', 1500],
  ])('%s compares with the integer bound', (filter, operator, bound) => {
    const q = compileRunSearch(postgresDialect, { experimentIds: ['1'], viewType: 'ALL', filter, limit: 5 });
    expect(q.params).toContain(bound);
    expect(q.sql).toContain(`r.${filter.includes('end_time') ? 'end' : 'start'}_time ${operator}`);
    expect(q.params.every((p) => typeof p !== 'number' || Number.isInteger(p))).toBe(true);
  });

  test.each([
    ['attributes.start_time = 1500.5', '1 = 0'],
    ['attributes.start_time != 1500.5', 'r.start_time IS NOT NULL'],
    ['attributes.end_time < 1e999', 'r.end_time IS NOT NULL'],
    ['attributes.end_time >= 1e999', '1 = 0'],
    ['attributes.end_time > -1e999', 'r.end_time IS NOT NULL'],
    ['attributes.end_time < -1e19', '1 = 0'],
    ['attributes.end_time < 1e19', 'r.end_time IS NOT NULL'],
  ])('%s needs no bound', (filter, condition) => {
    const q = compileRunSearch(postgresDialect, { experimentIds: ['1'], viewType: 'ALL', filter, limit: 5 });
    expect(q.sql).toContain(condition);
    expect(q.params).toEqual([1, 5]);
  });

  test('metric values are doubles: their bounds stay as they are', () => {
    const q = compileRunSearch(postgresDialect, {
      experimentIds: ['1'],
      viewType: 'ALL',
      filter: 'metrics.acc > 0.5 AND metrics.acc < 1e999',
      limit: 5,
    });
    expect(q.params).toContain(0.5);
    expect(q.params).toContain(Infinity);
  });
});

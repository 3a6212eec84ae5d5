import { describe, expect, test } from 'vitest';
import type { Run } from '../entities/index.js';
import { makeExperiment, makeRun, timedRuns } from './__tests__/fixtures.js';
import { makeModelVersion, makeRegisteredModel } from './__tests__/registry-fixtures.js';
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
import { parseRunFilter } from './filter-parser.js';
import { runOrderTerms, runSortKey } from './sort-key.js';

const good = makeRun({
  id: 'aaa',
  name: 'dev_1',
  user: 'alice',
  status: 'FINISHED',
  startTime: 100,
  endTime: 200,
  artifactUri: 's3://bucket/aaa',
  metrics: { acc: 0.9, loss: NaN, big: Infinity },
  params: { model: 'LogisticRegression', lr: '0.01' },
  tags: { env: 'Prod', 'mlflow.runName': 'dev_1' },
  datasets: [
    { name: 'golden', digest: 'a1b2', context: 'eval' },
    { name: 'Train_Set', digest: 'c3d4', tags: { source: 'hub' } },
  ],
});
const bare = makeRun({ id: 'bbb', name: 'eval', startTime: 50 });

describe('matchesRun', () => {
  const cases: Array<[string, boolean, boolean]> = [
    // filter, matches `good`, matches `bare`
    ['', true, true],
    ['metrics.acc > 0.5', true, false],
    ['metrics.acc = 0.9', true, false],
    ['metrics.acc != 0.9', false, false],
    ['metrics.acc != 1', true, false],
    ['metrics.acc >= 0.9 and metrics.acc <= 0.9', true, false],
    // NaN: IEEE semantics, only != holds.
    ['metrics.loss != 0', true, false],
    ['metrics.loss = 0', false, false],
    ['metrics.loss < 1', false, false],
    ['metrics.loss > -1e999', false, false],
    ['metrics.big > 1e308', true, false],
    ['metrics.big = 1e999', true, false],
    // Missing keys never match, != included.
    ['metrics.nope != 1', false, false],
    ["params.nope != 'x'", false, false],
    ["tags.nope != 'x'", false, false],
    ["params.model = 'LogisticRegression'", true, false],
    ["params.model != 'SVM'", true, false],
    ["params.model LIKE 'Logistic%'", true, false],
    ["params.model LIKE 'logistic%'", false, false],
    ["params.model ILIKE 'logistic%'", true, false],
    ["params.lr = '0.01'", true, false],
    ["params.lr = '0.010'", false, false],
    ["tags.env = 'Prod'", true, false],
    ["tags.env = 'prod'", false, false],
    ["tags.`mlflow.runName` LIKE 'dev\\_%'", false, false],
    ["attributes.run_id IN ('aaa', 'ccc')", true, false],
    ["attributes.run_id NOT IN ('aaa')", false, true],
    ["run_name LIKE 'dev_%'", true, false],
    ["run_name = 'eval'", false, true],
    ["user_id = 'alice'", true, false],
    ["user_id = ''", false, true],
    ["status != 'FAILED'", true, true],
    ["status = 'RUNNING'", false, true],
    ["artifact_uri LIKE 's3://%'", true, false],
    ['start_time > 60', true, false],
    ['created <= 50', false, true],
    // A run without an end time has no value to compare.
    ['end_time > 0', true, false],
    ['end_time != 0', true, false],
    // A dataset clause holds when one of the run's inputs satisfies it; a run without inputs never matches.
    ["datasets.name = 'golden'", true, false],
    ["datasets.name = 'Golden'", false, false],
    ["datasets.name != 'golden'", true, false],
    ["datasets.name != 'x'", true, false],
    ["datasets.name LIKE 'Train\\_%'", false, false],
    ["datasets.name LIKE 'Train_%'", true, false],
    ["datasets.name ILIKE 'train%'", true, false],
    ["datasets.name IN ('golden', 'x')", true, false],
    ["datasets.name NOT IN ('golden', 'Train_Set')", false, false],
    ["datasets.name NOT IN ('golden')", true, false],
    ["datasets.digest = 'c3d4'", true, false],
    ["datasets.digest IN ('zz')", false, false],
    ["datasets.context = 'eval'", true, false],
    ["datasets.context != 'eval'", false, false],
    ["datasets.context LIKE '%'", true, false],
    ["datasets.context IN ('training')", false, false],
    // Other input tags are not the context.
    ["datasets.context = 'hub'", false, false],
    // Each clause may hold on a different input, as in MLflow's joins.
    ["datasets.name = 'golden' and datasets.digest = 'c3d4'", true, false],
    ["metrics.acc > 0.5 and params.model = 'SVM'", false, false],
  ];
  test.each(cases)('%s', (filter, matchesGood, matchesBare) => {
    expect(matchesRun(filter, good)).toBe(matchesGood);
    expect(matchesRun(parseRunFilter(filter), bare)).toBe(matchesBare);
  });
});

function ids(runs: Run[]): string[] {
  return runs.map((r) => r.info.run_id);
}

describe('compareRuns', () => {
  const runs = [
    makeRun({ id: 'r1', startTime: 10, metrics: { m: 1 }, params: { p: 'b' } }),
    makeRun({ id: 'r2', startTime: 30, metrics: { m: NaN }, params: { p: 'a' } }),
    makeRun({ id: 'r3', startTime: 20, params: { p: 'B' } }),
    makeRun({ id: 'r4', startTime: 20, metrics: { m: -Infinity } }),
    makeRun({ id: 'r5', startTime: 30, metrics: { m: 5 } }),
    makeRun({ id: 'r0', startTime: 30, metrics: { m: 1 } }),
  ];

  test('default: start_time DESC, then run id ASC', () => {
    expect(ids([...runs].sort(compareRuns()))).toEqual(['r0', 'r2', 'r5', 'r3', 'r4', 'r1']);
  });

  test('metric ASC: values, then NaN, then missing; ties by start_time DESC then id', () => {
    expect(ids([...runs].sort(compareRuns(['metrics.m ASC'])))).toEqual(['r4', 'r0', 'r1', 'r5', 'r2', 'r3']);
  });

  test('metric DESC: values descending, then NaN, then missing', () => {
    expect(ids([...runs].sort(compareRuns(['metrics.m DESC'])))).toEqual([
      'r5',
      'r0',
      'r1',
      'r4',
      'r2',
      'r3',
    ]);
  });

  test('params sort as strings by code point; missing last both ways', () => {
    expect(ids([...runs].sort(compareRuns(['params.p'])))).toEqual(['r3', 'r2', 'r1', 'r0', 'r5', 'r4']);
    expect(ids([...runs].sort(compareRuns(['params.p DESC'])))).toEqual(['r1', 'r2', 'r3', 'r0', 'r5', 'r4']);
  });

  test('ordering on start_time replaces the default start_time tie-break', () => {
    expect(ids([...runs].sort(compareRuns(['start_time ASC'])))).toEqual([
      'r1',
      'r3',
      'r4',
      'r0',
      'r2',
      'r5',
    ]);
    expect(ids([...runs].sort(compareRuns(['created DESC'])))).toEqual(['r0', 'r2', 'r5', 'r3', 'r4', 'r1']);
  });

  test('later clauses break ties of earlier ones', () => {
    const tied = [
      makeRun({ id: 'x', startTime: 1, metrics: { m: 1 }, tags: { t: 'b' } }),
      makeRun({ id: 'y', startTime: 2, metrics: { m: 1 }, tags: { t: 'a' } }),
      makeRun({ id: 'z', startTime: 3, metrics: { m: 0 } }),
    ];
    expect(ids([...tied].sort(compareRuns(['metrics.m DESC', 'tags.t ASC'])))).toEqual(['y', 'x', 'z']);
  });

  test('a missing end_time sorts last in both directions', () => {
    const withEnd = [
      makeRun({ id: 'a', endTime: 5 }),
      makeRun({ id: 'b' }),
      makeRun({ id: 'c', endTime: 9 }),
    ];
    expect(ids([...withEnd].sort(compareRuns(['end_time ASC'])))).toEqual(['a', 'c', 'b']);
    expect(ids([...withEnd].sort(compareRuns(['end_time DESC'])))).toEqual(['c', 'a', 'b']);
  });

  test('duration (end_time - start_time) orders runs, ties by start_time DESC then run_id, running runs last both ways', () => {
    const timed = timedRuns();
    expect(ids([...timed].sort(compareRuns(['attributes.duration ASC'])))).toEqual([
      'short',
      'tie-new-a',
      'tie-new-b',
      'tie-old',
      'long',
      'also-running',
      'running',
    ]);
    expect(ids([...timed].sort(compareRuns(['duration DESC'])))).toEqual([
      'long',
      'tie-new-a',
      'tie-new-b',
      'tie-old',
      'short',
      'also-running',
      'running',
    ]);
  });

  test("a run's duration is its sort key value; without an end time it is missing", () => {
    const terms = runOrderTerms([
      {
        type: 'order_by',
        entity: 'attribute',
        key: 'duration',
        ascending: true,
        location: { start: 0, end: 0 },
      },
    ]);
    expect(runSortKey(terms, makeRun({ id: 'x', startTime: 100, endTime: 1600 }))).toEqual([
      0,
      1500,
      0,
      100,
      0,
      'x',
    ]);
    expect(runSortKey(terms, makeRun({ id: 'y', startTime: 100 }))).toEqual([2, null, 0, 100, 0, 'y']);
  });

  test('run names order by code point (upper case before lower case)', () => {
    const named = [
      makeRun({ id: '1', name: 'beta' }),
      makeRun({ id: '2', name: 'Beta' }),
      makeRun({ id: '3', name: 'alpha' }),
    ];
    expect(ids([...named].sort(compareRuns(['attributes.run_name'])))).toEqual(['2', '3', '1']);
  });

  test('sort keys are JSON-safe: infinities as strings, NaN and missing as buckets', () => {
    const terms = runOrderTerms([
      { type: 'order_by', entity: 'metric', key: 'm', ascending: true, location: { start: 0, end: 0 } },
    ]);
    expect(runSortKey(terms, runs[3]!)).toEqual([0, '-Infinity', 0, 20, 0, 'r4']);
    expect(runSortKey(terms, runs[1]!)).toEqual([1, null, 0, 30, 0, 'r2']);
    expect(runSortKey(terms, runs[2]!)).toEqual([2, null, 0, 20, 0, 'r3']);
    expect(JSON.parse(JSON.stringify(runSortKey(terms, runs[3]!)))).toEqual(runSortKey(terms, runs[3]!));
  });
});

describe('experiments', () => {
  const experiments = [
    makeExperiment({ id: '9', name: 'b', creationTime: 5, tags: { team: 'core' } }),
    makeExperiment({ id: '10', name: 'a', creationTime: 5 }),
    makeExperiment({ id: '2', name: 'a', creationTime: 7, tags: { team: 'Core' } }),
  ];
  const expIds = (list: typeof experiments) => list.map((e) => e.experiment_id);

  test('default order: creation_time DESC, then id ASC (numerically)', () => {
    expect(expIds([...experiments].sort(compareExperiments()))).toEqual(['2', '9', '10']);
  });

  test('with clauses, ties fall back to id DESC', () => {
    expect(expIds([...experiments].sort(compareExperiments(['name'])))).toEqual(['10', '2', '9']);
    expect(expIds([...experiments].sort(compareExperiments(['creation_time'])))).toEqual(['10', '9', '2']);
    expect(expIds([...experiments].sort(compareExperiments(['experiment_id ASC'])))).toEqual([
      '2',
      '9',
      '10',
    ]);
  });

  test.each([
    ["name = 'a'", ['10', '2']],
    ["name LIKE 'b%'", ['9']],
    ['creation_time > 5', ['2']],
    ["tags.team = 'core'", ['9']],
    ["tags.team ILIKE 'CORE'", ['9', '2']],
    ["tags.team != 'x'", ['9', '2']],
  ])('%s', (filter, expected) => {
    expect(expIds(experiments.filter((e) => matchesExperiment(filter, e)))).toEqual(expected);
  });
});

test('matchesViewType', () => {
  expect(matchesViewType('ACTIVE_ONLY', 'active')).toBe(true);
  expect(matchesViewType('ACTIVE_ONLY', 'deleted')).toBe(false);
  expect(matchesViewType('DELETED_ONLY', 'deleted')).toBe(true);
  expect(matchesViewType('DELETED_ONLY', 'active')).toBe(false);
  expect(matchesViewType('ALL', 'deleted')).toBe(true);
});

describe('matchesRegisteredModel', () => {
  const PROMPT = 'tags.`mlflow.prompt.is_prompt`';
  const models = [
    makeRegisteredModel({ name: 'health_monitor_agent', tags: { team: 'core' } }),
    makeRegisteredModel({ name: 'Health_v2', tags: { team: 'Core', 'mlflow.prompt.is_prompt': 'false' } }),
    makeRegisteredModel({ name: 'summarize', tags: { 'mlflow.prompt.is_prompt': 'true' } }),
    makeRegisteredModel({ name: 'shout', tags: { 'mlflow.prompt.is_prompt': 'TRUE' } }),
    makeRegisteredModel({ name: 'été' }),
  ];
  const names = (filter: string) =>
    models.filter((m) => matchesRegisteredModel(filter, m)).map((m) => m.name);

  test.each<[string, string[]]>([
    // Prompts (tagged exactly 'true') are left out by default.
    ['', ['health_monitor_agent', 'Health_v2', 'shout', 'été']],
    ["name = 'health_monitor_agent'", ['health_monitor_agent']],
    ["name LIKE 'health%'", ['health_monitor_agent']],
    ["name ILIKE 'health%'", ['health_monitor_agent', 'Health_v2']],
    ["name ILIKE 'ÉTÉ'", []],
    ["name != 'shout'", ['health_monitor_agent', 'Health_v2', 'été']],
    ["tags.team = 'core'", ['health_monitor_agent']],
    ["tags.team ILIKE 'CORE'", ['health_monitor_agent', 'Health_v2']],
    // Any other tag: a model without it never matches, != included.
    ["tags.team != 'x'", ['health_monitor_agent', 'Health_v2']],
    // What MLflow's client appends: a model without the tag passes it.
    [
      `name LIKE '%' AND tag.\`mlflow.prompt.is_prompt\` != 'true'`,
      ['health_monitor_agent', 'Health_v2', 'shout', 'été'],
    ],
    // Not asking for prompts: every clause on the tag is dropped, prompts left out.
    [`${PROMPT} = 'false'`, ['health_monitor_agent', 'Health_v2', 'shout', 'été']],
    [`${PROMPT} = 'nonsense'`, ['health_monitor_agent', 'Health_v2', 'shout', 'été']],
    [`${PROMPT} LIKE 'tr%'`, ['health_monitor_agent', 'Health_v2', 'shout', 'été']],
    // Asking for prompts (the first clause on the tag decides): the clauses apply as written.
    [`${PROMPT} = 'true'`, ['summarize']],
    [`${PROMPT} = 'TRUE'`, ['shout']],
    [`${PROMPT} != 'false'`, ['summarize', 'shout']],
    // Whether the filter asks ignores case; the clauses then compare case-sensitively.
    [`${PROMPT} != 'FALSE' AND ${PROMPT} != 'true'`, ['Health_v2', 'shout']],
    [`${PROMPT} != 'true' AND ${PROMPT} = 'true'`, ['health_monitor_agent', 'Health_v2', 'shout', 'été']],
  ])('%s', (filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });

  test('orders by name in code point order by default, and breaks ties by name', () => {
    const list = [
      makeRegisteredModel({ name: 'b', created: 1, updated: 5 }),
      makeRegisteredModel({ name: 'B', created: 2, updated: 5 }),
      makeRegisteredModel({ name: 'a', created: 3, updated: 9 }),
      makeRegisteredModel({ name: 'é', created: 4, updated: 1 }),
    ];
    const order = (orderBy?: string[]) => [...list].sort(compareRegisteredModels(orderBy)).map((m) => m.name);
    expect(order()).toEqual(['B', 'a', 'b', 'é']);
    expect(order(['name DESC'])).toEqual(['é', 'b', 'a', 'B']);
    expect(order(['timestamp DESC'])).toEqual(['a', 'B', 'b', 'é']);
    expect(order(['last_updated_timestamp'])).toEqual(['é', 'B', 'b', 'a']);
  });
});

describe('matchesModelVersion', () => {
  const versions = [
    makeModelVersion({
      name: 'agent',
      version: 1,
      runId: 'r1',
      source: 'models:/m-1',
      tags: { stage: 'qa' },
    }),
    makeModelVersion({ name: 'agent', version: 2, runId: 'r2', source: 'runs:/r2/model' }),
    makeModelVersion({ name: 'agent', version: 10, source: 's3://b/agent' }),
    makeModelVersion({ name: 'Agent', version: 9, runId: 'r1', source: 'models:/m-9' }),
    // A prompt whose first version is not tagged: MLflow leaves out every version of the model.
    makeModelVersion({ name: 'greeting', version: 1, runId: 'r1' }),
    makeModelVersion({ name: 'greeting', version: 2, tags: { 'mlflow.prompt.is_prompt': 'true' } }),
  ];
  const prompts = promptModelNames(versions);
  const ids = (filter: string) =>
    versions.filter((v) => matchesModelVersion(filter, v, prompts)).map((v) => `${v.name}/${v.version}`);

  test.each<[string, string[]]>([
    ['', ['agent/1', 'agent/2', 'agent/10', 'Agent/9']],
    ["name = 'agent'", ['agent/1', 'agent/2', 'agent/10']],
    ["name ILIKE 'AGENT'", ['agent/1', 'agent/2', 'agent/10', 'Agent/9']],
    ['version_number > 2', ['agent/10', 'Agent/9']],
    ["version_number = '10'", ['agent/10']],
    ['version_number != 1', ['agent/2', 'agent/10', 'Agent/9']],
    ["run_id = 'r1'", ['agent/1', 'Agent/9']],
    ["run_id IN ('r2', 'r1')", ['agent/1', 'agent/2', 'Agent/9']],
    // A version without a run never matches a run_id clause.
    ["run_id != 'r1'", ['agent/2']],
    ["source_path LIKE 'models:/%'", ['agent/1', 'Agent/9']],
    ["source_path ILIKE 'RUNS:/%'", ['agent/2']],
    ["tags.stage = 'qa'", ['agent/1']],
    ["tags.stage != 'x'", ['agent/1']],
    ["tags.`mlflow.prompt.is_prompt` = 'true'", ['greeting/2']],
    ["tags.`mlflow.prompt.is_prompt` != 'false'", ['greeting/2']],
  ])('%s', (filter, expected) => {
    expect(ids(filter)).toEqual(expected);
  });

  test("by default only the version's own prompt tag counts", () => {
    expect(versions.filter((v) => matchesModelVersion('', v)).map((v) => `${v.name}/${v.version}`)).toContain(
      'greeting/1',
    );
  });

  test('orders by last update, name and version (numerically) by default', () => {
    const list = [
      makeModelVersion({ name: 'a', version: 9, updated: 5 }),
      makeModelVersion({ name: 'a', version: 10, updated: 5 }),
      makeModelVersion({ name: 'B', version: 1, updated: 5 }),
      makeModelVersion({ name: 'a', version: 1, updated: 7, created: 1 }),
    ];
    const order = (orderBy?: string[]) =>
      [...list].sort(compareModelVersions(orderBy)).map((v) => `${v.name}/${v.version}`);
    expect(order()).toEqual(['a/1', 'B/1', 'a/10', 'a/9']);
    expect(order(['version_number'])).toEqual(['B/1', 'a/1', 'a/9', 'a/10']);
    expect(order(['name DESC'])).toEqual(['a/10', 'a/9', 'a/1', 'B/1']);
    expect(order(['creation_timestamp DESC', 'version_number ASC'])).toEqual(['a/1', 'B/1', 'a/9', 'a/10']);
  });
});

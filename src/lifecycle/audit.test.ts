import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../client/tracking-client.js';
import { isAgentrackError } from '../errors.js';
import { tempDir } from '../testing/temp-dir.js';
import type { AgentConfig, AgentConfigInput } from './agent-config.js';
import { audit, formatAuditReport, type AuditProgress, type AuditReport } from './audit.js';
import { resolveConfig } from './config.js';
import { RUN_NAME_PREFIXES, RUN_TYPES, type RunType } from './conventions.js';

let dir: ReturnType<typeof tempDir>;
let client: TrackingClient;
let config: AgentConfig;
let experimentIds: Record<RunType, string>;

const AGENT: AgentConfigInput = { agent: 'support_bot', version: '1.2.0', tags: { team: 'core' } };

async function setUp(input: AgentConfigInput = AGENT, skip: readonly RunType[] = []): Promise<void> {
  config = resolveConfig(input);
  experimentIds = {} as Record<RunType, string>;
  for (const type of RUN_TYPES) {
    if (!skip.includes(type)) experimentIds[type] = await client.createExperiment(config.experiments[type]);
  }
}

/** The tags of a run that follows every convention. */
function cleanTags(type: RunType): Record<string, string> {
  return {
    agent_name: config.agent,
    run_type: type,
    environment: config.environments[type],
    version: '1.2.0',
    team: 'core',
    ...(type === 'evaluation' ? { deployment_candidate: 'true' } : {}),
    ...(type === 'deployment' ? { model_version: '7', deployment_status: 'success' } : {}),
  };
}

/** Creates a run in `type`'s experiment: clean, except for the tag overrides (`undefined` drops a tag). */
async function addRun(
  type: RunType,
  overrides: Record<string, string | undefined> = {},
  name = `${RUN_NAME_PREFIXES[type]}_20260115_093000`,
): Promise<string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries({ ...cleanTags(type), ...overrides })) {
    if (value !== undefined) tags[key] = value;
  }
  const run = await client.createRun(experimentIds[type], { runName: name, tags });
  return run.info.run_id;
}

async function tagsOf(runId: string): Promise<Record<string, string>> {
  const run = await client.getRun(runId);
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

const ESC = String.fromCharCode(27);

const failing = (report: AuditReport) => report.items.filter((i) => i.status === 'fail').map((i) => i.id);
const item = (report: AuditReport, id: string) => {
  const found = report.items.find((i) => i.id === id);
  if (!found) throw new Error(`no item ${id}`);
  return found;
};

beforeEach(async () => {
  dir = tempDir();
  client = await TrackingClient.open(`sqlite:///${join(dir.path, 'x.db')}`);
});

afterEach(async () => {
  await client.close();
  dir.remove();
});

describe('audit', () => {
  it('passes every item for an agent that follows the conventions, including _2 names', async () => {
    await setUp();
    await addRun('development');
    await addRun('development', {}, 'dev_20260115_093000_2');
    await addRun('evaluation');
    await addRun('evaluation', { deployment_candidate: 'false' }, 'eval_pre_deploy_20260115_093000_3');
    await addRun('deployment');
    await addRun('deployment', { deployment_status: 'rolled_back' });
    const report = await audit(client, config);
    expect(report.items.map((i) => i.id)).toEqual([
      'experiments-exist',
      'shared-prefix',
      'run-names',
      'standard-tags',
      'distinct-run-types',
      'deployment-model-versions',
    ]);
    expect(failing(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.runsAudited).toBe(6);
    expect(report.changes).toEqual([]);
    expect(item(report, 'experiments-exist')).toMatchObject({ unit: 'experiments', checked: 3, passed: 3 });
    expect(item(report, 'standard-tags')).toMatchObject({ unit: 'runs', checked: 6, passed: 6, failed: 0 });
    expect(item(report, 'deployment-model-versions')).toMatchObject({ checked: 2, problemCount: 0 });
  });

  it('fails experiments-exist alone when an experiment is missing', async () => {
    await setUp(AGENT, ['deployment']);
    await addRun('development');
    const report = await audit(client, config);
    expect(failing(report)).toEqual(['experiments-exist']);
    expect(report.ok).toBe(false);
    expect(item(report, 'experiments-exist').problems).toEqual([
      {
        experimentPath: '/Shared/support_bot/deployment',
        message: 'the deployment experiment /Shared/support_bot/deployment does not exist',
        fix: expect.stringContaining('create experiment /Shared/support_bot/deployment'),
      },
    ]);
  });

  it('fails experiments-exist alone for a deleted experiment, says how to restore it, skips its runs', async () => {
    await setUp();
    await addRun('evaluation', { run_type: undefined }, 'not a convention');
    await client.deleteExperiment(experimentIds.evaluation);
    const report = await audit(client, config);
    expect(failing(report)).toEqual(['experiments-exist']);
    const [problem] = item(report, 'experiments-exist').problems;
    expect(problem?.experimentId).toBe(experimentIds.evaluation);
    expect(problem?.message).toContain('is deleted');
    expect(problem?.fix).toContain(`restoreExperiment('${experimentIds.evaluation}')`);
    expect(report.runsAudited).toBe(0);
  });

  it('fails shared-prefix alone for an experiment outside /Shared/', async () => {
    await setUp({ ...AGENT, experiments: { development: '/Users/me/support_bot_dev' } });
    await addRun('development');
    const report = await audit(client, config);
    expect(failing(report)).toEqual(['shared-prefix']);
    expect(item(report, 'shared-prefix')).toMatchObject({ checked: 3, failed: 1 });
    expect(item(report, 'shared-prefix').problems[0]?.experimentPath).toBe('/Users/me/support_bot_dev');
  });

  it('fails run-names alone for names that break the convention', async () => {
    await setUp();
    const names = [
      'my run',
      'eval_pre_deploy_20260115_093000',
      'dev_20260230_093000',
      'dev_20260115_093000_1',
    ];
    const ids = [];
    for (const name of names) ids.push(await addRun('development', {}, name));
    await addRun('development', {}, 'dev_20260115_093000_12');
    const report = await audit(client, config);
    expect(failing(report)).toEqual(['run-names']);
    const runNames = item(report, 'run-names');
    expect(runNames).toMatchObject({ checked: 5, failed: 4, problemCount: 4 });
    expect(runNames.problems.map((p) => p.runName).sort()).toEqual([...names].sort());
    const problem = runNames.problems.find((p) => p.runName === 'my run');
    expect(problem).toMatchObject({
      experimentId: experimentIds.development,
      experimentPath: '/Shared/support_bot/development',
      message: "run name 'my run' does not follow dev_YYYYMMDD_HHMMSS (optionally with a _N suffix)",
    });
    expect(ids).toContain(problem?.runId);
    expect(problem?.fix).toMatch(/^rename the run to follow dev_YYYYMMDD_HHMMSS, e\.g\. dev_\d{8}_\d{6}/);
  });

  describe('fails standard-tags alone', () => {
    const cases: Array<[string, RunType, Record<string, string | undefined>, string, string]> = [
      [
        'missing agent_name',
        'development',
        { agent_name: undefined },
        'agent_name',
        'set tag agent_name=support_bot',
      ],
      [
        'wrong agent_name',
        'development',
        { agent_name: 'other' },
        'agent_name',
        'set tag agent_name=support_bot',
      ],
      ['missing run_type', 'evaluation', { run_type: undefined }, 'run_type', 'set tag run_type=evaluation'],
      ['unknown run_type', 'evaluation', { run_type: 'eval' }, 'run_type', 'set tag run_type=evaluation'],
      [
        'missing environment',
        'deployment',
        { environment: undefined },
        'environment',
        'set tag environment=production',
      ],
      [
        'wrong environment',
        'deployment',
        { environment: 'dev' },
        'environment',
        'set tag environment=production',
      ],
      ['missing version', 'development', { version: undefined }, 'version', 'set tag version='],
      ['empty version', 'development', { version: ' ' }, 'version', 'set tag version='],
      ['missing extra tag', 'development', { team: undefined }, 'team', 'set tag team=core'],
      ['wrong extra tag', 'deployment', { team: 'infra' }, 'team', 'set tag team=core'],
      [
        'missing deployment_candidate',
        'evaluation',
        { deployment_candidate: undefined },
        'deployment_candidate',
        'set tag deployment_candidate=true or',
      ],
      [
        'bad deployment_candidate',
        'evaluation',
        { deployment_candidate: 'yes' },
        'deployment_candidate',
        'set tag deployment_candidate=true or',
      ],
    ];
    it.each(cases)('%s', async (_name, type, overrides, tag, fix) => {
      await setUp();
      for (const t of RUN_TYPES) await addRun(t);
      const runId = await addRun(type, overrides);
      const report = await audit(client, config);
      expect(failing(report)).toEqual(['standard-tags']);
      const standard = item(report, 'standard-tags');
      expect(standard).toMatchObject({ checked: 4, passed: 3, failed: 1, problemCount: 1 });
      expect(standard.problems[0]).toMatchObject({ runId, tag, experimentId: experimentIds[type] });
      expect(standard.problems[0]?.fix.startsWith(fix)).toBe(true);
    });
  });

  it('environment follows the configured environments', async () => {
    await setUp({ ...AGENT, environments: { evaluation: 'qa' } });
    await addRun('evaluation');
    expect((await audit(client, config)).ok).toBe(true);
    await addRun('evaluation', { environment: 'staging' });
    const report = await audit(client, config);
    expect(item(report, 'standard-tags').problems[0]?.message).toBe(
      "tag environment is 'staging', expected 'qa'",
    );
  });

  it('fails distinct-run-types alone for a run_type that belongs to another experiment', async () => {
    await setUp();
    await addRun('development');
    const runId = await addRun('development', { run_type: 'evaluation' });
    const report = await audit(client, config);
    expect(failing(report)).toEqual(['distinct-run-types']);
    expect(item(report, 'distinct-run-types')).toMatchObject({ checked: 2, failed: 1 });
    const [problem] = item(report, 'distinct-run-types').problems;
    expect(problem).toMatchObject({ runId, tag: 'run_type' });
    expect(problem?.message).toBe("run_type is 'evaluation' but the run is in the development experiment");
    expect(problem?.fix).toContain('set tag run_type=development');
    expect(problem?.fix).toContain('/Shared/support_bot/evaluation');
  });

  describe('fails deployment-model-versions alone', () => {
    const cases: Array<[string, Record<string, string | undefined>, string]> = [
      ['missing model_version', { model_version: undefined }, 'missing tag model_version'],
      ['empty model_version', { model_version: '' }, 'tag model_version is empty'],
      ['missing deployment_status', { deployment_status: undefined }, 'missing tag deployment_status'],
      [
        'bad deployment_status',
        { deployment_status: 'deployed' },
        "tag deployment_status is 'deployed', not one of success, failed, rolled_back",
      ],
    ];
    it.each(cases)('%s', async (_name, overrides, message) => {
      await setUp();
      await addRun('deployment');
      const runId = await addRun('deployment', overrides);
      const report = await audit(client, config);
      expect(failing(report)).toEqual(['deployment-model-versions']);
      expect(item(report, 'deployment-model-versions')).toMatchObject({
        checked: 2,
        failed: 1,
        problemCount: 1,
      });
      expect(item(report, 'deployment-model-versions').problems[0]).toMatchObject({ runId, message });
    });
  });

  it('counts every problem of a run and the run once', async () => {
    await setUp();
    await addRun('deployment', {
      model_version: undefined,
      deployment_status: undefined,
      version: undefined,
    });
    const report = await audit(client, config);
    expect(item(report, 'deployment-model-versions')).toMatchObject({ failed: 1, problemCount: 2 });
    expect(item(report, 'standard-tags')).toMatchObject({ failed: 1, problemCount: 1 });
  });

  it('does not audit deleted runs', async () => {
    await setUp();
    await addRun('development');
    await client.deleteRun(await addRun('development', { agent_name: undefined }, 'bad name'));
    const report = await audit(client, config);
    expect(report.ok).toBe(true);
    expect(report.runsAudited).toBe(1);
  });

  it('rejects a bad maxProblemsPerItem', async () => {
    await setUp();
    const error = await audit(client, config, { maxProblemsPerItem: -1 }).catch((e: unknown) => e);
    expect(isAgentrackError(error, 'INVALID_PARAMETER_VALUE')).toBe(true);
  });
});

describe('audit with fix', () => {
  /** Runs with missing inferable tags, wrong values and an ambiguous run_type. */
  async function messyRuns() {
    return {
      bare: await addRun('development', {
        agent_name: undefined,
        run_type: undefined,
        environment: undefined,
      }),
      wrongAgent: await addRun('evaluation', {
        agent_name: 'other',
        run_type: undefined,
        environment: undefined,
      }),
      misplaced: await addRun('development', { run_type: 'deployment', environment: undefined }),
      wrongEnv: await addRun('deployment', { environment: 'prod', version: undefined }),
    };
  }

  function expectedChanges(runs: Awaited<ReturnType<typeof messyRuns>>, applied: boolean) {
    const dev = '/Shared/support_bot/development';
    const evaluation = '/Shared/support_bot/evaluation';
    const change = (runId: string, runName: string, experimentPath: string, key: string, value: string) => ({
      runId,
      runName,
      experimentPath,
      key,
      value,
      applied,
    });
    return [
      change(runs.bare, 'dev_20260115_093000', dev, 'agent_name', 'support_bot'),
      change(runs.bare, 'dev_20260115_093000', dev, 'run_type', 'development'),
      change(runs.bare, 'dev_20260115_093000', dev, 'environment', 'dev'),
      change(runs.wrongAgent, 'eval_pre_deploy_20260115_093000', evaluation, 'run_type', 'evaluation'),
      change(runs.wrongAgent, 'eval_pre_deploy_20260115_093000', evaluation, 'environment', 'staging'),
    ];
  }

  const byRunAndKey = (a: { runId: string; key: string }, b: { runId: string; key: string }) =>
    `${a.runId}/${a.key}`.localeCompare(`${b.runId}/${b.key}`);

  it('adds only inferable tags, reports each change, and leaves wrong values alone', async () => {
    await setUp();
    const runs = await messyRuns();
    const report = await audit(client, config, { fix: true });
    expect([...report.changes].sort(byRunAndKey)).toEqual(expectedChanges(runs, true).sort(byRunAndKey));

    expect(await tagsOf(runs.bare)).toMatchObject({
      agent_name: 'support_bot',
      run_type: 'development',
      environment: 'dev',
    });
    const wrongAgent = await tagsOf(runs.wrongAgent);
    expect(wrongAgent).toMatchObject({ agent_name: 'other', run_type: 'evaluation', environment: 'staging' });
    const misplaced = await tagsOf(runs.misplaced);
    expect(misplaced.run_type).toBe('deployment');
    expect(misplaced.environment).toBeUndefined();
    const wrongEnv = await tagsOf(runs.wrongEnv);
    expect(wrongEnv.environment).toBe('prod');
    expect(wrongEnv.version).toBeUndefined();

    // The items describe the state after the fix: only what could not be inferred remains.
    const standard = item(report, 'standard-tags');
    expect(standard.problems.map((p) => [p.runId, p.tag]).sort()).toEqual(
      [
        [runs.wrongAgent, 'agent_name'],
        [runs.misplaced, 'environment'],
        [runs.wrongEnv, 'environment'],
        [runs.wrongEnv, 'version'],
      ].sort(),
    );
    expect(item(report, 'distinct-run-types').problems.map((p) => p.runId)).toEqual([runs.misplaced]);
    expect(report.ok).toBe(false);

    const again = await audit(client, config, { fix: true });
    expect(again.changes).toEqual([]);
    expect(item(again, 'standard-tags').problemCount).toBe(4);
  });

  it('passes after a fix when only inferable tags were missing', async () => {
    await setUp();
    await addRun('development', { agent_name: undefined, run_type: undefined, environment: undefined });
    await addRun('deployment', { environment: undefined });
    expect((await audit(client, config)).ok).toBe(false);
    const report = await audit(client, config, { fix: true });
    expect(report.changes).toHaveLength(4);
    expect(report.ok).toBe(true);
  });

  it('dry run reports the same changes and writes nothing', async () => {
    await setUp();
    const runs = await messyRuns();
    const before = await Promise.all(Object.values(runs).map(tagsOf));
    const dry = await audit(client, config, { fix: true, dryRun: true });
    expect([...dry.changes].sort(byRunAndKey)).toEqual(expectedChanges(runs, false).sort(byRunAndKey));
    expect(await Promise.all(Object.values(runs).map(tagsOf))).toEqual(before);
    // Nothing was written, so the missing tags are still reported.
    expect(item(dry, 'standard-tags').problemCount).toBe(9);

    const real = await audit(client, config, { fix: true });
    const strip = (changes: AuditReport['changes']) =>
      changes.map(({ applied: _applied, ...rest }) => rest).sort(byRunAndKey);
    expect(strip(real.changes)).toEqual(strip(dry.changes));
    expect(real.changes.every((c) => c.applied)).toBe(true);
  });

  it('changes nothing without fix', async () => {
    await setUp();
    const runs = await messyRuns();
    const report = await audit(client, config);
    expect(report.changes).toEqual([]);
    expect((await tagsOf(runs.bare)).run_type).toBeUndefined();
  });
});

describe('audit paging', () => {
  it('audits every run of a large experiment page by page, capping examples but not counts', async () => {
    await setUp();
    const total = 2500;
    const badNames = 120;
    const tags = Object.entries(cleanTags('development')).map(([key, value]) => ({ key, value }));
    for (let i = 0; i < total; i++) {
      const name =
        i < badNames ? `run-${i}` : `dev_20260115_${String(1_000_000 + (i % 60)).slice(1)}_${i + 2}`;
      const run = await client.createRun(experimentIds.development, {
        runName: name,
        startTime: 1_768_000_000_000 + i,
      });
      await client.logBatch(run.info.run_id, { tags });
    }
    await addRun('evaluation');

    const progress: AuditProgress[] = [];
    const report = await audit(client, config, {
      maxProblemsPerItem: 10,
      onProgress: (p) => progress.push(p),
    });
    expect(report.runsAudited).toBe(total + 1);
    expect(failing(report)).toEqual(['run-names']);
    const runNames = item(report, 'run-names');
    expect(runNames).toMatchObject({ checked: total + 1, failed: badNames, problemCount: badNames });
    expect(runNames.problems).toHaveLength(10);
    expect(item(report, 'standard-tags')).toMatchObject({ checked: total + 1, passed: total + 1 });
    expect(progress).toEqual([
      { experimentPath: '/Shared/support_bot/development', runsAudited: 1000, totalSoFar: 1000 },
      { experimentPath: '/Shared/support_bot/development', runsAudited: 2000, totalSoFar: 2000 },
      { experimentPath: '/Shared/support_bot/development', runsAudited: 2500, totalSoFar: 2500 },
      { experimentPath: '/Shared/support_bot/evaluation', runsAudited: 1, totalSoFar: 2501 },
      { experimentPath: '/Shared/support_bot/deployment', runsAudited: 0, totalSoFar: 2501 },
    ]);

    const byDefault = await audit(client, config);
    expect(item(byDefault, 'run-names').problems).toHaveLength(50);
    expect(item(byDefault, 'run-names').problemCount).toBe(badNames);
  });
});

describe('audit with a registered model', () => {
  const MODEL = 'support_model';
  const BOUND: AgentConfigInput = { ...AGENT, registeredModel: MODEL };

  /** The registered model with versions 1..n (from one run), optionally with the production alias on one. */
  async function registerVersions(n: number, production?: number): Promise<void> {
    const source = await client.createRun('0');
    await client.registry.createRegisteredModel(MODEL);
    for (let i = 0; i < n; i++) {
      await client.registry.createModelVersion(MODEL, `runs:/${source.info.run_id}/model`);
    }
    if (production !== undefined)
      await client.registry.setRegisteredModelAlias(MODEL, 'production', production);
  }

  /** A deployment run of `modelVersion` with `status`, started `ago` ms before now. */
  async function deployment(modelVersion: string, status = 'success', ago = 0): Promise<string> {
    const run = await client.createRun(experimentIds.deployment, {
      runName: 'deploy_20260115_093000',
      startTime: Date.now() - ago,
      tags: { ...cleanTags('deployment'), model_version: modelVersion, deployment_status: status },
    });
    return run.info.run_id;
  }

  it('adds its two checks when a registered model is configured, and passes a consistent record', async () => {
    await setUp(BOUND);
    await registerVersions(2, 2);
    await deployment('1', 'success', 2000);
    await deployment('2', 'success', 1000);
    await deployment('2', 'rolled_back', 0);
    const report = await audit(client, config);
    expect(report.items.map((i) => i.id)).toEqual([
      'experiments-exist',
      'shared-prefix',
      'run-names',
      'standard-tags',
      'distinct-run-types',
      'deployment-model-versions',
      'registry-model-versions',
      'production-alias',
    ]);
    expect(failing(report)).toEqual([]);
    expect(item(report, 'registry-model-versions')).toMatchObject({ unit: 'runs', checked: 3, passed: 3 });
    expect(item(report, 'production-alias')).toMatchObject({
      unit: 'registered models',
      checked: 1,
      passed: 1,
    });
    const text = formatAuditReport(report);
    expect(text).toMatch(
      /✓ PASS {2}production-alias +The production alias points at the version in production +1 registered model checked\n/,
    );
    expect(text).toContain('PASS: all 8 checks passed, 3 runs audited in ');
  });

  it('fails a deployment whose model_version is not in the registry, once per run', async () => {
    await setUp(BOUND);
    await registerVersions(1, 1);
    const missing = await deployment('4', 'failed', 3000);
    const again = await deployment('4', 'failed', 2000);
    const notANumber = await deployment('v1', 'failed', 1000);
    await deployment('1', 'success', 0);
    const report = await audit(client, config);
    expect(failing(report)).toEqual(['registry-model-versions']);
    const versions = item(report, 'registry-model-versions');
    expect(versions).toMatchObject({ checked: 4, failed: 3, problemCount: 3 });
    expect(versions.problems.map((p) => [p.runId, p.tag, p.message])).toEqual(
      expect.arrayContaining([
        [missing, 'model_version', `model_version 4 does not exist in the registered model '${MODEL}'`],
        [again, 'model_version', `model_version 4 does not exist in the registered model '${MODEL}'`],
        [
          notANumber,
          'model_version',
          `model_version 'v1' is not a version number of the registered model '${MODEL}'`,
        ],
      ]),
    );
    expect(versions.problems.find((p) => p.runId === missing)?.fix).toMatch(
      /^register the deployed model as a version of 'support_model', or set tag model_version=/,
    );
  });

  it('fails every deployment, and the alias of the one in production, when the registered model does not exist', async () => {
    await setUp(BOUND);
    const live = await deployment('1');
    const report = await audit(client, config);
    expect(failing(report)).toEqual(['registry-model-versions', 'production-alias']);
    expect(item(report, 'registry-model-versions').problems[0]?.message).toBe(
      `model_version 1: the registered model '${MODEL}' does not exist in the model registry`,
    );
    expect(item(report, 'production-alias').problems).toEqual([
      {
        experimentPath: config.experiments.deployment,
        runId: live,
        runName: 'deploy_20260115_093000',
        tag: 'model_version',
        message: `this deployment of version 1 is in production, but the registered model '${MODEL}' does not exist`,
        fix: `register the deployed model as '${MODEL}', then run agentrack deployments set-status ${live} success`,
      },
    ]);
  });

  it.each<[string, number | undefined, string]>([
    ['points at another version', 1, `alias 'production' of '${MODEL}' points at version 1`],
    ['is not set', undefined, `alias 'production' of '${MODEL}' is not set`],
  ])('fails when the alias %s, and --fix leaves it alone', async (_case, production, wrong) => {
    await setUp(BOUND);
    await registerVersions(2, production);
    await deployment('1', 'success', 1000);
    const live = await deployment('2', 'success', 0);
    const fixed = await audit(client, config, { fix: true });
    expect(failing(fixed)).toEqual(['production-alias']);
    expect(fixed.changes).toEqual([]);
    expect(item(fixed, 'production-alias').problems).toEqual([
      expect.objectContaining({
        runId: live,
        message: `this deployment of version 2 is in production, but ${wrong}`,
        fix: `agentrack deployments set-status ${live} success (moves the alias to version 2), or roll the deployment back`,
      }),
    ]);
    const model = await client.registry.getRegisteredModel(MODEL);
    expect(model.aliases ?? []).toEqual(
      production === undefined ? [] : [{ alias: 'production', version: '1' }],
    );
  });

  it('fails an alias set while no deployment is in production, and follows the configured alias name', async () => {
    await setUp({ ...BOUND, productionAlias: 'live' });
    await registerVersions(1);
    await client.registry.setRegisteredModelAlias(MODEL, 'production', 1);
    await deployment('1', 'rolled_back');
    expect(failing(await audit(client, config))).toEqual([]);
    await client.registry.setRegisteredModelAlias(MODEL, 'live', 1);
    const report = await audit(client, config);
    expect(item(report, 'production-alias').problems).toEqual([
      {
        experimentPath: config.experiments.deployment,
        message: `alias 'live' of '${MODEL}' points at version 1, but no deployment is in production`,
        fix: `record the deployment of version 1, or remove the alias (RegistryClient.deleteRegisteredModelAlias('${MODEL}', 'live'))`,
      },
    ]);
    expect(formatAuditReport(report)).toMatch(
      /✗ FAIL {2}production-alias +The production alias points at the version in production +1 of 1 registered model failed\n {6}- alias 'live' of 'support_model' points at version 1, but no deployment is in production\n/,
    );
  });

  it('takes the deployment in production at the clock it is given', async () => {
    await setUp(BOUND);
    await registerVersions(2, 1);
    await deployment('1', 'success', 10_000);
    await deployment('2', 'success', 0);
    expect(failing(await audit(client, config))).toEqual(['production-alias']);
    expect(failing(await audit(client, config, { now: () => Date.now() - 5000 }))).toEqual([]);
  });
});

describe('formatAuditReport', () => {
  it('renders a passing report without colors', async () => {
    await setUp();
    await addRun('development');
    const text = formatAuditReport(await audit(client, config));
    expect(text).not.toContain('\u001b[');
    expect(text.match(/✓ PASS/g)).toHaveLength(6);
    expect(text).toContain('PASS: all 6 checks passed, 1 run audited in ');
    const titleColumns = text
      .split('\n')
      .filter((l) => l.startsWith('✓'))
      .map((l) => l.search(/The three|Experiment paths|Run names|Runs carry|Each run|Deployment runs/));
    expect(new Set(titleColumns).size).toBe(1);
  });

  it('renders failures with their fixes, hidden problems and dry-run changes', async () => {
    await setUp();
    const runId = await addRun('development', { run_type: undefined }, 'my run');
    await addRun('development', {}, 'other run');
    const report = await audit(client, config, { fix: true, dryRun: true, maxProblemsPerItem: 1 });
    const text = formatAuditReport(report);
    expect(text).toContain('✗ FAIL  run-names');
    const shown = item(report, 'run-names').problems[0];
    expect(text).toContain(
      `run ${shown?.runName} (${shown?.runId}) in /Shared/support_bot/development: run name '${shown?.runName}'`,
    );
    expect(text).toContain('fix: rename the run to follow dev_YYYYMMDD_HHMMSS');
    expect(text).toContain('... and 1 more problem\n');
    expect(text).toContain(`+ tag run_type=development on run my run (${runId}) (dry run)`);
    expect(text).toMatch(/FAIL: 2 of 6 checks failed \(3 problems\), 2 runs audited in \d+ ms\n$/);
  });

  it('marks applied changes without (dry run) and colors only on request', async () => {
    await setUp();
    const runId = await addRun('development', { environment: undefined });
    const report = await audit(client, config, { fix: true });
    const plain = formatAuditReport(report, { color: false });
    expect(plain).toContain(`+ tag environment=dev on run dev_20260115_093000 (${runId})\n`);
    expect(plain).not.toContain('dry run');
    const colored = formatAuditReport(report, { color: true });
    expect(colored).toContain('\u001b[32m✓ PASS\u001b[0m');
    expect(colored.replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '')).toBe(plain);
  });
});

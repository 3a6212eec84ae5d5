import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/entities/index.js';
import { Agent } from '../../src/lifecycle/agent.js';
import type { DeploymentRecord } from '../../src/lifecycle/queries.js';
import { fileState, folderListing } from '../../src/testing/file-state.js';
import { createMlflowDatabase, MLFLOW_3_3_REVISION } from '../../src/testing/mlflow-database.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { canSwitchUser, makeTraversable, NOBODY } from '../../src/testing/unprivileged.js';
import { agentrack, ESC, lines, writeAgentConfig } from './helpers.js';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

/** Splits a table line into its cells (cells hold no double spaces). */
const cells = (line: string | undefined) => (line ?? '').split(/ {2,}/);

describe('agentrack runs, latest, deployments', () => {
  let dir: ReturnType<typeof tempDir>;
  let cwd: string;
  let emptyCwd: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-queries-');
    const trackingUri = `sqlite:///${join(dir.path, 'queries.db')}`;
    cwd = writeAgentConfig(dir.path, 'q', { agent: 'q_agent', version: '3.0.0', trackingUri });
    emptyCwd = writeAgentConfig(dir.path, 'empty', { agent: 'empty_agent', trackingUri });
    let clock = T0;
    const agent = await Agent.open({
      config: { agent: 'q_agent', version: '3.0.0', trackingUri, thresholds: ['accuracy >= 0.9'] },
      now: () => clock,
    });
    try {
      const at = (minutes: number) => (clock = T0 + minutes * 60_000);
      at(0);
      ids.dev = (
        await agent.development(async (run) => {
          await run.logParam('prompt', 'v1');
          await run.logMetric('score', NaN);
        })
      ).runId;
      at(1);
      ids.evalA = (await agent.evaluation((run) => run.logMetric('accuracy', 0.95))).runId;
      at(2);
      ids.deploy1 = (await agent.deploy({ modelVersion: '1' })).runId;
      at(3);
      ids.evalB = (await agent.evaluation((run) => run.logMetric('accuracy', 0.5))).runId;
      at(4);
      ids.deploy2 = (
        await agent.deploy({ modelVersion: '2', evaluationRunId: ids.evalB!, force: true })
      ).runId;
      at(5);
      await agent.setDeploymentStatus(ids.deploy2, 'rolled_back');
    } finally {
      await agent.close();
    }
  });
  afterAll(() => dir.remove());

  it('lists every run of the agent, newest first, as a table', () => {
    const result = agentrack(['runs'], { cwd });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).not.toContain(ESC);
    const table = lines(result.stdout);
    expect(cells(table[0])).toEqual(['NAME', 'TYPE', 'STATUS', 'STARTED', 'VERSION', 'RUN ID']);
    expect(table.slice(1).map(cells)).toEqual([
      ['deploy_20260115_090400', 'deployment', 'FINISHED', '2026-01-15T09:04:00Z', '3.0.0', ids.deploy2],
      [
        'eval_pre_deploy_20260115_090300',
        'evaluation',
        'FINISHED',
        '2026-01-15T09:03:00Z',
        '3.0.0',
        ids.evalB,
      ],
      ['deploy_20260115_090200', 'deployment', 'FINISHED', '2026-01-15T09:02:00Z', '3.0.0', ids.deploy1],
      [
        'eval_pre_deploy_20260115_090100',
        'evaluation',
        'FINISHED',
        '2026-01-15T09:01:00Z',
        '3.0.0',
        ids.evalA,
      ],
      ['dev_20260115_090000', 'development', 'FINISHED', '2026-01-15T09:00:00Z', '3.0.0', ids.dev],
    ]);
    // Columns line up: every cell starts where its header does.
    const statusAt = table[0]!.indexOf('STATUS');
    for (const line of table.slice(1)) expect(line.slice(statusAt, statusAt + 8)).toBe('FINISHED');
  });

  it('adds CANDIDATE for evaluation runs and MODEL for deployment runs', () => {
    const evaluations = lines(agentrack(['runs', '--type', 'eval'], { cwd }).stdout).map(cells);
    expect(evaluations[0]).toEqual(['NAME', 'TYPE', 'STATUS', 'STARTED', 'VERSION', 'CANDIDATE', 'RUN ID']);
    expect(evaluations.slice(1).map((row) => [row[0], row[5]])).toEqual([
      ['eval_pre_deploy_20260115_090300', 'no'],
      ['eval_pre_deploy_20260115_090100', 'yes'],
    ]);
    const deployments = lines(agentrack(['runs', '--type', 'deployment'], { cwd }).stdout).map(cells);
    expect(deployments[0]?.[5]).toBe('MODEL');
    expect(deployments.slice(1).map((row) => row[5])).toEqual(['2', '1']);
  });

  it('filters, orders and limits like an MLflow search', () => {
    const filtered = agentrack(['runs', '--filter', "tags.model_version = '1'"], { cwd });
    expect(
      lines(filtered.stdout)
        .slice(1)
        .map((l) => cells(l)[0]),
    ).toEqual(['deploy_20260115_090200']);

    const ordered = agentrack(['runs', '--order-by', 'attributes.run_name ASC', '--max-results', '3'], {
      cwd,
    });
    expect(ordered.code).toBe(0);
    expect(
      lines(ordered.stdout)
        .slice(1)
        .map((l) => cells(l)[0]),
    ).toEqual(['deploy_20260115_090200', 'deploy_20260115_090400', 'dev_20260115_090000']);
    expect(ordered.stderr).toBe('(the first 3 runs; --max-results shows more)\n');

    const badFilter = agentrack(['runs', '--filter', 'nonsense here'], { cwd });
    expect(badFilter.code).toBe(1);
    expect(lines(badFilter.stderr)).toHaveLength(1);
    expect(badFilter.stderr).toMatch(/^error: .*\(INVALID_PARAMETER_VALUE\)$/m);

    expect(agentrack(['runs', '--max-results', '0'], { cwd })).toMatchObject({
      code: 2,
      stderr: "error: --max-results '0': expected a whole number from 1 on (INVALID_PARAMETER_VALUE)\n",
    });
    expect(agentrack(['runs', '--type', 'prod'], { cwd })).toMatchObject({
      code: 2,
      stderr: "error: unknown run type 'prod': use dev, eval or deploy (INVALID_PARAMETER_VALUE)\n",
    });
  });

  it('prints MLflow run objects with --json, NaN included', () => {
    const result = agentrack(['runs', '--json', '--type', 'dev'], { cwd });
    expect(result.code).toBe(0);
    const runs = JSON.parse(result.stdout) as Run[];
    expect(runs.map((r) => r.info.run_id)).toEqual([ids.dev]);
    expect(runs[0]?.data.metrics).toContainEqual(expect.objectContaining({ key: 'score', value: 'NaN' }));
    expect(runs[0]?.data.params).toEqual([{ key: 'prompt', value: 'v1' }]);
    expect(JSON.parse(agentrack(['runs', '--json'], { cwd }).stdout)).toHaveLength(5);
  });

  it('shows the latest evaluation run, or the latest candidate', () => {
    const latest = agentrack(['latest', 'eval'], { cwd });
    expect(latest.code).toBe(0);
    expect(lines(latest.stdout)).toEqual([
      'name:       eval_pre_deploy_20260115_090300',
      `id:         ${ids.evalB}`,
      'status:     FINISHED',
      'started:    2026-01-15T09:03:00Z',
      'version:    3.0.0',
      'metrics:    accuracy = 0.5',
      'gate:       failed',
      '            accuracy: 0.5 >= 0.9: fail',
      'candidate:  no',
    ]);
    const candidate = agentrack(['latest', 'evaluation', '--candidates'], { cwd });
    expect(candidate.stdout).toContain(`id:         ${ids.evalA}\n`);
    expect(candidate.stdout).toContain('candidate:  yes\n');
    const json = JSON.parse(agentrack(['latest', 'eval', '--json', '--candidates'], { cwd }).stdout) as Run;
    expect(json.info.run_id).toBe(ids.evalA);
  });

  it('shows the deployment in production: a rolled-back one is not', () => {
    const latest = agentrack(['latest', 'deploy'], { cwd });
    expect(latest.code).toBe(0);
    expect(lines(latest.stdout)).toEqual([
      'name:               deploy_20260115_090200',
      `id:                 ${ids.deploy1}`,
      'status:             FINISHED',
      'started:            2026-01-15T09:02:00Z',
      'version:            3.0.0',
      'model_version:      1',
      'deployment_status:  success',
      `source:             eval_pre_deploy_20260115_090100 (${ids.evalA})`,
    ]);
    const json = JSON.parse(agentrack(['latest', 'deploy', '--json'], { cwd }).stdout) as DeploymentRecord;
    expect(json).toMatchObject({ runId: ids.deploy1, modelVersion: '1', status: 'success', forced: false });

    expect(agentrack(['latest', 'dev'], { cwd })).toMatchObject({
      code: 2,
      stderr: "error: unknown run type 'dev': use eval or deploy (INVALID_PARAMETER_VALUE)\n",
    });
    expect(agentrack(['latest', 'deploy', '--candidates'], { cwd })).toMatchObject({
      code: 2,
      stderr: 'error: --candidates applies to latest eval only (INVALID_PARAMETER_VALUE)\n',
    });
  });

  it('lists the deployment history, or one model version, with where each came from', () => {
    const all = agentrack(['deployments'], { cwd });
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(lines(all.stdout).map(cells)).toEqual([
      ['NAME', 'MODEL', 'STATUS', 'STARTED', 'SOURCE', 'RUN ID'],
      ['deploy_20260115_090400', '2', 'rolled_back', '2026-01-15T09:04:00Z', 'forced', ids.deploy2],
      [
        'deploy_20260115_090200',
        '1',
        'success',
        '2026-01-15T09:02:00Z',
        'eval_pre_deploy_20260115_090100',
        ids.deploy1,
      ],
    ]);
    const one = agentrack(['deployments', '--model-version', '1'], { cwd });
    expect(
      lines(one.stdout)
        .slice(1)
        .map((l) => cells(l)[5]),
    ).toEqual([ids.deploy1]);
    const json = JSON.parse(agentrack(['deployments', '--json'], { cwd }).stdout) as DeploymentRecord[];
    expect(json.map((d) => [d.modelVersion, d.status, d.history.map((h) => h.status)])).toEqual([
      ['2', 'rolled_back', ['success', 'rolled_back']],
      ['1', 'success', ['success']],
    ]);
    const none = agentrack(['deployments', '--model-version', '99'], { cwd });
    expect(none).toMatchObject({
      code: 0,
      stdout: '',
      stderr: "no deployments of model version 99 for the agent 'q_agent'\n",
    });
  });

  it('says when there is nothing: exit 1 for latest, 0 for lists', () => {
    expect(agentrack(['latest', 'eval'], { cwd: emptyCwd })).toMatchObject({
      code: 1,
      stdout: '',
      stderr: "error: the agent 'empty_agent' has no evaluation run (RESOURCE_DOES_NOT_EXIST)\n",
    });
    expect(agentrack(['latest', 'eval', '--candidates', '--json'], { cwd: emptyCwd })).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        "error: the agent 'empty_agent' has no evaluation run that passed its gate (RESOURCE_DOES_NOT_EXIST)\n",
    });
    expect(agentrack(['latest', 'deploy'], { cwd: emptyCwd })).toMatchObject({
      code: 1,
      stderr: "error: the agent 'empty_agent' has no deployment in production (RESOURCE_DOES_NOT_EXIST)\n",
    });
    expect(agentrack(['runs'], { cwd: emptyCwd })).toMatchObject({
      code: 0,
      stdout: '',
      stderr: "no runs of the agent 'empty_agent' found\n",
    });
    expect(agentrack(['runs', '--json'], { cwd: emptyCwd })).toMatchObject({ code: 0, stdout: '[]\n' });
    expect(agentrack(['deployments', '--json'], { cwd: emptyCwd })).toMatchObject({
      code: 0,
      stdout: '[]\n',
    });
  });
});

describe('the read commands never create or change a store', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('agentrack-cli-read-');
  });
  afterAll(() => {
    chmodSync(dir.path, 0o700);
    dir.remove();
  });

  const READ_COMMANDS = [
    ['runs'],
    ['runs', '--json'],
    ['latest', 'eval'],
    ['latest', 'deploy'],
    ['deployments'],
    ['audit'],
    ['audit', '--fix', '--dry-run'],
  ];

  it.each(READ_COMMANDS.map((args) => [args.join(' '), args] as const))(
    'agentrack %s on a missing database: a clear error naming it, and no file or folder created',
    (name, args) => {
      const folder = join(dir.path, `missing-${name.replace(/\W+/g, '-')}`);
      const db = join(folder, 'data', 'agentrack.db');
      const cwd = writeAgentConfig(folder, '.', {
        agent: 'reader',
        trackingUri: 'sqlite:///data/agentrack.db',
      });
      const before = folderListing(cwd);
      expect(agentrack(args, { cwd })).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: no agentrack database at ${db}; create one with \`agentrack init\` (or start any run) (RESOURCE_DOES_NOT_EXIST)\n`,
      });
      expect(folderListing(cwd)).toEqual(before);
      expect(before).toEqual(['agentrack.config.json']);
    },
  );

  it("refuses MLflow's own database by name, for reading and for audit --fix, and leaves it as it was", () => {
    const cwd = writeAgentConfig(dir.path, 'mlflow', { agent: 'reader', trackingUri: 'sqlite:///mlflow.db' });
    const db = join(cwd, 'mlflow.db');
    createMlflowDatabase(db);
    const before = fileState(db);
    for (const args of [['runs'], ['audit', '--fix']]) {
      const result = agentrack(args, { cwd });
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `error: ${db} is an MLflow database (alembic revision ${MLFLOW_3_3_REVISION}); agentrack keeps its own ` +
          `schema and never writes to it. Serve it with \`mlflow server --backend-store-uri sqlite:///${db}\` and ` +
          'point agentrack at that server (--tracking-uri http://127.0.0.1:5000), or give agentrack another file. ' +
          '(INVALID_PARAMETER_VALUE)\n',
      );
    }
    expect(fileState(db)).toEqual(before);
    expect(folderListing(cwd)).toEqual(['agentrack.config.json', 'mlflow.db']);
  });

  it.skipIf(!canSwitchUser)(
    'answers `runs` from a 0444 database in a 0555 folder, run as an unprivileged user',
    async () => {
      const folder = join(dir.path, 'readonly');
      const cwd = writeAgentConfig(folder, 'project', {
        agent: 'ro_agent',
        trackingUri: 'sqlite:///../data/ro.db',
      });
      const data = join(folder, 'data');
      mkdirSync(data);
      const db = join(data, 'ro.db');
      const agent = await Agent.open({ config: { agent: 'ro_agent', trackingUri: `sqlite:///${db}` } });
      const { runId } = await agent.development(async (run) => run.logMetric('accuracy', 0.9));
      await agent.close();
      const before = fileState(db);
      chmodSync(db, 0o444);
      chmodSync(data, 0o555);
      makeTraversable(cwd, dir.path);
      makeTraversable(data, dir.path);
      try {
        expect(agentrack(['--version'], { cwd, user: NOBODY })).toMatchObject({ code: 0 });
        const result = agentrack(['runs', '--json'], { cwd, user: NOBODY });
        expect(result.stderr).toBe('');
        expect((JSON.parse(result.stdout) as Run[]).map((r) => r.info.run_id)).toEqual([runId]);
        expect(agentrack(['audit'], { cwd, user: NOBODY }).code).toBe(0);
        expect(folderListing(data)).toEqual(['ro.db']);
        expect(fileState(db)).toEqual(before);
      } finally {
        chmodSync(data, 0o755);
      }
    },
  );
});

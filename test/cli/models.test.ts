import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { ModelVersion, RegisteredModel } from '../../src/entities/index.js';
import { closedPort } from '../../src/testing/closed-port.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, child, lines, writeAgentConfig } from './helpers.js';

const MODEL = 'cli_model';

// The lifecycle bound to the registry, as the CLI drives it on the embedded store.
describe('deployments bound to the registry, from the CLI', () => {
  let dir: ReturnType<typeof tempDir>;
  let trackingUri: string;
  let dbPath: string;
  let cwd: string;
  let unbound: string;

  const withClient = async <T>(fn: (client: TrackingClient) => Promise<T>): Promise<T> => {
    const client = await TrackingClient.open(trackingUri);
    try {
      return await fn(client);
    } finally {
      await client.close();
    }
  };
  const runsOf = (experiment: string) =>
    withClient(async (client) => {
      const found = await client.getExperimentByName(`/Shared/cli_agent/${experiment}`);
      if (!found) return [];
      return (await client.searchRuns({ experimentIds: [found.experiment_id] })).items.map(
        (r) => r.info.run_id,
      );
    });
  const model = () => withClient((client) => client.registry.getRegisteredModel(MODEL));
  const version = (v: number) => withClient((client) => client.registry.getModelVersion(MODEL, v));
  const versionTags = (mv: ModelVersion) => Object.fromEntries((mv.tags ?? []).map((t) => [t.key, t.value]));
  const runTags = (runId: string) =>
    withClient(async (client) =>
      Object.fromEntries(((await client.getRun(runId)).data.tags ?? []).map((t) => [t.key, t.value])),
    );
  const startedId = (stderr: string) => /\(([0-9a-f]{32})\) started/.exec(stderr)?.[1] as string;
  let devRunId: string;

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-models-');
    dbPath = join(dir.path, 'models.db');
    trackingUri = `sqlite:///${dbPath}`;
    cwd = writeAgentConfig(dir.path, 'bound', {
      agent: 'cli_agent',
      trackingUri,
      thresholds: ['accuracy >= 0.9'],
      registeredModel: MODEL,
    });
    unbound = writeAgentConfig(dir.path, 'unbound', { agent: 'cli_agent', trackingUri });
    const dev = agentrack(['run', 'dev', '--', 'node', child], { cwd });
    expect(dev.code, dev.stderr).toBe(0);
    devRunId = startedId(dev.stderr);
  });
  afterAll(() => dir.remove());

  it('refuses to register without a registered model, or outside an eval run, before any run starts', async () => {
    const marker = join(dir.path, 'never-ran');
    const refused = agentrack(
      ['run', 'eval', '--register', `runs:/${devRunId}/model`, '--', 'node', child, 'pidfile', marker],
      { cwd: unbound },
    );
    expect(refused).toMatchObject({
      code: 1,
      stdout: '',
      stderr:
        'error: Registering a model from an evaluation needs a registered model: set registeredModel in the configuration (agentrack.config.json). (INVALID_PARAMETER_VALUE)\n',
    });
    const misplaced = agentrack(['run', 'dev', '--register', 's3://m/x', '--', 'node', child], { cwd });
    expect(misplaced).toMatchObject({
      code: 2,
      stderr: 'error: --register applies to eval runs only (INVALID_PARAMETER_VALUE)\n',
    });
    expect(existsSync(marker)).toBe(false);
    expect(await runsOf('evaluation')).toEqual([]);
  });

  it('registers nothing when the gate fails, and says so', async () => {
    const failed = agentrack(
      ['run', 'eval', '--register', `runs:/${devRunId}/model`, '--', 'node', child, 'metric', 'accuracy=0.5'],
      { cwd },
    );
    expect(failed.code).toBe(3);
    expect(failed.stderr).toContain(
      `agentrack: the gate failed: nothing registered (runs:/${devRunId}/model)\n`,
    );
    await expect(model()).rejects.toMatchObject({ code: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('registers the evaluated model when the gate passes, deploys it, rolls back, and lists it all', async () => {
    const registered: string[] = [];
    for (const accuracy of ['0.93', '0.95']) {
      const result = agentrack(
        [
          'run',
          'eval',
          '--register',
          `runs:/${devRunId}/model`,
          '--',
          'node',
          child,
          'metric',
          `accuracy=${accuracy}`,
        ],
        { cwd },
      );
      expect(result.code, result.stderr).toBe(0);
      registered.push(startedId(result.stderr));
      expect(result.stderr).toContain(
        `agentrack: registered runs:/${devRunId}/model as version ${registered.length} of '${MODEL}'\n`,
      );
    }
    expect(versionTags(await version(2))).toEqual({ 'agentrack.evaluation_run_id': registered[1] });
    expect(await runTags(registered[0] as string)).toMatchObject({
      'agentrack.registered_model': MODEL,
      'agentrack.registered_version': '1',
    });
    expect((await version(1)).run_id).toBe(devRunId);

    const first = agentrack(['run', 'deploy', '--model-version', '1', '--', 'node', child], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      `agentrack: model version 1 of '${MODEL}', promoted from eval_pre_deploy_`,
    );
    const second = agentrack(['run', 'deploy', '--model-version', '2', '--', 'node', child], { cwd });
    expect(second.code, second.stderr).toBe(0);
    const [firstId, secondId] = [startedId(first.stderr), startedId(second.stderr)];
    expect((await model()).aliases).toEqual([{ alias: 'production', version: '2' }]);
    expect(versionTags(await version(2))).toEqual({
      'agentrack.evaluation_run_id': registered[1],
      'agentrack.deployment_run_id': secondId,
    });
    expect((await runTags(secondId))['agentrack.source_run_id']).toBe(registered[1]);

    const listed = agentrack(['models'], { cwd });
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    const [summary, header, newest, oldest, ...rest] = lines(listed.stdout);
    expect(summary).toBe(
      `registered model ${MODEL}: 2 versions, version 2 in production (alias 'production')`,
    );
    expect(header?.split(/\s{2,}/)).toEqual([
      'VERSION',
      'PRODUCTION',
      'ALIASES',
      'STATUS',
      'STAGE',
      'CREATED',
      'EVALUATION RUN',
      'DEPLOYMENT RUN',
    ]);
    expect(newest?.split(/\s+/)).toEqual([
      '2',
      'yes',
      'production',
      'READY',
      'None',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      registered[1],
      secondId,
    ]);
    expect(oldest?.split(/\s+/)).toEqual([
      '1',
      '-',
      '-',
      'READY',
      'None',
      expect.any(String),
      registered[0],
      firstId,
    ]);
    expect(rest).toEqual([]);

    const rollback = agentrack(['deployments', 'set-status', secondId, 'rolled_back', '--note', 'too slow'], {
      cwd,
    });
    expect(rollback).toMatchObject({ code: 0, stderr: '' });
    expect(rollback.stdout).toMatch(
      new RegExp(
        `^deploy_\\d{8}_\\d{6}(_\\d+)? \\(${secondId}, model version 2\\): success → rolled_back\\n` +
          `note: too slow; alias 'production' moved back to version 1\\n$`,
      ),
    );
    const history = JSON.parse(
      (await model()).tags?.find((t) => t.key === 'agentrack.production_history')?.value ?? '[]',
    ) as Array<{ version: string | null; event: string; deployment_run_id: string }>;
    expect(history.map((h) => [h.version, h.event, h.deployment_run_id])).toEqual([
      ['1', 'deployed', firstId],
      ['2', 'deployed', secondId],
      ['1', 'rolled_back', secondId],
    ]);

    const json = agentrack(['models', '--json'], { cwd });
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as {
      registered_model: RegisteredModel;
      production_alias: string;
      production_version: string | null;
      model_versions: ModelVersion[];
    };
    expect(parsed).toMatchObject({
      registered_model: { name: MODEL, aliases: [{ alias: 'production', version: '1' }] },
      production_alias: 'production',
      production_version: '1',
    });
    expect(parsed.model_versions.map((v) => [v.version, v.aliases])).toEqual([
      ['2', []],
      ['1', ['production']],
    ]);
    expect(agentrack(['audit'], { cwd }).code).toBe(0);
  });

  it('refuses a version that does not exist or is not READY, and writes nothing', async () => {
    const marker = join(dir.path, 'rollout-ran');
    const before = { runs: await runsOf('deployment'), model: await model(), v1: await version(1) };
    const missing = agentrack(
      ['run', 'deploy', '--model-version', '9', '--', 'node', child, 'pidfile', marker],
      { cwd },
    );
    expect(missing).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: Refusing to deploy: the registered model '${MODEL}' has no version 9 (its newest version is 2). (RESOURCE_DOES_NOT_EXIST)\n`,
    });
    const db = new Database(dbPath);
    db.prepare(
      `UPDATE model_versions SET status = 'FAILED_REGISTRATION', status_message = NULL WHERE version = 1`,
    ).run();
    try {
      const failed = agentrack(
        ['run', 'deploy', '--model-version', '1', '--', 'node', child, 'pidfile', marker],
        {
          cwd,
        },
      );
      expect(failed).toMatchObject({
        code: 1,
        stderr: `error: Refusing to deploy: version 1 of the registered model '${MODEL}' is FAILED_REGISTRATION, not READY. (INVALID_STATE)\n`,
      });
    } finally {
      db.prepare(`UPDATE model_versions SET status = 'READY' WHERE version = 1`).run();
      db.close();
    }
    const other = writeAgentConfig(dir.path, 'other-model', {
      agent: 'cli_agent',
      trackingUri,
      registeredModel: 'no_such_model',
    });
    const noModel = agentrack(['run', 'deploy', '--force', '--model-version', '1', '--', 'node', child], {
      cwd: other,
    });
    expect(noModel.stderr).toBe(
      "error: Refusing to deploy: the registered model 'no_such_model' (registeredModel in the configuration) does not exist in the model registry. (RESOURCE_DOES_NOT_EXIST)\n",
    );
    expect(existsSync(marker)).toBe(false);
    expect({ runs: await runsOf('deployment'), model: await model(), v1: await version(1) }).toEqual(before);
  });

  it('audits the alias, and audit --fix reports a drifted alias without moving it', async () => {
    await withClient((client) => client.registry.setRegisteredModelAlias(MODEL, 'production', 2));
    const audited = agentrack(['audit', '--fix'], { cwd });
    expect(audited.code).toBe(1);
    expect(audited.stdout).toMatch(
      /✗ FAIL {2}production-alias +The production alias points at the version in production +1 of 1 registered model failed\n/,
    );
    expect(audited.stdout).toContain(
      `this deployment of version 1 is in production, but alias 'production' of '${MODEL}' points at version 2`,
    );
    expect(audited.stdout).not.toContain('Changes (');
    expect((await model()).aliases).toEqual([{ alias: 'production', version: '2' }]);
    const fix = /fix: agentrack deployments set-status ([0-9a-f]{32}) success/.exec(audited.stdout);
    expect(fix).not.toBeNull();
    expect(agentrack(['deployments', 'set-status', fix![1] as string, 'success'], { cwd }).code).toBe(0);
    expect((await model()).aliases).toEqual([{ alias: 'production', version: '1' }]);
    expect(agentrack(['audit'], { cwd }).code).toBe(0);
  });

  it('lists any registered model with --name, and says clearly what is missing', async () => {
    await withClient(async (client) => {
      await client.registry.createRegisteredModel('other_model');
      await client.registry.createModelVersion('other_model', 's3://bucket/other');
      await client.registry.setRegisteredModelAlias('other_model', 'champion', 1);
    });
    const named = agentrack(
      ['--tracking-uri', trackingUri, 'models', '--name', 'other_model', '--alias', 'champion'],
      {
        cwd: dir.path,
      },
    );
    expect(named).toMatchObject({ code: 0, stderr: '' });
    expect(lines(named.stdout)[0]).toBe(
      "registered model other_model: 1 version, version 1 in production (alias 'champion')",
    );
    expect(lines(named.stdout)[2]?.split(/\s+/).slice(0, 3)).toEqual(['1', 'yes', 'champion']);
    const otherAlias = agentrack(['models', '--name', 'other_model'], { cwd });
    expect(lines(otherAlias.stdout)[0]).toBe(
      "registered model other_model: 1 version, no version has the alias 'production'",
    );

    expect(agentrack(['models'], { cwd: unbound })).toMatchObject({
      code: 1,
      stdout: '',
      stderr: `error: the agent 'cli_agent' has no registered model: set "registeredModel" in ${join(unbound, 'agentrack.config.json')}, or give --name <registered model> (INVALID_PARAMETER_VALUE)\n`,
    });
    expect(agentrack(['models', '--name', 'nobody'], { cwd })).toMatchObject({
      code: 1,
      stderr:
        "error: the registered model 'nobody' does not exist in the model registry (RESOURCE_DOES_NOT_EXIST)\n",
    });
    const other = join(dir.path, 'other-model');
    expect(agentrack(['models'], { cwd: other })).toMatchObject({
      code: 1,
      stderr:
        "error: the registered model 'no_such_model' (registeredModel in the configuration) does not exist in the model registry (RESOURCE_DOES_NOT_EXIST)\n",
    });
    expect(agentrack(['models', '--alias', 'latest'], { cwd })).toMatchObject({
      code: 2,
      stderr:
        "error: --alias: 'latest' alias name (case insensitive) is reserved. (INVALID_PARAMETER_VALUE)\n",
    });
    await withClient((client) => client.registry.createRegisteredModel('empty_model'));
    expect(agentrack(['models', '--name', 'empty_model'], { cwd })).toMatchObject({
      code: 0,
      stdout: '',
      stderr: "the registered model 'empty_model' has no versions\n",
    });
  });

  it('fails with a clear error when the registry cannot be reached', async () => {
    const missingDb = join(dir.path, 'nowhere', 'agentrack.db');
    const noDatabase = agentrack(['--tracking-uri', `sqlite:///${missingDb}`, 'models'], { cwd });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stdout).toBe('');
    expect(noDatabase.stderr).toContain(`no agentrack database at ${missingDb}`);
    expect(existsSync(join(dir.path, 'nowhere'))).toBe(false);
    const url = `http://127.0.0.1:${await closedPort()}`;
    const unreachable = agentrack(['--tracking-uri', url, 'models', '--name', MODEL], {
      cwd,
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' },
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toBe('');
    expect(lines(unreachable.stderr)).toHaveLength(1);
    expect(unreachable.stderr).toMatch(/^error: Cannot reach /);
    expect(unreachable.stderr).toContain(url);
  });
});

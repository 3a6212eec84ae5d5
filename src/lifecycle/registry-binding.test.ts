import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectError } from '../client/tracking-client.contract.js';
import { TrackingClient } from '../client/tracking-client.js';
import type { ModelVersion, Run } from '../entities/index.js';
import { tempDir } from '../testing/temp-dir.js';
import { Agent } from './agent.js';
import { registeredVersions } from './registered-versions.js';
import type { AgentConfigInput } from './agent-config.js';
import type { RunHandle } from './run-handle.js';

const T0 = Date.UTC(2026, 10, 26, 10, 15, 0);
const MODEL = 'health_monitor_model';

function tags(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

function versionTags(version: ModelVersion): Record<string, string> {
  return Object.fromEntries((version.tags ?? []).map((t) => [t.key, t.value]));
}

describe('deployments bound to the model registry', () => {
  let dir: ReturnType<typeof tempDir>;
  let dbPath: string;
  let client: TrackingClient;
  let clock: number;
  let agent: Agent;
  const config: AgentConfigInput = {
    agent: 'health_monitor_agent',
    version: '1.2.0',
    thresholds: ['accuracy >= 0.9'],
    registeredModel: MODEL,
  };

  const open = (overrides: Partial<AgentConfigInput> = {}) =>
    Agent.open({ config: { ...config, ...overrides }, client, now: () => clock });
  const registry = () => client.registry;
  const tick = () => {
    clock += 1000;
  };

  beforeEach(async () => {
    dir = tempDir();
    dbPath = join(dir.path, 'bound.db');
    client = await TrackingClient.open(`sqlite:///${dbPath}`);
    clock = T0;
    agent = await open();
  });
  afterEach(async () => {
    await agent.close();
    await client.close();
    dir.remove();
  });

  /** A run (in the Default experiment) with a model under `model/`, and `n` versions made from it. */
  async function versions(n: number): Promise<ModelVersion[]> {
    const run = await client.createRun('0');
    await registry().createRegisteredModel(MODEL);
    const made: ModelVersion[] = [];
    for (let i = 0; i < n; i++) {
      made.push(await registry().createModelVersion(MODEL, `runs:/${run.info.run_id}/model`, {}));
    }
    return made;
  }

  async function passingEvaluation(): Promise<string> {
    const result = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.95));
    tick();
    return result.runId;
  }

  const aliasOf = async (alias = 'production') =>
    (await registry().getRegisteredModel(MODEL)).aliases?.find((a) => a.alias === alias)?.version;

  const productionHistory = async () =>
    JSON.parse(
      (await registry().getRegisteredModel(MODEL)).tags?.find((t) => t.key === 'agentrack.production_history')
        ?.value ?? '[]',
    ) as Array<Record<string, unknown>>;

  /** Everything a refused deployment must not have written: runs, experiments, aliases, version tags. */
  async function registryState() {
    let model: unknown = 'missing';
    try {
      const m = await registry().getRegisteredModel(MODEL);
      model = { aliases: m.aliases ?? [], tags: m.tags ?? [] };
    } catch {
      // The model is missing: that is the state.
    }
    const versionList: unknown[] = [];
    for (let v = 1; v <= 5; v++) {
      try {
        const got = await registry().getModelVersion(MODEL, v);
        versionList.push({ version: got.version, tags: got.tags ?? [], aliases: got.aliases ?? [] });
      } catch {
        // Versions that do not exist stay out of the list.
      }
    }
    return { model, versions: versionList };
  }

  const deployPaths: Array<[string, (a: Agent, modelVersion: string) => Promise<unknown>]> = [
    ['agent.deploy', (a, modelVersion) => a.deploy({ modelVersion, force: true })],
    [
      'agent.deployment',
      (a, modelVersion) =>
        a.deployment(
          async () => {
            throw new Error('the rollout must not start');
          },
          { modelVersion, force: true },
        ),
    ],
    ["startRun('deployment')", (a, modelVersion) => a.startRun('deployment', { modelVersion, force: true })],
  ];

  describe('a deployment of a version that cannot be deployed is refused, and writes nothing', () => {
    it.each(deployPaths)('%s: no such registered model', async (_path, deploy) => {
      const before = await registryState();
      await expectError(
        deploy(agent, '1'),
        'RESOURCE_DOES_NOT_EXIST',
        `Refusing to deploy: the registered model '${MODEL}' (registeredModel in the configuration) does not exist in the model registry.`,
      );
      expect(await agent.allRuns()).toEqual([]);
      expect(await client.getExperimentByName('/Shared/health_monitor_agent/deployment')).toBeNull();
      expect(await registryState()).toEqual(before);
    });

    it.each(deployPaths)('%s: no such version', async (_path, deploy) => {
      await versions(2);
      await agent.ensureExperiments();
      const before = await registryState();
      await expectError(
        deploy(agent, '7'),
        'RESOURCE_DOES_NOT_EXIST',
        `Refusing to deploy: the registered model '${MODEL}' has no version 7 (its newest version is 2).`,
      );
      await expectError(
        deploy(agent, 'v2'),
        'INVALID_PARAMETER_VALUE',
        `Refusing to deploy: 'v2' is not a version number of the registered model '${MODEL}'`,
      );
      expect(await agent.allRuns()).toEqual([]);
      expect(await registryState()).toEqual(before);
    });

    it.each(deployPaths)('%s: a version that is not READY', async (_path, deploy) => {
      await versions(2);
      const db = new Database(dbPath);
      db.prepare(
        `UPDATE model_versions SET status = 'PENDING_REGISTRATION', status_message = 'copying the files' WHERE version = 2`,
      ).run();
      db.close();
      const before = await registryState();
      await expectError(
        deploy(agent, '2'),
        'INVALID_STATE',
        `Refusing to deploy: version 2 of the registered model '${MODEL}' is PENDING_REGISTRATION: copying the files, not READY.`,
      );
      expect(await agent.allRuns()).toEqual([]);
      expect(await registryState()).toEqual(before);
    });

    it('an empty registered model says it has no versions', async () => {
      await registry().createRegisteredModel(MODEL);
      await expectError(
        agent.deploy({ modelVersion: '1', force: true }),
        'RESOURCE_DOES_NOT_EXIST',
        `has no version 1 (it has no versions).`,
      );
    });
  });

  describe('a successful deployment moves the production alias to its version and tags the version', () => {
    const successPaths: Array<[string, (a: Agent, modelVersion: string) => Promise<string>]> = [
      ['agent.deploy', async (a, modelVersion) => (await a.deploy({ modelVersion })).runId],
      [
        'agent.deployment',
        async (a, modelVersion) => (await a.deployment(async () => 'rolled out', { modelVersion })).runId,
      ],
      [
        "startRun('deployment') and end()",
        async (a, modelVersion) => {
          const handle: RunHandle = await a.startRun('deployment', { modelVersion });
          await handle.end();
          return handle.runId;
        },
      ],
    ];

    it.each(successPaths)('%s', async (_path, deploy) => {
      await versions(3);
      const evaluationId = await passingEvaluation();
      const runId = await deploy(agent, '002');
      const run = await client.getRun(runId);
      expect(tags(run)).toMatchObject({ model_version: '2', deployment_status: 'success' });
      expect(await aliasOf()).toBe('2');
      const version = await registry().getModelVersion(MODEL, 2);
      expect(version.aliases).toEqual(['production']);
      expect(versionTags(version)).toEqual({
        'agentrack.deployment_run_id': runId,
        'agentrack.evaluation_run_id': evaluationId,
      });
      expect(versionTags(await registry().getModelVersion(MODEL, 1))).toEqual({});
      expect(await productionHistory()).toEqual([
        { version: '2', previous_version: null, at: clock, deployment_run_id: runId, event: 'deployed' },
      ]);
    });

    it('a forced deployment without an evaluation run tags no evaluation run', async () => {
      await versions(1);
      const deployed = await agent.deploy({ modelVersion: '1', force: true });
      expect(versionTags(await registry().getModelVersion(MODEL, 1))).toEqual({
        'agentrack.deployment_run_id': deployed.runId,
      });
      expect(await aliasOf()).toBe('1');
    });

    it('a failed deployment moves nothing and tags nothing, whichever path records it', async () => {
      await versions(2);
      await passingEvaluation();
      await agent.deploy({ modelVersion: '1' });
      tick();
      await expect(
        agent.deployment(
          async () => {
            throw new Error('rollout timed out');
          },
          { modelVersion: '2' },
        ),
      ).rejects.toThrow('rollout timed out');
      tick();
      const failed = await agent.deploy({ modelVersion: '2', status: 'failed' });
      expect(failed.status).toBe('failed');
      tick();
      const handle = await agent.startRun('deployment', { modelVersion: '2' });
      await handle.end('KILLED');
      expect(await aliasOf()).toBe('1');
      expect(versionTags(await registry().getModelVersion(MODEL, 2))).toEqual({});
      expect((await productionHistory()).map((c) => c.version)).toEqual(['1']);
    });

    it('promotes the evaluation run the version was registered from, not a later candidate', async () => {
      const evaluated = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.95), {
        register: { modelUri: 's3://models/health/v1' },
      });
      tick();
      const later = await passingEvaluation();
      const deployed = await agent.deploy({ modelVersion: '1' });
      expect(deployed.sourceRunId).toBe(evaluated.runId);
      const named = await agent.deploy({ modelVersion: '1', evaluationRunId: later });
      expect(named.sourceRunId).toBe(later);
      expect(versionTags(await registry().getModelVersion(MODEL, 1))['agentrack.evaluation_run_id']).toBe(
        later,
      );
    });

    it('keeps deployments unbound, and the registry untouched, without a registered model', async () => {
      const unbound = await open({ registeredModel: undefined });
      await unbound.evaluation(async (run) => run.logMetric('accuracy', 0.95));
      tick();
      const deployed = await unbound.deploy({ modelVersion: 'v-anything' });
      expect(deployed).toMatchObject({ modelVersion: 'v-anything', status: 'success' });
      await unbound.setDeploymentStatus(deployed.runId, 'rolled_back', { note: 'x' });
      expect((await client.getRun(deployed.runId)).data.tags).toContainEqual({
        key: 'agentrack.status_history',
        value: expect.stringContaining('"note":"x"}') as unknown as string,
      });
      await expectError(registry().getRegisteredModel(MODEL), 'RESOURCE_DOES_NOT_EXIST');
      await unbound.close();
    });
  });

  describe('a rollback moves the alias back, recorded in both histories', () => {
    async function deployEach(...modelVersions: string[]): Promise<string[]> {
      const ids: string[] = [];
      for (const modelVersion of modelVersions) {
        ids.push((await agent.deploy({ modelVersion, force: true })).runId);
        tick();
      }
      return ids;
    }
    const lastNote = async (runId: string) =>
      (
        JSON.parse(tags(await client.getRun(runId))['agentrack.status_history']!) as Array<{ note?: string }>
      ).at(-1)?.note;

    it('to the version in production before the deployment, then removes it when there was none', async () => {
      await versions(2);
      const [first, second] = (await deployEach('1', '2')) as [string, string];
      expect(await aliasOf()).toBe('2');
      const rolledBack = await agent.setDeploymentStatus(second, 'rolled_back', {
        note: 'latency regression',
      });
      expect(rolledBack.status).toBe('rolled_back');
      expect(rolledBack.history.at(-1)).toEqual({
        status: 'rolled_back',
        at: clock,
        note: "latency regression; alias 'production' moved back to version 1",
      });
      expect(await aliasOf()).toBe('1');
      expect((await agent.currentDeployment())?.runId).toBe(first);
      const audited = await agent.audit();
      expect(audited.items.filter((i) => i.status === 'fail')).toEqual([]);
      expect(audited.items.map((i) => i.id)).toContain('production-alias');
      tick();
      await agent.setDeploymentStatus(first, 'rolled_back');
      expect(await lastNote(first)).toBe(
        "alias 'production' removed: no earlier deployment is in production",
      );
      expect(await aliasOf()).toBeUndefined();
      expect((await registry().getModelVersion(MODEL, 1)).aliases ?? []).toEqual([]);
      expect(await productionHistory()).toEqual([
        { version: '1', previous_version: null, at: T0, deployment_run_id: first, event: 'deployed' },
        { version: '2', previous_version: '1', at: T0 + 1000, deployment_run_id: second, event: 'deployed' },
        {
          version: '1',
          previous_version: '2',
          at: T0 + 2000,
          deployment_run_id: second,
          event: 'rolled_back',
        },
        {
          version: null,
          previous_version: '1',
          at: T0 + 3000,
          deployment_run_id: first,
          event: 'rolled_back',
        },
      ]);
    });

    it('changes no alias when the deployment rolled back is not the one in production, and says so', async () => {
      await versions(2);
      const [first] = (await deployEach('1', '2')) as [string, string];
      await agent.setDeploymentStatus(first, 'rolled_back', { note: 'found later' });
      expect(await lastNote(first)).toBe(
        "found later; not the deployment in production: alias 'production' unchanged (on version 2)",
      );
      expect(await aliasOf()).toBe('2');
      expect((await productionHistory()).map((c) => c.event)).toEqual(['deployed', 'deployed']);
    });

    it('skips a deployment rolled back since: the alias goes to the latest one still in production', async () => {
      await versions(3);
      const [, second, third] = (await deployEach('1', '2', '3')) as [string, string, string];
      await agent.setDeploymentStatus(second, 'rolled_back');
      tick();
      await agent.setDeploymentStatus(third, 'rolled_back');
      expect(await lastNote(third)).toBe("alias 'production' moved back to version 1");
      expect(await aliasOf()).toBe('1');
    });

    it('keeps the alias when the earlier deployment had the same version', async () => {
      await versions(1);
      const [, again] = (await deployEach('1', '1')) as [string, string];
      await agent.setDeploymentStatus(again, 'rolled_back');
      expect(await lastNote(again)).toBe(
        "alias 'production' stays on version 1, the version of the earlier deployment now in production",
      );
      expect(await aliasOf()).toBe('1');
    });

    it('a production deployment found failed later moves the alias back too', async () => {
      await versions(2);
      const [, second] = (await deployEach('1', '2')) as [string, string];
      await agent.setDeploymentStatus(second, 'failed');
      expect(await lastNote(second)).toBe("alias 'production' moved back to version 1");
      expect((await productionHistory()).at(-1)).toMatchObject({ version: '1', event: 'failed' });
    });

    it('marking the deployment in production success again puts a drifted alias back', async () => {
      await versions(2);
      const [, second] = (await deployEach('1', '2')) as [string, string];
      await registry().setRegisteredModelAlias(MODEL, 'production', 1);
      await agent.setDeploymentStatus(second, 'success', { note: 'alias moved by hand' });
      expect(await aliasOf()).toBe('2');
      expect(await lastNote(second)).toBe("alias moved by hand; alias 'production' moved to version 2");
      const [first] = (await agent.deploymentsOf('1')).map((d) => d.runId) as [string];
      await agent.setDeploymentStatus(first, 'success');
      expect(await lastNote(first)).toBe("a later deployment is in production: alias 'production' unchanged");
      expect(await aliasOf()).toBe('2');
    });

    it('uses the configured alias, and leaves the others alone', async () => {
      agent = await open({ productionAlias: 'live' });
      await versions(2);
      await registry().setRegisteredModelAlias(MODEL, 'production', 1);
      const [, second] = (await deployEach('1', '2')) as [string, string];
      expect(await aliasOf('live')).toBe('2');
      await agent.setDeploymentStatus(second, 'rolled_back');
      expect(await aliasOf('live')).toBe('1');
      expect(await aliasOf('production')).toBe('1');
      expect(await lastNote(second)).toBe("alias 'live' moved back to version 1");
    });

    it('keeps the newest moves that fit in a registered model tag', async () => {
      await versions(1);
      for (let i = 0; i < 30; i++) {
        const [id] = (await deployEach('1')) as [string];
        await agent.setDeploymentStatus(id, 'rolled_back');
        tick();
      }
      const history = await productionHistory();
      expect(JSON.stringify(history).length).toBeLessThanOrEqual(5000);
      expect(history.length).toBeGreaterThan(10);
      expect(history.length).toBeLessThan(60);
      expect(history.at(-1)).toMatchObject({ version: null, event: 'rolled_back', at: clock - 1000 });
    });
  });

  describe('an evaluation registers what it evaluated when its gate passes', () => {
    it('registers a new version (creating the model), tagged both ways', async () => {
      const result = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.95), {
        register: { modelUri: 's3://models/health/v1' },
      });
      expect(result.candidate).toBe(true);
      expect(result.registration).toMatchObject({
        registeredModel: MODEL,
        modelUri: 's3://models/health/v1',
        version: { name: MODEL, version: '1', source: 's3://models/health/v1', status: 'READY' },
      });
      expect(result.registration?.skipped).toBeUndefined();
      const version = await registry().getModelVersion(MODEL, 1);
      expect(versionTags(version)).toEqual({ 'agentrack.evaluation_run_id': result.runId });
      expect(tags(await client.getRun(result.runId))).toMatchObject({
        'agentrack.registered_model': MODEL,
        'agentrack.registered_version': '1',
        deployment_candidate: 'true',
      });
      tick();
      const second = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.97), {
        register: { modelUri: 's3://models/health/v2' },
      });
      expect(second.registration?.version?.version).toBe('2');
    });

    it('registers nothing when the gate fails, and says so', async () => {
      const failed = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.5), {
        register: { modelUri: 's3://models/health/v1' },
      });
      expect(failed.registration).toEqual({
        registeredModel: MODEL,
        modelUri: 's3://models/health/v1',
        skipped: 'the gate failed: nothing registered',
      });
      await expectError(registry().getRegisteredModel(MODEL), 'RESOURCE_DOES_NOT_EXIST');
      expect(tags(await client.getRun(failed.runId))).not.toHaveProperty('agentrack.registered_version');
      const noGate = await open({ thresholds: [] });
      const ungated = await noGate.evaluation(async () => undefined, { register: { modelUri: 's3://x/y' } });
      expect(ungated.registration?.skipped).toBe(
        'the run has no thresholds, so no gate passed: nothing registered',
      );
      await expect(
        agent.evaluation(
          async (run) => {
            await run.logMetric('accuracy', 0.99);
            throw new Error('evaluation crashed');
          },
          { register: { modelUri: 's3://x/z' } },
        ),
      ).rejects.toThrow('evaluation crashed');
      await expectError(registry().getRegisteredModel(MODEL), 'RESOURCE_DOES_NOT_EXIST');
      await noGate.close();
    });

    it('refuses register up front without a registered model, for other run types, and for a bad URI', async () => {
      const unbound = await open({ registeredModel: undefined });
      await expectError(
        unbound.evaluation(async () => 'never', { register: { modelUri: 's3://models/x' } }),
        'INVALID_PARAMETER_VALUE',
        'Registering a model from an evaluation needs a registered model: set registeredModel in the configuration (agentrack.config.json).',
      );
      await expectError(
        agent.startRun('dev', { register: { modelUri: 's3://models/x' } }),
        'INVALID_PARAMETER_VALUE',
        'Registering a model applies to evaluation runs only.',
      );
      await expectError(
        agent.startRun('eval', { register: { modelUri: '' } }),
        'INVALID_PARAMETER_VALUE',
        'register.modelUri must be the URI of the model',
      );
      await expectError(
        agent.startRun('eval', { register: { modelUri: 'runs:/abc/../../model' } }),
        'INVALID_PARAMETER_VALUE',
        "Invalid model version source: 'runs:/abc/../../model'.",
      );
      await expectError(
        agent.startRun('eval', { register: { modelUri: '/tmp/model' } }),
        'INVALID_PARAMETER_VALUE',
        "Cannot register the local path '/tmp/model' from an evaluation",
      );
      expect(await agent.allRuns()).toEqual([]);
      await unbound.close();
    });

    it('links logged model, evaluation, version and deployment both ways', async () => {
      // The model: logged by a development run, as MLflow 3's log_model leaves it.
      const dev = await agent.development(async () => undefined);
      tick();
      const devRun = await client.getRun(dev.runId);
      const logged = await client.createLoggedModel(devRun.info.experiment_id, { sourceRunId: dev.runId });
      await client.finalizeLoggedModel(logged.info.model_id);
      const modelId = logged.info.model_id;
      const artifactUri = logged.info.artifact_uri;
      const modelUri = `models:/${modelId}`;

      const evaluation = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.95), {
        register: { modelUri },
      });
      tick();
      const deployed = await agent.deploy({ modelVersion: evaluation.registration!.version!.version });

      // Forward: logged model -> version -> evaluation run -> deployment run.
      const { versions: all } = await registeredVersions(registry(), MODEL);
      const version = all.find((v) => v.model_id === modelId);
      expect(version?.source).toBe(modelUri);
      expect(version).toMatchObject({ model_id: modelId, run_id: dev.runId });
      expect(await registry().getModelVersionDownloadUri(MODEL, version!.version)).toBe(artifactUri);
      const evaluationRun = await client.getRun(versionTags(version!)['agentrack.evaluation_run_id']!);
      expect(evaluationRun.info.run_id).toBe(evaluation.runId);
      expect(tags(evaluationRun)['agentrack.registered_version']).toBe(version!.version);
      const deploymentRun = await client.getRun(versionTags(version!)['agentrack.deployment_run_id']!);
      expect(deploymentRun.info.run_id).toBe(deployed.runId);

      // Backward: deployment run -> version -> evaluation run -> logged model.
      const back = await registry().getModelVersion(MODEL, tags(deploymentRun).model_version!);
      expect(back.aliases).toEqual(['production']);
      expect(tags(deploymentRun)['agentrack.source_run_id']).toBe(
        versionTags(back)['agentrack.evaluation_run_id'],
      );
      const evaluatedFrom = await client.getRun(tags(deploymentRun)['agentrack.source_run_id']!);
      const registeredAs = await registry().getModelVersion(
        tags(evaluatedFrom)['agentrack.registered_model']!,
        tags(evaluatedFrom)['agentrack.registered_version']!,
      );
      expect(registeredAs.source).toBe(modelUri);
      expect(registeredAs.run_id).toBe(dev.runId);
      // And the logged model lists the version made from it, as MLflow's server records it.
      expect((await client.getLoggedModel(modelId)).info.tags).toContainEqual({
        key: 'mlflow.modelVersions',
        value: `[{"name": "${MODEL}", "version": ${Number(registeredAs.version)}}]`,
      });
    });
  });
});

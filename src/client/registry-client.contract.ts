import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelVersion } from '../entities/index.js';
import { tempDir } from '../testing/temp-dir.js';
import type { RegistryClient } from './registry-client.js';
import { expectError } from './tracking-client.contract.js';
import type { TrackingClient } from './tracking-client.js';

/** A logged model, as MLflow 3's `log_model` leaves it: its id and where its files are. */
export interface LoggedModelRef {
  modelId: string;
  artifactUri: string;
}

/**
 * Logs a model from a run through `client` as MLflow 3's `log_model` does: a logged model of
 * the run's experiment with the run as its source run (a backend's `logModel`).
 */
export function logModelThrough(client: TrackingClient): (runId: string) => Promise<LoggedModelRef> {
  return async (runId) => {
    const run = await client.getRun(runId);
    const model = await client.createLoggedModel(run.info.experiment_id, { sourceRunId: runId });
    return { modelId: model.info.model_id, artifactUri: model.info.artifact_uri };
  };
}

/** A fresh, empty backend for one registry test, and how to dispose of it. */
export interface RegistryContractBackend {
  /** A tracking client on the backend; its `registry` is the client under test. */
  client: TrackingClient;
  /**
   * Logs a model from a run, as `mlflow.pyfunc.log_model` does. Absent where the backend keeps
   * no logged models, which skips the `models:/<model_id>` cases (and says so in the report).
   */
  logModel?: (runId: string) => Promise<LoggedModelRef>;
  cleanup: () => Promise<void>;
}

/** What a backend of the registry contract can do; every capability is on unless turned off. */
export interface RegistryContractCapabilities {
  /**
   * The server and the client share a file system, so a local source inside a run's local
   * artifact folder can be registered.
   */
  sharedFiles?: boolean;
}

const MODEL = 'health_monitor_agent';

/** Waits until the clock has moved past `time`, so a write after it gets a later timestamp. */
async function after(time: number): Promise<void> {
  while (Date.now() <= time) await new Promise((resolve) => setTimeout(resolve, 1));
}

const versions = (items: readonly ModelVersion[]) => items.map((v) => v.version);
const stages = (items: readonly ModelVersion[]) => items.map((v) => [v.current_stage, v.version]);

/**
 * The RegistryClient contract: every backend (SQLite, REST) must pass it unchanged. `open`
 * returns a backend on a fresh, empty store.
 */
export function describeRegistryClientContract(
  backendName: string,
  open: () => Promise<RegistryContractBackend>,
  capabilities: RegistryContractCapabilities = {},
): void {
  describe(`RegistryClient contract: ${backendName}`, () => {
    let backend: RegistryContractBackend;
    let client: TrackingClient;
    let registry: RegistryClient;

    beforeEach(async () => {
      backend = await open();
      client = backend.client;
      registry = client.registry;
    });
    afterEach(async () => {
      await backend.cleanup();
    });

    /** A finished run in the Default experiment, as the source of model versions. */
    async function newRun(): Promise<{ runId: string; artifactUri: string }> {
      const run = await client.createRun('0');
      return { runId: run.info.run_id, artifactUri: run.info.artifact_uri };
    }

    /** `n` versions of `name` from runs:/ sources; the model is created first. */
    async function modelWithVersions(name: string, n: number): Promise<ModelVersion[]> {
      await registry.createRegisteredModel(name);
      const out: ModelVersion[] = [];
      for (let i = 0; i < n; i++) {
        const { runId } = await newRun();
        out.push(await registry.createModelVersion(name, `runs:/${runId}/model`, { runId }));
      }
      return out;
    }

    describe('registered models', () => {
      it('creates a registered model in the shape MLflow returns, empty fields left out', async () => {
        const created = await registry.createRegisteredModel(MODEL);
        expect(created).toEqual({
          name: MODEL,
          creation_timestamp: expect.any(Number),
          last_updated_timestamp: created.creation_timestamp,
        });
        expect(Object.keys(created)).toEqual(['name', 'creation_timestamp', 'last_updated_timestamp']);
        expect(await registry.getRegisteredModel(MODEL)).toEqual(created);
      });

      it('creates one with tags (a plain object or a list; a repeated key keeps its last value) and a description', async () => {
        const a = await registry.createRegisteredModel('scratch_a', {
          tags: { flow: '724d9552', team: 'sre' },
          description: 'scratch',
        });
        expect(a).toEqual({
          name: 'scratch_a',
          creation_timestamp: expect.any(Number),
          last_updated_timestamp: a.creation_timestamp,
          description: 'scratch',
          tags: [
            { key: 'flow', value: '724d9552' },
            { key: 'team', value: 'sre' },
          ],
        });
        const b = await registry.createRegisteredModel('scratch_b', {
          tags: [
            { key: 'team', value: 'ml' },
            { key: 'team', value: 'sre' },
          ],
        });
        expect(b.tags).toEqual([{ key: 'team', value: 'sre' }]);
        expect((await registry.getRegisteredModel('scratch_b')).tags).toEqual([
          { key: 'team', value: 'sre' },
        ]);
      });

      it('refuses a taken name with RESOURCE_ALREADY_EXISTS, and an empty one', async () => {
        await registry.createRegisteredModel(MODEL);
        await expectError(
          registry.createRegisteredModel(MODEL),
          'RESOURCE_ALREADY_EXISTS',
          `Registered Model (name=${MODEL}) already exists.`,
        );
        await expectError(
          registry.createRegisteredModel(''),
          'INVALID_PARAMETER_VALUE',
          "Missing value for required parameter 'name'.",
        );
      });

      it('reports a missing model with MLflow’s message; names are case-sensitive', async () => {
        await registry.createRegisteredModel(MODEL);
        await expectError(
          registry.getRegisteredModel('Health_Monitor_Agent'),
          'RESOURCE_DOES_NOT_EXIST',
          'Registered Model with name=Health_Monitor_Agent not found',
        );
        // One call at a time: a refusal must not arrive before anything awaits it.
        for (const call of [
          () => registry.updateRegisteredModel('nope', { description: 'x' }),
          () => registry.renameRegisteredModel('nope', 'other'),
          () => registry.deleteRegisteredModel('nope'),
          () => registry.setRegisteredModelTag('nope', 'k', 'v'),
          () => registry.deleteRegisteredModelTag('nope', 'k'),
          () => registry.getLatestVersions('nope'),
          () => registry.getLatestVersions('nope', ['bogus']),
          () => registry.createModelVersion('nope', 's3://bucket/model'),
          () => registry.deleteRegisteredModelAlias('nope', 'champion'),
        ]) {
          await expectError(call(), 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
        }
      });

      it('updates the description and the last update time', async () => {
        const created = await registry.createRegisteredModel(MODEL);
        await after(created.last_updated_timestamp);
        const updated = await registry.updateRegisteredModel(MODEL, {
          description: 'Health monitor agent: flags hosts by CPU load',
        });
        expect(updated.description).toBe('Health monitor agent: flags hosts by CPU load');
        expect(updated.creation_timestamp).toBe(created.creation_timestamp);
        expect(updated.last_updated_timestamp).toBeGreaterThan(created.last_updated_timestamp);
        expect(await registry.getRegisteredModel(MODEL)).toEqual(updated);
      });

      it('renames, carrying versions, tags and aliases; the old name is then free', async () => {
        const [, v2] = await modelWithVersions(MODEL, 2);
        await registry.setRegisteredModelTag(MODEL, 'team', 'sre');
        await registry.setModelVersionTag(MODEL, 2, 'validation_status', 'approved');
        await registry.setRegisteredModelAlias(MODEL, 'champion', 2);
        await after((v2 as ModelVersion).last_updated_timestamp);
        const renamed = await registry.renameRegisteredModel(MODEL, `${MODEL}_renamed`);
        expect(renamed.name).toBe(`${MODEL}_renamed`);
        expect(renamed.tags).toEqual([{ key: 'team', value: 'sre' }]);
        expect(renamed.aliases).toEqual([{ alias: 'champion', version: '2' }]);
        expect(renamed.latest_versions?.map((v) => [v.name, v.version])).toEqual([[`${MODEL}_renamed`, '2']]);
        expect(renamed.last_updated_timestamp).toBeGreaterThan((v2 as ModelVersion).last_updated_timestamp);
        const moved = await registry.getModelVersionByAlias(`${MODEL}_renamed`, 'champion');
        expect(moved).toMatchObject({
          name: `${MODEL}_renamed`,
          version: '2',
          tags: [{ key: 'validation_status', value: 'approved' }],
          aliases: ['champion'],
          // MLflow touches every version of a renamed model.
          last_updated_timestamp: renamed.last_updated_timestamp,
        });
        expect((await registry.getModelVersion(`${MODEL}_renamed`, 1)).last_updated_timestamp).toBe(
          renamed.last_updated_timestamp,
        );
        await expectError(registry.getRegisteredModel(MODEL), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(registry.getModelVersion(MODEL, 1), 'RESOURCE_DOES_NOT_EXIST');
        await registry.createRegisteredModel(MODEL);
        expect((await registry.createModelVersion(MODEL, 's3://bucket/other')).version).toBe('1');
      });

      it('refuses a rename to a taken or empty name, and renames a model to its own name', async () => {
        await registry.createRegisteredModel('a');
        await registry.createRegisteredModel('b');
        await expectError(
          registry.renameRegisteredModel('a', 'b'),
          'RESOURCE_ALREADY_EXISTS',
          'Registered Model (name=b) already exists.',
        );
        await expectError(
          registry.renameRegisteredModel('a', ''),
          'INVALID_PARAMETER_VALUE',
          "Missing value for required parameter 'new_name'.",
        );
        expect((await registry.renameRegisteredModel('a', 'a')).name).toBe('a');
      });

      it('deletes a model with everything it holds; the name can then start over at version 1', async () => {
        await modelWithVersions(MODEL, 2);
        await registry.setRegisteredModelTag(MODEL, 'team', 'sre');
        await registry.setModelVersionTag(MODEL, '1', 'k', 'v');
        await registry.setRegisteredModelAlias(MODEL, 'champion', '1');
        await registry.deleteRegisteredModel(MODEL);
        await expectError(registry.getRegisteredModel(MODEL), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(
          registry.getModelVersion(MODEL, 1),
          'RESOURCE_DOES_NOT_EXIST',
          `Model Version (name=${MODEL}, version=1) not found`,
        );
        await expectError(registry.getModelVersionByAlias(MODEL, 'champion'), 'INVALID_PARAMETER_VALUE');
        // Nothing of the old model shows through a new one of the same name.
        await registry.createRegisteredModel(MODEL);
        expect((await registry.createModelVersion(MODEL, 's3://bucket/model')).version).toBe('1');
        const again = await registry.getRegisteredModel(MODEL);
        expect(again).not.toHaveProperty('tags');
        expect(again).not.toHaveProperty('aliases');
        expect(await registry.getModelVersion(MODEL, 1)).not.toHaveProperty('tags');
        await expectError(registry.getModelVersionByAlias(MODEL, 'champion'), 'INVALID_PARAMETER_VALUE');
      });

      it('sets, overwrites and deletes tags, without touching the last update time', async () => {
        const created = await registry.createRegisteredModel(MODEL, { tags: { team: 'ml' } });
        await after(created.last_updated_timestamp);
        await registry.setRegisteredModelTag(MODEL, 'team', 'sre');
        await registry.setRegisteredModelTag(MODEL, 'owner', 'alice');
        let model = await registry.getRegisteredModel(MODEL);
        expect(model.tags).toEqual([
          { key: 'owner', value: 'alice' },
          { key: 'team', value: 'sre' },
        ]);
        await registry.deleteRegisteredModelTag(MODEL, 'team');
        // As MLflow: deleting a tag the model does not have is no error.
        await registry.deleteRegisteredModelTag(MODEL, 'team');
        model = await registry.getRegisteredModel(MODEL);
        expect(model.tags).toEqual([{ key: 'owner', value: 'alice' }]);
        expect(model.last_updated_timestamp).toBe(created.last_updated_timestamp);
      });

      it('holds tags to MLflow’s key rule and limits', async () => {
        await registry.createRegisteredModel(MODEL);
        await registry.setRegisteredModelTag(MODEL, 'k'.repeat(250), 'v'.repeat(5000));
        await expectError(
          registry.setRegisteredModelTag(MODEL, 'k', 'v'.repeat(5001)),
          'INVALID_PARAMETER_VALUE',
          "'value' exceeds the maximum length of 5000 characters",
        );
        await expectError(
          registry.setRegisteredModelTag(MODEL, 'k'.repeat(251), 'v'),
          'INVALID_PARAMETER_VALUE',
          "'key' exceeds the maximum length of 250 characters",
        );
        await expectError(
          registry.setRegisteredModelTag(MODEL, 'bad|key', 'v'),
          'INVALID_PARAMETER_VALUE',
          'bad|key',
        );
        await expectError(
          registry.setRegisteredModelTag(MODEL, '../up', 'v'),
          'INVALID_PARAMETER_VALUE',
          '../up',
        );
        await expectError(
          registry.createRegisteredModel('other', { tags: { ['x'.repeat(251)]: 'v' } }),
          'INVALID_PARAMETER_VALUE',
          "'key' exceeds",
        );
        await expectError(registry.getRegisteredModel('other'), 'RESOURCE_DOES_NOT_EXIST');
        await expectError(
          registry.createModelVersion(MODEL, 's3://bucket/m', { tags: { k: 'v'.repeat(5001) } }),
          'INVALID_PARAMETER_VALUE',
          "'value' exceeds the maximum length of 5000 characters",
        );
      });
    });

    describe('model versions', () => {
      it('creates READY versions in the shape MLflow returns; the model’s last update is the version’s creation', async () => {
        await registry.createRegisteredModel(MODEL);
        const { runId } = await newRun();
        const v1 = await registry.createModelVersion(MODEL, `runs:/${runId}/model`, { runId });
        expect(v1).toEqual({
          name: MODEL,
          version: '1',
          creation_timestamp: expect.any(Number),
          last_updated_timestamp: v1.creation_timestamp,
          current_stage: 'None',
          description: '',
          source: `runs:/${runId}/model`,
          run_id: runId,
          status: 'READY',
          run_link: '',
        });
        expect(Object.keys(v1)).toEqual([
          'name',
          'version',
          'creation_timestamp',
          'last_updated_timestamp',
          'current_stage',
          'description',
          'source',
          'run_id',
          'status',
          'run_link',
        ]);
        expect(await registry.getModelVersion(MODEL, '1')).toEqual(v1);
        const model = await registry.getRegisteredModel(MODEL);
        expect(model.last_updated_timestamp).toBe(v1.creation_timestamp);
        expect(model.latest_versions).toEqual([v1]);
      });

      it('keeps tags, description and run link given at creation; a version without a run has an empty run_id', async () => {
        await registry.createRegisteredModel(MODEL);
        const v = await registry.createModelVersion(MODEL, 's3://bucket/models/agent', {
          tags: { validation_status: 'pending', flow: 'x' },
          description: 'threshold 80',
          runLink: 'https://other-server/#/experiments/1/runs/abc',
        });
        expect(v).toMatchObject({
          description: 'threshold 80',
          run_id: '',
          run_link: 'https://other-server/#/experiments/1/runs/abc',
          tags: [
            { key: 'flow', value: 'x' },
            { key: 'validation_status', value: 'pending' },
          ],
        });
        expect(Object.keys(v).indexOf('tags')).toBe(Object.keys(v).indexOf('status') + 1);
        expect(await registry.getModelVersion(MODEL, 1)).toEqual(v);
      });

      it('numbers versions 1, 2, 3 and never reuses a number, after deleting the newest or an older one', async () => {
        const created = await modelWithVersions(MODEL, 3);
        expect(versions(created)).toEqual(['1', '2', '3']);
        await registry.deleteModelVersion(MODEL, 3);
        expect((await registry.createModelVersion(MODEL, 's3://bucket/m4')).version).toBe('4');
        await registry.deleteModelVersion(MODEL, '1');
        expect((await registry.createModelVersion(MODEL, 's3://bucket/m5')).version).toBe('5');
        await expectError(
          registry.getModelVersion(MODEL, 3),
          'RESOURCE_DOES_NOT_EXIST',
          `Model Version (name=${MODEL}, version=3) not found`,
        );
        expect(versions(await registry.getLatestVersions(MODEL))).toEqual(['5']);
      });

      it('gives concurrent creates distinct numbers', async () => {
        await registry.createRegisteredModel(MODEL);
        const made = await Promise.all(
          Array.from({ length: 8 }, (_, i) => registry.createModelVersion(MODEL, `s3://bucket/model-${i}`)),
        );
        expect(
          versions(made)
            .map(Number)
            .sort((a, b) => a - b),
        ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        for (const v of made) {
          expect((await registry.getModelVersion(MODEL, v.version)).source).toBe(v.source);
        }
      });

      it('reads versions given as numbers or as strings MLflow’s int() accepts, and refuses other versions', async () => {
        await modelWithVersions(MODEL, 2);
        expect((await registry.getModelVersion(MODEL, 2)).version).toBe('2');
        expect((await registry.getModelVersion(MODEL, '2')).version).toBe('2');
        expect((await registry.getModelVersion(MODEL, '002')).version).toBe('2');
        await expectError(
          registry.getModelVersion(MODEL, 'abc'),
          'INVALID_PARAMETER_VALUE',
          "Parameter 'version' must be an integer, got 'abc'.",
        );
        await expectError(registry.getModelVersion(MODEL, 1.5), 'INVALID_PARAMETER_VALUE', "got '1.5'");
        await expectError(
          registry.getModelVersion(MODEL, 99),
          'RESOURCE_DOES_NOT_EXIST',
          `Model Version (name=${MODEL}, version=99) not found`,
        );
        // The version is looked up by model name and number together, as MLflow does.
        await expectError(
          registry.getModelVersion('nope', 1),
          'RESOURCE_DOES_NOT_EXIST',
          'Model Version (name=nope, version=1) not found',
        );
      });

      it('reports a missing version with MLflow’s message on every version call', async () => {
        await modelWithVersions(MODEL, 1);
        const missing = `Model Version (name=${MODEL}, version=7) not found`;
        // One call at a time: a refusal must not arrive before anything awaits it.
        for (const call of [
          () => registry.updateModelVersion(MODEL, 7, { description: 'x' }),
          () => registry.deleteModelVersion(MODEL, 7),
          () => registry.setModelVersionTag(MODEL, 7, 'k', 'v'),
          () => registry.deleteModelVersionTag(MODEL, 7, 'k'),
          () => registry.transitionModelVersionStage(MODEL, 7, 'Staging'),
          () => registry.getModelVersionDownloadUri(MODEL, 7),
          () => registry.setRegisteredModelAlias(MODEL, 'champion', 7),
        ]) {
          await expectError(call(), 'RESOURCE_DOES_NOT_EXIST', missing);
        }
      });

      it('updates a version’s description and its last update time, not the model’s', async () => {
        const [v1] = await modelWithVersions(MODEL, 1);
        await registry.setRegisteredModelAlias(MODEL, 'champion', 1);
        const before = await registry.getRegisteredModel(MODEL);
        await after((v1 as ModelVersion).last_updated_timestamp);
        const updated = await registry.updateModelVersion(MODEL, 1, { description: 'threshold 80' });
        expect(updated).toMatchObject({ version: '1', description: 'threshold 80', aliases: ['champion'] });
        expect(updated.last_updated_timestamp).toBeGreaterThan((v1 as ModelVersion).last_updated_timestamp);
        const model = await registry.getRegisteredModel(MODEL);
        expect(model.last_updated_timestamp).toBe(before.last_updated_timestamp);
        expect(model.latest_versions?.[0]?.description).toBe('threshold 80');
      });

      it('sets, overwrites and deletes version tags, leaving timestamps alone', async () => {
        const [v1] = await modelWithVersions(MODEL, 1);
        const model = await registry.getRegisteredModel(MODEL);
        await after((v1 as ModelVersion).last_updated_timestamp);
        await registry.setModelVersionTag(MODEL, 1, 'validation_status', 'pending');
        await registry.setModelVersionTag(MODEL, '1', 'validation_status', 'approved');
        await registry.setModelVersionTag(MODEL, 1, 'a', 'b');
        let v = await registry.getModelVersion(MODEL, 1);
        expect(v.tags).toEqual([
          { key: 'a', value: 'b' },
          { key: 'validation_status', value: 'approved' },
        ]);
        await registry.deleteModelVersionTag(MODEL, 1, 'a');
        await registry.deleteModelVersionTag(MODEL, 1, 'a');
        v = await registry.getModelVersion(MODEL, 1);
        expect(v.tags).toEqual([{ key: 'validation_status', value: 'approved' }]);
        expect(v.last_updated_timestamp).toBe((v1 as ModelVersion).last_updated_timestamp);
        expect((await registry.getRegisteredModel(MODEL)).last_updated_timestamp).toBe(
          model.last_updated_timestamp,
        );
        await expectError(
          registry.setModelVersionTag(MODEL, 1, 'k', 'v'.repeat(5001)),
          'INVALID_PARAMETER_VALUE',
          "'value' exceeds the maximum length of 5000 characters",
        );
      });

      it('deletes a version, its tags and its aliases, and moves the model’s last update', async () => {
        await modelWithVersions(MODEL, 2);
        await registry.setModelVersionTag(MODEL, 2, 'k', 'v');
        await registry.setRegisteredModelAlias(MODEL, 'champion', 2);
        await registry.setRegisteredModelAlias(MODEL, 'challenger', 1);
        const before = await registry.getRegisteredModel(MODEL);
        await after(before.last_updated_timestamp);
        await registry.deleteModelVersion(MODEL, 2);
        const model = await registry.getRegisteredModel(MODEL);
        expect(model.aliases).toEqual([{ alias: 'challenger', version: '1' }]);
        expect(model.last_updated_timestamp).toBeGreaterThan(before.last_updated_timestamp);
        expect(versions(model.latest_versions ?? [])).toEqual(['1']);
        await expectError(
          registry.getModelVersionByAlias(MODEL, 'champion'),
          'INVALID_PARAMETER_VALUE',
          'Registered model alias champion not found.',
        );
        await expectError(registry.deleteModelVersion(MODEL, 2), 'RESOURCE_DOES_NOT_EXIST');
        // Nothing of the deleted version shows through the next one.
        expect((await registry.createModelVersion(MODEL, 's3://bucket/next')).version).toBe('3');
        expect(await registry.getModelVersion(MODEL, 3)).not.toHaveProperty('tags');
        expect(await registry.getModelVersion(MODEL, 3)).not.toHaveProperty('aliases');
      });
    });

    describe('stages (deprecated in MLflow, still served)', () => {
      it('moves a version to a stage named in any case, updating its and its model’s last update', async () => {
        const [v1] = await modelWithVersions(MODEL, 2);
        await after((v1 as ModelVersion).last_updated_timestamp + 1);
        const moved = await registry.transitionModelVersionStage(MODEL, 1, 'staging');
        expect(moved).toMatchObject({ version: '1', current_stage: 'Staging' });
        expect(moved.last_updated_timestamp).toBeGreaterThan((v1 as ModelVersion).last_updated_timestamp);
        expect((await registry.getRegisteredModel(MODEL)).last_updated_timestamp).toBe(
          moved.last_updated_timestamp,
        );
        expect((await registry.transitionModelVersionStage(MODEL, 2, 'PRODUCTION')).current_stage).toBe(
          'Production',
        );
        expect((await registry.transitionModelVersionStage(MODEL, 2, 'archived')).current_stage).toBe(
          'Archived',
        );
        expect((await registry.transitionModelVersionStage(MODEL, 2, 'none')).current_stage).toBe('None');
      });

      it('refuses an unknown stage, and archiving from a stage that is not Staging or Production', async () => {
        await modelWithVersions(MODEL, 1);
        await expectError(
          registry.transitionModelVersionStage(MODEL, 1, 'unknown'),
          'INVALID_PARAMETER_VALUE',
          'Invalid Model Version stage: unknown. Value must be one of None, Staging, Production, Archived.',
        );
        await expectError(
          registry.transitionModelVersionStage(MODEL, 1, 'Archived', { archiveExistingVersions: true }),
          'INVALID_PARAMETER_VALUE',
          "Model version transition cannot archive existing model versions because 'Archived' is not an Active stage. Valid stages are ['Staging', 'Production']",
        );
        expect((await registry.getModelVersion(MODEL, 1)).current_stage).toBe('None');
      });

      it('archives the other versions of the stage when asked to, and only then', async () => {
        await modelWithVersions(MODEL, 4);
        await registry.transitionModelVersionStage(MODEL, 1, 'Production');
        await registry.transitionModelVersionStage(MODEL, 2, 'Production');
        await registry.transitionModelVersionStage(MODEL, 3, 'Staging');
        expect(stages(await registry.getLatestVersions(MODEL, ['Production']))).toEqual([
          ['Production', '2'],
        ]);
        const before = await registry.getModelVersion(MODEL, 3);
        await after(before.last_updated_timestamp);
        const moved = await registry.transitionModelVersionStage(MODEL, 4, 'production', {
          archiveExistingVersions: true,
        });
        expect(moved.current_stage).toBe('Production');
        for (const v of ['1', '2']) {
          const archived = await registry.getModelVersion(MODEL, v);
          expect(archived.current_stage).toBe('Archived');
          expect(archived.last_updated_timestamp).toBe(moved.last_updated_timestamp);
        }
        expect(await registry.getModelVersion(MODEL, 3)).toEqual(before);
      });

      it('lists the newest version of each stage on the model and in getLatestVersions, as MLflow orders them', async () => {
        await modelWithVersions(MODEL, 5);
        await registry.transitionModelVersionStage(MODEL, 2, 'Staging');
        await registry.transitionModelVersionStage(MODEL, 3, 'Production');
        await registry.transitionModelVersionStage(MODEL, 4, 'Production');
        await registry.setRegisteredModelAlias(MODEL, 'champion', 4);
        const model = await registry.getRegisteredModel(MODEL);
        // A stage is listed where its oldest version stands: None (1, 5), Staging (2), Production (3, 4).
        expect(stages(model.latest_versions ?? [])).toEqual([
          ['None', '5'],
          ['Staging', '2'],
          ['Production', '4'],
        ]);
        // A model's latest versions carry no aliases; getLatestVersions' do, as MLflow answers them.
        expect(model.latest_versions?.[2]).not.toHaveProperty('aliases');
        const all = await registry.getLatestVersions(MODEL);
        expect(stages(all)).toEqual(stages(model.latest_versions ?? []));
        expect(all[2]?.aliases).toEqual(['champion']);
        expect(stages(await registry.getLatestVersions(MODEL, []))).toEqual(stages(all));
        expect(stages(await registry.getLatestVersions(MODEL, ['pROduction']))).toEqual([
          ['Production', '4'],
        ]);
        expect(stages(await registry.getLatestVersions(MODEL, ['Production', 'None']))).toEqual([
          ['None', '5'],
          ['Production', '4'],
        ]);
        expect(stages(await registry.getLatestVersions(MODEL, 'Archived'))).toEqual([]);
        await expectError(
          registry.getLatestVersions(MODEL, ['bogus']),
          'INVALID_PARAMETER_VALUE',
          'Invalid Model Version stage: bogus.',
        );
        await registry.deleteModelVersion(MODEL, 4);
        expect(stages(await registry.getLatestVersions(MODEL, ['Production']))).toEqual([
          ['Production', '3'],
        ]);
      });

      it('lists no latest versions for a model without versions', async () => {
        const created = await registry.createRegisteredModel(MODEL);
        expect(created).not.toHaveProperty('latest_versions');
        expect(await registry.getLatestVersions(MODEL)).toEqual([]);
      });
    });

    describe('aliases', () => {
      it('points an alias at a version; the version lists it and the model lists the pair', async () => {
        const [, v2] = await modelWithVersions(MODEL, 2);
        const before = await registry.getRegisteredModel(MODEL);
        await after(before.last_updated_timestamp);
        await registry.setRegisteredModelAlias(MODEL, 'champion', '2');
        const byAlias = await registry.getModelVersionByAlias(MODEL, 'champion');
        expect(byAlias).toEqual({ ...v2, aliases: ['champion'] });
        expect(Object.keys(byAlias).slice(-2)).toEqual(['run_link', 'aliases']);
        const model = await registry.getRegisteredModel(MODEL);
        expect(model.aliases).toEqual([{ alias: 'champion', version: '2' }]);
        expect(model.last_updated_timestamp).toBe(before.last_updated_timestamp);
        expect((await registry.getModelVersion(MODEL, 2)).aliases).toEqual(['champion']);
        expect(await registry.getModelVersion(MODEL, 1)).not.toHaveProperty('aliases');
      });

      it('moves an alias that is set again, and lists several aliases of a version in name order', async () => {
        await modelWithVersions(MODEL, 2);
        await registry.setRegisteredModelAlias(MODEL, 'champion', 1);
        await registry.setRegisteredModelAlias(MODEL, 'prod', 1);
        await registry.setRegisteredModelAlias(MODEL, 'challenger', 1);
        expect((await registry.getModelVersion(MODEL, 1)).aliases).toEqual([
          'challenger',
          'champion',
          'prod',
        ]);
        await registry.setRegisteredModelAlias(MODEL, 'champion', 2);
        expect((await registry.getModelVersionByAlias(MODEL, 'champion')).version).toBe('2');
        expect((await registry.getModelVersion(MODEL, 1)).aliases).toEqual(['challenger', 'prod']);
        expect((await registry.getRegisteredModel(MODEL)).aliases).toEqual([
          { alias: 'challenger', version: '1' },
          { alias: 'champion', version: '2' },
          { alias: 'prod', version: '1' },
        ]);
      });

      it('deletes an alias; a missing alias is INVALID_PARAMETER_VALUE, an alias to a missing version RESOURCE_DOES_NOT_EXIST', async () => {
        await modelWithVersions(MODEL, 1);
        await registry.setRegisteredModelAlias(MODEL, 'champion', 1);
        await registry.deleteRegisteredModelAlias(MODEL, 'champion');
        await registry.deleteRegisteredModelAlias(MODEL, 'champion');
        expect(await registry.getRegisteredModel(MODEL)).not.toHaveProperty('aliases');
        await expectError(
          registry.getModelVersionByAlias(MODEL, 'champion'),
          'INVALID_PARAMETER_VALUE',
          'Registered model alias champion not found.',
        );
        await expectError(
          registry.getModelVersionByAlias('nope', 'champion'),
          'INVALID_PARAMETER_VALUE',
          'Registered model alias champion not found.',
        );
        await expectError(
          registry.setRegisteredModelAlias(MODEL, 'challenger', 99),
          'RESOURCE_DOES_NOT_EXIST',
          `Model Version (name=${MODEL}, version=99) not found`,
        );
      });

      it('holds alias names to MLflow’s rules: latest and v<digits> are reserved', async () => {
        await modelWithVersions(MODEL, 1);
        const cases: Array<[string, string | RegExp]> = [
          ['latest', "'latest' alias name (case insensitive) is reserved."],
          ['LaTeSt', "'latest' alias name (case insensitive) is reserved."],
          ['v1', "Version alias name 'v1' is reserved."],
          ['V12', "Version alias name 'V12' is reserved."],
          [
            'a.b',
            "Invalid alias name: 'a.b'. Names may only contain alphanumerics, underscores (_), and dashes (-).",
          ],
          // Over REST, MLflow's server refuses it before its store sees it.
          [
            '',
            /^Registered model alias name cannot be empty\.|^Missing value for required parameter 'alias'\./,
          ],
          ['a'.repeat(256), "'Registered model alias name' exceeds the maximum length of 255 characters"],
        ];
        for (const [alias, message] of cases) {
          await expectError(
            registry.setRegisteredModelAlias(MODEL, alias, 1),
            'INVALID_PARAMETER_VALUE',
            message,
          );
        }
        for (const alias of ['v1x', 'version1', 'prod-2', 'a'.repeat(255), 'latest_good']) {
          await registry.setRegisteredModelAlias(MODEL, alias, 1);
        }
        expect((await registry.getModelVersion(MODEL, 1)).aliases).toHaveLength(5);
      });
    });

    describe('searches', () => {
      it('searches registered models by name and tag, ordered by name, with latest versions and aliases', async () => {
        await modelWithVersions(MODEL, 2);
        await registry.setRegisteredModelAlias(MODEL, 'champion', 2);
        await registry.createRegisteredModel('health_checker', { tags: { team: 'sre' } });
        await registry.createRegisteredModel('billing_agent', { tags: { team: 'finance' } });
        const all = await registry.searchRegisteredModels();
        expect(all.items.map((m) => m.name)).toEqual(['billing_agent', 'health_checker', MODEL]);
        expect(all).not.toHaveProperty('nextPageToken');
        const found = await registry.searchRegisteredModels({ filter: "name LIKE 'health_monitor%'" });
        expect(found.items).toEqual([await registry.getRegisteredModel(MODEL)]);
        expect(found.items[0]?.aliases).toEqual([{ alias: 'champion', version: '2' }]);
        expect(found.items[0]?.latest_versions?.map((v) => v.version)).toEqual(['2']);
        expect(found.items[0]?.latest_versions?.[0]).not.toHaveProperty('aliases');
        const byTag = await registry.searchRegisteredModels({ filter: "tags.team = 'sre'" });
        expect(byTag.items.map((m) => m.name)).toEqual(['health_checker']);
        const byTime = await registry.searchRegisteredModels({ orderBy: ['last_updated_timestamp DESC'] });
        expect(byTime.items.map((m) => m.name)).toEqual(
          [...all.items]
            .sort((a, b) => b.last_updated_timestamp - a.last_updated_timestamp || (a.name < b.name ? -1 : 1))
            .map((m) => m.name),
        );
      });

      it('finds models as MLflow’s client asks for them, prompts left out', async () => {
        await registry.createRegisteredModel(MODEL);
        await registry.createRegisteredModel('health_prompt', {
          tags: { 'mlflow.prompt.is_prompt': 'true' },
        });
        // What `search_registered_models(filter_string="name LIKE 'health%'")` sends (model-registry.jsonl, line 74).
        const found = await registry.searchRegisteredModels({
          filter: "name LIKE 'health%' AND tag.`mlflow.prompt.is_prompt` != 'true'",
          maxResults: 100,
        });
        expect(found.items.map((m) => m.name)).toEqual([MODEL]);
        expect((await registry.searchRegisteredModels()).items.map((m) => m.name)).toEqual([MODEL]);
      });

      it('pages registered models with tokens, and iterates over every page', async () => {
        const names = Array.from({ length: 7 }, (_, i) => `model_${String(i).padStart(2, '0')}`);
        for (const name of names) await registry.createRegisteredModel(name);
        const first = await registry.searchRegisteredModels({ maxResults: 3 });
        expect(first.items.map((m) => m.name)).toEqual(names.slice(0, 3));
        expect(first.nextPageToken).toEqual(expect.any(String));
        // A model created between two pages, before the page boundary, moves nothing.
        await registry.createRegisteredModel('model_00a');
        const second = await registry.searchRegisteredModels({
          maxResults: 3,
          pageToken: first.nextPageToken,
        });
        expect(second.items.map((m) => m.name)).toEqual(names.slice(3, 6));
        const pages = [];
        for await (const page of registry.searchRegisteredModelsPages({ maxResults: 3 }))
          pages.push(page.items.length);
        expect(pages).toEqual([3, 3, 2]);
        const every = [];
        for await (const model of registry.iterateRegisteredModels({ maxResults: 2 })) every.push(model.name);
        expect(every).toEqual([...names, 'model_00a'].sort());
        await expectError(
          registry.searchRegisteredModels({
            maxResults: 3,
            pageToken: first.nextPageToken,
            filter: "name = 'x'",
          }),
          'INVALID_PARAMETER_VALUE',
          'page token',
        );
      });

      it('refuses bad filters, orderings and page sizes of registered model searches', async () => {
        await expectError(
          registry.searchRegisteredModels({ maxResults: 1001 }),
          'INVALID_PARAMETER_VALUE',
          // Over REST, MLflow's server refuses it before its store sees it.
          /^Invalid value for request parameter max_results\. It must be at most 1000, but got value 1001|^Invalid value "1001" for parameter 'max_results' supplied/,
        );
        await expectError(
          registry.searchRegisteredModels({ filter: "name = 'a' OR name = 'b'" }),
          'INVALID_PARAMETER_VALUE',
        );
        await expectError(
          registry.searchRegisteredModels({ filter: 'run_id = 1' }),
          'INVALID_PARAMETER_VALUE',
        );
        await expectError(
          registry.searchRegisteredModels({ orderBy: ['version_number DESC'] }),
          'INVALID_PARAMETER_VALUE',
        );
      });

      it('searches model versions by name, newest change first, with tags and without aliases', async () => {
        const [v1, v2] = await modelWithVersions(MODEL, 2);
        await modelWithVersions('other_agent', 1);
        await registry.setModelVersionTag(MODEL, 2, 'validation_status', 'approved');
        await registry.setRegisteredModelAlias(MODEL, 'champion', 2);
        await after((v2 as ModelVersion).last_updated_timestamp);
        await registry.updateModelVersion(MODEL, 1, { description: 'touched last' });
        // What `search_model_versions("name='health_monitor_agent'")` sends (model-registry.jsonl, line 73).
        const found = await registry.searchModelVersions({ filter: `name='${MODEL}'`, maxResults: 10000 });
        expect(versions(found.items)).toEqual(['1', '2']);
        expect(found.items[1]).toEqual({ ...v2, tags: [{ key: 'validation_status', value: 'approved' }] });
        expect(found.items[1]).not.toHaveProperty('aliases');
        const byRun = await registry.searchModelVersions({
          filter: `run_id = '${(v1 as ModelVersion).run_id}'`,
        });
        expect(byRun.items.map((v) => [v.name, v.version])).toEqual([[MODEL, '1']]);
        const runs = [(v1 as ModelVersion).run_id, (v2 as ModelVersion).run_id];
        const inList = await registry.searchModelVersions({ filter: `run_id IN ('${runs.join("', '")}')` });
        expect(versions(inList.items).sort()).toEqual(['1', '2']);
        const byTag = await registry.searchModelVersions({ filter: "tags.validation_status = 'approved'" });
        expect(versions(byTag.items)).toEqual(['2']);
        const bySource = await registry.searchModelVersions({
          filter: `source_path = '${(v2 as ModelVersion).source}'`,
        });
        expect(versions(bySource.items)).toEqual(['2']);
        const ordered = await registry.searchModelVersions({ orderBy: ['version_number ASC'] });
        // Ties broken by name ascending, as MLflow does.
        expect(ordered.items.map((v) => [v.name, v.version])).toEqual([
          [MODEL, '1'],
          ['other_agent', '1'],
          [MODEL, '2'],
        ]);
      });

      it('pages model versions with tokens, and iterates over every page', async () => {
        await modelWithVersions(MODEL, 5);
        const byNumber = { filter: `name = '${MODEL}'`, orderBy: ['version_number ASC'] };
        const first = await registry.searchModelVersions({ ...byNumber, maxResults: 2 });
        expect(versions(first.items)).toEqual(['1', '2']);
        // Versions created between two pages come after the boundary: the next page neither skips nor repeats.
        await registry.createModelVersion(MODEL, 's3://bucket/late');
        const second = await registry.searchModelVersions({
          ...byNumber,
          maxResults: 2,
          pageToken: first.nextPageToken,
        });
        expect(versions(second.items)).toEqual(['3', '4']);
        const seen = [];
        for await (const v of registry.iterateModelVersions({ ...byNumber, maxResults: 4 }))
          seen.push(v.version);
        expect(seen).toEqual(['1', '2', '3', '4', '5', '6']);
        const sizes = [];
        for await (const page of registry.searchModelVersionsPages({ ...byNumber, maxResults: 3 }))
          sizes.push(page.items.length);
        expect(sizes).toEqual([3, 3]);
      });

      it('refuses bad filters and page sizes of model version searches', async () => {
        await expectError(
          registry.searchModelVersions({ maxResults: 200_001 }),
          'INVALID_PARAMETER_VALUE',
          // Over REST, MLflow's server refuses it before its store sees it.
          /^Invalid value for request parameter max_results\. It must be at most 200000, but got value 200001|^Invalid value "200001" for parameter 'max_results' supplied/,
        );
        await expectError(
          registry.searchModelVersions({ maxResults: 0 }),
          'INVALID_PARAMETER_VALUE',
          'Invalid value for max_results. It must be a positive integer, but got 0',
        );
        await expectError(
          registry.searchModelVersions({ filter: "name IN ('a')" }),
          'INVALID_PARAMETER_VALUE',
        );
        await expectError(registry.searchModelVersions({ filter: 'nope = 1' }), 'INVALID_PARAMETER_VALUE');
      });
    });

    describe('sources and download URIs', () => {
      it('resolves runs:/<run_id>/<path> to the run’s artifact URI and path, runs:/<run_id> to its root', async () => {
        await registry.createRegisteredModel(MODEL);
        const { runId, artifactUri } = await newRun();
        await registry.createModelVersion(MODEL, `runs:/${runId}/model`, { runId });
        await registry.createModelVersion(MODEL, `runs:/${runId}`);
        await registry.createModelVersion(MODEL, `runs:/${runId}/nested/dir/model`);
        expect(await registry.getModelVersionDownloadUri(MODEL, 1)).toBe(`${artifactUri}/model`);
        expect(await registry.getModelVersionDownloadUri(MODEL, 2)).toBe(artifactUri);
        expect(await registry.getModelVersionDownloadUri(MODEL, 3)).toBe(`${artifactUri}/nested/dir/model`);
        // MLflow's store keeps run_id as given: a runs:/ source alone does not set it.
        expect((await registry.getModelVersion(MODEL, 2)).run_id).toBe('');
      });

      it('takes any other artifact URI as given', async () => {
        await registry.createRegisteredModel(MODEL);
        for (const source of [
          's3://bucket/models/agent',
          'mlflow-artifacts:/1/models/m-0123/artifacts',
          'https://host/api/2.0/mlflow-artifacts/artifacts/1/x',
          'gs://bucket/model',
        ]) {
          const v = await registry.createModelVersion(MODEL, source);
          expect(await registry.getModelVersionDownloadUri(MODEL, v.version)).toBe(source);
        }
      });

      it('resolves models:/<name>/<version> to that version’s files', async () => {
        await registry.createRegisteredModel(MODEL);
        const { runId, artifactUri } = await newRun();
        await registry.createModelVersion(MODEL, `runs:/${runId}/model`);
        await registry.createRegisteredModel('copy');
        await registry.createModelVersion('copy', `models:/${MODEL}/1`);
        expect(await registry.getModelVersionDownloadUri('copy', 1)).toBe(`${artifactUri}/model`);
        await expectError(
          registry.createModelVersion('copy', `models:/${MODEL}/9`),
          'RESOURCE_DOES_NOT_EXIST',
          `Model Version (name=${MODEL}, version=9) not found`,
        );
      });

      it('resolves models:/<model_id> to the logged model’s artifacts, with its run and model_id', async (context) => {
        if (!backend.logModel) {
          context.skip();
          return;
        }
        await registry.createRegisteredModel(MODEL);
        const { runId } = await newRun();
        const logged = await backend.logModel(runId);
        const v = await registry.createModelVersion(MODEL, `models:/${logged.modelId}`, {
          modelId: logged.modelId,
        });
        expect(v).toMatchObject({
          source: `models:/${logged.modelId}`,
          run_id: runId,
          model_id: logged.modelId,
        });
        expect(Object.keys(v).at(-1)).toBe('model_id');
        expect(await registry.getModelVersionDownloadUri(MODEL, 1)).toBe(logged.artifactUri);
        const implied = await registry.createModelVersion(MODEL, `models:/${logged.modelId}`);
        expect(implied).toMatchObject({ run_id: runId, model_id: logged.modelId });
        const other = await newRun();
        expect(
          (await registry.createModelVersion(MODEL, `models:/${logged.modelId}`, { runId: other.runId }))
            .run_id,
        ).toBe(other.runId);
        // As MLflow's server does, each version is listed on the logged model (as Python writes JSON).
        const tags = (await client.getLoggedModel(logged.modelId)).info.tags ?? [];
        expect(tags.find((t) => t.key === 'mlflow.modelVersions')?.value).toBe(
          `[{"name": "${MODEL}", "version": 1}, {"name": "${MODEL}", "version": 2}, {"name": "${MODEL}", "version": 3}]`,
        );
      });

      it('refuses sources that name nothing, or climb out of their location', async () => {
        await registry.createRegisteredModel(MODEL);
        await expectError(
          registry.createModelVersion(MODEL, 'runs:/0123456789abcdef0123456789abcdef/model'),
          'RESOURCE_DOES_NOT_EXIST',
          'Run with id=0123456789abcdef0123456789abcdef not found',
        );
        await expectError(
          registry.createModelVersion(MODEL, 'models:/m-0123456789abcdef0123456789abcdef'),
          'RESOURCE_DOES_NOT_EXIST',
          "Logged model with ID 'm-0123456789abcdef0123456789abcdef' not found",
        );
        await expectError(
          registry.createModelVersion(MODEL, ''),
          'INVALID_PARAMETER_VALUE',
          "Missing value for required parameter 'source'.",
        );
        for (const source of [
          's3://bucket/models/../../secrets',
          'mlflow-artifacts:/1/%2E%2E/%2E%2E/etc',
          'https://host/api/2.0/mlflow-artifacts/artifacts/..%2f..%2fetc',
          's3://bucket/a/./b',
          'runs:/abc/../def/model',
        ]) {
          await expectError(
            registry.createModelVersion(MODEL, source),
            'INVALID_PARAMETER_VALUE',
            `Invalid model version source: '${source}'.`,
          );
        }
        await expectError(
          registry.createModelVersion(MODEL, '/tmp/model'),
          'INVALID_PARAMETER_VALUE',
          'the run_id request parameter has to be specified',
        );
        const { runId } = await newRun();
        await expectError(
          registry.createModelVersion(MODEL, '/tmp/model', { runId }),
          'INVALID_PARAMETER_VALUE',
          "Invalid model version source: '/tmp/model'.",
        );
        await expectError(registry.getModelVersion(MODEL, 1), 'RESOURCE_DOES_NOT_EXIST');
      });

      it('accepts a local source inside the local artifact folder of the run given with it', async (context) => {
        if (capabilities.sharedFiles === false) {
          context.skip();
          return;
        }
        const dir = tempDir();
        try {
          const experimentId = await client.createExperiment('/Shared/local', { artifactLocation: dir.path });
          const run = await client.createRun(experimentId);
          const folder = join(dir.path, run.info.run_id, 'artifacts', 'model');
          mkdirSync(folder, { recursive: true });
          await registry.createRegisteredModel(MODEL);
          const v = await registry.createModelVersion(MODEL, folder, { runId: run.info.run_id });
          expect(await registry.getModelVersionDownloadUri(MODEL, v.version)).toBe(folder);
          await expectError(
            registry.createModelVersion(MODEL, join(dir.path, 'elsewhere'), { runId: run.info.run_id }),
            'INVALID_PARAMETER_VALUE',
            'has to be contained within the artifact directory of the run',
          );
        } finally {
          dir.remove();
        }
      });
    });
  });
}

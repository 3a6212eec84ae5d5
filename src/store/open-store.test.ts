import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken, parseUsers } from '../auth/index.js';
import { isAgentrackError } from '../errors.js';
import { startServer, type RunningServer } from '../server/serve.js';
import { tempDir } from '../testing/temp-dir.js';
import { openStore } from './open-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';
import type { TrackingStore } from './tracking-store.js';

/** The error `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('openStore: the registry a registry URI names', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let served: TrackingStore;
  const opened: TrackingStore[] = [];
  beforeEach(async () => {
    dir = tempDir('agentrack-registry-uri-');
    served = await openSqliteStore(join(dir.path, 'served.db'));
    const users = parseUsers(
      JSON.stringify({ users: [{ user: 'ci', token_sha256: hashToken('workspace-token') }] }),
      'users.json',
    );
    server = await startServer({ store: served, port: 0, logger: false, users });
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await server.close();
    dir.remove();
  });
  const open = async (...args: Parameters<typeof openStore>) => {
    const store = await openStore(...args);
    opened.push(store);
    return store;
  };

  it('fails every registry call of Unity Catalog (databricks-uc) with NOT_IMPLEMENTED; tracking works', async () => {
    const local = `sqlite:///${join(dir.path, 'local.db')}`;
    for (const store of [
      await open(local, { registryUri: 'databricks-uc', env: {} }),
      await open(local, { env: { MLFLOW_REGISTRY_URI: 'databricks-uc://prod' } }),
      await open(server.url, { registryUri: 'databricks-uc', env: {}, token: 'workspace-token' }),
    ]) {
      const name = `/Shared/agent/${opened.indexOf(store)}`;
      expect(await store.getExperiment(await store.createExperiment({ name }))).toMatchObject({ name });
      for (const call of [
        () => store.registry.createRegisteredModel({ name: 'agent' }),
        () => store.registry.getModelVersionByAlias('agent', 'champion'),
        () => store.registry.searchModelVersions({ filter: "name='agent'" }),
      ]) {
        const error = await rejection(call());
        expect(isAgentrackError(error, 'NOT_IMPLEMENTED')).toBe(true);
        expect((error as Error).message).toMatch(
          /the Unity Catalog model registry \(registry URI 'databricks-uc(:\/\/prod)?'\) is not supported yet/,
        );
      }
    }
    // Nothing reached the server's registry.
    const none = await rejection(served.registry.getRegisteredModel('agent'));
    expect(isAgentrackError(none, 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
  });

  it('takes the registry of another tracking URI: a server’s, a Databricks workspace’s (the same API)', async () => {
    const local = `sqlite:///${join(dir.path, 'local.db')}`;
    const viaServer = await open(local, { registryUri: server.url, token: 'workspace-token', env: {} });
    await viaServer.registry.createRegisteredModel({ name: 'agent', description: 'on the server' });
    expect((await served.registry.getRegisteredModel('agent')).description).toBe('on the server');
    // The tracking store is still the local file.
    await viaServer.createExperiment({ name: '/Shared/local-only' });
    expect(await served.getExperimentByName('/Shared/local-only')).toBeNull();

    // A Databricks workspace (here the same server, as DATABRICKS_HOST) is served its registry with its token.
    const workspace = await open('databricks', {
      env: { DATABRICKS_HOST: server.url, DATABRICKS_TOKEN: 'workspace-token' },
    });
    const version = await workspace.registry.createModelVersion({
      name: 'agent',
      source: 'mlflow-artifacts:/1/models/m-1/artifacts',
    });
    expect(version).toMatchObject({ name: 'agent', version: '1', status: 'READY' });
    expect((await served.registry.getModelVersion('agent', '1')).source).toBe(
      'mlflow-artifacts:/1/models/m-1/artifacts',
    );
    const refused = await rejection(
      (
        await open('databricks', { env: { DATABRICKS_HOST: server.url, DATABRICKS_TOKEN: 'wrong' } })
      ).registry.getRegisteredModel('agent'),
    );
    expect(isAgentrackError(refused, 'UNAUTHENTICATED')).toBe(true);
  });

  it('keeps the tracking store’s traces when the registry is another store’s', async () => {
    const remote = await open(server.url, {
      registryUri: 'databricks-uc',
      env: {},
      token: 'workspace-token',
    });
    const experimentId = await served.createExperiment({ name: '/Shared/traced' });
    const started = await remote.traces.startTraceV2({ experimentId, timestampMs: 1_796_123_635_877 });
    expect((await served.traces.getTraceInfo(started.trace_id)).trace_location).toEqual({
      type: 'MLFLOW_EXPERIMENT',
      mlflow_experiment: { experiment_id: experimentId },
    });
    const local = await open(`sqlite:///${join(dir.path, 'local.db')}`, {
      registryUri: server.url,
      token: 'workspace-token',
      env: {},
    });
    const localExperiment = await local.createExperiment({ name: '/Shared/local-traces' });
    const own = await local.traces.startTraceV2({
      experimentId: localExperiment,
      timestampMs: 1_796_123_635_877,
    });
    expect((await local.traces.getTraceInfo(own.trace_id)).trace_id).toBe(own.trace_id);
    expect(
      isAgentrackError(await rejection(served.traces.getTraceInfo(own.trace_id)), 'RESOURCE_DOES_NOT_EXIST'),
    ).toBe(true);
  });

  it('keeps the store’s own registry for its own URI, and closes another registry with the store', async () => {
    const local = `sqlite:///${join(dir.path, 'local.db')}`;
    const own = await open(local, { registryUri: local, env: { MLFLOW_REGISTRY_URI: 'databricks-uc' } });
    await own.registry.createRegisteredModel({ name: 'mine' });
    expect((await own.registry.getRegisteredModel('mine')).name).toBe('mine');

    const other = await openStore(local, { registryUri: server.url, token: 'workspace-token', env: {} });
    await other.close();
    const closed = await rejection(other.registry.getRegisteredModel('agent'));
    expect(isAgentrackError(closed, 'INVALID_STATE')).toBe(true);
  });
});

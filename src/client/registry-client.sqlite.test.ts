import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RestModelRegistryStore } from '../store/rest/rest-registry-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeRegistryClientContract, logModelThrough } from './registry-client.contract.js';
import { expectError } from './tracking-client.contract.js';
import { TrackingClient } from './tracking-client.js';

// Models are logged as MLflow 3's `log_model` does: a logged model of the run's experiment,
// with the run as source run, which the registry finds in the same database.
describeRegistryClientContract('SQLite file', async () => {
  const dir = tempDir();
  const client = await TrackingClient.open(`sqlite:///${join(dir.path, 'registry.db')}`);
  return {
    client,
    logModel: logModelThrough(client),
    cleanup: async () => {
      await client.close();
      dir.remove();
    },
  };
});

describe('the registry of the embedded store', () => {
  it('gives distinct version numbers to creates from two connections to one file at once', async () => {
    const dir = tempDir();
    const uri = `sqlite:///${join(dir.path, 'shared.db')}`;
    const a = await TrackingClient.open(uri);
    const b = await TrackingClient.open(uri);
    try {
      await a.registry.createRegisteredModel('shared');
      const made = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          (i % 2 === 0 ? a : b).registry.createModelVersion('shared', `s3://bucket/model-${i}`),
        ),
      );
      const numbers = made.map((v) => Number(v.version)).sort((x, y) => x - y);
      expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const model = await b.registry.getRegisteredModel('shared');
      expect(model.latest_versions?.map((v) => v.version)).toEqual(['10']);
    } finally {
      await a.close();
      await b.close();
      dir.remove();
    }
  });

  it('keeps time with the tracking store’s clock', async () => {
    const dir = tempDir();
    let now = 1_796_123_629_755;
    const client = await TrackingClient.open(`sqlite:///${join(dir.path, 'clock.db')}`, { now: () => now });
    try {
      const model = await client.registry.createRegisteredModel('timed');
      expect(model.creation_timestamp).toBe(1_796_123_629_755);
      now += 61;
      const version = await client.registry.createModelVersion('timed', 's3://bucket/m');
      expect(version.creation_timestamp).toBe(1_796_123_629_816);
      expect((await client.registry.getRegisteredModel('timed')).last_updated_timestamp).toBe(
        1_796_123_629_816,
      );
    } finally {
      await client.close();
      dir.remove();
    }
  });

  it('reads the registry of a database opened for reading, and refuses to write to it', async () => {
    const dir = tempDir();
    const uri = `sqlite:///${join(dir.path, 'ro.db')}`;
    const writer = await TrackingClient.open(uri);
    await writer.registry.createRegisteredModel('kept');
    await writer.registry.createModelVersion('kept', 's3://bucket/m');
    await writer.close();
    const reader = await TrackingClient.open(uri, { mode: 'read' });
    try {
      expect((await reader.registry.getModelVersion('kept', 1)).source).toBe('s3://bucket/m');
      await expectError(
        reader.registry.createModelVersion('kept', 's3://bucket/n'),
        'INVALID_STATE',
        'reading only',
      );
      await expectError(
        reader.registry.setRegisteredModelTag('kept', 'k', 'v'),
        'INVALID_STATE',
        'reading only',
      );
    } finally {
      await reader.close();
      dir.remove();
    }
  });

  it('refuses models:/<model_id> sources naming no logged model, or a deleted one', async () => {
    const client = await TrackingClient.open('sqlite:///:memory:');
    try {
      await client.registry.createRegisteredModel('m');
      await expectError(
        client.registry.createModelVersion('m', 'models:/m-0123456789abcdef0123456789abcdef'),
        'RESOURCE_DOES_NOT_EXIST',
        "Unable to fetch model from model URI source artifact location 'models:/m-0123456789abcdef0123456789abcdef'",
      );
      const model = await client.createLoggedModel('0');
      await client.deleteLoggedModel(model.info.model_id);
      await expectError(
        client.registry.createModelVersion('m', `models:/${model.info.model_id}`),
        'RESOURCE_DOES_NOT_EXIST',
        `Logged model with ID '${model.info.model_id}' not found.`,
      );
    } finally {
      await client.close();
    }
  });
});

describe('TrackingClient.registry', () => {
  it('is one RegistryClient over the embedded store’s registry', async () => {
    const client = await TrackingClient.open('sqlite:///:memory:');
    try {
      expect(client.registry).toBe(client.registry);
      expect(client.registry.store).toBe(client.store.registry);
    } finally {
      await client.close();
    }
  });

  it('is the server’s registry over REST', async () => {
    const client = await TrackingClient.open('http://127.0.0.1:9', { env: {} });
    try {
      expect(client.registry.store).toBe(client.store.registry);
      expect(client.registry.store).toBeInstanceOf(RestModelRegistryStore);
    } finally {
      await client.close();
    }
  });
});

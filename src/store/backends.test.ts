import { describe, expect, it } from 'vitest';
import { closedPort } from '../testing/closed-port.js';
import { freshDatabase, freshSchema } from '../testing/postgres.js';
import { BACKENDS, openBackendRegistry, openBackendStore } from './backends.js';
import { parseTrackingUri } from './tracking-uri.js';

// A database of the run's PostgreSQL for this file.
const db = await freshDatabase();

describe('the backend registry', () => {
  it.each(Object.entries(BACKENDS).flatMap(([kind, backend]) => backend.examples.map((uri) => [uri, kind])))(
    '%s is served by the %s backend',
    (uri, kind) => {
      expect(parseTrackingUri(uri, '/work').kind).toBe(kind);
    },
  );

  it('opens a SQLite store and its registry on demand', async () => {
    const target = parseTrackingUri('sqlite:///:memory:');
    const store = await openBackendStore(target, {});
    try {
      expect(store.kind).toBe('sqlite');
      expect(await store.getExperimentByName('Default')).toMatchObject({ experiment_id: '0' });
    } finally {
      await store.close();
    }
    const registry = await openBackendRegistry(target, {});
    expect((await registry.searchRegisteredModels({})).items).toEqual([]);
    await registry.close();
  });

  it('opens a PostgreSQL store and its registry on demand', async () => {
    const target = parseTrackingUri(await freshSchema(db));
    const store = await openBackendStore(target, {});
    try {
      expect(store.kind).toBe('postgresql');
      expect(await store.getExperimentByName('Default')).toMatchObject({ experiment_id: '0' });
    } finally {
      await store.close();
    }
    const registry = await openBackendRegistry(target, { mode: 'read' });
    expect((await registry.searchRegisteredModels({})).items).toEqual([]);
    await registry.close();
  });

  it('names an unreachable PostgreSQL database without its password', async () => {
    const target = parseTrackingUri(`postgresql://me:s3cret@127.0.0.1:${await closedPort()}/agentrack`);
    const error = await openBackendStore(target, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TEMPORARILY_UNAVAILABLE',
      message: expect.stringContaining('postgresql://me:***@127.0.0.1:'),
    });
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('takes the pool settings from the environment given, refusing a bad one before connecting', async () => {
    const target = parseTrackingUri(await freshSchema(db));
    await expect(openBackendStore(target, { env: { AGENTRACK_PG_POOL_MAX: '0' } })).rejects.toMatchObject({
      code: 'INVALID_PARAMETER_VALUE',
      message: "AGENTRACK_PG_POOL_MAX must be a positive integer, got '0'.",
    });
    const store = await openBackendStore(target, { env: { AGENTRACK_PG_POOL_MAX: '1' } });
    try {
      // One connection for everything: concurrent reads wait for it, and all succeed.
      const names = await Promise.all([1, 2, 3].map(() => store.getExperimentByName('Default')));
      expect(names.map((e) => e?.experiment_id)).toEqual(['0', '0', '0']);
    } finally {
      await store.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { BACKENDS, openBackendRegistry, openBackendStore } from './backends.js';
import { parseTrackingUri } from './tracking-uri.js';

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

  it('refuses PostgreSQL with NOT_IMPLEMENTED for now, without the password', async () => {
    const target = parseTrackingUri('postgresql://me:s3cret@127.0.0.1:9/agentrack');
    const error = await openBackendStore(target, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'NOT_IMPLEMENTED',
      message: expect.stringContaining('postgresql://me:***@127.0.0.1:9/agentrack'),
    });
    expect((error as Error).message).not.toContain('s3cret');
  });
});

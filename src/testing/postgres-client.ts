import { join } from 'node:path';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { TrackingClient } from '../client/tracking-client.js';
import { openPostgresStore, type PostgresStoreOptions } from '../store/postgres/postgres-store.js';
import { freshSchema, type FreshDatabase } from './postgres.js';
import { tempDir } from './temp-dir.js';

/** A client on a fresh PostgreSQL store, the folder its proxied artifacts are kept in, and its disposal. */
export interface PostgresClient {
  client: TrackingClient;
  /** The folder `mlflow-artifacts:` URIs point into. */
  artifacts: string;
  /** The URL the store was opened on (a schema of its own in `db`). */
  url: string;
  cleanup: () => Promise<void>;
}

/**
 * A {@link TrackingClient} on a new, empty schema of `db` (see {@link freshSchema}), with the
 * proxied artifacts (`mlflow-artifacts:`, the store's default root) in a temporary folder,
 * as `agentrack server --artifacts-destination <folder>` would keep them.
 */
export async function openPostgresClient(
  db: FreshDatabase,
  options: PostgresStoreOptions = {},
): Promise<PostgresClient> {
  const url = await freshSchema(db);
  const dir = tempDir('agentrack-pg-artifacts-');
  const artifacts = join(dir.path, 'artifacts');
  const store = await openPostgresStore(url, options);
  const client = new TrackingClient(store, {
    ...(options.now ? { now: options.now } : {}),
    proxiedArtifacts: new LocalArtifactRepository(artifacts),
  });
  return {
    client,
    artifacts,
    url,
    cleanup: async () => {
      await client.close();
      dir.remove();
    },
  };
}

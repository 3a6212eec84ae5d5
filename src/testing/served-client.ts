import { join } from 'node:path';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { TrackingClient } from '../client/tracking-client.js';
import { startServer, type RunningServer } from '../server/serve.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { tempDir } from './temp-dir.js';

/** A client over HTTP, the agentrack server it talks to, and their disposal. */
export interface ServedClient {
  client: TrackingClient;
  server: RunningServer;
  cleanup: () => Promise<void>;
}

/**
 * An agentrack server on loopback over the store `openStore` opens (given a new temporary
 * folder), its proxied artifacts in that folder's `destination`, as
 * `agentrack server --artifacts-destination <folder>` keeps them, and a {@link TrackingClient}
 * on its URL that reads no environment.
 */
export async function openServedClient(
  openStore: (dir: string) => Promise<TrackingStore>,
): Promise<ServedClient> {
  const dir = tempDir();
  const server = await startServer({
    store: await openStore(dir.path),
    port: 0,
    logger: false,
    artifactDestination: new LocalArtifactRepository(join(dir.path, 'destination')),
  });
  const client = await TrackingClient.open(server.url, { env: {} });
  return {
    client,
    server,
    cleanup: async () => {
      await client.close();
      await server.close();
      dir.remove();
    },
  };
}

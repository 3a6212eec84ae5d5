import { readdirSync, readlinkSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalArtifactRepository } from '../../src/artifacts/local-artifact-repository.js';
import type { ArtifactRepository } from '../../src/artifacts/artifact-repository.js';
import type { Users } from '../../src/auth/index.js';
import { startServer, type RunningServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { TrackingStore } from '../../src/store/tracking-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';

/** Where MLflow's artifact service lives on the server. */
export const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';

/** An answer as it came over the wire. */
export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The body parsed as JSON. */
  json<T = Record<string, unknown>>(): T;
}

/** A request sent as is: the path is never normalized or re-encoded (as `fetch` would). */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** A real agentrack server on a loopback port over a fresh SQLite file, with proxied artifacts in a local folder. */
export interface ArtifactServer {
  server: RunningServer;
  store: TrackingStore;
  /** The destination folder. */
  root: string;
  destination: ArtifactRepository;
  send(request: RawRequest): Promise<RawAnswer>;
  close(): Promise<void>;
}

/** Starts the server; `users` turns access control on. */
export async function startArtifactServer(
  options: { users?: Users; destination?: (root: string) => ArtifactRepository } = {},
): Promise<ArtifactServer> {
  const dir = tempDir('agentrack-artifact-server-');
  const root = join(dir.path, 'mlartifacts');
  const store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  const destination = options.destination?.(root) ?? new LocalArtifactRepository(root);
  const server = await startServer({
    store,
    port: 0,
    logger: false,
    artifactDestination: destination,
    ...(options.users ? { users: options.users } : {}),
  });
  return {
    server,
    store,
    root,
    destination,
    send: (request) => send(server.port, request),
    close: async () => {
      await server.close();
      dir.remove();
    },
  };
}

/** Sends one request on its own connection and reads the whole answer. */
export function send(port: number, request: RawRequest): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: request.method,
        path: request.path,
        agent: false,
        headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...request.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const data = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: data,
            json: <T>() => JSON.parse(data.toString('utf8')) as T,
          });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export { filesBelow } from '../../src/testing/files-below.js';

/** The files below `root` this process holds open. */
export function openFilesBelow(root: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(`${root}/`)) open.push(target);
    } catch {
      // Closed while listed.
    }
  }
  return open;
}

/** Waits until `check` holds (checked every 20 ms), failing with `what` after `timeoutMs`. */
export async function eventually(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  for (const started = Date.now(); !check(); await sleep(20)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}

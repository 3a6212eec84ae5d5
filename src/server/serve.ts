import type { LoginThrottleOptions } from '../auth/login-throttle.js';
import type { FastifyServerOptions } from 'fastify';
import type { ArtifactRepository } from '../artifacts/artifact-repository.js';
import type { Users } from '../auth/index.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { workspaceAccessControl } from './access-control.js';
import { createApp } from './create-app.js';

/** Options of {@link startServer}. */
export interface ServeOptions {
  store: TrackingStore;
  /** Default `127.0.0.1`, as `mlflow server`. */
  host?: string;
  /** Default 5000, as `mlflow server`; 0 picks a free port. */
  port?: number;
  /** Fastify's logger option (a request log at `info`). */
  logger?: FastifyServerOptions['logger'];
  /** Users of access control; without them every request is served anonymously. */
  users?: Users;
  /** How failed logins are limited with `users` (see `LoginThrottle`); the defaults when absent. */
  loginThrottle?: LoginThrottleOptions;
  /** See `CreateAppOptions.writeBytesInFlight` (default 64 KiB). */
  writeBytesInFlight?: number;
  /** See `CreateAppOptions.trustedProxies`: the proxies whose `X-Forwarded-For` names the client. */
  trustedProxies?: readonly string[];
  /** Close the store (and the artifact destination) when the server closes; default true. */
  closeStore?: boolean;
  /** MLflow's artifact service (--serve-artifacts): the repository proxied artifacts are kept in. Absent: the mlflow-artifacts endpoints answer 503 as MLflow's --no-serve-artifacts does. The app never closes it; startServer closes it on close() when closeStore is not false. */
  artifactDestination?: ArtifactRepository;
  /** MLflow's --artifacts-only: the artifact service alone; the tracking API answers 503 as MLflow does. */
  artifactsOnly?: boolean;
  /** See `CreateAppOptions.modelVersionSourcePattern` (MLflow's `MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX`). */
  modelVersionSourcePattern?: RegExp;
  /**
   * How long `close()` lets requests in flight finish, in ms (default 10 000). After it, the
   * connections still open are ended: a client that never finishes sending its body, or a
   * request that waits on a stuck destination, cannot hold a shutdown or a rolling upgrade.
   */
  closeTimeoutMs?: number;
}

/** A listening server. */
export interface RunningServer {
  /** `http://host:port`, ready to use as a tracking URI. */
  url: string;
  host: string;
  port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish (for up to
   * {@link ServeOptions.closeTimeoutMs}, then ends their connections), then closes the store and
   * the artifact destination.
   */
  close(): Promise<void>;
}

/** True for an address only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Starts the agentrack server: {@link createApp} listening on `host:port`.
 *
 * @example
 * const server = await startServer({ store: await openSqliteStore('agentrack.db'), port: 0 });
 * // MLFLOW_TRACKING_URI=server.url
 * await server.close();
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { store } = options;
  const access = options.users ? workspaceAccessControl(store, options.users) : undefined;
  const app = createApp({
    store,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...(access ?? {}),
    ...(access && options.loginThrottle ? { loginThrottle: options.loginThrottle } : {}),
    ...(options.trustedProxies?.length ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.writeBytesInFlight !== undefined ? { writeBytesInFlight: options.writeBytesInFlight } : {}),
    ...(options.artifactDestination ? { artifactDestination: options.artifactDestination } : {}),
    ...(options.artifactsOnly ? { artifactsOnly: true } : {}),
    ...(options.modelVersionSourcePattern
      ? { modelVersionSourcePattern: options.modelVersionSourcePattern }
      : {}),
  });
  // Once closing, answers end their connection: a keep-alive connection that was busy when
  // close() began would otherwise hold the shutdown until its idle timeout.
  let stopping = false;
  app.addHook('onSend', async (_request, reply, payload) => {
    if (stopping) reply.header('connection', 'close');
    return payload;
  });
  const host = options.host ?? '127.0.0.1';
  await app.listen({ host, port: options.port ?? 5000 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 5000);
  const shown = host.includes(':') ? `[${host}]` : host;
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${port}`,
    host,
    port,
    close: () => {
      closing ??= (async () => {
        stopping = true;
        const deadline = setTimeout(() => app.server.closeAllConnections(), closeTimeoutMs);
        try {
          await app.close();
        } finally {
          clearTimeout(deadline);
        }
        if (options.closeStore !== false) {
          await Promise.all([store.close(), options.artifactDestination?.close()]);
        }
      })();
      return closing;
    },
  };
}

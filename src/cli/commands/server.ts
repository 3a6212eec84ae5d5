import type { Command } from 'commander';
import { loadUsers } from '../../auth/index.js';
import { isLoopback, startServer } from '../../server/serve.js';
import { openStore } from '../../store/open-store.js';
import { parseTrackingUri, resolveTrackingUri } from '../../store/tracking-uri.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';

/** Options of `agentrack server`. */
export interface ServerOptions {
  backendStoreUri?: string;
  host: string;
  port: string;
  auth?: string;
  logLevel: string;
}

const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw usageError(`--port: expected a port number 0-65535, got '${text}'`);
  return port;
}

/** Resolves when SIGINT or SIGTERM arrives. */
function shutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals) => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
      resolve(signal);
    };
    process.on('SIGINT', handler);
    process.on('SIGTERM', handler);
  });
}

/**
 * `agentrack server`: MLflow's tracking REST API over the embedded store, with `mlflow
 * server`'s defaults (127.0.0.1:5000). Stops gracefully on SIGINT/SIGTERM: in-flight
 * requests finish, then the database closes.
 */
export async function serverCommand(options: ServerOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if (!(LOG_LEVELS as readonly string[]).includes(options.logLevel)) {
    throw usageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got '${options.logLevel}'`);
  }
  const port = portOf(options.port);
  const uri = resolveTrackingUri(options.backendStoreUri ?? ctx.globals.trackingUri, ctx.env);
  const target = parseTrackingUri(uri);
  if (target.kind !== 'sqlite') {
    throw usageError(
      `--backend-store-uri must be a SQLite store (sqlite:///path.db), not '${uri}': the server serves a store of its own.`,
    );
  }
  const users = options.auth !== undefined ? await loadUsers(options.auth) : undefined;
  if (!users && !isLoopback(options.host)) {
    io.stderr(
      `warning: listening on ${options.host} without --auth: anyone who can reach this address can read and write every experiment.\n`,
    );
  }
  const store = await openStore(target.uri);
  const signal = shutdownSignal();
  const server = await startServer({
    store,
    host: options.host,
    port,
    logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
    ...(users ? { users } : {}),
  });
  io.stderr(
    `agentrack server listening on ${server.url} (store ${target.path === ':memory:' ? ':memory:' : target.path}${users ? `, ${users.size} users` : ', no authentication'})\n`,
  );
  const received = await signal;
  io.stderr(`agentrack server: ${received}, finishing in-flight requests and closing the database\n`);
  await server.close();
  return 0;
}

/** Adds `server` to the program. */
export function registerServerCommand(program: Command, ctx: CliContext): void {
  program
    .command('server')
    .description("serve MLflow's tracking REST API over the embedded store (MLflow clients work unchanged)")
    .option(
      '--backend-store-uri <uri>',
      'the store to serve (default: --tracking-uri, the environment, sqlite:///agentrack.db)',
    )
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--port <port>', 'the port to listen on (0: a free one)', '5000')
    .option('--auth <users-file>', 'require authentication: a JSON users file (see `agentrack auth`)')
    .option('--log-level <level>', `request log level: ${LOG_LEVELS.join(', ')}`, 'info')
    .action(ctx.action((options: ServerOptions) => serverCommand(options, ctx)));
}

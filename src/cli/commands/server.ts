import type { Command } from 'commander';
import { isIP } from 'node:net';
import { loadUsers } from '../../auth/index.js';
import { resolveArtifactUri, serverArtifactRoot } from '../../artifacts/artifact-locations.js';
import { isAgentrackError } from '../../errors.js';
import { isLoopback, startServer } from '../../server/serve.js';
import { openStore } from '../../store/open-store.js';
import {
  canonicalTrackingUri,
  displayTrackingUri,
  parseTrackingUri,
  resolveTrackingTarget,
  type TrackingTarget,
} from '../../store/tracking-uri.js';
import { validateArtifactLocation } from '../../validation/index.js';
import { openArtifactsDestination, type ArtifactsDestination } from '../artifacts-destination.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';

/** Options of `agentrack server`. */
export interface ServerOptions {
  backendStoreUri?: string;
  host: string;
  port: string;
  auth?: string;
  logLevel: string;
  /** False with `--no-serve-artifacts`. */
  serveArtifacts?: boolean;
  artifactsDestination?: string;
  defaultArtifactRoot?: string;
  artifactsOnly?: boolean;
  /** `--write-bytes-in-flight`: a positive integer. */
  writeBytesInFlight?: string;
  /** `--trusted-proxies`: a comma-separated list of addresses, CIDR ranges or proxy-addr's names. */
  trustedProxies?: string;
  /** Started as `agentrack ui`: says to open the URL in a browser. */
  ui?: boolean;
}

const LOG_LEVELS = ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw usageError(`--port: expected a port number 0-65535, got '${text}'`);
  return port;
}

function writeBytesOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 2 ** 31) {
    throw usageError(
      `--write-bytes-in-flight: expected a number of bytes from 1 to 2147483648, got '${text}'`,
    );
  }
  return n;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/** `--trusted-proxies`, split and checked: each an IP address, an address/prefix range or a name. */
export function trustedProxiesOf(text: string): string[] {
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    const validPrefix =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (PROXY_NAMES.includes(entry)) continue;
    if (family === 0 || !validPrefix || rest.length > 0) {
      throw usageError(
        `--trusted-proxies: expected IP addresses or CIDR ranges (10.0.0.0/8) or ${PROXY_NAMES.join(', ')}, comma-separated; got '${entry}'`,
      );
    }
  }
  return entries;
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
 * Checks how the artifact options combine. `--artifacts-only` serves the artifact service
 * alone: like `mlflow server`, it takes no `--backend-store-uri`; unlike it (which starts a
 * server answering 503 to everything), it refuses `--no-serve-artifacts`, which would leave
 * nothing to serve. Options that change nothing in a combination get a warning.
 */
function checkArtifactOptions(options: ServerOptions, io: CliContext['io']): void {
  const serving = options.serveArtifacts !== false;
  if (options.artifactsOnly) {
    if (!serving) {
      throw usageError(
        '--artifacts-only serves the artifact service alone, which --no-serve-artifacts turns off: give one of them',
      );
    }
    if (options.backendStoreUri !== undefined) {
      throw usageError(
        `--artifacts-only serves artifacts without a tracking store: drop --backend-store-uri '${options.backendStoreUri}' ` +
          '(a tracking server elsewhere keeps the runs)',
      );
    }
  }
  if (!serving && options.artifactsDestination !== undefined) {
    io.stderr('warning: --artifacts-destination has no effect with --no-serve-artifacts\n');
  }
  if (options.artifactsOnly && options.defaultArtifactRoot !== undefined) {
    io.stderr(
      'warning: --default-artifact-root has no effect with --artifacts-only: it creates no experiments\n',
    );
  }
}

/**
 * MLflow's `MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX`, as the pattern new model
 * versions' sources must contain a match of; a usage error when it is no regular expression.
 */
function modelVersionSourcePattern(env: NodeJS.ProcessEnv): RegExp | undefined {
  const text = env.MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX;
  if (text === undefined || text === '') return undefined;
  try {
    return new RegExp(text);
  } catch (error) {
    throw usageError(
      `MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: not a regular expression: ${(error as Error).message}`,
    );
  }
}

/** `target` when it is a SQLite database; a usage error saying `refusal` when it names another store. */
function sqliteTarget(target: TrackingTarget, refusal: string): TrackingTarget {
  if (target.kind !== 'sqlite') throw usageError(refusal);
  return target;
}

/**
 * The store `target` names when the server can serve it: a SQLite file or a PostgreSQL
 * database. A database has no folder beside it, so serving artifacts from one takes
 * `--artifacts-destination`. Anything else (another server, Databricks) is a usage error.
 */
function servedTarget(target: TrackingTarget, options: ServerOptions): TrackingTarget {
  const shown = displayTrackingUri(target);
  if (target.kind === 'postgres') {
    if (options.serveArtifacts !== false && options.artifactsDestination === undefined) {
      throw usageError(
        `--backend-store-uri '${shown}' is a PostgreSQL database, which has no folder beside it for artifacts: ` +
          'give --artifacts-destination <uri>, or --no-serve-artifacts',
      );
    }
    return target;
  }
  return sqliteTarget(
    target,
    `--backend-store-uri must be a SQLite or PostgreSQL store (sqlite:///path.db, postgresql://host/db), not '${shown}': the server serves a store of its own.`,
  );
}

/**
 * The artifact root of new experiments (MLflow's rule, {@link serverArtifactRoot}), checked as
 * an experiment's location is: a usage error naming the option when it cannot be one.
 */
function artifactRootOf(options: ServerOptions): string {
  const root = serverArtifactRoot({
    serveArtifacts: options.serveArtifacts !== false,
    defaultArtifactRoot: options.defaultArtifactRoot,
  });
  try {
    validateArtifactLocation(root);
    resolveArtifactUri(root);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) {
      throw usageError(`--default-artifact-root: ${error.message}`);
    }
    throw error;
  }
  return root;
}

/**
 * The destination `--artifacts-destination` names (else the folder beside the SQLite database
 * `target`; a PostgreSQL target always comes with the option, see {@link servedTarget}), opened.
 */
async function openDestination(
  options: ServerOptions,
  target: TrackingTarget,
  env: NodeJS.ProcessEnv,
): Promise<ArtifactsDestination> {
  const databasePath = target.kind === 'sqlite' ? target.path : ':memory:';
  try {
    return await openArtifactsDestination(options.artifactsDestination, databasePath, env);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) {
      throw usageError(`--artifacts-destination: ${error.message}`);
    }
    throw error;
  }
}

/**
 * `agentrack server`: MLflow's tracking REST API and model registry over a SQLite or PostgreSQL store, with `mlflow
 * server`'s defaults (127.0.0.1:5000) and its artifact options: the artifact service on by
 * default (`--no-serve-artifacts` turns it off), keeping artifacts in `--artifacts-destination`
 * (by default the folder beside a SQLite database; required with a PostgreSQL one),
 * `--default-artifact-root` for new experiments,
 * and `--artifacts-only` for an artifact server alone. Stops gracefully on SIGINT/SIGTERM:
 * in-flight requests finish, then the database closes.
 */
export async function serverCommand(options: ServerOptions, ctx: CliContext): Promise<number> {
  const { io } = ctx;
  if (!(LOG_LEVELS as readonly string[]).includes(options.logLevel)) {
    throw usageError(`--log-level: expected one of ${LOG_LEVELS.join(', ')}, got '${options.logLevel}'`);
  }
  const port = portOf(options.port);
  const trustedProxies =
    options.trustedProxies !== undefined ? trustedProxiesOf(options.trustedProxies) : undefined;
  const writeBytesInFlight =
    options.writeBytesInFlight !== undefined ? writeBytesOf(options.writeBytesInFlight) : undefined;
  checkArtifactOptions(options, io);
  const artifactRoot = artifactRootOf(options);
  const serving = options.serveArtifacts !== false;
  const target = resolveTrackingTarget({
    uri: options.backendStoreUri ?? ctx.globals.trackingUri,
    env: ctx.env,
  });
  const shown = target.kind === 'sqlite' ? target.uri : displayTrackingUri(target);
  const database = options.artifactsOnly
    ? sqliteTarget(
        target,
        `--artifacts-only keeps artifacts beside a database, and '${shown}' names none: give --artifacts-destination <uri>`,
      )
    : servedTarget(target, options);
  const sourcePattern = modelVersionSourcePattern(ctx.env);
  const users = options.auth !== undefined ? await loadUsers(options.auth) : undefined;
  if (!users && !isLoopback(options.host)) {
    io.stderr(
      `warning: listening on ${options.host} without --auth: anyone who can reach this address can read and write every experiment.\n`,
    );
  }
  const destination = serving ? await openDestination(options, database, ctx.env) : undefined;
  const signal = shutdownSignal();
  let server;
  try {
    // An artifacts-only server never opens the database: its tracking API answers 503. The
    // registry served is the database's own, whatever MLFLOW_REGISTRY_URI says.
    const served = options.artifactsOnly ? parseTrackingUri('sqlite:///:memory:') : database;
    const store = await openStore(served, {
      env: ctx.env,
      defaultArtifactRoot: artifactRoot,
      registryUri: canonicalTrackingUri(served),
    });
    server = await startServer({
      store,
      host: options.host,
      port,
      logger: options.logLevel === 'silent' ? false : { level: options.logLevel },
      ...(users ? { users } : {}),
      ...(trustedProxies ? { trustedProxies } : {}),
      ...(writeBytesInFlight !== undefined ? { writeBytesInFlight } : {}),
      ...(destination ? { artifactDestination: destination.repository } : {}),
      ...(options.artifactsOnly ? { artifactsOnly: true } : {}),
      ...(sourcePattern ? { modelVersionSourcePattern: sourcePattern } : {}),
    });
  } catch (error) {
    await destination?.dispose();
    throw error;
  }
  const described = [
    options.artifactsOnly
      ? 'artifacts only'
      : `store ${database.kind === 'sqlite' ? database.path : displayTrackingUri(database)}`,
    destination ? `artifacts ${destination.location}` : 'artifacts not served',
    users ? `${users.size} users` : 'no authentication',
  ];
  const name = options.ui ? 'agentrack ui' : 'agentrack server';
  io.stderr(`${name} listening on ${server.url} (${described.join(', ')})\n`);
  if (options.ui) io.stderr(`open ${server.url}/ in a browser; Ctrl-C stops it\n`);
  const received = await signal;
  io.stderr(`${name}: ${received}, finishing in-flight requests and closing the database\n`);
  await server.close();
  await destination?.dispose();
  return 0;
}

/**
 * Adds `ui` to the program: the web UI (with the whole server) over the embedded store on
 * loopback, as `mlflow ui` does; it prints the URL to open.
 */
export function registerUiCommand(program: Command, ctx: CliContext): void {
  program
    .command('ui')
    .description('open the web UI over the embedded store on loopback (prints the URL), as `mlflow ui`')
    .option(
      '--backend-store-uri <uri>',
      'the store to show: sqlite:///path.db or postgresql://... (default: --tracking-uri, the environment, sqlite:///agentrack.db)',
    )
    .option('--port <port>', 'the port to listen on (0: a free one)', '5000')
    .option('--auth <users-file>', 'require authentication: a JSON users file (see `agentrack auth`)')
    .action(
      ctx.action((options: Pick<ServerOptions, 'backendStoreUri' | 'port' | 'auth'>) =>
        serverCommand({ ...options, host: '127.0.0.1', logLevel: 'warn', ui: true }, ctx),
      ),
    );
}

/** What `agentrack server --help` says after the options: serving a PostgreSQL database. */
const SERVER_HELP = `
PostgreSQL:
  --backend-store-uri postgresql://user:password@host:5432/db (or postgres://) serves a
  PostgreSQL database; PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE and ?sslmode=... are
  honoured as by libpq. A database has no folder beside it, so serving artifacts needs
  --artifacts-destination (or use --no-serve-artifacts). Every server may share one database.
  Each process keeps a pool of connections, set by:
    AGENTRACK_PG_POOL_MAX              connections per process (default 10)
    AGENTRACK_PG_IDLE_TIMEOUT_MS       closes a connection idle this long (default 10000)
    AGENTRACK_PG_CONNECT_TIMEOUT_MS    how long a request waits for a connection (default 10000);
                                       past it the request answers 503 TEMPORARILY_UNAVAILABLE
    AGENTRACK_PG_STATEMENT_TIMEOUT_MS  PostgreSQL's statement_timeout (default 60000)
`;

/** Adds `server` to the program. */
export function registerServerCommand(program: Command, ctx: CliContext): void {
  program
    .command('server')
    .description(
      "serve MLflow's tracking REST API over a SQLite or PostgreSQL store (MLflow clients work unchanged)",
    )
    .option(
      '--backend-store-uri <uri>',
      'the store to serve: sqlite:///path.db or postgresql://[user[:password]@]host[:port]/db[?sslmode=...] (default: --tracking-uri, the environment, sqlite:///agentrack.db)',
    )
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--port <port>', 'the port to listen on (0: a free one)', '5000')
    .option('--auth <users-file>', 'require authentication: a JSON users file (see `agentrack auth`)')
    .option('--log-level <level>', `request log level: ${LOG_LEVELS.join(', ')}`, 'info')
    .option(
      '--write-bytes-in-flight <bytes>',
      'bytes of JSON write bodies handled at once; later writes wait their turn in arrival order, unread (default 65536)',
    )
    .option(
      '--trusted-proxies <list>',
      'the load balancers in front of the server (IP addresses, CIDR ranges or loopback, comma-separated): requests from them are counted per the client X-Forwarded-For names',
    )
    .option(
      '--serve-artifacts',
      "serve MLflow's artifact API (mlflow-artifacts:/ URIs), keeping the files in --artifacts-destination (the default)",
    )
    .option(
      '--no-serve-artifacts',
      'do not serve artifacts: clients write them to the artifact root themselves',
    )
    .option(
      '--artifacts-destination <uri>',
      'where served artifacts are kept: a folder, file:///path or s3://bucket/prefix (default: <database>-artifacts beside a SQLite database; required with PostgreSQL)',
    )
    .option(
      '--default-artifact-root <uri>',
      'artifact root of new experiments (default: mlflow-artifacts:/ when serving artifacts, else ./mlruns)',
    )
    .option('--artifacts-only', 'serve the artifact API alone (the tracking API answers 503)')
    .addHelpText('after', SERVER_HELP)
    .action(ctx.action((options: ServerOptions) => serverCommand(options, ctx)));
}

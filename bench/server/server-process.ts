import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Memory of the server process, in MB, from `/proc/<pid>/status`. */
export interface ServerMemory {
  /** Resident set size now (VmRSS). */
  rssMb: number;
  /** Peak resident set size since the process started (VmHWM). */
  peakRssMb: number;
}

/** How the server process ended. */
export interface ServerExit {
  code: number | null;
  /** What it wrote to stderr after it started listening. */
  stderr: string;
}

/** An `agentrack server` running in a process of its own. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Undefined where `/proc` does not exist. */
  memory(): ServerMemory | undefined;
  /** CPU time the process has used so far (user + system), in seconds; undefined where `/proc` does not exist. */
  cpuSeconds(): number | undefined;
  /** Sends SIGTERM and waits for the process to exit. */
  stop(): Promise<ServerExit>;
}

const CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

function readMemory(pid: number): ServerMemory | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

/** `/proc/<pid>/stat` counts CPU time in USER_HZ ticks, which Linux fixes at 100 per second. */
const USER_HZ = 100;

function readCpuSeconds(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/**
 * Spawns `node dist/cli/main.js server --port 0` on the SQLite file at `dbPath` (the
 * repository must be built) and resolves once it prints the address it listens on.
 * `nodeArgs` go to node itself, e.g. `--cpu-prof` to profile the server; `serverArgs` to
 * `agentrack server` after the store, e.g. `['--artifacts-destination', dir]`.
 */
export async function startServerProcess(
  dbPath: string,
  nodeArgs: readonly string[] = [],
  serverArgs: readonly string[] = [],
): Promise<ServerProcess> {
  return startStoreServerProcess(`sqlite:///${dbPath}`, nodeArgs, serverArgs);
}

/**
 * {@link startServerProcess} on any store `agentrack server` serves: `backendStoreUri` is its
 * `--backend-store-uri` (`sqlite:///path.db`, `postgresql://...`).
 */
export async function startStoreServerProcess(
  backendStoreUri: string,
  nodeArgs: readonly string[] = [],
  serverArgs: readonly string[] = [],
): Promise<ServerProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} not found: run \`npm run build\` first`);
  return startListeningProcess([
    ...nodeArgs,
    CLI,
    'server',
    '--port',
    '0',
    '--log-level',
    'silent',
    '--backend-store-uri',
    backendStoreUri,
    ...serverArgs,
  ]);
}

/**
 * Spawns `node <args>` and resolves once the process prints `listening on http://...` on
 * stderr, as `agentrack server` does (and bench/traces/bare-server.ts).
 */
export async function startListeningProcess(args: readonly string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'inherit', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('the server process did not start');
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`the server did not report its address within ${START_TIMEOUT_MS} ms:\n${stderr}`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${signal ?? code}) before listening:\n${stderr}`));
    };
    const onData = (chunk: string) => {
      stderr += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        child.off('exit', onExit);
        child.stderr?.off('data', onData);
        resolve(match[1]);
      }
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
  // Keep draining stderr so a chatty server can never block on a full pipe.
  let later = '';
  child.stderr?.on('data', (chunk: string) => (later += chunk));
  const stderrClosed = new Promise<void>((resolve) => child.stderr?.once('close', resolve) ?? resolve());
  return {
    url,
    pid,
    memory: () => readMemory(pid),
    cpuSeconds: () => readCpuSeconds(pid),
    async stop() {
      const done = exited(child);
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      try {
        const code = await done;
        await stderrClosed;
        return { code, stderr: later };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

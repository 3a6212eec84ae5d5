import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/run-main.js';
import type { AgentConfigInput } from '../../src/lifecycle/agent-config.js';

/** The built binary. */
export const bin = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
/** The command the `run` tests run (see the file for its actions). */
export const child = fileURLToPath(new URL('../fixtures/cli-child.mjs', import.meta.url));

/** What a CLI invocation printed and how it ended. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of {@link agentrack}. */
export interface SpawnOptions {
  cwd: string;
  env?: Record<string, string>;
  /** Run as this user and group (the tests must run as root to switch). */
  user?: { uid: number; gid: number };
}

/** The test process's environment without anything that would steer the CLI. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    'AGENTRACK_TRACKING_URI',
    'MLFLOW_TRACKING_URI',
    'MLFLOW_RUN_ID',
    'MLFLOW_EXPERIMENT_ID',
    'MLFLOW_EXPERIMENT_NAME',
    'MLFLOW_REGISTRY_URI',
    'NO_COLOR',
    'FORCE_COLOR',
  ]) {
    delete env[key];
  }
  return { ...env, ...extra };
}

/** Runs the binary with pipes for its streams (so never a terminal). */
export function agentrack(args: readonly string[], options: SpawnOptions): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    encoding: 'utf8',
    env: cleanEnv(options.env),
    ...options.user,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A binary running in the background: wait for text on its stderr, signal it, await its end. */
export interface RunningCli {
  pid: number;
  /** What it printed on stderr so far. */
  stderr(): string;
  waitForStderr(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  /** Signals its whole process group, as a terminal does on Ctrl-C (needs `group`). */
  killGroup(signal: NodeJS.Signals): void;
  done: Promise<CliResult & { signal: NodeJS.Signals | null }>;
}

/** Options of {@link startAgentrack}. */
export interface StartOptions extends SpawnOptions {
  /** Start it as the leader of a process group of its own, as a shell starts a foreground job. */
  group?: boolean;
}

/** Starts the binary without waiting for it. */
export function startAgentrack(args: readonly string[], options: StartOptions): RunningCli {
  const proc = spawn(process.execPath, [bin, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.group === true,
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.splice(0)) {
      if (stderr.includes(w.text)) w.resolve();
      else waiters.push(w);
    }
  });
  const done = new Promise<CliResult & { signal: NodeJS.Signals | null }>((resolve) => {
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    pid: proc.pid as number,
    stderr: () => stderr,
    waitForStderr: (text) =>
      new Promise<void>((resolve, reject) => {
        if (stderr.includes(text)) return resolve();
        waiters.push({ text, resolve });
        void done.then(() => reject(new Error(`ended before printing '${text}':\n${stderr}`)));
      }),
    kill: (signal) => proc.kill(signal),
    killGroup: (signal) => process.kill(-(proc.pid as number), signal),
    done,
  };
}

/** Whether process `pid` runs: gone, or exited and waiting to be reaped (a zombie), it does not. */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return process.platform !== 'linux';
  }
}

/** `promise`, or a rejection naming `what` after `ms`: a test that would hang fails instead. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** An in-process CLI's captured output. */
export interface CapturedIo extends CliIo {
  out: string;
  err: string;
}

/** Streams for an in-process {@link runCli}, optionally posing as terminals. */
export function captureIo(options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {}): CapturedIo {
  const io: CapturedIo = {
    out: '',
    err: '',
    stdout: (text) => {
      io.out += text;
    },
    stderr: (text) => {
      io.err += text;
    },
    stdoutIsTTY: options.tty === true,
    stderrIsTTY: options.tty === true,
    env: options.env ?? cleanEnv(),
  };
  return io;
}

/** Runs the CLI in this process; resolves to the exit code and what it printed. */
export async function agentrackInProcess(
  args: readonly string[],
  options: { tty?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  const io = captureIo(options);
  const code = await runCli(args, io);
  return { code, stdout: io.out, stderr: io.err };
}

/** Writes `<dir>/<folder>/agentrack.config.json` and returns the folder. */
export function writeAgentConfig(dir: string, folder: string, config: AgentConfigInput): string {
  const path = join(dir, folder);
  mkdirSync(path, { recursive: true });
  writeFileSync(join(path, 'agentrack.config.json'), JSON.stringify(config, null, 2));
  return path;
}

/** Every line of `text`, without the last empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
}

/** The ANSI escape that starts every color. */
export const ESC = '\u001b[';

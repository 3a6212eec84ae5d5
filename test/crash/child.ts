/** Child processes the crash tests start and kill. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** A child that said it is ready. */
export interface ReadyChild {
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Kills it with SIGKILL; resolves with how it ended. */
  kill(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Waits `ms` milliseconds. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `node ...args` until it writes `ready` on stderr (at most 60 s). */
export async function startReady(args: readonly string[]): Promise<ReadyChild> {
  const child = spawn(process.execPath, [...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const deadline = Date.now() + 60_000;
  while (!stderr.includes('ready')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`the child did not start:\n${stderr}`);
    await pause(5);
  }
  return {
    stderr: () => stderr,
    kill: async () => {
      child.kill('SIGKILL');
      const [code, signal] = await exited;
      return { code, signal };
    },
  };
}

import { AsyncLocalStorage } from 'node:async_hooks';
import type { RunHandle } from './run-handle.js';

const runs = new AsyncLocalStorage<RunHandle>();
const endHooks = new Set<(handle: RunHandle) => Promise<void>>();

/**
 * The run whose scoped function (`agent.development(fn)`, `agent.evaluation(fn)`, ...) is
 * running in the current async context, or `undefined` outside of one. Tracing links the
 * traces made there to that run.
 */
export function activeRun(): RunHandle | undefined {
  return runs.getStore();
}

/**
 * Runs `fn` with `handle` as the {@link activeRun} of everything it calls, synchronously or
 * asynchronously; the scoped forms of the Agent do this for their runs.
 *
 * @example
 * const run = await agent.startRun('dev');
 * await withActiveRun(run, () => answer('is web-1 healthy?'));
 * await run.end();
 */
export function withActiveRun<T>(handle: RunHandle, fn: () => T): T {
  return runs.run(handle, fn);
}

/**
 * Registers what must happen before any run ends (after its own buffers are flushed, before
 * its status is recorded): tracing writes the traces still in its queue, so that they are
 * stored while the run's client is open. A hook never fails the run: its errors are ignored.
 * Answers the function that unregisters it.
 */
export function beforeRunEnds(hook: (handle: RunHandle) => Promise<void>): () => void {
  endHooks.add(hook);
  return () => endHooks.delete(hook);
}

/** Calls the {@link beforeRunEnds} hooks for `handle`; for {@link RunHandle.end}. */
export async function runBeforeEndHooks(handle: RunHandle): Promise<void> {
  for (const hook of [...endHooks]) await hook(handle).catch(() => undefined);
}

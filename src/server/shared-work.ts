/** One piece of work in progress, and how many callers still wait for it. */
interface Running<T> {
  readonly result: Promise<T>;
  readonly controller: AbortController;
  waiting: number;
}

/**
 * Work that callers asking for the same thing at the same time share: the first call for a
 * key starts it, the calls that arrive while it runs wait for the same result, and it is
 * aborted (through the signal `start` is given) when every caller waiting for it has gone
 * away. Once it settles, the next call starts it anew: nothing is cached.
 *
 * @example
 * const audits = new SharedWork<AgentAudit>();
 * audits.run(agent, request.signal, (signal) => auditAgent(client, agent, { signal }));
 */
export class SharedWork<T> {
  readonly #running = new Map<string, Running<T>>();

  /** How many pieces of work are running now. */
  get size(): number {
    return this.#running.size;
  }

  /**
   * The result of the work for `key`, started by `start` unless it is already running. Rejects
   * with `signal`'s reason when `signal` aborts first; the work goes on for the others.
   */
  run(key: string, signal: AbortSignal | undefined, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    signal?.throwIfAborted();
    let running = this.#running.get(key);
    if (running === undefined) {
      const controller = new AbortController();
      const result = Promise.resolve()
        .then(() => start(controller.signal))
        .finally(() => {
          if (this.#running.get(key) === entry) this.#running.delete(key);
        });
      // The work's own rejection reaches its callers; this keeps an abandoned one from being unhandled.
      result.catch(() => undefined);
      const entry: Running<T> = { result, controller, waiting: 0 };
      running = entry;
      this.#running.set(key, entry);
    }
    return this.#wait(key, running, signal);
  }

  #wait(key: string, running: Running<T>, signal: AbortSignal | undefined): Promise<T> {
    running.waiting += 1;
    if (signal === undefined) return running.result;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        running.waiting -= 1;
        if (running.waiting === 0) {
          running.controller.abort(signal.reason);
          // Aborted work may still be finishing a page: a new caller starts afresh.
          if (this.#running.get(key) === running) this.#running.delete(key);
        }
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', leave, { once: true });
      running.result.then(
        (value) => {
          signal.removeEventListener('abort', leave);
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', leave);
          reject(error as Error);
        },
      );
    });
  }
}

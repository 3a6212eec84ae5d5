import { describe, expect, it } from 'vitest';
import { SharedWork } from './shared-work.js';

/** A promise and the functions that settle it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('SharedWork', () => {
  it('starts the work once for the callers of one key that overlap, and anew once it settled', async () => {
    const work = new SharedWork<string>();
    const gate = deferred<string>();
    let started = 0;
    const start = () => {
      started += 1;
      return gate.promise;
    };
    const first = work.run('a', undefined, start);
    const second = work.run('a', new AbortController().signal, start);
    expect(work.size).toBe(1);
    gate.resolve('done');
    expect(await Promise.all([first, second])).toEqual(['done', 'done']);
    await Promise.resolve();
    expect(work.size).toBe(0);
    expect(await work.run('a', undefined, async () => `again ${++started}`)).toBe('again 2');
  });

  it('keeps the work of other keys apart', async () => {
    const work = new SharedWork<string>();
    const results = await Promise.all([
      work.run('a', undefined, async () => 'A'),
      work.run('b', undefined, async () => 'B'),
    ]);
    expect(results).toEqual(['A', 'B']);
  });

  it('rejects a caller that goes away with its reason, and goes on for those still waiting', async () => {
    const work = new SharedWork<string>();
    const gate = deferred<string>();
    let workSignal: AbortSignal | undefined;
    const leaving = new AbortController();
    const gone = work.run('a', leaving.signal, (signal) => {
      workSignal = signal;
      return gate.promise;
    });
    const staying = work.run('a', new AbortController().signal, () =>
      Promise.reject(new Error('not started')),
    );
    leaving.abort(new Error('client gone'));
    await expect(gone).rejects.toThrow('client gone');
    expect(workSignal?.aborted).toBe(false);
    gate.resolve('done');
    expect(await staying).toBe('done');
  });

  it('aborts the work when every caller has gone away, and starts a new one for the next caller', async () => {
    const work = new SharedWork<string>();
    let workSignal: AbortSignal | undefined;
    const callers = [new AbortController(), new AbortController()];
    const calls = callers.map((caller) =>
      work.run('a', caller.signal, (signal) => {
        workSignal = signal;
        return new Promise<string>(() => undefined);
      }),
    );
    callers[0]?.abort(new Error('first gone'));
    await expect(calls[0]).rejects.toThrow('first gone');
    expect(workSignal?.aborted).toBe(false);
    callers[1]?.abort(new Error('second gone'));
    await expect(calls[1]).rejects.toThrow('second gone');
    expect(workSignal?.aborted).toBe(true);
    expect(workSignal?.reason).toEqual(new Error('second gone'));
    expect(work.size).toBe(0);
    expect(await work.run('a', undefined, async () => 'fresh')).toBe('fresh');
  });

  it('refuses a caller whose signal has already aborted, without starting anything', async () => {
    const work = new SharedWork<string>();
    const caller = new AbortController();
    caller.abort(new Error('too late'));
    let started = false;
    expect(() =>
      work.run('a', caller.signal, async () => {
        started = true;
        return 'x';
      }),
    ).toThrow('too late');
    expect(started).toBe(false);
  });

  it("gives every caller the work's own failure", async () => {
    const work = new SharedWork<string>();
    const start = () => Promise.reject(new Error('broken'));
    const calls = [work.run('a', undefined, start), work.run('a', new AbortController().signal, start)];
    for (const call of calls) await expect(call).rejects.toThrow('broken');
  });
});

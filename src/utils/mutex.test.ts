import { describe, expect, it } from 'vitest';
import { Mutex } from './mutex.js';

describe('Mutex', () => {
  it('runs calls one at a time, in order, and passes results and errors through', async () => {
    const mutex = new Mutex();
    const order: string[] = [];
    let inside = 0;
    const task = (name: string, fail = false) =>
      mutex.run(async () => {
        inside++;
        expect(inside).toBe(1);
        await Promise.resolve();
        order.push(name);
        inside--;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a'), task('b', true), task('c')]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'c' });
  });
});

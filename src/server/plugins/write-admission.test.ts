import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { writeAdmission } from './write-admission.js';

/** A gate the handlers wait on, opened by the test. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('writeAdmission', () => {
  let app: FastifyInstance;
  afterEach(() => app.close());

  /** An app with the plugin alone: a queued write route that waits on `held`, a read route, and a parser that counts bodies read. */
  async function mount(maxBytesInFlight: number, held: Promise<void>, maxInFlight?: number) {
    const seen = { inFlight: 0, most: 0, order: [] as number[], parsed: 0 };
    app = Fastify();
    await app.register(writeAdmission, { maxBytesInFlight, ...(maxInFlight ? { maxInFlight } : {}) });
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      seen.parsed++;
      try {
        done(null, JSON.parse(body as string));
      } catch (error) {
        done(Object.assign(error as Error, { statusCode: 400 }), undefined);
      }
    });
    app.post('/write', { config: { queuedWrite: true } }, async (request) => {
      seen.inFlight++;
      seen.most = Math.max(seen.most, seen.inFlight);
      seen.order.push((request.body as { n: number }).n);
      await held;
      seen.inFlight--;
      return { ok: true };
    });
    app.post('/read', async () => ({ read: true }));
    return seen;
  }

  /** A write of `n` whose body is `size` bytes long. */
  const write = (n: number, size = 100) => {
    const text = JSON.stringify({ n, pad: '' });
    return app.inject({
      method: 'POST',
      url: '/write',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ n, pad: 'x'.repeat(Math.max(0, size - text.length)) }),
    });
  };

  it('handles the writes whose bodies fit in maxBytesInFlight at once, in arrival order, reading no body of the others meanwhile', async () => {
    const { wait, open } = gate();
    // Bodies of 100 bytes, 250 in flight: two at a time.
    const seen = await mount(250, wait);
    const answers = Array.from({ length: 8 }, (_, n) => write(n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.inFlight).toBe(2);
    expect(seen.parsed).toBe(2);
    // A request that is not a queued write is not held behind them.
    const read = await app.inject({
      method: 'POST',
      url: '/read',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(read.json()).toEqual({ read: true });
    open();
    const done = await Promise.all(answers);
    expect(done.map((r) => r.statusCode)).toEqual(Array(8).fill(200));
    expect(seen.most).toBe(2);
    expect(seen.order).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('lets a body larger than the budget go alone, and a smaller one after it wait its turn', async () => {
    const { wait, open } = gate();
    const seen = await mount(250, wait);
    const answers = [write(0, 100), write(1, 1000), write(2, 10)];
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The large one waits for the first; the small one does not pass it.
    expect(seen.order).toEqual([0]);
    open();
    await Promise.all(answers);
    expect(seen.order).toEqual([0, 1, 2]);
    expect(seen.most).toBe(1);
  });

  it('admits no more than maxInFlight small writes at once', async () => {
    const { wait, open } = gate();
    const seen = await mount(1_000_000, wait, 3);
    const answers = Array.from({ length: 10 }, (_, n) => write(n, 20));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.inFlight).toBe(3);
    open();
    await Promise.all(answers);
    expect(seen.most).toBe(3);
  });

  it('gives the place back when a request fails before its handler', async () => {
    const seen = await mount(1, Promise.resolve());
    const bad = await app.inject({
      method: 'POST',
      url: '/write',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(bad.statusCode).toBe(400);
    expect((await write(1)).statusCode).toBe(200);
    expect(seen.order).toEqual([1]);
  });

  it('gives the place back when the client goes away, waiting or being served', async () => {
    const { wait, open } = gate();
    const seen = await mount(1, wait);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const post = async (n: number) => {
      const socket = connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      const body = JSON.stringify({ n });
      socket.write(
        `POST /write HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      return socket;
    };
    // The first holds the place; the second waits for it, and leaves; then the first leaves too.
    const served = await post(0);
    (await post(1)).destroy();
    await new Promise((resolve) => setTimeout(resolve, 30));
    served.destroy();
    await new Promise((resolve) => setTimeout(resolve, 30));
    open();
    const answer = await fetch(`http://127.0.0.1:${port}/write`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 2 }),
    });
    expect(answer.status).toBe(200);
    // The second client's body was never read: it left before it had a place.
    expect(seen.order).toEqual([0, 2]);
  });
});

import type { FastifyPluginAsync } from 'fastify';
import { sharedContext } from './shared-context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A write to the store whose body is read whole (JSON): it waits for a place among the writes in flight. */
    queuedWrite?: boolean;
  }
}

/** Options of {@link writeAdmission}. */
export interface WriteAdmissionOptions {
  /** Writes whose bodies are read and handled at once; the others wait, in arrival order (default 16). */
  maxInFlight?: number;
}

/** A FIFO of places: `acquire` resolves in the order it was called once a place is free. */
class Places {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(count: number) {
    this.#free = count;
  }

  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/** A request's claim on a place: waiting for one, holding one, or done with it. */
interface Ticket {
  holding: boolean;
  /** Answered, or left by its client. */
  done: boolean;
}

/**
 * Bounds the write requests in flight: a route marked `config.queuedWrite` (the JSON writes of
 * the protocol tables and OTLP ingest) takes one of `maxInFlight` places before its body is
 * read, and gives it back once its answer is sent (or the client goes away). Requests past the
 * bound wait in arrival order with their bodies unread, so TCP holds them back (backpressure:
 * memory stays bounded whatever the number of connections), and each connection is served in
 * its turn, rather than whichever the event loop reads first. The store's single SQLite writer
 * then takes at most `maxInFlight` writes in a group, and the loop turns between groups, so
 * new connections are accepted and answers go out while writes are queued. Reads, and the
 * artifact service's streamed uploads, are not held.
 */
export const writeAdmission: FastifyPluginAsync<WriteAdmissionOptions> = sharedContext(
  async (app, { maxInFlight = 16 }) => {
    const places = new Places(maxInFlight);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config?.queuedWrite !== true) return;
      const ticket: Ticket = { holding: false, done: false };
      // The response closes once it is sent, or when its connection ends first (the client
      // left, whether it was waiting or being served): either way the place is given back.
      reply.raw.once('close', () => {
        ticket.done = true;
        if (ticket.holding) {
          ticket.holding = false;
          places.release();
        }
      });
      const waiting = places.acquire();
      if (waiting) await waiting;
      ticket.holding = true;
      if (ticket.done) {
        // Its client left while it waited: the place goes to the next one, and nothing is read.
        ticket.holding = false;
        places.release();
        reply.hijack();
        request.raw.destroy();
      }
    });
  },
  'agentrack-write-admission',
);

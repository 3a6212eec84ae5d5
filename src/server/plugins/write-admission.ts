import type { FastifyPluginAsync } from 'fastify';
import { sharedContext } from './shared-context.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A write to the store whose body is read whole (JSON): it waits for its turn among the writes in flight. */
    queuedWrite?: boolean;
  }
}

/** Options of {@link writeAdmission}. */
export interface WriteAdmissionOptions {
  /**
   * The request bodies (by `Content-Length`) read and handled at once, in bytes (default
   * 64 KiB): a write past it waits until the writes before it are answered. A body larger than
   * the whole goes alone.
   */
  maxBytesInFlight?: number;
  /** The most writes handled at once, however small (default 64, the SQLite writer's largest group). */
  maxInFlight?: number;
}

/** What a write without a `Content-Length` (a chunked body) counts as. */
const UNKNOWN_SIZE = 16 * 1024;

interface Waiter {
  bytes: number;
  admit: () => void;
}

/**
 * A FIFO in front of the writes: each asks for its body's bytes, and is admitted in arrival
 * order once the writes in flight leave room for it (or none are in flight); a later, smaller
 * write never passes an earlier one.
 */
class Budget {
  #bytes = 0;
  #count = 0;
  readonly #waiting: Waiter[] = [];

  constructor(
    readonly maxBytes: number,
    readonly maxCount: number,
  ) {}

  acquire(bytes: number): Promise<void> | undefined {
    if (this.#waiting.length === 0 && this.#fits(bytes)) {
      this.#take(bytes);
      return undefined;
    }
    return new Promise((admit) => this.#waiting.push({ bytes, admit }));
  }

  release(bytes: number): void {
    this.#bytes -= bytes;
    this.#count--;
    for (let next = this.#waiting[0]; next && this.#fits(next.bytes); next = this.#waiting[0]) {
      this.#waiting.shift();
      this.#take(next.bytes);
      next.admit();
    }
  }

  #fits(bytes: number): boolean {
    return this.#count === 0 || (this.#count < this.maxCount && this.#bytes + bytes <= this.maxBytes);
  }

  #take(bytes: number): void {
    this.#bytes += bytes;
    this.#count++;
  }
}

/** A request's claim: waiting for its turn, holding it, or done. */
interface Ticket {
  holding: boolean;
  /** Answered, or left by its client. */
  done: boolean;
}

/**
 * Bounds the write requests in flight: a route marked `config.queuedWrite` (the JSON writes of
 * the protocol tables and OTLP ingest) waits for its turn before its body is read, and gives it
 * back once its answer is sent (or its client goes away). Writes are admitted in arrival order
 * while the bodies in flight stay under `maxBytesInFlight` (and their number under
 * `maxInFlight`): a few large log-batches at a time, or many small writes, which the SQLite
 * writer then commits together. The others wait with their bodies unread, so TCP holds them back
 * (backpressure: memory stays bounded whatever the number of connections), and every connection
 * is served in its turn rather than whichever the event loop reads first. Reads, and the
 * artifact service's streamed uploads, are not held.
 */
export const writeAdmission: FastifyPluginAsync<WriteAdmissionOptions> = sharedContext(
  async (app, { maxBytesInFlight = 64 * 1024, maxInFlight = 64 }) => {
    const budget = new Budget(maxBytesInFlight, maxInFlight);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config?.queuedWrite !== true) return;
      const length = Number(request.headers['content-length']);
      const bytes = Number.isFinite(length) && length >= 0 ? length : UNKNOWN_SIZE;
      const ticket: Ticket = { holding: false, done: false };
      // The response closes once it is sent, or when its connection ends first (the client
      // left, whether it was waiting or being served): either way its turn is given back.
      reply.raw.once('close', () => {
        ticket.done = true;
        if (ticket.holding) {
          ticket.holding = false;
          budget.release(bytes);
        }
      });
      const waiting = budget.acquire(bytes);
      if (waiting) await waiting;
      ticket.holding = true;
      if (ticket.done) {
        // Its client left while it waited: the turn goes to the next one, and nothing is read.
        ticket.holding = false;
        budget.release(bytes);
        reply.hijack();
        request.raw.destroy();
      }
    });
  },
  'agentrack-write-admission',
);

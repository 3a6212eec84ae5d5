/** The kinds of object a copy reports progress on. */
export const PROGRESS_KINDS = [
  'experiments',
  'runs',
  'logged models',
  'traces',
  'registered models',
  'artifact files',
] as const;
/** One of {@link PROGRESS_KINDS}. */
export type ProgressKind = (typeof PROGRESS_KINDS)[number];

/** Where a copy (or a verification) is: per kind, how many are done, of how many when known, and how fast. */
export interface ProgressSnapshot {
  /** `copy` while copying, `verify` while counting for the verification. */
  phase: 'copy' | 'verify';
  kinds: { kind: ProgressKind; done: number; total?: number; perSecond: number }[];
  /** Milliseconds since the phase began. */
  elapsedMs: number;
}

/** Counts per kind, with the rate since the start; what the CLI prints. */
export class ProgressCounter {
  readonly #done = new Map<ProgressKind, number>();
  readonly #totals = new Map<ProgressKind, number>();
  readonly #now: () => number;
  #phase: 'copy' | 'verify' = 'copy';
  #start: number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
    this.#start = now();
  }

  /** Starts a phase: counts start again from 0. */
  phase(phase: 'copy' | 'verify'): void {
    this.#phase = phase;
    this.#done.clear();
    this.#totals.clear();
    this.#start = this.#now();
  }

  total(kind: ProgressKind, total: number): void {
    this.#totals.set(kind, total);
  }

  add(kind: ProgressKind, count = 1): void {
    this.#done.set(kind, (this.#done.get(kind) ?? 0) + count);
  }

  set(kind: ProgressKind, done: number): void {
    this.#done.set(kind, done);
  }

  done(kind: ProgressKind): number {
    return this.#done.get(kind) ?? 0;
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Math.max(1, this.#now() - this.#start);
    return {
      phase: this.#phase,
      elapsedMs,
      kinds: PROGRESS_KINDS.filter((kind) => this.#done.has(kind) || this.#totals.has(kind)).map((kind) => {
        const done = this.#done.get(kind) ?? 0;
        const total = this.#totals.get(kind);
        return {
          kind,
          done,
          ...(total !== undefined ? { total } : {}),
          perSecond: Math.round((done * 1000) / elapsedMs),
        };
      }),
    };
  }
}

/** A snapshot as one line: `copy: experiments 3/3, runs 1,200/5,000 (850/s), ...`. */
export function formatProgress(snapshot: ProgressSnapshot): string {
  const parts = snapshot.kinds.map(({ kind, done, total, perSecond }) => {
    const count =
      total !== undefined
        ? `${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')}`
        : done.toLocaleString('en-US');
    return `${kind} ${count}${perSecond > 0 && done > 1 ? ` (${perSecond.toLocaleString('en-US')}/s)` : ''}`;
  });
  return `${snapshot.phase}: ${parts.length > 0 ? parts.join(', ') : 'starting'} [${(snapshot.elapsedMs / 1000).toFixed(1)} s]`;
}

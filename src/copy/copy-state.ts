import { appendFileSync, closeSync, existsSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import { AgentrackError } from '../errors.js';
import { IdMap, MAPPED_KINDS, type MappedKind } from './id-map.js';

/** The kinds of object whose progress a state file records, beside the mapped ones. */
export type StepKind = MappedKind | 'links' | 'experiment-done' | 'registered-model' | 'trace';

/** One line of a state file. */
type Entry =
  | { t: 'copy'; from: string; to: string }
  | { t: 'intent'; kind: StepKind; id: string }
  | { t: 'map'; kind: MappedKind; id: string; to: string }
  | { t: 'done'; kind: StepKind; id: string };

/**
 * What a copy to a REST target has done, in a journal file: one JSON line per step, appended
 * and flushed to disk before the step after it begins, so an interrupted copy finds, when run
 * again, every id it mapped and every object it finished. A REST target cannot keep the
 * source's ids, so this mapping is the only record of which target object is which source
 * object; it lives beside the caller (`--state FILE`), not in the target, whose API has no
 * place for it.
 *
 * Each object goes through `intent` (about to be created), `map` (created: the target's id) and
 * `done` (everything of it written). An object with an intent and no mapping may have been
 * created just before the interruption: the copy finds it in the target by a marker tag.
 */
export class CopyState {
  readonly path: string;
  readonly ids = new IdMap();
  readonly #intents = new Set<string>();
  readonly #done = new Set<string>();
  #fd: number | undefined;

  private constructor(path: string) {
    this.path = path;
  }

  /**
   * Opens (or starts) the state file of a copy from `from` to `to`. A file written by a copy of
   * other stores is refused, naming both.
   */
  static open(path: string, from: string, to: string): CopyState {
    const state = new CopyState(path);
    if (existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      let header = true;
      for (const [index, line] of lines.entries()) {
        if (line.trim() === '') continue;
        let entry: Entry;
        try {
          entry = JSON.parse(line) as Entry;
        } catch {
          // Only the last line can be cut short (the copy was killed while writing it).
          if (index >= lines.length - 2) break;
          throw new AgentrackError(
            'INVALID_STATE',
            `The copy state file ${path} is damaged at line ${index + 1}.`,
          );
        }
        if (header) {
          header = false;
          if (entry.t !== 'copy' || entry.from !== from || entry.to !== to) {
            const described = entry.t === 'copy' ? ` from ${entry.from} to ${entry.to}` : '';
            throw new AgentrackError(
              'INVALID_STATE',
              `The copy state file ${path} belongs to another copy${described}; give another --state file for a copy from ${from} to ${to}.`,
            );
          }
          continue;
        }
        state.#apply(entry);
      }
    }
    state.#fd = openSync(path, 'a');
    if (readFileSync(path, 'utf8').trim() === '') state.#write({ t: 'copy', from, to });
    return state;
  }

  #apply(entry: Entry): void {
    if (entry.t === 'intent') this.#intents.add(key(entry.kind, entry.id));
    else if (entry.t === 'map' && (MAPPED_KINDS as readonly string[]).includes(entry.kind)) {
      this.ids.set(entry.kind, entry.id, entry.to);
    } else if (entry.t === 'done') this.#done.add(key(entry.kind, entry.id));
  }

  #write(entry: Entry): void {
    if (this.#fd === undefined) throw new AgentrackError('INVALID_STATE', 'The copy state file is closed.');
    appendFileSync(this.#fd, `${JSON.stringify(entry)}\n`);
    fsyncSync(this.#fd);
    this.#apply(entry);
  }

  /** Records that an object is about to be created in the target. */
  intend(kind: StepKind, id: string): void {
    if (!this.intended(kind, id)) this.#write({ t: 'intent', kind, id });
  }

  /** True when an object's creation was begun (it may exist in the target without a mapping). */
  intended(kind: StepKind, id: string): boolean {
    return this.#intents.has(key(kind, id));
  }

  /** Records the target's id of a source object. */
  map(kind: MappedKind, id: string, to: string): void {
    this.#write({ t: 'map', kind, id, to });
  }

  /** Records that everything of an object was written. */
  finish(kind: StepKind, id: string): void {
    this.#write({ t: 'done', kind, id });
  }

  /** True when an object was finished. */
  isDone(kind: StepKind, id: string): boolean {
    return this.#done.has(key(kind, id));
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function key(kind: StepKind, id: string): string {
  return `${kind}\u0000${id}`;
}

/** The kinds of id a copy maps from the source's to the target's. */
export const MAPPED_KINDS = ['experiment', 'run', 'model', 'version'] as const;
/** One of {@link MAPPED_KINDS}; a version's key is `<registered model name>/<number>`. */
export type MappedKind = (typeof MAPPED_KINDS)[number];

/**
 * The target's id of each object a copy wrote, by its id in the source: empty when the target
 * keeps ids (a SQL store), where every id maps to itself. Ids a copy did not write map to
 * themselves too (a reference to something outside the copy stays as it was).
 */
export class IdMap {
  readonly #maps: Record<MappedKind, Map<string, string>> = {
    experiment: new Map(),
    run: new Map(),
    model: new Map(),
    version: new Map(),
  };

  /** Records that the source's `from` is the target's `to`. */
  set(kind: MappedKind, from: string, to: string): void {
    this.#maps[kind].set(from, to);
  }

  /** The target's id of the source's `id`, or `undefined` when the copy has not written it. */
  find(kind: MappedKind, id: string): string | undefined {
    return this.#maps[kind].get(id);
  }

  /** The target's id of the source's `id` (itself when not mapped). */
  get(kind: MappedKind, id: string): string {
    return this.#maps[kind].get(id) ?? id;
  }

  /** The target's number of version `version` of the registered model `name`. */
  version(name: string, version: string): string {
    return this.get('version', `${name}/${version}`);
  }

  /**
   * An artifact or model URI with the ids in it mapped: `runs:/<run_id>/...`,
   * `models:/<model_id>`, and the experiment and run segments of
   * `mlflow-artifacts:/<experiment_id>/<run_id>/artifacts/...` (or `.../models/<model_id>/...`).
   * Run and model ids are unique random strings, so any path segment equal to one is that id.
   */
  rewriteUri(uri: string): string {
    if (uri === '') return uri;
    const segments = uri.split('/');
    const proxied = /^mlflow-artifacts:$/.exec(segments[0] ?? '') !== null;
    return segments
      .map((segment, i) => {
        if (proxied && i === 1) return this.get('experiment', segment);
        const run = this.#maps.run.get(segment);
        if (run !== undefined) return run;
        return this.#maps.model.get(segment) ?? segment;
      })
      .join('/');
  }

  /** Every mapping, for a state file. */
  entries(): [MappedKind, string, string][] {
    return MAPPED_KINDS.flatMap((kind) =>
      [...this.#maps[kind]].map(([from, to]): [MappedKind, string, string] => [kind, from, to]),
    );
  }
}

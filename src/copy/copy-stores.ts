import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { createArtifactLocator } from '../artifacts/artifact-locator.js';
import { openArtifactRepository } from '../artifacts/artifact-registry.js';
import { invalidParameter } from '../errors.js';
import { openStore, type OpenStoreOptions } from '../store/open-store.js';
import { SqlTrackingStore } from '../store/sql/sql-store.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { parseTrackingUri, type TrackingTarget } from '../store/tracking-uri.js';
import { ArtifactAccess } from './artifact-access.js';
import { ProgressCounter, type ProgressKind, type ProgressSnapshot } from './copy-progress.js';
import { CopyState } from './copy-state.js';
import type { MappedKind } from './id-map.js';
import type { CopyTarget, TargetArtifacts } from './copy-target.js';
import { RestCopyTarget } from './rest-copy-target.js';
import { SqlCopyTarget } from './sql-copy-target.js';
import { StoreReader } from './store-reader.js';
import { compareTallies, tallyStore, type VerifyRow } from './verify.js';

/** A step a copy has just finished, for {@link CopyOptions.onStep}. */
export interface CopyStep {
  kind: ProgressKind;
  /** How many of that kind are done so far. */
  done: number;
  /**
   * Set when an object was just created in a target that cannot keep ids, before its new id
   * is in the state file (the narrowest window an interruption can hit).
   */
  created?: MappedKind;
}

/** Pages of runs written at once to a target that keeps ids (a SQL store). */
const WRITE_CONCURRENCY = 4;

/** The progress kind of each kind of object a REST target creates. */
const CREATED_KINDS: Record<MappedKind, ProgressKind> = {
  experiment: 'experiments',
  run: 'runs',
  model: 'logged models',
  version: 'registered models',
};

/** Options of {@link copyStores} and {@link verifyStores}. */
export interface CopyOptions {
  /** The tracking URI copied from: a SQLite file, an agentrack or MLflow server, any store agentrack opens. */
  from: string;
  /** The tracking URI copied to. */
  to: string;
  /**
   * The state file of a copy to a target that cannot keep ids (a tracking server), holding the
   * id mapping and what is done; default {@link defaultStatePath}. A SQL target needs none.
   */
  statePath?: string;
  /** How the stores are opened (environment, retries, artifact root of a new database). */
  storeOptions?: OpenStoreOptions;
  /**
   * Where FROM keeps the artifacts of `mlflow-artifacts:` URIs (a folder, `file:` or `s3:` URI):
   * what `agentrack server --artifacts-destination` serves for it. Default: the folder beside a
   * SQLite file, a server's artifact service. A database that is not a file (PostgreSQL) needs it.
   */
  fromArtifacts?: string;
  /** {@link fromArtifacts} for TO. */
  toArtifacts?: string;
  /** Called with the progress after every page written (and counted, while verifying). */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** Called after every step; what it throws ends the copy there (how tests interrupt one). */
  onStep?: (step: CopyStep) => void;
  /** Runs per page read from the source and written to the target (one transaction on a SQL target); default 1,000. */
  pageSize?: number;
  /** Skip the verification at the end. */
  noVerify?: boolean;
  /** The clock, for rates and deletion times; default `Date.now`. */
  now?: () => number;
}

/** What {@link copyStores} did. */
export interface CopyResult {
  /** Objects written this time, per kind (an interrupted copy's earlier work is not counted). */
  written: Record<ProgressKind, number>;
  /** The state file used, for a target that cannot keep ids. */
  statePath?: string;
  /** True when the target keeps the source's ids. */
  keepsIds: boolean;
  /** The verification, side by side; absent with `noVerify`. */
  verification?: VerifyRow[];
}

/** The state file used by default for a copy from `from` to `to`: in the working folder, named after both. */
export function defaultStatePath(from: string, to: string, cwd: string = process.cwd()): string {
  const hash = createHash('sha256').update(`${from}\n${to}`).digest('hex').slice(0, 12);
  return resolve(cwd, `agentrack-copy-${hash}.state`);
}

/** What a tracking target names, for telling two URIs of one store apart from two stores. */
function identity(target: TrackingTarget): string {
  if (target.kind === 'sqlite' && target.path !== ':memory:' && existsSync(target.path)) {
    return `sqlite:${realpathSync(target.path)}`;
  }
  return `${target.kind}:${target.kind === 'sqlite' ? target.path : target.path.toLowerCase()}`;
}

/** One end of a copy, opened: its store, how its artifacts are reached, and the URI it names (for the state file). */
export interface CopyEndpoint {
  uri: string;
  store: TrackingStore;
  artifacts: ArtifactAccess;
}

/** Options of {@link copyBetween} and {@link verifyBetween}: those of {@link copyStores} but the stores. */
export type CopyBetweenOptions = Omit<
  CopyOptions,
  'from' | 'to' | 'storeOptions' | 'fromArtifacts' | 'toArtifacts'
>;

interface Session {
  source: TrackingStore;
  target: TrackingStore;
  reader: StoreReader;
  targetReader: StoreReader;
  sourceArtifacts: ArtifactAccess;
  targetArtifacts: ArtifactAccess;
  writer: CopyTarget;
  progress: ProgressCounter;
  statePath?: string;
}

/** The writer for `to`: a SQL store's import surface, or the API with a state file. */
function sessionOf(
  from: CopyEndpoint,
  to: CopyEndpoint,
  options: CopyBetweenOptions,
  mode: 'copy' | 'verify',
): Session {
  const progress = new ProgressCounter(options.now);
  const artifacts: TargetArtifacts = {
    source: from.artifacts,
    target: to.artifacts,
    copied: (totals) => progress.add('artifact files', totals.files),
  };
  let writer: CopyTarget;
  let statePath: string | undefined;
  if (to.store instanceof SqlTrackingStore) {
    writer = new SqlCopyTarget(to.store.importer, artifacts, options.now);
  } else {
    statePath = resolve(options.statePath ?? defaultStatePath(from.uri, to.uri));
    if (mode === 'verify' && !existsSync(statePath)) {
      throw invalidParameter(
        `No copy state file at ${statePath}: verifying a copy to a tracking server needs the id mapping its copy wrote (--state).`,
      );
    }
    const onStep = options.onStep;
    writer = new RestCopyTarget(
      to.store,
      CopyState.open(statePath, from.uri, to.uri),
      artifacts,
      onStep &&
        ((kind) =>
          onStep({ kind: CREATED_KINDS[kind], done: progress.done(CREATED_KINDS[kind]), created: kind })),
    );
  }
  return {
    source: from.store,
    target: to.store,
    reader: new StoreReader(from.store),
    targetReader: new StoreReader(to.store),
    sourceArtifacts: from.artifacts,
    targetArtifacts: to.artifacts,
    writer,
    progress,
    ...(statePath !== undefined ? { statePath } : {}),
  };
}

/** The artifacts of the store `target` names: `mlflow-artifacts:` URIs in `destination` when given, else where a client finds them. */
async function artifactsOf(
  target: TrackingTarget,
  destination: string | undefined,
  options: OpenStoreOptions,
): Promise<ArtifactAccess> {
  if (destination === undefined) return ArtifactAccess.forTarget(target, options);
  const repository = await openArtifactRepository(destination, {
    ...(options.env ? { env: options.env } : {}),
  });
  return new ArtifactAccess(
    createArtifactLocator({ proxied: repository, ...(options.env ? { env: options.env } : {}) }),
    () => repository.close(),
  );
}

/** Opens both ends of a copy by their URIs, runs `fn`, and closes them. */
async function withEndpoints<T>(
  options: CopyOptions,
  mode: 'copy' | 'verify',
  fn: (from: CopyEndpoint, to: CopyEndpoint) => Promise<T>,
): Promise<T> {
  const env = options.storeOptions?.env ?? process.env;
  const from = parseTrackingUri(options.from);
  const to = parseTrackingUri(options.to);
  if (identity(from) === identity(to)) {
    throw invalidParameter(
      `FROM and TO are the same store (${options.from}): a copy needs two different stores.`,
    );
  }
  if (to.kind === 'sqlite' && to.path === ':memory:') {
    throw invalidParameter('TO is an in-memory database, which would be gone when the copy ends.');
  }
  const storeOptions: OpenStoreOptions = { ...options.storeOptions, env };
  const opened: { close(): Promise<void> }[] = [];
  try {
    const source = await openStore(from, { ...storeOptions, mode: 'read' });
    opened.push(source);
    const target = await openStore(to, { ...storeOptions, mode: mode === 'copy' ? 'write' : 'read' });
    opened.push(target);
    const sourceArtifacts = await artifactsOf(from, options.fromArtifacts, storeOptions);
    opened.push(sourceArtifacts);
    const targetArtifacts = await artifactsOf(to, options.toArtifacts, storeOptions);
    opened.push(targetArtifacts);
    return await fn(
      { uri: options.from, store: source, artifacts: sourceArtifacts },
      { uri: options.to, store: target, artifacts: targetArtifacts },
    );
  } finally {
    // Artifacts first: a server's artifact repository shares the store's HTTP settings.
    for (const resource of opened.reverse()) await resource.close().catch(() => undefined);
  }
}

/**
 * Copies everything a store holds into another (see `agentrack copy`): experiments with their
 * tags, runs with every metric value, params, tags and datasets, their artifacts, logged
 * models with theirs, traces with their spans and assessments, and the model registry;
 * deleted experiments and runs as deleted. A SQL target keeps every id; a tracking server
 * gives new ones, mapped in the state file. Run again after an interruption with the same
 * FROM and TO (and state file), it continues without duplicating anything. Ends with
 * {@link verifyStores}' comparison unless `noVerify`.
 *
 * @example
 * const result = await copyStores({ from: 'sqlite:///old.db', to: 'sqlite:///new.db' });
 * console.log(result.verification?.every((row) => row.equal));
 */
export async function copyStores(options: CopyOptions): Promise<CopyResult> {
  return withEndpoints(options, 'copy', (from, to) => copyBetween(from, to, options));
}

/**
 * Compares two stores a copy went between, without writing anything: counts and a checksum
 * per kind of object, each computed from what its store returns (see {@link tallyStore}), with
 * the source's ids mapped to the target's (the state file's mapping for a tracking server).
 */
export async function verifyStores(options: CopyOptions): Promise<VerifyRow[]> {
  return withEndpoints(options, 'verify', (from, to) => verifyBetween(from, to, options));
}

/** {@link copyStores} between stores already open (which it leaves open). */
export async function copyBetween(
  from: CopyEndpoint,
  to: CopyEndpoint,
  options: CopyBetweenOptions = {},
): Promise<CopyResult> {
  const session = sessionOf(from, to, options, 'copy');
  try {
    const written = await copyAll(session, options);
    const result: CopyResult = {
      written,
      keepsIds: session.writer.keepsIds,
      ...(session.statePath !== undefined ? { statePath: session.statePath } : {}),
    };
    if (!options.noVerify) result.verification = await verifySession(session, options);
    return result;
  } finally {
    await session.writer.close();
  }
}

/** {@link verifyStores} between stores already open (which it leaves open). */
export async function verifyBetween(
  from: CopyEndpoint,
  to: CopyEndpoint,
  options: CopyBetweenOptions = {},
): Promise<VerifyRow[]> {
  const session = sessionOf(from, to, options, 'verify');
  try {
    return await verifySession(session, options);
  } finally {
    await session.writer.close();
  }
}

async function copyAll(session: Session, options: CopyBetweenOptions): Promise<Record<ProgressKind, number>> {
  const { reader, writer, progress } = session;
  const written: Record<ProgressKind, number> = {
    experiments: 0,
    runs: 0,
    'logged models': 0,
    traces: 0,
    'registered models': 0,
    'artifact files': 0,
  };
  progress.phase('copy');
  if (session.source instanceof SqlTrackingStore) {
    const counts = await session.source.importer.counts();
    progress.total('runs', counts.runs);
    progress.total('logged models', counts.loggedModels);
    progress.total('traces', counts.traces);
    progress.total('registered models', counts.registeredModels);
  }
  const experiments = await reader.experiments();
  progress.total('experiments', experiments.length);
  await writer.check(experiments);
  const report = (): void => options.onProgress?.(progress.snapshot());
  const step = (kind: ProgressKind): void => {
    report();
    options.onStep?.({ kind, done: progress.done(kind) });
  };
  report();
  // Runs first, everywhere: a logged model, a trace or a version may refer to a run of
  // another experiment, which must be there (and mapped) before it.
  const deleted = new Map<string, string[]>();
  for (const experiment of experiments) {
    const id = experiment.experiment_id;
    await writer.experiment(experiment);
    written.experiments += 1;
    progress.add('experiments');
    step('experiments');
    const gone: string[] = [];
    // Pages go in as concurrent transactions on a SQL target (PostgreSQL writes them in
    // parallel; SQLite queues them); each is whole or absent, so a resume finds what is missing.
    const limit = writer.keepsIds ? WRITE_CONCURRENCY : 1;
    const writing = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    for await (const page of readAhead(reader.runs(id, options.pageSize))) {
      for (const run of page) if (run.info.lifecycle_stage === 'deleted') gone.push(run.info.run_id);
      const write: Promise<void> = writer
        .runs(experiment, page)
        .then((count) => {
          written.runs += count;
          progress.add('runs', page.length);
          step('runs');
        })
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => writing.delete(write));
      writing.add(write);
      if (writing.size >= limit) await Promise.race(writing);
      if (failure) break;
    }
    await Promise.all(writing);
    if (failure) throw failure.error;
    deleted.set(id, gone);
  }
  const runIdsOf = memoize((experimentId: string) => reader.runIds(experimentId));
  for (const experiment of experiments) {
    const models = await reader.loggedModels(experiment.experiment_id);
    if (models.length === 0) continue;
    written['logged models'] += await writer.loggedModels(experiment, models);
    progress.add('logged models', models.length);
    step('logged models');
    await writer.modelLinks(experiment, await reader.modelLinks(await runIdsOf(experiment.experiment_id)));
  }
  for (const experiment of experiments) {
    const id = experiment.experiment_id;
    for await (const page of reader.traces(id, () => runIdsOf(id))) {
      written.traces += await writer.traces(experiment, page);
      progress.add('traces', page.length);
      step('traces');
    }
  }
  for (const experiment of experiments) {
    await writer.finishExperiment(experiment, deleted.get(experiment.experiment_id) ?? []);
  }
  for await (const record of reader.registeredModels()) {
    if (await writer.registeredModel(record)) written['registered models'] += 1;
    progress.add('registered models');
    step('registered models');
  }
  written['artifact files'] = progress.done('artifact files');
  report();
  return written;
}

/**
 * The items of `source`, the next one read while the caller works on the current: the source's
 * reads and the target's writes overlap (two databases, or a database and a server, working
 * at once).
 */
async function* readAhead<T>(source: AsyncIterator<T> & AsyncIterable<T>): AsyncGenerator<T> {
  let next = source.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = source.next();
      // A read that fails while the current item is being written is reported by the next await.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await source.return?.(undefined);
  }
}

/** `fn` called once per argument, its promise kept. */
function memoize<T>(fn: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const cache = new Map<string, Promise<T>>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = fn(key);
      cache.set(key, value);
    }
    return value;
  };
}

async function verifySession(session: Session, options: CopyBetweenOptions): Promise<VerifyRow[]> {
  const { progress, writer } = session;
  progress.phase('verify');
  const onProgress = (done: number): void => {
    progress.set('runs', done);
    options.onProgress?.(progress.snapshot());
  };
  const from = await tallyStore(session.reader, {
    artifacts: session.sourceArtifacts,
    ...(writer.keepsIds ? {} : { ids: writer.ids }),
    serverTimes: writer.keepsIds,
    onProgress: (_kind, done) => onProgress(done),
  });
  const to = await tallyStore(session.targetReader, {
    artifacts: session.targetArtifacts,
    serverTimes: writer.keepsIds,
    onProgress: (_kind, done) => onProgress(done),
  });
  return compareTallies(from, to);
}

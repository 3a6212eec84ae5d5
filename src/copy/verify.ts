import { createHash } from 'node:crypto';
import {
  TRACE_ARTIFACT_LOCATION_TAG,
  TRACE_SOURCE_RUN_KEY,
  TRACE_MODEL_ID_KEY,
  metricValueToJson,
  type Experiment,
  type KeyValue,
  type LoggedModel,
} from '../entities/index.js';
import type { RunRecord, TraceRecord } from '../store/import-records.js';
import type { ArtifactAccess } from './artifact-access.js';
import type { IdMap } from './id-map.js';
import type { StoreReader } from './store-reader.js';

/** The kinds of object a verification counts, in the order it prints them. */
export const VERIFY_KINDS = [
  'experiments',
  'runs',
  'metrics',
  'params',
  'tags',
  'datasets',
  'artifact files',
  'artifact bytes',
  'logged models',
  'registered models',
  'versions',
  'aliases',
  'traces',
  'spans',
  'assessments',
] as const;
/** One of {@link VERIFY_KINDS}. */
export type VerifyKind = (typeof VERIFY_KINDS)[number];

/** How many objects of a kind a store holds, and a checksum of them. */
export interface Tally {
  count: number;
  /** 32 hex digits, independent of the order the objects were read in. */
  checksum: string;
}

/** A store's tallies, per kind. */
export type Tallies = Record<VerifyKind, Tally>;

/** The tag a logged model's registrations are listed in: derived by the registry, so not compared. */
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';
/** What a location takes the place of when it is the default one its store derives from ids. */
const DEFAULT_LOCATION = '<default>';
const MOD = 1n << 128n;

/** Options of {@link tallyStore}. */
export interface TallyOptions {
  /** The artifacts of the store read. */
  artifacts: ArtifactAccess;
  /**
   * Maps the store's ids to the target's before hashing (the source side of a copy to a REST
   * target); absent on the target side, and where ids are kept.
   */
  ids?: IdMap;
  /**
   * Compare the times a REST target sets itself (experiments' and registry objects' creation
   * and update times, logged models' too): only where the target keeps them (a SQL target).
   */
  serverTimes: boolean;
  /** Called after each experiment's objects were counted, for progress. */
  onProgress?: (kind: 'runs', done: number) => void;
}

/** Sums of the objects' hashes: order-independent, and a duplicate changes it. */
class Accumulator {
  readonly #sums = new Map<VerifyKind, { count: number; sum: bigint }>();

  add(kind: VerifyKind, value: unknown, weight = 1): void {
    this.addText(kind, canonicalJson(value), weight);
  }

  /**
   * Adds the objects of one owner (a run's metric values, params, ...) already in their
   * canonical texts, with one hash of them all in sorted order: the order they were read in
   * does not matter, a duplicate still changes the sum, and 10 values cost one hash, not 10.
   */
  addGroup(kind: VerifyKind, texts: string[]): void {
    if (texts.length === 0) return;
    this.addText(kind, texts.sort().join('\n'), texts.length);
  }

  /** Adds an object already in its canonical text (a JSON array needs no key sorting). */
  addText(kind: VerifyKind, text: string, weight = 1): void {
    const digest = createHash('sha256').update(text).digest();
    const entry = this.#sums.get(kind) ?? { count: 0, sum: 0n };
    entry.count += weight;
    entry.sum = (entry.sum + BigInt(`0x${digest.subarray(0, 16).toString('hex')}`)) % MOD;
    this.#sums.set(kind, entry);
  }

  tallies(): Tallies {
    const out = {} as Tallies;
    for (const kind of VERIFY_KINDS) {
      const entry = this.#sums.get(kind) ?? { count: 0, sum: 0n };
      out[kind] = { count: entry.count, checksum: entry.sum.toString(16).padStart(32, '0') };
    }
    return out;
  }
}

/**
 * Counts everything a store holds and hashes each object in a canonical form: its JSON with
 * keys sorted, lists in a defined order, ids mapped to the target's (`options.ids`), and
 * locations the store derives from ids (`<experiment location>/<run id>/artifacts`, ...)
 * written as `<default>`, since a REST target derives its own. What a store cannot be told
 * (assessment ids on REST, the version a deleted newest one had) is left out of the forms.
 */
export async function tallyStore(reader: StoreReader, options: TallyOptions): Promise<Tallies> {
  const ids = options.ids;
  const map = (kind: 'experiment' | 'run' | 'model', id: string): string => (ids ? ids.get(kind, id) : id);
  const acc = new Accumulator();
  const locations = new Map<string, string>();
  let runsDone = 0;
  for (const experiment of await reader.experiments()) {
    const id = experiment.experiment_id;
    locations.set(id, experiment.artifact_location);
    acc.add('experiments', experimentForm(experiment, map('experiment', id), options.serverTimes));
    const runIds: string[] = [];
    for await (const page of reader.runs(id)) {
      for (const run of page) {
        runIds.push(run.info.run_id);
        addRun(acc, run, experiment, map);
        for (const file of await options.artifacts.files(run.info.artifact_uri)) {
          acc.add('artifact files', { owner: map('run', run.info.run_id), ...file });
          acc.add('artifact bytes', { owner: map('run', run.info.run_id), ...file }, file.size);
        }
      }
      runsDone += page.length;
      options.onProgress?.('runs', runsDone);
    }
    for (const model of await reader.loggedModels(id)) {
      acc.add('logged models', modelForm(model, experiment, map, options.serverTimes));
      for (const file of await options.artifacts.files(model.info.artifact_uri)) {
        acc.add('artifact files', { owner: map('model', model.info.model_id), ...file });
        acc.add('artifact bytes', { owner: map('model', model.info.model_id), ...file }, file.size);
      }
    }
    for await (const page of reader.traces(id, () => Promise.resolve(runIds))) {
      for (const trace of page) addTrace(acc, trace, experiment, map);
    }
  }
  for await (const record of reader.registeredModels()) {
    const { model, versions } = record;
    acc.add('registered models', {
      name: model.name,
      description: model.description ?? '',
      tags: sortedPairs(model.tags),
      ...(options.serverTimes
        ? {
            creation_timestamp: model.creation_timestamp,
            last_updated_timestamp: model.last_updated_timestamp,
          }
        : {}),
    });
    const number = (version: string): string => (ids ? ids.version(model.name, version) : version);
    for (const v of versions) {
      acc.add('versions', {
        name: v.name,
        version: number(v.version),
        source: ids ? ids.rewriteUri(v.source) : v.source,
        run_id: v.run_id ? map('run', v.run_id) : '',
        model_id: v.model_id ? map('model', v.model_id) : '',
        run_link: v.run_link,
        description: v.description,
        current_stage: v.current_stage,
        status: v.status,
        tags: sortedPairs(v.tags),
        ...(options.serverTimes
          ? { creation_timestamp: v.creation_timestamp, last_updated_timestamp: v.last_updated_timestamp }
          : {}),
      });
    }
    for (const alias of model.aliases ?? []) {
      acc.add('aliases', { name: model.name, alias: alias.alias, version: number(alias.version) });
    }
  }
  return acc.tallies();
}

function addRun(
  acc: Accumulator,
  run: RunRecord,
  experiment: Experiment,
  map: (kind: 'experiment' | 'run' | 'model', id: string) => string,
): void {
  const { info } = run;
  const runId = map('run', info.run_id);
  const defaultUri = `${experiment.artifact_location}/${info.run_id}/artifacts`;
  acc.add('runs', {
    run_id: runId,
    experiment_id: map('experiment', info.experiment_id),
    run_name: info.run_name,
    user_id: info.user_id,
    status: info.status,
    start_time: info.start_time,
    end_time: info.end_time ?? null,
    lifecycle_stage: info.lifecycle_stage,
    artifact_uri: info.artifact_uri === defaultUri ? DEFAULT_LOCATION : info.artifact_uri,
  });
  acc.addGroup(
    'metrics',
    run.metrics.map((m) => JSON.stringify([runId, m.key, metricValueToJson(m.value), m.timestamp, m.step])),
  );
  acc.addGroup(
    'params',
    run.params.map((p) => JSON.stringify([runId, p.key, p.value])),
  );
  acc.addGroup(
    'tags',
    run.tags.map((t) => JSON.stringify([runId, t.key, t.value])),
  );
  acc.addGroup(
    'datasets',
    run.datasets.map((d) => canonicalJson({ run: runId, dataset: d.dataset, tags: sortedPairs(d.tags) })),
  );
}

function addTrace(
  acc: Accumulator,
  trace: TraceRecord,
  experiment: Experiment,
  map: (kind: 'experiment' | 'run' | 'model', id: string) => string,
): void {
  const { info } = trace;
  const metadata: Record<string, string> = { ...info.trace_metadata };
  for (const key of [TRACE_SOURCE_RUN_KEY, TRACE_MODEL_ID_KEY]) {
    const value = metadata[key];
    if (value !== undefined) metadata[key] = map(key === TRACE_SOURCE_RUN_KEY ? 'run' : 'model', value);
  }
  const tags: Record<string, string> = { ...info.tags };
  const location = tags[TRACE_ARTIFACT_LOCATION_TAG];
  if (location === `${experiment.artifact_location}/traces/${info.trace_id}/artifacts`) {
    tags[TRACE_ARTIFACT_LOCATION_TAG] = DEFAULT_LOCATION;
  }
  acc.add('traces', {
    trace_id: info.trace_id,
    experiment_id: map('experiment', experiment.experiment_id),
    client_request_id: info.client_request_id ?? '',
    request_preview: info.request_preview ?? '',
    response_preview: info.response_preview ?? '',
    request_time: info.request_time,
    execution_duration: info.execution_duration ?? '',
    state: info.state,
    metadata,
    tags,
    run_links: trace.runLinks.map((id) => map('run', id)).sort(),
  });
  for (const span of trace.spans) acc.add('spans', span);
  const assessments = info.assessments ?? [];
  const describe = new Map(
    assessments.map((a) => [a.assessment_id, `${a.assessment_name}@${a.create_time}`]),
  );
  for (const a of assessments) {
    const { assessment_id: _id, overrides, run_id, ...rest } = a;
    acc.add('assessments', {
      ...rest,
      overrides: overrides === undefined ? '' : (describe.get(overrides) ?? overrides),
      run_id: run_id === undefined ? '' : map('run', run_id),
    });
  }
}

function experimentForm(experiment: Experiment, id: string, serverTimes: boolean): unknown {
  const location = experiment.artifact_location;
  return {
    experiment_id: id,
    name: experiment.name,
    lifecycle_stage: experiment.lifecycle_stage,
    artifact_location: location.endsWith(`/${experiment.experiment_id}`) ? DEFAULT_LOCATION : location,
    tags: sortedPairs(experiment.tags),
    ...(serverTimes
      ? { creation_time: experiment.creation_time, last_update_time: experiment.last_update_time }
      : {}),
  };
}

function modelForm(
  model: LoggedModel,
  experiment: Experiment,
  map: (kind: 'experiment' | 'run' | 'model', id: string) => string,
  serverTimes: boolean,
): unknown {
  const { info, data } = model;
  const defaultUri = `${experiment.artifact_location}/models/${info.model_id}/artifacts`;
  return {
    model_id: map('model', info.model_id),
    experiment_id: map('experiment', info.experiment_id),
    name: info.name,
    model_type: info.model_type ?? '',
    source_run_id: info.source_run_id ? map('run', info.source_run_id) : '',
    status: info.status,
    artifact_uri: info.artifact_uri === defaultUri ? DEFAULT_LOCATION : info.artifact_uri,
    tags: sortedPairs((info.tags ?? []).filter((t) => t.key !== MODEL_VERSIONS_TAG)),
    params: sortedPairs(data.params),
    metrics: (data.metrics ?? [])
      .map((m) =>
        canonicalJson({
          ...m,
          ...(m.run_id !== undefined ? { run_id: map('run', m.run_id) } : {}),
          model_id: '',
        }),
      )
      .sort(),
    ...(serverTimes
      ? {
          creation_timestamp_ms: info.creation_timestamp_ms,
          last_updated_timestamp_ms: info.last_updated_timestamp_ms,
        }
      : {}),
  };
}

function sortedPairs(pairs: readonly KeyValue[] | undefined): [string, string][] {
  return (pairs ?? [])
    .map((p): [string, string] => [p.key, p.value])
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** JSON with object keys sorted and NaN and ±Infinity as MLflow writes them. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** One row of a comparison: a kind and the two stores' tallies. */
export interface VerifyRow {
  kind: VerifyKind;
  from: Tally;
  to: Tally;
  equal: boolean;
}

/** The two stores' tallies side by side, per kind. */
export function compareTallies(from: Tallies, to: Tallies): VerifyRow[] {
  return VERIFY_KINDS.map((kind) => ({
    kind,
    from: from[kind],
    to: to[kind],
    equal: from[kind].count === to[kind].count && from[kind].checksum === to[kind].checksum,
  }));
}

import {
  RUN_NAME_TAG,
  TRACE_MODEL_ID_KEY,
  TRACE_SOURCE_RUN_KEY,
  type Assessment,
  type Experiment,
  type LoggedModel,
  type Metric,
  type RunTag,
} from '../entities/index.js';
import { AgentrackError, isAgentrackError } from '../errors.js';
import type { RegisteredModelRecord, RunModelLink, RunRecord, TraceRecord } from '../store/import-records.js';
import type { TrackingStore } from '../store/tracking-store.js';
import type { CopyState } from './copy-state.js';
import type { CopyTarget, TargetArtifacts } from './copy-target.js';
import type { IdMap, MappedKind } from './id-map.js';

/**
 * The tag a copy puts on what it creates in a REST target (runs, logged models, model versions)
 * until the object is complete, holding the source's id: an object created just before an
 * interruption, whose new id the state file did not get, is found again by it.
 */
export const COPY_SOURCE_TAG = 'agentrack.copy.source';

/** The tag a logged model's registrations are listed in: the target's registry writes it. */
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

function quoted(value: string): string {
  return `'${value.replaceAll("'", "\\'")}'`;
}

/**
 * Any store as a copy's target through the {@link TrackingStore} API, as a tracking server
 * (agentrack's or MLflow's) is reached: the target gives experiments, runs, logged models,
 * assessments and model versions ids of its own, so the copy maps each source id to the
 * target's ({@link CopyState}, a journal file) and rewrites what refers to them (a version's
 * run and source, a trace's run, a logged model's source run). Trace ids are the client's in
 * MLflow 3, and are kept.
 *
 * A run is complete once its last batch, its datasets, its end and its artifacts are written
 * (its marker tag then removed): a run left incomplete by an interruption is completed on the
 * next copy by writing everything again, which the target takes without duplicates (a param
 * or tag of the same value, a metric value already logged, a dataset already used).
 */
export class RestCopyTarget implements CopyTarget {
  readonly keepsIds = false;
  readonly #store: TrackingStore;
  readonly #state: CopyState;
  readonly #artifacts: TargetArtifacts;
  readonly #onCreated: ((kind: MappedKind) => void) | undefined;

  /**
   * `onCreated` is called when an object was created in the target and before its id is in
   * the state file: what a test interrupts to leave an object only its marker tag finds.
   */
  constructor(
    store: TrackingStore,
    state: CopyState,
    artifacts: TargetArtifacts,
    onCreated?: (kind: MappedKind) => void,
  ) {
    this.#store = store;
    this.#state = state;
    this.#artifacts = artifacts;
    this.#onCreated = onCreated;
  }

  get ids(): IdMap {
    return this.#state.ids;
  }

  async check(experiments: readonly Experiment[]): Promise<void> {
    for (const experiment of experiments) {
      if (this.ids.find('experiment', experiment.experiment_id) !== undefined) continue;
      if (this.#state.intended('experiment', experiment.experiment_id)) continue;
      const there = await this.#store.getExperimentByName(experiment.name);
      if (there !== null && !isDefault(experiment, there)) {
        throw new AgentrackError(
          'RESOURCE_ALREADY_EXISTS',
          `The target already has an experiment named '${experiment.name}' (id ${there.experiment_id}) that this ` +
            `copy did not create (it is not in the state file ${this.#state.path}). Copy into a server without it, ` +
            'or rename one of them.',
        );
      }
    }
  }

  async experiment(experiment: Experiment): Promise<void> {
    const sourceId = experiment.experiment_id;
    let id = this.ids.find('experiment', sourceId);
    if (id === undefined) {
      const there = await this.#store.getExperimentByName(experiment.name);
      if (there !== null && (isDefault(experiment, there) || this.#state.intended('experiment', sourceId))) {
        id = there.experiment_id;
        if (there.lifecycle_stage === 'deleted') await this.#store.restoreExperiment(id);
      } else {
        this.#state.intend('experiment', sourceId);
        const location = experiment.artifact_location;
        id = await this.#store.createExperiment({
          name: experiment.name,
          // A location the source derived from its id is derived again by the target.
          ...(location !== '' && !location.endsWith(`/${sourceId}`) ? { artifactLocation: location } : {}),
        });
      }
      this.#state.map('experiment', sourceId, id);
    }
    if (!this.#state.isDone('experiment', sourceId)) {
      for (const tag of experiment.tags ?? []) await this.#store.setExperimentTag(id, tag.key, tag.value);
      this.#state.finish('experiment', sourceId);
    }
  }

  async runs(experiment: Experiment, runs: readonly RunRecord[]): Promise<number> {
    let written = 0;
    for (const run of runs) {
      if (this.#state.isDone('run', run.info.run_id)) continue;
      await this.#run(experiment, run);
      written += 1;
    }
    return written;
  }

  async #run(experiment: Experiment, run: RunRecord): Promise<void> {
    const sourceId = run.info.run_id;
    const experimentId = this.ids.get('experiment', experiment.experiment_id);
    let id = this.ids.find('run', sourceId);
    if (id === undefined && this.#state.intended('run', sourceId))
      id = await this.#markedRun(experimentId, sourceId);
    if (id === undefined) {
      this.#state.intend('run', sourceId);
      const created = await this.#store.createRun({
        experimentId,
        userId: run.info.user_id,
        startTime: run.info.start_time,
        runName: run.info.run_name,
        tags: [...run.tags.filter((t) => t.key !== RUN_NAME_TAG), { key: COPY_SOURCE_TAG, value: sourceId }],
      });
      id = created.info.run_id;
      this.#onCreated?.('run');
      this.#state.map('run', sourceId, id);
    }
    const tags: RunTag[] = run.tags.filter((t) => t.key !== RUN_NAME_TAG);
    if (run.params.length > 0 || tags.length > 0 || run.metrics.length > 0) {
      await this.#store.logBatch(id, { params: run.params, tags, metrics: run.metrics });
    }
    if (run.datasets.length > 0) await this.#store.logInputs(id, { datasets: run.datasets });
    await this.#store.updateRun(id, {
      status: run.info.status,
      ...(run.info.end_time !== undefined ? { endTime: run.info.end_time } : {}),
    });
    const target = await this.#store.getRun(id);
    this.#artifacts.copied(
      await this.#artifacts.source.copyTree(
        run.info.artifact_uri,
        this.#artifacts.target,
        target.info.artifact_uri,
      ),
    );
    if (target.data.tags?.some((t) => t.key === COPY_SOURCE_TAG))
      await this.#store.deleteTag(id, COPY_SOURCE_TAG);
    this.#state.finish('run', sourceId);
  }

  /** The run of the target experiment created for the source's run `sourceId` before an interruption, if any. */
  async #markedRun(experimentId: string, sourceId: string): Promise<string | undefined> {
    const page = await this.#store.searchRuns({
      experimentIds: [experimentId],
      runViewType: 'ALL',
      filter: `tags.\`${COPY_SOURCE_TAG}\` = ${quoted(sourceId)}`,
      maxResults: 10,
    });
    const found = page.items[0]?.info.run_id;
    if (found !== undefined) this.#state.map('run', sourceId, found);
    return found;
  }

  async loggedModels(experiment: Experiment, models: readonly LoggedModel[]): Promise<number> {
    let written = 0;
    for (const model of models) {
      if (this.#state.isDone('model', model.info.model_id)) continue;
      await this.#model(experiment, model);
      written += 1;
    }
    return written;
  }

  async #model(experiment: Experiment, model: LoggedModel): Promise<void> {
    const { info, data } = model;
    const sourceId = info.model_id;
    const experimentId = this.ids.get('experiment', experiment.experiment_id);
    let id = this.ids.find('model', sourceId);
    if (id === undefined && this.#state.intended('model', sourceId)) {
      const page = await this.#store.searchLoggedModels({
        experimentIds: [experimentId],
        filter: `tags.\`${COPY_SOURCE_TAG}\` = ${quoted(sourceId)}`,
        maxResults: 10,
      });
      id = page.items[0]?.info.model_id;
      if (id !== undefined) this.#state.map('model', sourceId, id);
    }
    if (id === undefined) {
      this.#state.intend('model', sourceId);
      const created = await this.#store.createLoggedModel({
        experimentId,
        name: info.name,
        ...(info.model_type ? { modelType: info.model_type } : {}),
        ...(info.source_run_id ? { sourceRunId: this.ids.get('run', info.source_run_id) } : {}),
        params: data.params ?? [],
        tags: [
          ...(info.tags ?? []).filter((t) => t.key !== MODEL_VERSIONS_TAG),
          { key: COPY_SOURCE_TAG, value: sourceId },
        ],
      });
      id = created.info.model_id;
      this.#onCreated?.('model');
      this.#state.map('model', sourceId, id);
    }
    const modelId = id;
    // A model's metric is a run's metric logged with the model's id.
    const byRun = new Map<string, Metric[]>();
    for (const metric of data.metrics ?? []) {
      if (metric.run_id === undefined) continue;
      const { run_id: runId, ...value } = metric;
      const runMetrics = byRun.get(runId) ?? [];
      runMetrics.push({ ...value, model_id: modelId });
      byRun.set(runId, runMetrics);
    }
    for (const [runId, metrics] of byRun) await this.#store.logBatch(this.ids.get('run', runId), { metrics });
    const target = await this.#store.getLoggedModel(modelId);
    this.#artifacts.copied(
      await this.#artifacts.source.copyTree(
        info.artifact_uri,
        this.#artifacts.target,
        target.info.artifact_uri,
      ),
    );
    if (info.status !== target.info.status && info.status !== 'LOGGED_MODEL_PENDING') {
      await this.#store.finalizeLoggedModel(modelId, info.status);
    }
    if (target.info.tags?.some((t) => t.key === COPY_SOURCE_TAG)) {
      await this.#store.deleteLoggedModelTag(modelId, COPY_SOURCE_TAG);
    }
    this.#state.finish('model', sourceId);
  }

  async modelLinks(experiment: Experiment, links: readonly RunModelLink[]): Promise<void> {
    if (links.length === 0 || this.#state.isDone('links', experiment.experiment_id)) return;
    for (const link of links) {
      const runId = this.ids.get('run', link.runId);
      const modelId = this.ids.get('model', link.modelId);
      if (link.direction === 'input') await this.#store.logInputs(runId, { models: [{ model_id: modelId }] });
      else await this.#store.logOutputs(runId, [{ model_id: modelId, step: link.step }]);
    }
    this.#state.finish('links', experiment.experiment_id);
  }

  async traces(experiment: Experiment, traces: readonly TraceRecord[]): Promise<number> {
    let written = 0;
    for (const trace of traces) {
      if (this.#state.isDone('trace', trace.info.trace_id)) continue;
      await this.#trace(experiment, trace);
      written += 1;
    }
    return written;
  }

  async #trace(experiment: Experiment, trace: TraceRecord): Promise<void> {
    const store = this.#store.traces;
    const { assessments = [], ...info } = trace.info;
    const traceId = info.trace_id;
    const metadata: Record<string, string> = { ...info.trace_metadata };
    const sourceRun = metadata[TRACE_SOURCE_RUN_KEY];
    if (sourceRun !== undefined) metadata[TRACE_SOURCE_RUN_KEY] = this.ids.get('run', sourceRun);
    const model = metadata[TRACE_MODEL_ID_KEY];
    if (model !== undefined) metadata[TRACE_MODEL_ID_KEY] = this.ids.get('model', model);
    await store.startTrace({
      ...info,
      trace_location: {
        type: 'MLFLOW_EXPERIMENT',
        mlflow_experiment: { experiment_id: this.ids.get('experiment', experiment.experiment_id) },
      },
      ...(Object.keys(metadata).length > 0 ? { trace_metadata: metadata } : {}),
    });
    if (trace.spans.length > 0) await store.logSpans(traceId, trace.spans);
    // Assessments get new ids: those of an earlier, interrupted attempt go, and all are made again.
    for (const there of (await store.getTraceInfo(traceId)).assessments ?? []) {
      await store.deleteAssessment(traceId, there.assessment_id);
    }
    const newIds = new Map<string, string>();
    for (const assessment of assessments) {
      const { assessment_id: sourceId, overrides, run_id: runId, ...rest } = assessment;
      const input: Omit<Assessment, 'assessment_id'> = { ...rest };
      if (overrides !== undefined) input.overrides = newIds.get(overrides) ?? overrides;
      if (runId !== undefined) input.run_id = this.ids.get('run', runId);
      const created = await store.createAssessment(input);
      newIds.set(sourceId, created.assessment_id);
      if (assessment.valid === false && created.valid !== false) {
        await store.updateAssessment(traceId, created.assessment_id, { valid: false }, ['valid']);
      }
    }
    for (const runId of trace.runLinks) await store.linkTracesToRun([traceId], this.ids.get('run', runId));
    this.#state.finish('trace', traceId);
  }

  async finishExperiment(experiment: Experiment, deletedRunIds: readonly string[]): Promise<void> {
    const sourceId = experiment.experiment_id;
    if (this.#state.isDone('experiment-done', sourceId)) return;
    for (const runId of deletedRunIds) {
      const id = this.ids.get('run', runId);
      if ((await this.#store.getRun(id)).info.lifecycle_stage !== 'deleted') await this.#store.deleteRun(id);
    }
    if (experiment.lifecycle_stage === 'deleted') {
      const id = this.ids.get('experiment', sourceId);
      if ((await this.#store.getExperiment(id)).lifecycle_stage !== 'deleted')
        await this.#store.deleteExperiment(id);
    }
    this.#state.finish('experiment-done', sourceId);
  }

  async registeredModel(record: RegisteredModelRecord): Promise<boolean> {
    const { model, versions } = record;
    const name = model.name;
    if (this.#state.isDone('registered-model', name)) return false;
    const registry = this.#store.registry;
    let exists = true;
    try {
      await registry.getRegisteredModel(name);
    } catch (error) {
      if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
      exists = false;
    }
    if (exists && !this.#state.intended('registered-model', name)) {
      throw new AgentrackError(
        'RESOURCE_ALREADY_EXISTS',
        `The target already has a registered model named '${name}' that this copy did not create (it is not in ` +
          `the state file ${this.#state.path}).`,
      );
    }
    if (!exists) {
      this.#state.intend('registered-model', name);
      await registry.createRegisteredModel({
        name,
        tags: model.tags ?? [],
        ...(model.description ? { description: model.description } : {}),
      });
    }
    for (const version of versions) {
      const key = `${name}/${version.version}`;
      if (this.ids.find('version', key) !== undefined && this.#state.isDone('version', key)) continue;
      let number = this.ids.find('version', key);
      if (number === undefined && this.#state.intended('version', key)) {
        const source = await registry.searchModelVersions({
          filter: `name = ${quoted(name)}`,
          maxResults: 1000,
        });
        number = source.items.find((v) =>
          v.tags?.some((t) => t.key === COPY_SOURCE_TAG && t.value === version.version),
        )?.version;
        if (number !== undefined) this.#state.map('version', key, number);
      }
      if (number === undefined) {
        this.#state.intend('version', key);
        const created = await registry.createModelVersion({
          name,
          source: this.ids.rewriteUri(version.source),
          ...(version.run_id ? { runId: this.ids.get('run', version.run_id) } : {}),
          tags: [...(version.tags ?? []), { key: COPY_SOURCE_TAG, value: version.version }],
          ...(version.run_link ? { runLink: version.run_link } : {}),
          ...(version.description ? { description: version.description } : {}),
          ...(version.model_id ? { modelId: this.ids.get('model', version.model_id) } : {}),
        });
        number = created.version;
        this.#onCreated?.('version');
        this.#state.map('version', key, number);
      }
      const there = await registry.getModelVersion(name, number);
      if (version.current_stage !== there.current_stage) {
        await registry.transitionModelVersionStage(name, number, version.current_stage, false);
      }
      if (there.tags?.some((t) => t.key === COPY_SOURCE_TAG)) {
        await registry.deleteModelVersionTag(name, number, COPY_SOURCE_TAG);
      }
      this.#state.finish('version', key);
    }
    for (const alias of model.aliases ?? []) {
      await registry.setRegisteredModelAlias(name, alias.alias, this.ids.version(name, alias.version));
    }
    this.#state.finish('registered-model', name);
    return true;
  }

  async close(): Promise<void> {
    this.#state.close();
  }
}

/** The Default experiment (id 0) every store starts with: the source's goes into the target's. */
function isDefault(source: Experiment, target: Experiment): boolean {
  return source.experiment_id === '0' && target.experiment_id === '0' && source.name === target.name;
}

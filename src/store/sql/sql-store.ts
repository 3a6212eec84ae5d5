import { randomUUID } from 'node:crypto';
import {
  appendToArtifactUri,
  resolveArtifactRoot,
  resolveArtifactUri,
} from '../../artifacts/artifact-locations.js';
import {
  DATASET_CONTEXT_TAG,
  RUN_NAME_TAG,
  type DatasetInput,
  type DatasetSummary,
  type Experiment,
  type ExperimentTag,
  type InputTag,
  type KeyValue,
  type LoggedModel,
  type LoggedModelOutput,
  type LoggedModelStatus,
  type Metric,
  type MetricWithRunId,
  type Param,
  type Run,
  type RunInfo,
  type RunTag,
} from '../../entities/index.js';
import { AgentrackError, invalidParameter, notFound } from '../../errors.js';
import {
  compareText,
  compileExperimentSearch,
  compileRunSearch,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parseRunFilter,
  parseRunOrderBy,
  type CompiledSearch,
  type SqlDialect,
} from '../../query/index.js';
import {
  BULK_INTERVAL_MAX_VALUES_PER_RUN,
  MAX_DATASET_SUMMARIES,
  validateArtifactLocation,
  validateDatasetInputs,
  validateExperimentId,
  validateExperimentIds,
  validateExperimentName,
  validateExperimentTag,
  validateExperimentTagKey,
  validateLogBatch,
  validateLoggedModelOutputs,
  validateMetric,
  validateMetricHistoryBulk,
  validateMetricHistoryBulkInterval,
  validateMetricHistoryMaxResults,
  validateParam,
  validateRunId,
  validateRunIdToRead,
  validateRunName,
  validateRunNameAgainstTags,
  validateRunStatus,
  validateSearchDatasetsExperimentIds,
  validateSearchExperimentsMaxResults,
  validateSearchRunsMaxResults,
  validateTag,
  validateTagKey,
  validateViewType,
} from '../../validation/index.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../page-token.js';
import { sampleSteps } from '../sampled-steps.js';
import type {
  CreateExperimentInput,
  CreateLoggedModelInput,
  CreateRunInput,
  LogBatchInput,
  LogInputsInput,
  MetricHistoryBulkInput,
  MetricHistoryBulkIntervalInput,
  MetricHistoryInput,
  Page,
  PermanentDeletion,
  SearchExperimentsInput,
  SearchLoggedModelsInput,
  SearchRunsInput,
  TrackingStore,
  UpdateRunInput,
} from '../tracking-store.js';
import { SqlImport } from './import.js';
import { SqlLoggedModels } from './logged-models.js';
import { generateRunName } from './run-names.js';
import { SqlModelRegistryStore, type LoggedModelLocator } from './sql-registry-store.js';
import { SqlTraceStore } from './sql-trace-store.js';
import {
  EXPERIMENT_COLUMNS,
  INPUT_COLUMNS,
  RUN_COLUMNS,
  chunks,
  experimentExists,
  experimentNotFound,
  isLater,
  push,
  refuseChangedParams,
  toDataset,
  toMetric,
  toRunInfo,
  type ExperimentRow,
  type InputRow,
  type InputTagRow,
  type KeyValueRow,
  type MetricRow,
  type RunRow,
} from './rows.js';
import { driverSql } from './driver-sql.js';
import { syncSerialIds } from './serial-ids.js';
import { orTaken } from './unique-violation.js';
import type { SqlDriver, SqlExecutor, SqlRow } from './sql-driver.js';
import { isDatabaseError } from './database-error.js';
import { withDatabaseErrors } from './with-database-errors.js';

/** Options shared by the SQL stores. */
export interface SqlStoreOptions {
  /**
   * Root of new experiments' artifact locations: an experiment created without one gets
   * `<root>/<id>`. Default `mlflow-artifacts:/` (a server keeps the artifacts). A relative
   * local root is made absolute from the working folder when the store opens, as MLflow does
   * (see {@link resolveArtifactRoot}).
   */
  defaultArtifactRoot?: string;
  /** The clock, in epoch milliseconds; injectable for tests. */
  now?: () => number;
  /**
   * How the model registry finds the logged models that `models:/<model_id>` sources name;
   * by default the store's own {@link SqlTrackingStore.loggedModels}.
   */
  loggedModels?: LoggedModelLocator;
}

/**
 * MLflow's tracking store over SQL: the rules of `sqlalchemy_store.py`, written once for
 * every SQL backend. A backend supplies a {@link SqlDriver} and a query {@link SqlDialect}.
 */
export class SqlTrackingStore implements TrackingStore, PermanentDeletion {
  readonly kind: 'sqlite' | 'postgresql';
  /** The store's logged models (MLflow 3), which the `TrackingStore` operations on them delegate to. */
  readonly loggedModels: SqlLoggedModels;
  /** The model registry in the same database, on this store's driver, dialect and clock. */
  readonly registry: SqlModelRegistryStore;
  /** The store's traces and assessments (MLflow 3), on the same driver, dialect and clock. */
  readonly traces: SqlTraceStore;
  /** Writes objects copied from another store with the ids they had there (see {@link SqlImport}). */
  readonly importer: SqlImport;
  readonly #driver: SqlDriver;
  readonly #dialect: SqlDialect;
  readonly #artifactRoot: string;
  readonly #now: () => number;
  readonly #driverSql: (text: string) => string;

  /**
   * The store over `driver`, whose database errors it wraps once, with the statement that
   * failed (see {@link withDatabaseErrors}); the registry and the trace store share it.
   */
  constructor(backendDriver: SqlDriver, dialect: SqlDialect, options: SqlStoreOptions = {}) {
    const driver = withDatabaseErrors(backendDriver);
    this.#driver = driver;
    this.#driverSql = driverSql(driver.dialect);
    this.#dialect = dialect;
    this.kind = driver.dialect === 'postgres' ? 'postgresql' : 'sqlite';
    this.#artifactRoot = resolveArtifactRoot(options.defaultArtifactRoot);
    this.#now = options.now ?? Date.now;
    this.loggedModels = new SqlLoggedModels({
      driver,
      dialect,
      sql: (text) => this.#sql(text),
      now: () => this.#now(),
    });
    this.traces = new SqlTraceStore(driver, dialect, {
      sql: (text) => this.#sql(text),
      now: () => this.#now(),
    });
    this.importer = new SqlImport(driver, this.traces, (text) => this.#sql(text));
    this.registry = new SqlModelRegistryStore(driver, dialect, {
      now: this.#now,
      loggedModels: options.loggedModels ?? this.loggedModels,
    });
  }

  /** SQL written with `?` placeholders, in the driver's own placeholder syntax. */
  #sql(text: string): string {
    return this.#driverSql(text);
  }

  // ---------------------------------------------------------------- experiments

  async createExperiment(input: CreateExperimentInput): Promise<string> {
    const name = validateExperimentName(input.name);
    const tags = (input.tags ?? []).map((tag) => validateExperimentTag(tag));
    const given = validateArtifactLocation(input.artifactLocation);
    const artifactLocation = given === undefined ? undefined : resolveArtifactUri(given);
    const created = this.#driver.transaction(async (tx) => {
      const existing = await tx.get(this.#sql(`SELECT experiment_id FROM experiments WHERE name = ?`), [
        name,
      ]);
      if (existing) throw experimentExists(name);
      const now = this.#now();
      const row = await tx
        .get<{ experiment_id: number | string }>(
          this.#sql(
            `INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
           VALUES (?, ?, 'active', ?, ?) RETURNING experiment_id`,
          ),
          [name, artifactLocation ?? '', now, now],
        )
        .catch((error: unknown) => {
          // Created by another transaction since the check (PostgreSQL's READ COMMITTED allows it).
          throw isDatabaseError(error, 'unique-violation') ? experimentExists(name) : error;
        });
      const id = String(row?.experiment_id);
      if (!artifactLocation) {
        await tx.run(this.#sql(`UPDATE experiments SET artifact_location = ? WHERE experiment_id = ?`), [
          appendToArtifactUri(this.#artifactRoot, id),
          Number(id),
        ]);
      }
      if (tags.length > 0) {
        await tx.runMany(
          this.#sql(
            `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
             ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`,
          ),
          tags.map((t) => [Number(id), t.key, t.value]),
        );
      }
      return id;
    });
    return orTaken(created, () => experimentExists(name));
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const id = validateExperimentId(experimentId);
    return this.#driver.read(async (tx) => {
      const row = await this.#experimentRow(tx, id);
      return (await this.#experimentsWithTags(tx, [row]))[0] as Experiment;
    });
  }

  async getExperimentByName(name: string): Promise<Experiment | null> {
    if (typeof name !== 'string' || name === '') {
      throw invalidParameter(`Missing value for required parameter 'experiment_name'.`);
    }
    return this.#driver.read(async (tx) => {
      const row = await tx.get<ExperimentRow>(
        this.#sql(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE name = ?`),
        [name],
      );
      if (!row) return null;
      return (await this.#experimentsWithTags(tx, [row]))[0] as Experiment;
    });
  }

  async searchExperiments(input: SearchExperimentsInput): Promise<Page<Experiment>> {
    const viewType = validateViewType(input.viewType ?? 'ACTIVE_ONLY');
    const maxResults = validateSearchExperimentsMaxResults(input.maxResults);
    const filter = parseExperimentFilter(input.filter);
    const orderBy = parseExperimentOrderBy(input.orderBy);
    const fingerprint = queryFingerprint(['experiments', viewType, input.filter ?? '', input.orderBy ?? []]);
    const after = decodePageToken(input.pageToken, fingerprint);
    const compiled = compileExperimentSearch(this.#dialect, {
      viewType,
      filter,
      orderBy,
      ...(after ? { after } : {}),
      limit: maxResults + 1,
    });
    return this.#page(compiled, maxResults, fingerprint, (tx, rows: ExperimentRow[]) =>
      this.#experimentsWithTags(tx, rows),
    );
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    const name = validateExperimentName(newName);
    const renamed = this.#driver.transaction(async (tx) => {
      const row = await this.#experimentRow(tx, id);
      if (row.lifecycle_stage !== 'active') {
        throw new AgentrackError('INVALID_STATE', 'Cannot rename a non-active experiment.');
      }
      if (row.name === name) return;
      const holder = await tx.get(this.#sql(`SELECT experiment_id FROM experiments WHERE name = ?`), [name]);
      if (holder) throw experimentExists(name);
      await tx.run(
        this.#sql(`UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?`),
        [name, this.#now(), Number(id)],
      );
    });
    await orTaken(renamed, () => experimentExists(name));
  }

  /**
   * Soft-deletes an active experiment and, as MLflow does, its active runs. The runs get the
   * experiment's deletion time as `deleted_time`, which is how a restore finds them again.
   */
  async deleteExperiment(experimentId: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#experimentRow(tx, id);
      if (row.lifecycle_stage !== 'active') throw experimentNotFound(id);
      const now = this.#now();
      await tx.run(
        this.#sql(
          `UPDATE experiments SET lifecycle_stage = 'deleted', last_update_time = ? WHERE experiment_id = ?`,
        ),
        [now, Number(id)],
      );
      await tx.run(
        this.#sql(
          `UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE experiment_id = ? AND lifecycle_stage = 'active'`,
        ),
        [now, Number(id)],
      );
    });
  }

  /**
   * Restores a deleted experiment and the runs its deletion took with it. Unlike MLflow,
   * which restores every run of the experiment, runs deleted on their own before stay deleted.
   */
  async restoreExperiment(experimentId: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#experimentRow(tx, id);
      if (row.lifecycle_stage !== 'deleted') throw experimentNotFound(id);
      await tx.run(
        this.#sql(
          `UPDATE experiments SET lifecycle_stage = 'active', last_update_time = ? WHERE experiment_id = ?`,
        ),
        [this.#now(), Number(id)],
      );
      await tx.run(
        this.#sql(
          `UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL
           WHERE experiment_id = ? AND lifecycle_stage = 'deleted' AND deleted_time = ?`,
        ),
        [Number(id), Number(row.last_update_time)],
      );
    });
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    const tag = validateExperimentTag({ key, value });
    await this.#driver.transaction(async (tx) => {
      await this.#activeExperiment(tx, id);
      await tx.run(
        this.#sql(
          `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)
           ON CONFLICT (experiment_id, key) DO UPDATE SET value = excluded.value`,
        ),
        [Number(id), tag.key, tag.value],
      );
    });
  }

  async deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    const tagKey = validateExperimentTagKey(key);
    await this.#driver.transaction(async (tx) => {
      await this.#activeExperiment(tx, id);
      const result = await tx.run(
        this.#sql(`DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?`),
        [Number(id), tagKey],
      );
      if (result.changes === 0) throw notFound(`No tag with name: ${tagKey} in experiment with id ${id}`);
    });
  }

  async #experimentRow(tx: SqlExecutor, experimentId: string): Promise<ExperimentRow> {
    const row = await tx.get<ExperimentRow>(
      this.#sql(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?`),
      [Number(experimentId)],
    );
    if (!row) throw experimentNotFound(experimentId);
    return row;
  }

  async #activeExperiment(tx: SqlExecutor, experimentId: string): Promise<ExperimentRow> {
    const row = await this.#experimentRow(tx, experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  async #experimentsWithTags(tx: SqlExecutor, rows: readonly ExperimentRow[]): Promise<Experiment[]> {
    const tagsById = new Map<string, ExperimentTag[]>();
    for (const ids of chunks(rows.map((r) => Number(r.experiment_id)))) {
      const tagRows = await tx.all<{ experiment_id: number | string; key: string; value: string }>(
        this.#sql(
          `SELECT experiment_id, key, value FROM experiment_tags WHERE experiment_id IN (${ids.map(() => '?').join(', ')}) ORDER BY experiment_id, key`,
        ),
        ids,
      );
      for (const t of tagRows) push(tagsById, String(t.experiment_id), { key: t.key, value: t.value });
    }
    return rows.map((row) => {
      const id = String(row.experiment_id);
      const experiment: Experiment = {
        experiment_id: id,
        name: row.name,
        artifact_location: row.artifact_location,
        lifecycle_stage: row.lifecycle_stage,
        last_update_time: Number(row.last_update_time),
        creation_time: Number(row.creation_time),
      };
      const tags = tagsById.get(id);
      if (tags) experiment.tags = tags;
      return experiment;
    });
  }

  // ---------------------------------------------------------------- runs

  async createRun(input: CreateRunInput): Promise<Run> {
    const experimentId = validateExperimentId(input.experimentId);
    const tags = (input.tags ?? []).map((tag) => validateTag(tag));
    const requestedName = validateRunName(input.runName);
    validateRunNameAgainstTags(requestedName, tags);
    const runName = requestedName || tags.find((t) => t.key === RUN_NAME_TAG)?.value || generateRunName();
    const startTime = input.startTime ?? this.#now();
    if (!Number.isSafeInteger(startTime) || startTime < 0) {
      throw invalidParameter(
        `Invalid value ${String(startTime)} for parameter 'start_time': it must be a non-negative integer.`,
      );
    }
    const runId = randomUUID().replaceAll('-', '');
    return this.#driver.transaction(async (tx) => {
      const experiment = await this.#activeExperiment(tx, experimentId);
      const artifactUri = appendToArtifactUri(experiment.artifact_location, runId, 'artifacts');
      const row = await tx.get<RunRow>(
        this.#sql(
          `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri)
           VALUES (?, ?, ?, ?, 'RUNNING', ?, NULL, 'active', ?) RETURNING ${RUN_COLUMNS}`,
        ),
        [runId, Number(experimentId), runName, input.userId ?? '', startTime, artifactUri],
      );
      if (!row) throw new AgentrackError('INTERNAL_ERROR', 'Creating the run returned no row.');
      const allTags = [...tags.filter((t) => t.key !== RUN_NAME_TAG), { key: RUN_NAME_TAG, value: runName }];
      await this.#upsertTags(tx, row.run_seq, allTags);
      // A new run has only its tags: build it from what was written instead of reading back.
      const latest = new Map(allTags.map((t) => [t.key, t.value]));
      const data: Run['data'] = {
        tags: [...latest].map(([key, value]) => ({ key, value })).sort((x, y) => compareText(x.key, y.key)),
      };
      return { info: toRunInfo(row), data, inputs: {} };
    });
  }

  /**
   * A run with its data and inputs and, as MLflow's `get_run` (unlike its search) answers, the
   * logged models it used (`inputs.model_inputs`) and produced (`outputs.model_outputs`).
   */
  async getRun(runId: string): Promise<Run> {
    const id = validateRunIdToRead(runId);
    return this.#driver.read(async (tx) => {
      const row = await this.#runRow(tx, id);
      const run = (await this.#runsWithData(tx, [row]))[0] as Run;
      const { inputs, outputs } = await this.loggedModels.runModels(tx, row.run_seq);
      if (inputs.length > 0) run.inputs.model_inputs = inputs;
      run.outputs = outputs.length > 0 ? { model_outputs: outputs } : {};
      return run;
    });
  }

  async updateRun(runId: string, input: UpdateRunInput): Promise<RunInfo> {
    const id = validateRunId(runId);
    const status = input.status === undefined ? undefined : validateRunStatus(input.status);
    if (input.endTime !== undefined && !Number.isSafeInteger(input.endTime)) {
      throw invalidParameter(
        `Invalid value ${String(input.endTime)} for parameter 'end_time': it must be an integer.`,
      );
    }
    const runName = validateRunName(input.runName);
    return this.#driver.transaction(async (tx) => {
      const row = await this.#activeRun(tx, id);
      const sets: string[] = [];
      const params: unknown[] = [];
      if (status !== undefined) {
        sets.push('status = ?');
        params.push(status);
      }
      if (input.endTime !== undefined) {
        sets.push('end_time = ?');
        params.push(input.endTime);
      }
      if (runName) {
        sets.push('name = ?');
        params.push(runName);
        await this.#upsertTags(tx, row.run_seq, [{ key: RUN_NAME_TAG, value: runName }]);
      }
      if (sets.length === 0) return toRunInfo(row);
      const updated = await tx.get<RunRow>(
        this.#sql(`UPDATE runs SET ${sets.join(', ')} WHERE run_seq = ? RETURNING ${RUN_COLUMNS}`),
        [...params, row.run_seq],
      );
      return toRunInfo(updated ?? row);
    });
  }

  async deleteRun(runId: string): Promise<void> {
    const id = validateRunId(runId);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#runRow(tx, id);
      await tx.run(
        this.#sql(`UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ? WHERE run_seq = ?`),
        [this.#now(), row.run_seq],
      );
    });
  }

  async restoreRun(runId: string): Promise<void> {
    const id = validateRunId(runId);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#runRow(tx, id);
      await tx.run(
        this.#sql(`UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL WHERE run_seq = ?`),
        [row.run_seq],
      );
    });
  }

  // ---------------------------------------------------------------- permanent deletion

  async deletedRunIds(olderThanMs = 0): Promise<string[]> {
    if (!Number.isSafeInteger(olderThanMs) || olderThanMs < 0) {
      throw invalidParameter(
        `Invalid age ${String(olderThanMs)}: expected a number of milliseconds, 0 or more.`,
      );
    }
    const aged = olderThanMs > 0 ? ' AND deleted_time <= ?' : '';
    return this.#driver.read(async (tx) => {
      const rows = await tx.all<{ run_uuid: string }>(
        this.#sql(
          `SELECT run_uuid FROM runs WHERE lifecycle_stage = 'deleted'${aged} ORDER BY deleted_time, run_seq`,
        ),
        olderThanMs > 0 ? [this.#now() - olderThanMs] : [],
      );
      return rows.map((row) => row.run_uuid);
    });
  }

  async hardDeleteRun(runId: string): Promise<void> {
    const id = validateRunId(runId);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#runRow(tx, id);
      if (row.lifecycle_stage !== 'deleted') {
        throw invalidParameter(
          `Run ${id} is not in the deleted lifecycle stage: only deleted runs can be removed permanently.`,
        );
      }
      const used = await tx.all<{ dataset_seq: number | string }>(
        this.#sql(`SELECT dataset_seq FROM inputs WHERE run_seq = ?`),
        [row.run_seq],
      );
      await this.#deleteRunRows(tx, 'run_seq = ?', [row.run_seq]);
      // A dataset belongs to the runs that used it: one no run uses any more goes too.
      for (const seqs of chunks(used.map((u) => u.dataset_seq))) {
        await tx.run(
          this.#sql(
            `DELETE FROM datasets WHERE dataset_seq IN (${seqs.map(() => '?').join(', ')})
             AND NOT EXISTS (SELECT 1 FROM inputs WHERE inputs.dataset_seq = datasets.dataset_seq)`,
          ),
          seqs,
        );
      }
    });
  }

  async hardDeleteExperiment(experimentId: string): Promise<void> {
    const id = validateExperimentId(experimentId);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#experimentRow(tx, id);
      if (row.lifecycle_stage !== 'deleted') {
        throw invalidParameter(
          `Experiment ${id} is not in the deleted lifecycle stage: only deleted experiments can be removed permanently.`,
        );
      }
      await this.loggedModels.deleteForExperiment(tx, Number(id));
      await this.traces.deleteForExperiment(tx, Number(id));
      await this.#deleteRunRows(tx, 'experiment_id = ?', [Number(id)]);
      for (const table of ['datasets', 'experiment_tags', 'experiments']) {
        await tx.run(this.#sql(`DELETE FROM ${table} WHERE experiment_id = ?`), [Number(id)]);
      }
    });
  }

  /** Deletes the runs matching `where` (a condition on `runs`) and everything that hangs off them. */
  async #deleteRunRows(tx: SqlExecutor, where: string, params: readonly unknown[]): Promise<void> {
    const runs = `SELECT run_seq FROM runs WHERE ${where}`;
    await this.loggedModels.deleteForRuns(tx, runs, params);
    await this.traces.unlinkRuns(tx, runs, params);
    await tx.run(
      this.#sql(
        `DELETE FROM input_tags WHERE input_seq IN (SELECT input_seq FROM inputs WHERE run_seq IN (${runs}))`,
      ),
      params,
    );
    for (const table of ['inputs', 'tags', 'params', 'metrics', 'latest_metrics']) {
      await tx.run(this.#sql(`DELETE FROM ${table} WHERE run_seq IN (${runs})`), params);
    }
    await tx.run(this.#sql(`DELETE FROM runs WHERE ${where}`), params);
  }

  async logMetric(runId: string, metric: Metric): Promise<void> {
    return this.#write(validateRunId(runId), { metrics: [validateMetric(metric)] });
  }

  async logParam(runId: string, param: Param): Promise<void> {
    return this.#write(validateRunId(runId), { params: [validateParam(param)] });
  }

  async setTag(runId: string, tag: RunTag): Promise<void> {
    return this.#write(validateRunId(runId), { tags: [validateTag(tag)] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    const id = validateRunId(runId);
    const tagKey = validateTagKey(key);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#activeRun(tx, id);
      const result = await tx.run(this.#sql(`DELETE FROM tags WHERE run_seq = ? AND key = ?`), [
        row.run_seq,
        tagKey,
      ]);
      if (result.changes === 0) throw notFound(`No tag with name: ${tagKey} in run with id ${id}`);
    });
  }

  async logBatch(runId: string, input: LogBatchInput): Promise<void> {
    return this.#write(validateRunId(runId), validateLogBatch(input));
  }

  /**
   * Records the datasets an active run used, with MLflow's rules: of several inputs with the
   * same (name, digest) in one call, the first counts; a dataset its experiment already has
   * under that (name, digest) is reused as stored; a dataset the run already has is left as
   * it is, input tags included, so logging it again changes nothing. The logged models it
   * names become the run's model inputs (each must exist).
   */
  async logInputs(runId: string, input: LogInputsInput): Promise<void> {
    const id = validateRunId(runId);
    const models = validateLoggedModelOutputs(input.models).map(({ model_id }) => ({ model_id }));
    const firsts = new Map<string, DatasetInput>();
    for (const item of validateDatasetInputs(input.datasets)) {
      const identity = JSON.stringify([item.dataset.name, item.dataset.digest]);
      if (!firsts.has(identity)) firsts.set(identity, item);
    }
    await this.#driver.transaction(async (tx) => {
      const run = await this.#activeRun(tx, id);
      await this.loggedModels.link(tx, run, 'input', models);
      for (const { dataset, tags = [] } of firsts.values()) {
        const identity = [Number(run.experiment_id), dataset.name, dataset.digest];
        await tx.run(
          this.#sql(
            `INSERT INTO datasets (experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile)
             VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name, digest) DO NOTHING`,
          ),
          [...identity, dataset.source_type, dataset.source, dataset.schema ?? null, dataset.profile ?? null],
        );
        const stored = await tx.get<{ dataset_seq: number | string }>(
          this.#sql(`SELECT dataset_seq FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?`),
          identity,
        );
        if (!stored) throw new AgentrackError('INTERNAL_ERROR', 'Storing the dataset returned no row.');
        const link = await tx.get<{ input_seq: number | string }>(
          this.#sql(
            `INSERT INTO inputs (run_seq, dataset_seq) VALUES (?, ?)
             ON CONFLICT (run_seq, dataset_seq) DO NOTHING RETURNING input_seq`,
          ),
          [run.run_seq, stored.dataset_seq],
        );
        if (!link || tags.length === 0) continue;
        // A key given twice keeps its last value, as run tags do.
        await tx.runMany(
          this.#sql(
            `INSERT INTO input_tags (input_seq, name, value) VALUES (?, ?, ?)
             ON CONFLICT (input_seq, name) DO UPDATE SET value = excluded.value`,
          ),
          tags.map((t) => [link.input_seq, t.key, t.value]),
        );
      }
    });
  }

  /** Writes validated metrics, params and tags to an active run in one transaction. */
  async #write(
    runId: string,
    batch: { metrics?: Metric[]; params?: Param[]; tags?: RunTag[] },
  ): Promise<void> {
    const { metrics = [], params = [], tags = [] } = batch;
    await this.#driver.transaction(async (tx) => {
      const row = await this.#activeRun(tx, runId);
      if (params.length > 0) await this.#insertParams(tx, row, params);
      if (metrics.length > 0) {
        await this.#insertMetrics(tx, row.run_seq, metrics);
        await this.loggedModels.logMetrics(tx, row, metrics);
      }
      if (tags.length > 0) {
        await this.#upsertTags(tx, row.run_seq, tags);
        const renamed = tags.findLast((t) => t.key === RUN_NAME_TAG);
        if (renamed) {
          await tx.run(this.#sql(`UPDATE runs SET name = ? WHERE run_seq = ?`), [renamed.value, row.run_seq]);
        }
      }
    });
  }

  /**
   * One page of a metric's history, in MLflow's order (timestamp, step, value). As in MLflow,
   * a run or key without values gives an empty page; without `maxResults`, the whole history.
   */
  async getMetricHistory(
    runId: string,
    metricKey: string,
    input: MetricHistoryInput = {},
  ): Promise<Page<Metric>> {
    const id = validateRunIdToRead(runId);
    if (typeof metricKey !== 'string' || metricKey === '') {
      throw invalidParameter(`Missing value for required parameter 'metric_key'.`);
    }
    const maxResults = validateMetricHistoryMaxResults(input.maxResults);
    const fingerprint = queryFingerprint(['metric-history', id, metricKey]);
    const after = decodePageToken(input.pageToken, fingerprint);
    if (after && (after.length !== 4 || !after.every((v) => typeof v === 'number'))) {
      throw invalidParameter('Invalid page token: it is not a token this server issued.');
    }
    return this.#driver.read(async (tx) => {
      const conditions = ['r.run_uuid = ?', 'm.key = ?'];
      const params: unknown[] = [id, metricKey];
      if (after) {
        conditions.push('(m.timestamp, m.step, m.value, m.is_nan) > (?, ?, ?, ?)');
        params.push(...after);
      }
      let sql = `SELECT m.run_seq, m.key, m.value, m.timestamp, m.step, m.is_nan
                 FROM runs r JOIN metrics m ON m.run_seq = r.run_seq
                 WHERE ${conditions.join(' AND ')} ORDER BY m.timestamp, m.step, m.value, m.is_nan`;
      if (maxResults !== undefined) {
        sql += ' LIMIT ?';
        params.push(maxResults + 1);
      }
      const rows = await tx.all<MetricRow>(this.#sql(sql), params);
      const pageRows = maxResults !== undefined ? rows.slice(0, maxResults) : rows;
      const items = pageRows.map(toMetric);
      const last = pageRows.at(-1);
      if (maxResults !== undefined && rows.length > maxResults && last) {
        const key = [Number(last.timestamp), Number(last.step), Number(last.value), Number(last.is_nan)];
        return { items, nextPageToken: encodePageToken(fingerprint, key) };
      }
      return { items };
    });
  }

  /**
   * One metric's history in several runs, as MLflow's SQL store answers `get-history-bulk`:
   * by run id (each id once), then timestamp, step and value, `maxResults` values in all.
   * Each run's history is one range of the metrics primary key, read only as far as needed.
   */
  async getMetricHistoryBulk(
    runIds: readonly string[],
    metricKey: string,
    input: MetricHistoryBulkInput = {},
  ): Promise<MetricWithRunId[]> {
    const request = validateMetricHistoryBulk(runIds, metricKey, input.maxResults);
    const ids = [...new Set(request.runIds)].sort(compareText);
    return this.#driver.read(async (tx) => {
      const out: MetricWithRunId[] = [];
      for (const id of ids) {
        const remaining = request.maxResults - out.length;
        if (remaining <= 0) break;
        const rows = await tx.all<MetricRow>(
          this.#sql(
            `SELECT m.run_seq, m.key, m.value, m.timestamp, m.step, m.is_nan
             FROM runs r JOIN metrics m ON m.run_seq = r.run_seq
             WHERE r.run_uuid = ? AND m.key = ? ORDER BY m.timestamp, m.step, m.value, m.is_nan LIMIT ?`,
          ),
          [id, request.metricKey, remaining],
        );
        for (const row of rows) out.push({ ...toMetric(row), run_id: id });
      }
      return out;
    });
  }

  /**
   * One metric at a sample of steps in several runs, as MLflow's `get-history-bulk-interval`
   * (see {@link sampleSteps}): for each run, in the order given, its values at the sampled
   * steps by step, then timestamp and value, up to 25,000 per run. Reads each run's distinct
   * steps, then its values at those steps, both from the metrics primary key.
   */
  async getMetricHistoryBulkInterval(
    runIds: readonly string[],
    metricKey: string,
    input: MetricHistoryBulkIntervalInput = {},
  ): Promise<MetricWithRunId[]> {
    const request = validateMetricHistoryBulkInterval(runIds, metricKey, input);
    const distinct = [...new Set(request.runIds)];
    return this.#driver.read(async (tx) => {
      const stepsPerRun: number[][] = [];
      for (const id of distinct) {
        const rows = await tx.all<{ step: number | string }>(
          this.#sql(
            `SELECT DISTINCT m.step FROM runs r JOIN metrics m ON m.run_seq = r.run_seq
             WHERE r.run_uuid = ? AND m.key = ? ORDER BY m.step`,
          ),
          [id, request.metricKey],
        );
        stepsPerRun.push(rows.map((row) => Number(row.step)));
      }
      const steps = sampleSteps(stepsPerRun, request.range, request.maxResults);
      const valuesOf = new Map<string, MetricWithRunId[]>();
      for (const id of distinct) {
        const values: MetricWithRunId[] = [];
        // Chunks of ascending steps: each chunk's rows come after the previous chunk's.
        for (const chunk of chunks(steps)) {
          const remaining = BULK_INTERVAL_MAX_VALUES_PER_RUN - values.length;
          if (remaining <= 0) break;
          const rows = await tx.all<MetricRow>(
            this.#sql(
              `SELECT m.run_seq, m.key, m.value, m.timestamp, m.step, m.is_nan
               FROM runs r JOIN metrics m ON m.run_seq = r.run_seq
               WHERE r.run_uuid = ? AND m.key = ? AND m.step IN (${chunk.map(() => '?').join(', ')})
               ORDER BY m.step, m.timestamp, m.value, m.is_nan LIMIT ?`,
            ),
            [id, request.metricKey, ...chunk, remaining],
          );
          for (const row of rows) values.push({ ...toMetric(row), run_id: id });
        }
        valuesOf.set(id, values);
      }
      // MLflow answers a run named twice twice.
      return request.runIds.flatMap((id) => valuesOf.get(id) ?? []);
    });
  }

  /**
   * The datasets the runs of some experiments used, one summary per dataset and context (the
   * use's `mlflow.data.context` tag, absent without one), as MLflow's SQL store answers
   * `search-datasets`, at most 1,000. MLflow leaves their order to the database; here it is
   * by experiment, name and digest, then the first use of each context.
   */
  async searchDatasets(experimentIds: readonly string[]): Promise<DatasetSummary[]> {
    const ids = validateSearchDatasetsExperimentIds(experimentIds).map(Number);
    return this.#driver.read(async (tx) => {
      const rows = await tx.all<{
        experiment_id: number | string;
        name: string;
        digest: string;
        context: string | null;
      }>(
        this.#sql(
          `SELECT d.experiment_id, d.name, d.digest, t.value AS context
           FROM datasets AS d
           JOIN inputs AS i ON i.dataset_seq = d.dataset_seq
           LEFT JOIN input_tags AS t ON t.input_seq = i.input_seq AND t.name = ?
           WHERE d.experiment_id IN (${ids.map(() => '?').join(', ')})
           GROUP BY d.experiment_id, d.name, d.digest, t.value
           ORDER BY d.experiment_id, d.name, d.digest, MIN(i.input_seq)
           LIMIT ?`,
        ),
        [DATASET_CONTEXT_TAG, ...ids, MAX_DATASET_SUMMARIES],
      );
      return rows.map((row) => {
        const summary: DatasetSummary = {
          experiment_id: String(row.experiment_id),
          name: row.name,
          digest: row.digest,
        };
        if (row.context !== null) summary.context = row.context;
        return summary;
      });
    });
  }

  // ---------------------------------------------------------------- logged models

  async logOutputs(runId: string, models: readonly LoggedModelOutput[]): Promise<void> {
    const id = validateRunId(runId);
    const outputs = validateLoggedModelOutputs(models);
    await this.#driver.transaction(async (tx) => {
      const run = await this.#activeRun(tx, id);
      await this.loggedModels.link(tx, run, 'output', outputs);
    });
  }

  async createLoggedModel(input: CreateLoggedModelInput): Promise<LoggedModel> {
    return this.loggedModels.create(input);
  }

  async getLoggedModel(modelId: string): Promise<LoggedModel> {
    return this.loggedModels.get(modelId);
  }

  async deleteLoggedModel(modelId: string): Promise<void> {
    return this.loggedModels.delete(modelId);
  }

  async finalizeLoggedModel(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    return this.loggedModels.finalize(modelId, status);
  }

  async setLoggedModelTags(modelId: string, tags: readonly KeyValue[]): Promise<void> {
    return this.loggedModels.setTags(modelId, tags);
  }

  async deleteLoggedModelTag(modelId: string, key: string): Promise<void> {
    return this.loggedModels.deleteTag(modelId, key);
  }

  async logLoggedModelParams(modelId: string, params: readonly KeyValue[]): Promise<void> {
    return this.loggedModels.logParams(modelId, params);
  }

  async searchLoggedModels(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>> {
    return this.loggedModels.search(input);
  }

  async searchRuns(input: SearchRunsInput): Promise<Page<Run>> {
    const experimentIds = [...new Set(validateExperimentIds(input.experimentIds))].sort();
    const viewType = validateViewType(input.runViewType ?? 'ACTIVE_ONLY', 'run_view_type');
    const maxResults = validateSearchRunsMaxResults(input.maxResults);
    const filter = parseRunFilter(input.filter);
    const orderBy = parseRunOrderBy(input.orderBy);
    const fingerprint = queryFingerprint([
      'runs',
      experimentIds,
      viewType,
      input.filter ?? '',
      input.orderBy ?? [],
    ]);
    const after = decodePageToken(input.pageToken, fingerprint);
    if (experimentIds.length === 0) return { items: [] };
    const compiled = compileRunSearch(this.#dialect, {
      experimentIds,
      viewType,
      filter,
      orderBy,
      ...(after ? { after } : {}),
      limit: maxResults + 1,
    });
    return this.#page(compiled, maxResults, fingerprint, (tx, rows: RunRow[]) =>
      this.#runsWithData(tx, rows),
    );
  }

  async countRuns(experimentId: string): Promise<number> {
    const id = validateExperimentId(experimentId);
    return this.#driver.read(async (tx) => {
      await this.#experimentRow(tx, id);
      // One count over the runs_latest index (experiment_id, lifecycle_stage, ...): no row is read.
      const row = await tx.get<{ n: number | string }>(
        this.#sql(`SELECT COUNT(*) AS n FROM runs WHERE experiment_id = ? AND lifecycle_stage = 'active'`),
        [id],
      );
      return Number(row?.n ?? 0);
    });
  }

  /**
   * Runs a compiled search that asks for one row more than a page: the extra row only says
   * whether a next page exists, so a token is never handed out for an empty page.
   */
  #page<R extends SqlRow, T>(
    compiled: CompiledSearch,
    maxResults: number,
    fingerprint: string,
    load: (tx: SqlExecutor, rows: R[]) => Promise<T[]>,
  ): Promise<Page<T>> {
    return this.#driver.read(async (tx) => {
      const rows = await tx.all<R>(compiled.sql, compiled.params);
      const pageRows = rows.slice(0, maxResults);
      const items = await load(tx, pageRows);
      const last = pageRows.at(-1);
      return rows.length > maxResults && last
        ? { items, nextPageToken: encodePageToken(fingerprint, compiled.sortKeyOf(last)) }
        : { items };
    });
  }

  /**
   * Makes new rows' ids continue after the greatest ids stored: call it after writing rows with
   * ids of their own straight to the database (a copy that keeps ids). See {@link syncSerialIds}.
   */
  async syncSerialIds(): Promise<void> {
    await this.#driver.transaction((tx) => syncSerialIds(tx, this.#driver.dialect));
  }

  async close(): Promise<void> {
    await this.#driver.close();
  }

  async #runRow(tx: SqlExecutor, runId: string): Promise<RunRow> {
    const row = await tx.get<RunRow>(this.#sql(`SELECT ${RUN_COLUMNS} FROM runs WHERE run_uuid = ?`), [
      runId,
    ]);
    if (!row) throw notFound(`Run with id=${runId} not found`);
    return row;
  }

  async #activeRun(tx: SqlExecutor, runId: string): Promise<RunRow> {
    const row = await this.#runRow(tx, runId);
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(
        `The run ${runId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  async #upsertTags(tx: SqlExecutor, runSeq: number | string, tags: readonly RunTag[]): Promise<void> {
    await tx.runMany(
      this.#sql(
        `INSERT INTO tags (run_seq, key, value) VALUES (?, ?, ?)
         ON CONFLICT (run_seq, key) DO UPDATE SET value = excluded.value`,
      ),
      tags.map((t) => [runSeq, t.key, t.value]),
    );
  }

  async #insertParams(tx: SqlExecutor, run: RunRow, params: readonly Param[]): Promise<void> {
    const existing = new Map<string, string>();
    for (const keys of chunks(params.map((p) => p.key))) {
      const rows = await tx.all<KeyValueRow>(
        this.#sql(
          `SELECT run_seq, key, value FROM params WHERE run_seq = ? AND key IN (${keys.map(() => '?').join(', ')})`,
        ),
        [run.run_seq, ...keys],
      );
      for (const r of rows) existing.set(r.key, r.value);
    }
    refuseChangedParams(params, existing, `run ID='${run.run_uuid}'`);
    const fresh = params.filter((p) => !existing.has(p.key));
    if (fresh.length === 0) return;
    // DO NOTHING, then a second look: on PostgreSQL another connection may have logged one of
    // these keys since the read above (the insert waited for it to commit).
    const { changes } = await tx.runMany(
      this.#sql(
        `INSERT INTO params (run_seq, key, value) VALUES (?, ?, ?) ON CONFLICT (run_seq, key) DO NOTHING`,
      ),
      fresh.map((p) => [run.run_seq, p.key, p.value]),
    );
    if (changes === new Set(fresh.map((p) => p.key)).size) return;
    const raced = new Map<string, string>();
    for (const keys of chunks(fresh.map((p) => p.key))) {
      const rows = await tx.all<KeyValueRow>(
        this.#sql(
          `SELECT run_seq, key, value FROM params WHERE run_seq = ? AND key IN (${keys.map(() => '?').join(', ')})`,
        ),
        [run.run_seq, ...keys],
      );
      for (const r of rows) raced.set(r.key, r.value);
    }
    refuseChangedParams(fresh, raced, `run ID='${run.run_uuid}'`);
  }

  async #insertMetrics(tx: SqlExecutor, runSeq: number | string, metrics: readonly Metric[]): Promise<void> {
    const latest = new Map<string, Metric>();
    const rows = metrics.map((m) => {
      const current = latest.get(m.key);
      if (!current || isLater(m, current)) latest.set(m.key, m);
      const nan = Number.isNaN(m.value);
      return [runSeq, m.key, m.step, m.timestamp, nan ? 0 : m.value, nan ? 1 : 0];
    });
    await tx.runMany(
      this.#sql(
        `INSERT INTO metrics (run_seq, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      ),
      rows,
    );
    await tx.runMany(
      this.#sql(
        `INSERT INTO latest_metrics (run_seq, key, value, timestamp, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_seq, key) DO UPDATE SET
           value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
         WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`,
      ),
      [...latest.values()].map((m) => {
        const nan = Number.isNaN(m.value);
        return [runSeq, m.key, nan ? 0 : m.value, m.timestamp, m.step, nan ? 1 : 0];
      }),
    );
  }

  async #runsWithData(tx: SqlExecutor, rows: readonly RunRow[]): Promise<Run[]> {
    const tags = new Map<string, RunTag[]>();
    const params = new Map<string, Param[]>();
    const metrics = new Map<string, Metric[]>();
    const inputs = new Map<string, DatasetInput[]>();
    for (const seqs of chunks(rows.map((r) => r.run_seq))) {
      const list = seqs.map(() => '?').join(', ');
      for (const r of await tx.all<KeyValueRow>(
        this.#sql(`SELECT run_seq, key, value FROM tags WHERE run_seq IN (${list}) ORDER BY run_seq, key`),
        seqs,
      )) {
        push(tags, String(r.run_seq), { key: r.key, value: r.value });
      }
      for (const r of await tx.all<KeyValueRow>(
        this.#sql(`SELECT run_seq, key, value FROM params WHERE run_seq IN (${list}) ORDER BY run_seq, key`),
        seqs,
      )) {
        push(params, String(r.run_seq), { key: r.key, value: r.value });
      }
      for (const r of await tx.all<MetricRow>(
        this.#sql(
          `SELECT run_seq, key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_seq IN (${list}) ORDER BY run_seq, key`,
        ),
        seqs,
      )) {
        push(metrics, String(r.run_seq), toMetric(r));
      }
      await this.#loadInputs(tx, seqs, inputs);
    }
    return rows.map((row) => {
      const seq = String(row.run_seq);
      const data: Run['data'] = {};
      const m = metrics.get(seq);
      const p = params.get(seq);
      const t = tags.get(seq);
      if (m) data.metrics = m;
      if (p) data.params = p;
      if (t) data.tags = t;
      const datasetInputs = inputs.get(seq);
      return { info: toRunInfo(row), data, inputs: datasetInputs ? { dataset_inputs: datasetInputs } : {} };
    });
  }

  /** Adds the dataset inputs of the runs `seqs` to `out`, in the order they were logged. */
  async #loadInputs(
    tx: SqlExecutor,
    seqs: readonly (number | string)[],
    out: Map<string, DatasetInput[]>,
  ): Promise<void> {
    const inputRows = await tx.all<InputRow>(
      this.#sql(
        `SELECT ${INPUT_COLUMNS} FROM inputs AS i JOIN datasets AS d ON d.dataset_seq = i.dataset_seq
         WHERE i.run_seq IN (${seqs.map(() => '?').join(', ')}) ORDER BY i.run_seq, i.input_seq`,
      ),
      seqs,
    );
    if (inputRows.length === 0) return;
    const tagsByInput = new Map<string, InputTag[]>();
    for (const ids of chunks(inputRows.map((r) => r.input_seq))) {
      for (const t of await tx.all<InputTagRow>(
        this.#sql(
          `SELECT input_seq, name, value FROM input_tags WHERE input_seq IN (${ids.map(() => '?').join(', ')}) ORDER BY input_seq, name`,
        ),
        ids,
      )) {
        push(tagsByInput, String(t.input_seq), { key: t.name, value: t.value });
      }
    }
    for (const r of inputRows) {
      const tags = tagsByInput.get(String(r.input_seq));
      push(out, String(r.run_seq), tags ? { tags, dataset: toDataset(r) } : { dataset: toDataset(r) });
    }
  }
}

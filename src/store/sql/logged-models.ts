import { randomUUID } from 'node:crypto';
import { appendToArtifactUri } from '../../artifacts/artifact-locations.js';
import {
  type KeyValue,
  type LifecycleStage,
  type LoggedModel,
  type LoggedModelInfo,
  type LoggedModelInput,
  type LoggedModelMetric,
  type LoggedModelOutput,
  type LoggedModelStatus,
  type Metric,
} from '../../entities/index.js';
import { AgentrackError, invalidParameter, notFound } from '../../errors.js';
import {
  compileLoggedModelSearch,
  parseLoggedModelFilter,
  parseLoggedModelOrderBy,
  type SqlDialect,
} from '../../query/index.js';
import {
  validateExperimentId,
  validateFinalStatus,
  validateLoggedModelId,
  validateLoggedModelName,
  validateLoggedModelType,
  validateParam,
  validateParamKeysUnique,
  validateSearchLoggedModels,
  validateTag,
  validateTagKey,
} from '../../validation/index.js';
import { pythonJsonText } from '../../utils/python-json-text.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../page-token.js';
import type { CreateLoggedModelInput, Page, SearchLoggedModelsInput } from '../tracking-store.js';
import { generateRunName } from './run-names.js';
import {
  EXPERIMENT_COLUMNS,
  chunks,
  experimentNotFound,
  push,
  refuseChangedParams,
  type ExperimentRow,
  type RunRow,
} from './rows.js';
import type { SqlDriver, SqlExecutor } from './sql-driver.js';
import type { LoggedModelLocation, LoggedModelLocator } from './sql-registry-store.js';

/** A row of `logged_models` (the columns of {@link MODEL_COLUMNS}). */
interface LoggedModelRow {
  model_seq: number | string;
  model_id: string;
  experiment_id: number | string;
  name: string;
  artifact_location: string;
  creation_timestamp: number | string;
  last_updated_timestamp: number | string;
  status: string;
  lifecycle_stage: LifecycleStage;
  model_type: string;
  source_run_id: string;
  status_message: string | null;
  [column: string]: unknown;
}

/** A row of `logged_model_metrics` joined with its run's id. */
interface ModelMetricRow {
  model_seq: number | string;
  key: string;
  value: number;
  is_nan: number | boolean;
  timestamp: number | string;
  step: number | string;
  dataset_name: string;
  dataset_digest: string;
  run_uuid: string;
  [column: string]: unknown;
}

const MODEL_COLUMNS =
  'model_seq, model_id, experiment_id, name, artifact_location, creation_timestamp, last_updated_timestamp, status, lifecycle_stage, model_type, source_run_id, status_message';

/** The status names `logged_models.status` keeps, by the wire name MLflow's API uses. */
const STORED_STATUS: Readonly<Record<LoggedModelStatus, string>> = {
  LOGGED_MODEL_STATUS_UNSPECIFIED: 'UNSPECIFIED',
  LOGGED_MODEL_PENDING: 'PENDING',
  LOGGED_MODEL_READY: 'READY',
  LOGGED_MODEL_UPLOAD_FAILED: 'FAILED',
};

function wireStatus(stored: string): LoggedModelStatus {
  const found = (Object.keys(STORED_STATUS) as LoggedModelStatus[]).find((s) => STORED_STATUS[s] === stored);
  return found ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED';
}

/** MLflow's error for a model id no active model has. */
function modelNotFound(modelId: string): AgentrackError {
  return notFound(`Logged model with ID '${modelId}' not found.`);
}

/** What the logged models share with the SQL store that keeps them. */
export interface SqlLoggedModelsContext {
  readonly driver: SqlDriver;
  readonly dialect: SqlDialect;
  /** SQL written with `?` placeholders, in the driver's own placeholder syntax. */
  sql(text: string): string;
  /** The clock, in epoch milliseconds. */
  now(): number;
}

/**
 * MLflow 3's logged models over SQL, with the rules of MLflow's `sqlalchemy_store.py`: the
 * operations of the `TrackingStore` on logged models, which `SqlTrackingStore` delegates here,
 * and the parts of run writes and reads that touch models (metrics logged with a `model_id`,
 * a run's model inputs and outputs), run inside the store's own transactions.
 *
 * Unlike MLflow, whose server accepts writes to a deleted model, a deleted model is gone for
 * every operation (RESOURCE_DOES_NOT_EXIST), and a metric or a run link naming a model that
 * does not exist is refused the same way instead of being stored.
 */
export class SqlLoggedModels implements LoggedModelLocator {
  readonly #ctx: SqlLoggedModelsContext;

  constructor(context: SqlLoggedModelsContext) {
    this.#ctx = context;
  }

  #sql(text: string): string {
    return this.#ctx.sql(text);
  }

  /** Creates a PENDING model in an active experiment (see `TrackingStore.createLoggedModel`). */
  async create(input: CreateLoggedModelInput): Promise<LoggedModel> {
    const experimentId = validateExperimentId(input.experimentId);
    const name = validateLoggedModelName(input.name) ?? generateRunName();
    const modelType = validateLoggedModelType(input.modelType);
    const sourceRunId = input.sourceRunId ?? '';
    if (typeof sourceRunId !== 'string')
      throw invalidParameter(`Invalid value for parameter 'source_run_id': expected a string.`);
    const tags = lastOfEachKey((input.tags ?? []).map((t, i) => validateTag(t, { path: `tags[${i}]` })));
    const params = (input.params ?? []).map((p, i) => validateParam(p, { path: `params[${i}]` }));
    validateParamKeysUnique(params);
    const modelId = `m-${randomUUID().replaceAll('-', '')}`;
    return this.#ctx.driver.transaction(async (tx) => {
      const experiment = await this.#activeExperiment(tx, experimentId);
      const now = this.#ctx.now();
      const artifactLocation = appendToArtifactUri(
        experiment.artifact_location,
        'models',
        modelId,
        'artifacts',
      );
      const row = await tx.get<LoggedModelRow>(
        this.#sql(
          `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp,
             last_updated_timestamp, status, lifecycle_stage, model_type, source_run_id)
           VALUES (?, ?, ?, ?, ?, ?, 'PENDING', 'active', ?, ?) RETURNING ${MODEL_COLUMNS}`,
        ),
        [modelId, Number(experimentId), name, artifactLocation, now, now, modelType, sourceRunId],
      );
      if (!row) throw new AgentrackError('INTERNAL_ERROR', 'Creating the logged model returned no row.');
      await this.#upsertTags(tx, row.model_seq, tags);
      if (params.length > 0) {
        await tx.runMany(
          this.#sql(`INSERT INTO logged_model_params (model_seq, key, value) VALUES (?, ?, ?)`),
          params.map((p) => [row.model_seq, p.key, p.value]),
        );
      }
      return (await this.#withData(tx, [row]))[0] as LoggedModel;
    });
  }

  /** An active model with its tags, params and metrics. */
  async get(modelId: string): Promise<LoggedModel> {
    const id = validateLoggedModelId(modelId);
    return this.#ctx.driver.read(async (tx) => {
      const row = await this.#modelRow(tx, id);
      return (await this.#withData(tx, [row]))[0] as LoggedModel;
    });
  }

  /** Soft-deletes a model; deleting a deleted one again changes nothing, as in MLflow. */
  async delete(modelId: string): Promise<void> {
    const id = validateLoggedModelId(modelId);
    await this.#ctx.driver.transaction(async (tx) => {
      const row = await tx.get<LoggedModelRow>(
        this.#sql(`SELECT ${MODEL_COLUMNS} FROM logged_models WHERE model_id = ?`),
        [id],
      );
      if (!row) throw modelNotFound(id);
      if (row.lifecycle_stage === 'deleted') return;
      await tx.run(
        this.#sql(
          `UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp = ? WHERE model_seq = ?`,
        ),
        [this.#ctx.now(), row.model_seq],
      );
    });
  }

  /** Sets the final status of an active model and answers the model. */
  async finalize(modelId: string, status: LoggedModelStatus): Promise<LoggedModel> {
    const id = validateLoggedModelId(modelId);
    const final = validateFinalStatus(status);
    return this.#ctx.driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, id);
      const updated = await tx.get<LoggedModelRow>(
        this.#sql(
          `UPDATE logged_models SET status = ?, last_updated_timestamp = ? WHERE model_seq = ? RETURNING ${MODEL_COLUMNS}`,
        ),
        [STORED_STATUS[final], this.#ctx.now(), row.model_seq],
      );
      return (await this.#withData(tx, [updated ?? row]))[0] as LoggedModel;
    });
  }

  /** Sets tags on an active model. */
  async setTags(modelId: string, tags: readonly KeyValue[]): Promise<void> {
    const id = validateLoggedModelId(modelId);
    const checked = lastOfEachKey(tags.map((t, i) => validateTag(t, { path: `tags[${i}]` })));
    await this.#ctx.driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, id);
      await this.#upsertTags(tx, row.model_seq, checked);
    });
  }

  /** Deletes a tag of an active model. */
  async deleteTag(modelId: string, key: string): Promise<void> {
    const id = validateLoggedModelId(modelId);
    const tagKey = validateTagKey(key);
    await this.#ctx.driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, id);
      const result = await tx.run(
        this.#sql(`DELETE FROM logged_model_tags WHERE model_seq = ? AND key = ?`),
        [row.model_seq, tagKey],
      );
      if (result.changes === 0) {
        throw notFound(`No tag with key '${tagKey}' found for model with ID '${id}'.`);
      }
    });
  }

  /** Logs params of an active model: a key keeps its first value, as a run's params do. */
  async logParams(modelId: string, params: readonly KeyValue[]): Promise<void> {
    const id = validateLoggedModelId(modelId);
    const checked = params.map((p, i) => validateParam(p, { path: `params[${i}]` }));
    validateParamKeysUnique(checked);
    await this.#ctx.driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, id);
      const existing = new Map<string, string>();
      for (const keys of chunks(checked.map((p) => p.key))) {
        const rows = await tx.all<{ key: string; value: string }>(
          this.#sql(
            `SELECT key, value FROM logged_model_params WHERE model_seq = ? AND key IN (${keys.map(() => '?').join(', ')})`,
          ),
          [row.model_seq, ...keys],
        );
        for (const r of rows) existing.set(r.key, r.value);
      }
      refuseChangedParams(checked, existing, `model ID='${id}'`);
      const fresh = checked.filter((p) => !existing.has(p.key));
      if (fresh.length === 0) return;
      // As for run params: another connection may have logged one of these keys meanwhile.
      const { changes } = await tx.runMany(
        this.#sql(
          `INSERT INTO logged_model_params (model_seq, key, value) VALUES (?, ?, ?) ON CONFLICT (model_seq, key) DO NOTHING`,
        ),
        fresh.map((p) => [row.model_seq, p.key, p.value]),
      );
      if (changes === new Set(fresh.map((p) => p.key)).size) return;
      const raced = new Map<string, string>();
      for (const keys of chunks(fresh.map((p) => p.key))) {
        const rows = await tx.all<{ key: string; value: string }>(
          this.#sql(
            `SELECT key, value FROM logged_model_params WHERE model_seq = ? AND key IN (${keys.map(() => '?').join(', ')})`,
          ),
          [row.model_seq, ...keys],
        );
        for (const r of rows) raced.set(r.key, r.value);
      }
      refuseChangedParams(fresh, raced, `model ID='${id}'`);
    });
  }

  /**
   * One page of a logged-model search, paged by keyset as run searches are: the token holds
   * the sort key of the page's last model.
   */
  async search(input: SearchLoggedModelsInput): Promise<Page<LoggedModel>> {
    const search = validateSearchLoggedModels(input);
    const experimentIds = [...new Set(search.experimentIds)].sort();
    const filter = parseLoggedModelFilter(search.filter);
    const orderBy = parseLoggedModelOrderBy(search.orderBy);
    const fingerprint = queryFingerprint([
      'logged-models',
      experimentIds,
      search.filter,
      search.datasets,
      search.orderBy,
    ]);
    const after = decodePageToken(search.pageToken, fingerprint);
    if (experimentIds.length === 0) return { items: [] };
    const compiled = compileLoggedModelSearch(this.#ctx.dialect, {
      experimentIds,
      filter,
      datasets: search.datasets,
      orderBy,
      ...(after ? { after } : {}),
      limit: search.maxResults + 1,
    });
    return this.#ctx.driver.read(async (tx) => {
      const rows = await tx.all<LoggedModelRow>(compiled.sql, compiled.params);
      const pageRows = rows.slice(0, search.maxResults);
      const items = await this.#withData(tx, pageRows);
      const last = pageRows.at(-1);
      return rows.length > search.maxResults && last
        ? { items, nextPageToken: encodePageToken(fingerprint, compiled.sortKeyOf(last)) }
        : { items };
    });
  }

  /**
   * Where an active model's files are, and the run it came from: what the model registry
   * needs for a version whose source is `models:/<model_id>`; `undefined` for no such model.
   */
  async artifactLocation(modelId: string): Promise<LoggedModelLocation | undefined> {
    return this.#ctx.driver.read(async (tx) => {
      const row = await tx.get<LoggedModelRow>(
        this.#sql(
          `SELECT ${MODEL_COLUMNS} FROM logged_models WHERE model_id = ? AND lifecycle_stage = 'active'`,
        ),
        [modelId],
      );
      if (!row) return undefined;
      return row.source_run_id === ''
        ? { artifactUri: row.artifact_location }
        : { artifactUri: row.artifact_location, sourceRunId: row.source_run_id };
    });
  }

  /**
   * Appends `{name, version}` to the model's `mlflow.modelVersions` tag (a JSON list, written as
   * Python's `json.dumps` writes it, as MLflow's UI and client read it), in the caller's
   * transaction. A model that is missing or deleted is left alone; an unreadable tag starts over.
   */
  async recordModelVersion(tx: SqlExecutor, modelId: string, name: string, version: number): Promise<void> {
    const row = await tx.get<{ model_seq: number | string; value: string | null }>(
      this.#sql(
        `SELECT m.model_seq, t.value FROM logged_models m
         LEFT JOIN logged_model_tags t ON t.model_seq = m.model_seq AND t.key = ?
         WHERE m.model_id = ? AND m.lifecycle_stage = 'active'`,
      ),
      [MODEL_VERSIONS_TAG, modelId],
    );
    if (!row) return;
    const versions = [...registrationsOf(row.value), { name, version }];
    await this.#upsertTags(tx, row.model_seq, [{ key: MODEL_VERSIONS_TAG, value: pythonJsonText(versions) }]);
  }

  // ---------------------------------------------------------------- within run writes and reads

  /**
   * Stores the metrics of a run write that name a model as that model's too, in the caller's
   * transaction: each model must exist and be active. A value the model already has from
   * this run (same key, time, step, value and dataset) is stored once.
   */
  async logMetrics(tx: SqlExecutor, run: RunRow, metrics: readonly Metric[]): Promise<void> {
    const withModel = metrics.filter((m) => m.model_id !== undefined);
    if (withModel.length === 0) return;
    const seqs = await this.#modelSeqs(
      tx,
      withModel.map((m) => m.model_id as string),
    );
    await tx.runMany(
      this.#sql(
        `INSERT INTO logged_model_metrics (model_seq, run_seq, key, value, is_nan, timestamp, step, dataset_name, dataset_digest)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      withModel.map((m) => {
        const nan = Number.isNaN(m.value);
        return [
          seqs.get(m.model_id as string),
          run.run_seq,
          m.key,
          nan ? 0 : m.value,
          nan ? 1 : 0,
          m.timestamp,
          m.step,
          m.dataset_name ?? '',
          m.dataset_digest ?? '',
        ];
      }),
    );
  }

  /**
   * Links models to a run as its inputs or outputs, in the caller's transaction: each must
   * exist and be active; a link the run already has is kept as it is.
   */
  async link(
    tx: SqlExecutor,
    run: RunRow,
    direction: 'input' | 'output',
    models: readonly (LoggedModelInput & { step?: number })[],
  ): Promise<void> {
    if (models.length === 0) return;
    const seqs = await this.#modelSeqs(
      tx,
      models.map((m) => m.model_id),
    );
    await tx.runMany(
      this.#sql(
        `INSERT INTO run_logged_models (run_seq, direction, model_seq, step) VALUES (?, ?, ?, ?)
         ON CONFLICT (run_seq, direction, model_seq) DO NOTHING`,
      ),
      models.map((m) => [run.run_seq, direction, seqs.get(m.model_id), m.step ?? 0]),
    );
  }

  /** The models a run used and produced, as `runs/get` answers them (deleted models included, as in MLflow). */
  async runModels(
    tx: SqlExecutor,
    runSeq: number | string,
  ): Promise<{ inputs: LoggedModelInput[]; outputs: LoggedModelOutput[] }> {
    const rows = await tx.all<{ direction: string; model_id: string; step: number | string }>(
      this.#sql(
        `SELECT l.direction, m.model_id, l.step FROM run_logged_models AS l
         JOIN logged_models AS m ON m.model_seq = l.model_seq
         WHERE l.run_seq = ? ORDER BY l.direction, l.model_seq`,
      ),
      [runSeq],
    );
    const inputs: LoggedModelInput[] = [];
    const outputs: LoggedModelOutput[] = [];
    for (const row of rows) {
      if (row.direction === 'input') inputs.push({ model_id: row.model_id });
      else outputs.push({ model_id: row.model_id, step: Number(row.step) });
    }
    return { inputs, outputs };
  }

  /** Removes what the runs selected by `runs` (`SELECT run_seq FROM runs WHERE ...`) have in models: their metrics and links. */
  async deleteForRuns(tx: SqlExecutor, runs: string, params: readonly unknown[]): Promise<void> {
    for (const table of ['logged_model_metrics', 'run_logged_models']) {
      await tx.run(this.#sql(`DELETE FROM ${table} WHERE run_seq IN (${runs})`), params);
    }
  }

  /** Removes every logged model of an experiment for good, with its tags, params, metrics and links. */
  async deleteForExperiment(tx: SqlExecutor, experimentId: number): Promise<void> {
    const models = `SELECT model_seq FROM logged_models WHERE experiment_id = ?`;
    for (const table of [
      'logged_model_tags',
      'logged_model_params',
      'logged_model_metrics',
      'run_logged_models',
    ]) {
      await tx.run(this.#sql(`DELETE FROM ${table} WHERE model_seq IN (${models})`), [experimentId]);
    }
    await tx.run(this.#sql(`DELETE FROM logged_models WHERE experiment_id = ?`), [experimentId]);
  }

  // ---------------------------------------------------------------- helpers

  async #activeExperiment(tx: SqlExecutor, experimentId: string): Promise<ExperimentRow> {
    const row = await tx.get<ExperimentRow>(
      this.#sql(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?`),
      [Number(experimentId)],
    );
    if (!row) throw experimentNotFound(experimentId);
    if (row.lifecycle_stage !== 'active') {
      throw invalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  async #modelRow(tx: SqlExecutor, modelId: string): Promise<LoggedModelRow> {
    const row = await tx.get<LoggedModelRow>(
      this.#sql(
        `SELECT ${MODEL_COLUMNS} FROM logged_models WHERE model_id = ? AND lifecycle_stage = 'active'`,
      ),
      [modelId],
    );
    if (!row) throw modelNotFound(modelId);
    return row;
  }

  /** The `model_seq` of each active model named; RESOURCE_DOES_NOT_EXIST for the first one that is not. */
  async #modelSeqs(tx: SqlExecutor, modelIds: readonly string[]): Promise<Map<string, number | string>> {
    const ids = [...new Set(modelIds)];
    const found = new Map<string, number | string>();
    for (const chunk of chunks(ids)) {
      const rows = await tx.all<{ model_seq: number | string; model_id: string }>(
        this.#sql(
          `SELECT model_seq, model_id FROM logged_models
           WHERE model_id IN (${chunk.map(() => '?').join(', ')}) AND lifecycle_stage = 'active'`,
        ),
        chunk,
      );
      for (const r of rows) found.set(r.model_id, r.model_seq);
    }
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw modelNotFound(missing);
    return found;
  }

  async #upsertTags(tx: SqlExecutor, modelSeq: number | string, tags: readonly KeyValue[]): Promise<void> {
    if (tags.length === 0) return;
    await tx.runMany(
      this.#sql(
        `INSERT INTO logged_model_tags (model_seq, key, value) VALUES (?, ?, ?)
         ON CONFLICT (model_seq, key) DO UPDATE SET value = excluded.value`,
      ),
      tags.map((t) => [modelSeq, t.key, t.value]),
    );
  }

  /** The models of `rows` with their tags and params (by key) and metrics (in the order logged). */
  async #withData(tx: SqlExecutor, rows: readonly LoggedModelRow[]): Promise<LoggedModel[]> {
    const tags = new Map<string, KeyValue[]>();
    const params = new Map<string, KeyValue[]>();
    const metrics = new Map<string, LoggedModelMetric[]>();
    const idOf = new Map(rows.map((r) => [String(r.model_seq), r.model_id]));
    for (const seqs of chunks(rows.map((r) => r.model_seq))) {
      const list = seqs.map(() => '?').join(', ');
      for (const [table, out] of [
        ['logged_model_tags', tags],
        ['logged_model_params', params],
      ] as const) {
        for (const r of await tx.all<{ model_seq: number | string; key: string; value: string }>(
          this.#sql(
            `SELECT model_seq, key, value FROM ${table} WHERE model_seq IN (${list}) ORDER BY model_seq, key`,
          ),
          seqs,
        )) {
          push(out, String(r.model_seq), { key: r.key, value: r.value });
        }
      }
      for (const r of await tx.all<ModelMetricRow>(
        this.#sql(
          `SELECT x.model_seq, x.key, x.value, x.is_nan, x.timestamp, x.step, x.dataset_name, x.dataset_digest, r.run_uuid
           FROM logged_model_metrics AS x JOIN runs AS r ON r.run_seq = x.run_seq
           WHERE x.model_seq IN (${list}) ORDER BY x.model_seq, x.metric_seq`,
        ),
        seqs,
      )) {
        const seq = String(r.model_seq);
        push(metrics, seq, toModelMetric(r, idOf.get(seq) ?? ''));
      }
    }
    return rows.map((row) => {
      const seq = String(row.model_seq);
      const info = toModelInfo(row);
      const t = tags.get(seq);
      if (t) info.tags = t;
      const data: LoggedModel['data'] = {};
      const p = params.get(seq);
      const m = metrics.get(seq);
      if (p) data.params = p;
      if (m) data.metrics = m;
      return { info, data };
    });
  }
}

/** A model's row as MLflow's `LoggedModelInfo`, in MLflow's key order (tags are added after). */
function toModelInfo(row: LoggedModelRow): LoggedModelInfo {
  const info: LoggedModelInfo = {
    model_id: row.model_id,
    experiment_id: String(row.experiment_id),
    name: row.name,
    creation_timestamp_ms: Number(row.creation_timestamp),
    last_updated_timestamp_ms: Number(row.last_updated_timestamp),
    artifact_uri: row.artifact_location,
    status: wireStatus(row.status),
    model_type: row.model_type,
    source_run_id: row.source_run_id,
  };
  if (row.status_message !== null && row.status_message !== '') info.status_message = row.status_message;
  return info;
}

/** A model metric row as MLflow's `Metric` with its dataset, model and run, in MLflow's key order. */
function toModelMetric(row: ModelMetricRow, modelId: string): LoggedModelMetric {
  const metric: LoggedModelMetric = {
    key: row.key,
    value: Number(row.is_nan) ? Number.NaN : Number(row.value),
    timestamp: Number(row.timestamp),
    step: Number(row.step),
  };
  if (row.dataset_name !== '') metric.dataset_name = row.dataset_name;
  if (row.dataset_digest !== '') metric.dataset_digest = row.dataset_digest;
  metric.model_id = modelId;
  metric.run_id = row.run_uuid;
  return metric;
}

/** Tags with each key once, the last value given for it kept, in first-seen order. */
function lastOfEachKey(tags: readonly KeyValue[]): KeyValue[] {
  const latest = new Map<string, string>();
  for (const t of tags) latest.set(t.key, t.value);
  return [...latest].map(([key, value]) => ({ key, value }));
}

/** The logged-model tag listing the registered versions made from the model. */
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/** The entries of an `mlflow.modelVersions` tag value; none when absent or not a JSON list. */
function registrationsOf(value: string | null): unknown[] {
  if (value === null) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

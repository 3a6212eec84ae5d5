import {
  loggedModelStatusName,
  type Experiment,
  type LifecycleStage,
  type LoggedModel,
  type Metric,
} from '../../entities/index.js';
import { AgentrackError } from '../../errors.js';
import type { RegisteredModelRecord, RunModelLink, RunRecord, TraceRecord } from '../import-records.js';
import { chunks, isLater } from './rows.js';
import type { SqlDriver, SqlExecutor } from './sql-driver.js';
import type { SqlTraceStore } from './sql-trace-store.js';

/** What {@link SqlImport.experiments} says of an experiment a database holds. */
export interface ImportedExperiment {
  name: string;
  lifecycleStage: LifecycleStage;
}

/** How many of each kind of object a database holds ({@link SqlImport.counts}). */
export interface SqlObjectCounts {
  experiments: number;
  runs: number;
  loggedModels: number;
  registeredModels: number;
  traces: number;
}

/** Options of {@link SqlImport.putRuns}. */
export interface PutRunsOptions {
  /**
   * When a deleted run was deleted (`deleted_time`, which `agentrack gc --older-than` and the
   * restore of its experiment read); the API does not say, so the caller decides.
   */
  deletedTime(run: RunRecord): number;
}

/** Rows per statement of {@link SqlImport}'s PostgreSQL bulk inserts. */
const JSON_ROWS = 10_000;

/** A value as JSON carries it to PostgreSQL: ±Infinity as the text float8 reads, 64-bit integers as text. */
function jsonValue(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  return value ?? null;
}

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

/** A metric's stored value and NaN flag. */
function storedMetric(metric: Metric): [number, number] {
  return Number.isNaN(metric.value) ? [0, 1] : [metric.value, 0];
}

/**
 * The import surface of the SQL stores: writes objects copied from another store with the ids
 * they had there (experiment ids, run ids, logged model ids, trace and assessment ids, registry
 * version numbers), with their times, stages and statuses as they were, in few statements
 * (multi-row inserts through {@link SqlExecutor.runMany}). Every `put` is one transaction, so a
 * batch is in the database entirely or not at all: what `agentrack copy` resumes from.
 *
 * Nothing here checks a copy's consistency beyond the database's own constraints; the caller
 * reads what is there first ({@link experiments}, {@link existingRuns}, ...) and writes what is
 * missing. Written once for every SQL backend, on the driver's placeholders and dialect.
 */
export class SqlImport {
  readonly #driver: SqlDriver;
  readonly #traces: SqlTraceStore;
  readonly #sql: (text: string) => string;

  constructor(driver: SqlDriver, traces: SqlTraceStore, sql: (text: string) => string) {
    this.#driver = driver;
    this.#traces = traces;
    this.#sql = sql;
  }

  /** Every experiment in the database, by id. */
  async experiments(): Promise<Map<string, ImportedExperiment>> {
    const rows = await this.#driver.all<{
      experiment_id: number | string;
      name: string;
      lifecycle_stage: LifecycleStage;
    }>(this.#sql(`SELECT experiment_id, name, lifecycle_stage FROM experiments ORDER BY experiment_id`));
    return new Map(
      rows.map((row) => [String(row.experiment_id), { name: row.name, lifecycleStage: row.lifecycle_stage }]),
    );
  }

  /** How many objects of each kind the database holds (deleted experiments and runs included). */
  async counts(): Promise<SqlObjectCounts> {
    return this.#driver.read(async (tx) => {
      const count = async (sql: string): Promise<number> =>
        Number((await tx.get<{ n: number | string }>(this.#sql(sql)))?.n ?? 0);
      return {
        experiments: await count(`SELECT COUNT(*) AS n FROM experiments`),
        runs: await count(`SELECT COUNT(*) AS n FROM runs`),
        loggedModels: await count(`SELECT COUNT(*) AS n FROM logged_models WHERE lifecycle_stage = 'active'`),
        registeredModels: await count(`SELECT COUNT(*) AS n FROM registered_models`),
        traces: await count(`SELECT COUNT(*) AS n FROM trace_info`),
      };
    });
  }

  /**
   * Writes an experiment with its id, name, artifact location, times and tags (replacing the
   * tags of an experiment of that id already there, as the Default experiment every database
   * starts with), in lifecycle stage `stage`.
   */
  async putExperiment(experiment: Experiment, stage: LifecycleStage): Promise<void> {
    const id = Number(experiment.experiment_id);
    await this.#driver.transaction(async (tx) => {
      await tx.run(
        this.#sql(
          `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
           VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (experiment_id) DO UPDATE SET name = excluded.name, artifact_location = excluded.artifact_location,
             lifecycle_stage = excluded.lifecycle_stage, creation_time = excluded.creation_time,
             last_update_time = excluded.last_update_time`,
        ),
        [
          id,
          experiment.name,
          experiment.artifact_location,
          stage,
          experiment.creation_time,
          experiment.last_update_time,
        ],
      );
      await tx.run(this.#sql(`DELETE FROM experiment_tags WHERE experiment_id = ?`), [id]);
      await this.#insertMany(
        tx,
        `INSERT INTO experiment_tags (experiment_id, key, value) VALUES (?, ?, ?)`,
        (experiment.tags ?? []).map((tag) => [id, tag.key, tag.value]),
      );
      if (this.#driver.dialect === 'postgres') {
        // Ids given explicitly leave the sequence behind: the next created experiment would take one.
        await tx.run(
          `SELECT setval(pg_get_serial_sequence('experiments', 'experiment_id'),
             GREATEST((SELECT MAX(experiment_id) FROM experiments), 1))`,
        );
      }
    });
  }

  /** Sets an experiment's lifecycle stage and last update time (a deleted one is written active, then deleted once its contents are in). */
  async setExperimentStage(
    experimentId: string,
    stage: LifecycleStage,
    lastUpdateTime: number,
  ): Promise<void> {
    await this.#driver.run(
      this.#sql(`UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?`),
      [stage, lastUpdateTime, Number(experimentId)],
    );
  }

  /** Of `runIds`, those the database holds, with the experiment each is in. */
  async existingRuns(runIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (const ids of chunks([...runIds])) {
      const rows = await this.#driver.all<{ run_uuid: string; experiment_id: number | string }>(
        this.#sql(`SELECT run_uuid, experiment_id FROM runs WHERE run_uuid IN (${marks(ids.length)})`),
        ids,
      );
      for (const row of rows) found.set(row.run_uuid, String(row.experiment_id));
    }
    return found;
  }

  /**
   * Writes runs with their ids, info, tags, params, every metric value (the latest values
   * derived from them, as a write does) and dataset inputs, in one transaction. The runs'
   * experiments must be there; a dataset its experiment already has (same name and digest) is
   * shared, as `logInputs` shares it.
   */
  async putRuns(runs: readonly RunRecord[], options: PutRunsOptions): Promise<void> {
    if (runs.length === 0) return;
    await this.#write(async (tx) => {
      await this.#insertMany(
        tx,
        `INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, end_time, lifecycle_stage,
             artifact_uri, deleted_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        runs.map(({ info, ...record }) => [
          info.run_id,
          Number(info.experiment_id),
          info.run_name,
          info.user_id,
          info.status,
          info.start_time,
          info.end_time ?? null,
          info.lifecycle_stage,
          info.artifact_uri,
          info.lifecycle_stage === 'deleted' ? options.deletedTime({ info, ...record }) : null,
        ]),
      );
      const seqs = await this.#runSeqs(
        tx,
        runs.map((run) => run.info.run_id),
      );
      const seqOf = (run: RunRecord): number | string => {
        const seq = seqs.get(run.info.run_id);
        if (seq === undefined)
          throw new AgentrackError('INTERNAL_ERROR', `Run ${run.info.run_id} was not stored.`);
        return seq;
      };
      await this.#insertMany(
        tx,
        `INSERT INTO tags (run_seq, key, value) VALUES (?, ?, ?)`,
        runs.flatMap((run) => run.tags.map((tag) => [seqOf(run), tag.key, tag.value])),
      );
      await this.#insertMany(
        tx,
        `INSERT INTO params (run_seq, key, value) VALUES (?, ?, ?)`,
        runs.flatMap((run) => run.params.map((param) => [seqOf(run), param.key, param.value])),
      );
      await this.#insertMany(
        tx,
        // The runs are new, and a value logged twice is kept once (as the primary key says):
        // no conflict to check for, which PostgreSQL pays for on every row.
        `INSERT INTO metrics (run_seq, key, step, timestamp, value, is_nan) VALUES (?, ?, ?, ?, ?, ?)`,
        runs.flatMap((run) => {
          const seq = seqOf(run);
          const seen = new Set<string>();
          return run.metrics.flatMap((m) => {
            const [value, nan] = storedMetric(m);
            // The numbers hold no '/', so the key (last) cannot make two rows one.
            const key = `${m.step}/${m.timestamp}/${value}/${nan}/${m.key}`;
            if (seen.has(key)) return [];
            seen.add(key);
            return [[seq, m.key, m.step, m.timestamp, value, nan]];
          });
        }),
      );
      await this.#insertMany(
        tx,
        `INSERT INTO latest_metrics (run_seq, key, value, timestamp, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)`,
        runs.flatMap((run) =>
          latestOf(run.metrics).map((m) => {
            const [value, nan] = storedMetric(m);
            return [seqOf(run), m.key, value, m.timestamp, m.step, nan];
          }),
        ),
      );
      await this.#putDatasetInputs(tx, runs, seqOf);
    });
  }

  /**
   * The dataset inputs of new runs, in a few statements for the whole batch: the datasets
   * (shared with those their experiment has), the runs' links to them, the links' tags.
   */
  async #putDatasetInputs(
    tx: SqlExecutor,
    runs: readonly RunRecord[],
    seqOf: (run: RunRecord) => number | string,
  ): Promise<void> {
    const identity = (experimentId: string, name: string, digest: string): string =>
      JSON.stringify([Number(experimentId), name, digest]);
    const datasets = new Map<
      string,
      { experimentId: string; dataset: RunRecord['datasets'][number]['dataset'] }
    >();
    for (const run of runs) {
      for (const { dataset } of run.datasets) {
        const key = identity(run.info.experiment_id, dataset.name, dataset.digest);
        if (!datasets.has(key)) datasets.set(key, { experimentId: run.info.experiment_id, dataset });
      }
    }
    if (datasets.size === 0) return;
    // In one order in every transaction: concurrent batches sharing datasets wait, never deadlock.
    const ordered = [...datasets].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, d]) => d);
    await this.#insertMany(
      tx,
      `INSERT INTO datasets (experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (experiment_id, name, digest) DO NOTHING`,
      ordered.map(({ experimentId, dataset: d }) => [
        Number(experimentId),
        d.name,
        d.digest,
        d.source_type,
        d.source,
        d.schema ?? null,
        d.profile ?? null,
      ]),
    );
    const seqs = new Map<string, number | string>();
    const experimentIds = [...new Set([...datasets.values()].map((d) => Number(d.experimentId)))];
    for (const digests of chunks([...new Set([...datasets.values()].map((d) => d.dataset.digest))])) {
      const rows = await tx.all<{
        dataset_seq: number | string;
        experiment_id: number | string;
        name: string;
        digest: string;
      }>(
        this.#sql(
          `SELECT dataset_seq, experiment_id, name, digest FROM datasets
           WHERE experiment_id IN (${marks(experimentIds.length)}) AND digest IN (${marks(digests.length)})`,
        ),
        [...experimentIds, ...digests],
      );
      for (const row of rows)
        seqs.set(identity(String(row.experiment_id), row.name, row.digest), row.dataset_seq);
    }
    const links = runs.flatMap((run) => {
      // Of several inputs of one dataset, the first counts, as logInputs keeps it.
      const seen = new Set<string>();
      return run.datasets.flatMap((input) => {
        const key = identity(run.info.experiment_id, input.dataset.name, input.dataset.digest);
        if (seen.has(key)) return [];
        seen.add(key);
        return [{ runSeq: seqOf(run), datasetSeq: seqs.get(key), tags: input.tags ?? [] }];
      });
    });
    await this.#insertMany(
      tx,
      `INSERT INTO inputs (run_seq, dataset_seq) VALUES (?, ?) ON CONFLICT (run_seq, dataset_seq) DO NOTHING`,
      links.map((link) => [link.runSeq, link.datasetSeq]),
    );
    const tagged = links.filter((link) => link.tags.length > 0);
    if (tagged.length === 0) return;
    const inputSeqs = new Map<string, number | string>();
    for (const runSeqs of chunks([...new Set(tagged.map((link) => link.runSeq))])) {
      const rows = await tx.all<{
        input_seq: number | string;
        run_seq: number | string;
        dataset_seq: number | string;
      }>(
        this.#sql(
          `SELECT input_seq, run_seq, dataset_seq FROM inputs WHERE run_seq IN (${marks(runSeqs.length)})`,
        ),
        runSeqs,
      );
      for (const row of rows)
        inputSeqs.set(`${String(row.run_seq)}/${String(row.dataset_seq)}`, row.input_seq);
    }
    await this.#insertMany(
      tx,
      `INSERT INTO input_tags (input_seq, name, value) VALUES (?, ?, ?)
         ON CONFLICT (input_seq, name) DO UPDATE SET value = excluded.value`,
      tagged.flatMap((link) => {
        const input = inputSeqs.get(`${String(link.runSeq)}/${String(link.datasetSeq)}`);
        return link.tags.map((tag) => [input, tag.key, tag.value]);
      }),
    );
  }

  /** Of `modelIds`, the logged models the database holds. */
  async existingLoggedModels(modelIds: readonly string[]): Promise<Set<string>> {
    return this.#existing('logged_models', 'model_id', modelIds);
  }

  /**
   * Writes logged models with their ids, info, tags, params and metrics (each metric's run must
   * be there; one without a run is left out, as the schema has none), in one transaction.
   */
  async putLoggedModels(models: readonly LoggedModel[]): Promise<void> {
    if (models.length === 0) return;
    await this.#write(async (tx) => {
      await this.#insertMany(
        tx,
        `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp,
             last_updated_timestamp, status, lifecycle_stage, model_type, source_run_id, status_message)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        models.map(({ info }) => [
          info.model_id,
          Number(info.experiment_id),
          info.name,
          info.artifact_uri,
          info.creation_timestamp_ms,
          info.last_updated_timestamp_ms,
          loggedModelStatusName(info.status),
          'active',
          info.model_type ?? '',
          info.source_run_id ?? '',
          info.status_message ?? null,
        ]),
      );
      const seqs = await this.#modelSeqs(
        tx,
        models.map((m) => m.info.model_id),
      );
      const runSeqs = await this.#runSeqs(
        tx,
        models.flatMap((m) =>
          (m.data.metrics ?? []).flatMap((metric) => (metric.run_id ? [metric.run_id] : [])),
        ),
      );
      const seqOf = (model: LoggedModel): number | string | undefined => seqs.get(model.info.model_id);
      await this.#insertMany(
        tx,
        `INSERT INTO logged_model_tags (model_seq, key, value) VALUES (?, ?, ?)`,
        models.flatMap((m) => (m.info.tags ?? []).map((tag) => [seqOf(m), tag.key, tag.value])),
      );
      await this.#insertMany(
        tx,
        `INSERT INTO logged_model_params (model_seq, key, value) VALUES (?, ?, ?)`,
        models.flatMap((m) => (m.data.params ?? []).map((param) => [seqOf(m), param.key, param.value])),
      );
      await this.#insertMany(
        tx,
        `INSERT INTO logged_model_metrics (model_seq, run_seq, key, value, is_nan, timestamp, step, dataset_name, dataset_digest)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
        models.flatMap((m) =>
          (m.data.metrics ?? []).flatMap((metric) => {
            const runSeq = metric.run_id === undefined ? undefined : runSeqs.get(metric.run_id);
            if (runSeq === undefined) return [];
            return [
              [
                seqOf(m),
                runSeq,
                metric.key,
                ...storedMetric(metric),
                metric.timestamp,
                metric.step,
                metric.dataset_name ?? '',
                metric.dataset_digest ?? '',
              ],
            ];
          }),
        ),
      );
    });
  }

  /** Links runs to the logged models they used and produced; a link already there is kept. Both ends must be there. */
  async putModelLinks(links: readonly RunModelLink[]): Promise<void> {
    if (links.length === 0) return;
    await this.#driver.transaction(async (tx) => {
      const runSeqs = await this.#runSeqs(
        tx,
        links.map((l) => l.runId),
      );
      const modelSeqs = await this.#modelSeqs(
        tx,
        links.map((l) => l.modelId),
      );
      await this.#insertMany(
        tx,
        `INSERT INTO run_logged_models (run_seq, direction, model_seq, step) VALUES (?, ?, ?, ?)
           ON CONFLICT (run_seq, direction, model_seq) DO NOTHING`,
        links.flatMap((l) => {
          const run = runSeqs.get(l.runId);
          const model = modelSeqs.get(l.modelId);
          return run === undefined || model === undefined ? [] : [[run, l.direction, model, l.step]];
        }),
      );
    });
  }

  /** Of `names`, the registered models the database holds. */
  async existingRegisteredModels(names: readonly string[]): Promise<Set<string>> {
    return this.#existing('registered_models', 'name', names);
  }

  /**
   * Writes a registered model with its tags, its versions with their numbers, stages, sources,
   * tags and times, and its aliases, in one transaction. The model's highest version number
   * so far is taken to be its newest version's (a deleted newer one is not known).
   */
  async putRegisteredModel(record: RegisteredModelRecord): Promise<void> {
    const { model, versions } = record;
    const lastVersion = Math.max(0, ...versions.map((v) => Number(v.version)));
    await this.#driver.transaction(async (tx) => {
      const row = await tx.get<{ model_seq: number | string }>(
        this.#sql(
          `INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description, user_id, last_version)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING model_seq`,
        ),
        [
          model.name,
          model.creation_timestamp,
          model.last_updated_timestamp,
          model.description ?? null,
          model.user_id ?? null,
          lastVersion,
        ],
      );
      if (!row) throw new AgentrackError('INTERNAL_ERROR', 'Storing the registered model returned no row.');
      const seq = row.model_seq;
      await this.#insertMany(
        tx,
        `INSERT INTO registered_model_tags (model_seq, key, value) VALUES (?, ?, ?)`,
        (model.tags ?? []).map((tag) => [seq, tag.key, tag.value]),
      );
      for (const v of versions) {
        const inserted = await tx.get<{ version_seq: number | string }>(
          this.#sql(
            `INSERT INTO model_versions (model_seq, version, creation_timestamp, last_updated_timestamp, description,
               user_id, current_stage, source, storage_location, run_id, run_link, status, status_message, model_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING version_seq`,
          ),
          [
            seq,
            Number(v.version),
            v.creation_timestamp,
            v.last_updated_timestamp,
            v.description === '' ? null : v.description,
            v.user_id ?? null,
            v.current_stage,
            v.source,
            record.storageLocations[v.version] ?? v.source,
            v.run_id === '' ? null : v.run_id,
            v.run_link === '' ? null : v.run_link,
            v.status,
            v.status_message ?? null,
            v.model_id ?? null,
          ],
        );
        await this.#insertMany(
          tx,
          `INSERT INTO model_version_tags (version_seq, key, value) VALUES (?, ?, ?)`,
          (v.tags ?? []).map((tag) => [inserted?.version_seq, tag.key, tag.value]),
        );
      }
      await this.#insertMany(
        tx,
        `INSERT INTO registered_model_aliases (model_seq, alias, version) VALUES (?, ?, ?)`,
        (model.aliases ?? []).map((a) => [seq, a.alias, Number(a.version)]),
      );
    });
  }

  /** Of `traceIds`, the traces the database holds. */
  async existingTraces(traceIds: readonly string[]): Promise<Set<string>> {
    return this.#existing('trace_info', 'trace_id', traceIds);
  }

  /**
   * Writes traces with their ids, infos, assessments (ids kept), spans, run links and
   * `traces.json` files, in one transaction, whatever their experiments' lifecycle stage.
   */
  async putTraces(traces: readonly TraceRecord[]): Promise<void> {
    if (traces.length === 0) return;
    await this.#write(async (tx) => {
      for (const trace of traces) await this.#traces.importTrace(tx, trace);
    });
  }

  /**
   * Every metric value of `runIds`, by run id, in MLflow's history order (timestamp, step,
   * value): a read of whole histories of many runs at once, as a copy of a SQL source makes it
   * (MLflow's API reads one metric of one run, or of 100, at a time).
   */
  async metricHistories(runIds: readonly string[]): Promise<Map<string, Metric[]>> {
    const out = new Map<string, Metric[]>();
    for (const ids of chunks([...new Set(runIds)])) {
      const rows = await this.#driver.all<{
        run_uuid: string;
        key: string;
        value: number;
        timestamp: number | string;
        step: number | string;
        is_nan: number | boolean;
      }>(
        this.#sql(
          `SELECT r.run_uuid, m.key, m.value, m.timestamp, m.step, m.is_nan
           FROM runs r JOIN metrics m ON m.run_seq = r.run_seq
           WHERE r.run_uuid IN (${marks(ids.length)}) ORDER BY m.run_seq, m.key, m.timestamp, m.step, m.value, m.is_nan`,
        ),
        ids,
      );
      for (const row of rows) {
        const metric: Metric = {
          key: row.key,
          value: Number(row.is_nan) ? Number.NaN : Number(row.value),
          timestamp: Number(row.timestamp),
          step: Number(row.step),
        };
        const list = out.get(row.run_uuid);
        if (list) list.push(metric);
        else out.set(row.run_uuid, [metric]);
      }
    }
    return out;
  }

  /** The runs each of `traceIds` is linked to (`link-to-run`), by trace id; traces without links are absent. */
  async traceRunLinks(traceIds: readonly string[]): Promise<Map<string, string[]>> {
    const links = new Map<string, string[]>();
    for (const ids of chunks([...traceIds])) {
      const rows = await this.#driver.all<{ trace_id: string; run_id: string }>(
        this.#sql(
          `SELECT t.trace_id, l.run_id FROM trace_run_links l JOIN trace_info t ON t.trace_seq = l.trace_seq
           WHERE t.trace_id IN (${marks(ids.length)}) ORDER BY t.trace_id, l.run_id`,
        ),
        ids,
      );
      for (const row of rows) links.set(row.trace_id, [...(links.get(row.trace_id) ?? []), row.run_id]);
    }
    return links;
  }

  /**
   * Runs a one-row `INSERT ... VALUES (?, ...) [ON CONFLICT ...]` for every row of `rows`. On
   * PostgreSQL a plain INSERT goes as one `COPY ... FROM STDIN` ({@link SqlExecutor.copyRows}),
   * the server's cheapest way in; one with ON CONFLICT as one JSON parameter per 10,000 rows,
   * expanded into the table's row type by `json_populate_recordset`: a statement with a
   * handful of parameters instead of thousands.
   */
  async #insertMany(tx: SqlExecutor, insert: string, rows: readonly (readonly unknown[])[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.#driver.dialect !== 'postgres') {
      await tx.runMany(this.#sql(insert), rows);
      return;
    }
    const match = /^\s*INSERT INTO (\w+) \(([^)]*)\)\s*VALUES \([?, ]*\)([\s\S]*)$/.exec(insert);
    if (!match) throw new AgentrackError('INTERNAL_ERROR', `Not a one-row INSERT: ${insert}`);
    const [, table, list, rest] = match as unknown as [string, string, string, string];
    const columns = list.split(',').map((c) => c.trim());
    if (rest.trim() === '' && tx.copyRows !== undefined) {
      await tx.copyRows(table, columns, rows);
      return;
    }
    for (let i = 0; i < rows.length; i += JSON_ROWS) {
      const json = JSON.stringify(
        rows
          .slice(i, i + JSON_ROWS)
          .map((row) => Object.fromEntries(columns.map((c, j) => [c, jsonValue(row[j])]))),
      );
      await tx.run(
        `INSERT INTO ${table} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${table}, $1::json)${rest}`,
        [json],
      );
    }
  }

  /**
   * One write transaction of an import. On PostgreSQL its commit does not wait for the WAL
   * flush (`synchronous_commit = off`, for this transaction only): a crash of the server may
   * lose the last transactions it acknowledged, never part of one, and a copy run again
   * writes whatever is missing, so nothing a copy needs is at risk.
   */
  #write(fn: (tx: SqlExecutor) => Promise<void>): Promise<void> {
    return this.#driver.transaction(async (tx) => {
      if (this.#driver.dialect === 'postgres') await tx.run(`SET LOCAL synchronous_commit = off`);
      await fn(tx);
    });
  }

  async #existing(table: string, column: string, values: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const chunk of chunks([...values])) {
      const rows = await this.#driver.all<Record<string, string>>(
        this.#sql(`SELECT ${column} AS v FROM ${table} WHERE ${column} IN (${marks(chunk.length)})`),
        chunk,
      );
      for (const row of rows) found.add(String(row.v));
    }
    return found;
  }

  async #runSeqs(tx: SqlExecutor, runIds: readonly string[]): Promise<Map<string, number | string>> {
    const seqs = new Map<string, number | string>();
    for (const ids of chunks([...new Set(runIds)])) {
      const rows = await tx.all<{ run_seq: number | string; run_uuid: string }>(
        this.#sql(`SELECT run_seq, run_uuid FROM runs WHERE run_uuid IN (${marks(ids.length)})`),
        ids,
      );
      for (const row of rows) seqs.set(row.run_uuid, row.run_seq);
    }
    return seqs;
  }

  async #modelSeqs(tx: SqlExecutor, modelIds: readonly string[]): Promise<Map<string, number | string>> {
    const seqs = new Map<string, number | string>();
    for (const ids of chunks([...new Set(modelIds)])) {
      const rows = await tx.all<{ model_seq: number | string; model_id: string }>(
        this.#sql(`SELECT model_seq, model_id FROM logged_models WHERE model_id IN (${marks(ids.length)})`),
        ids,
      );
      for (const row of rows) seqs.set(row.model_id, row.model_seq);
    }
    return seqs;
  }
}

/** The latest value of each key (MLflow's rule: the greatest step, then timestamp, then value). */
function latestOf(metrics: readonly Metric[]): Metric[] {
  const latest = new Map<string, Metric>();
  for (const m of metrics) {
    const current = latest.get(m.key);
    if (!current || isLater(m, current)) latest.set(m.key, m);
  }
  return [...latest.values()];
}

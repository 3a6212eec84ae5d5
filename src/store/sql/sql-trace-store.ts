import { randomUUID } from 'node:crypto';
import { appendToArtifactUri } from '../../artifacts/artifact-locations.js';
import {
  TRACE_ARTIFACT_LOCATION_TAG,
  type Assessment,
  type Expectation,
  type Feedback,
  type Span,
  type SpanStatusCode,
  type TraceInfo,
  type TraceState,
} from '../../entities/index.js';
import { AgentrackError, invalidParameter, notFound } from '../../errors.js';
import type { TraceRecord } from '../import-records.js';
import {
  compileTraceSearch,
  parseTraceFilter,
  parseTraceOrderBy,
  type SqlDialect,
} from '../../query/index.js';
import { formatProtoDuration, formatProtoTimestamp } from '../../utils/protobuf-time.js';
import {
  validateAssessment,
  validateAssessmentChanges,
  validateAssessmentUpdateMask,
  validateDeleteTraces,
  validateExperimentId,
  validateExperimentIds,
  validateSearchTracesMaxResults,
  validateEndTrace,
  validateSpans,
  validateStartTraceV2,
  validateTraceIdToRead,
  validateTraceInfo,
  validateTraceInfoIds,
  validateTraceTag,
  validateTraceTagKey,
  validateTracesToLink,
  validateRunIdToRead,
  type ValidAssessment,
  type ValidTraceInfo,
} from '../../validation/index.js';
import type {
  AssessmentUpdateField,
  DeleteTracesInput,
  EndTraceInput,
  SearchTracesInput,
  StoredTraceData,
  TraceDataFile,
  TraceDataStore,
  TraceStore,
} from '../trace-store.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../page-token.js';
import type { Page } from '../tracking-store.js';
import { experimentNotFound, push } from './rows.js';
import type { SqlDriver, SqlExecutor } from './sql-driver.js';
import { withDatabaseErrors } from './with-database-errors.js';

/** A row of `trace_info`. */
interface TraceInfoRow {
  trace_seq: number | string;
  trace_id: string;
  experiment_id: number | string;
  request_time: number | string;
  execution_time_ms: number | string | null;
  state: TraceState;
  client_request_id: string | null;
  request_preview: string | null;
  response_preview: string | null;
  [column: string]: unknown;
}

/** A row of `assessments` with its trace's id. */
interface AssessmentRow {
  assessment_seq: number | string;
  assessment_id: string;
  trace_seq: number | string;
  trace_id: string;
  name: string;
  kind: 'feedback' | 'expectation';
  payload: string;
  rationale: string | null;
  source_type: string;
  source_id: string | null;
  span_id: string | null;
  metadata: string | null;
  overrides: string | null;
  valid: number | boolean;
  run_id: string | null;
  create_time: number | string;
  last_update_time: number | string;
  [column: string]: unknown;
}

/** A row of `trace_spans`, its nanosecond times read as text. */
interface SpanRow {
  span_id: string;
  parent_span_id: string | null;
  name: string;
  span_type: string;
  status: SpanStatusCode;
  status_message: string | null;
  start_time_ns: string;
  end_time_ns: string | null;
  attributes: string;
  events: string | null;
  [column: string]: unknown;
}

/** The columns of {@link TraceInfoRow}. */
const TRACE_INFO_COLUMNS =
  'trace_seq, trace_id, experiment_id, request_time, execution_time_ms, state, client_request_id, request_preview, response_preview';

const ASSESSMENT_COLUMNS =
  'a.assessment_seq, a.assessment_id, a.trace_seq, t.trace_id, a.name, a.kind, a.payload, a.rationale, a.source_type, a.source_id, a.span_id, a.metadata, a.overrides, a.valid, a.run_id, a.create_time, a.last_update_time';

// Nanosecond times exceed a double's exact range: they are bound as decimal text (which an
// integer column stores as an integer) and read back as text.
const SPAN_COLUMNS =
  'span_id, parent_span_id, name, span_type, status, status_message, CAST(start_time_ns AS TEXT) AS start_time_ns, CAST(end_time_ns AS TEXT) AS end_time_ns, attributes, events';

/**
 * The spans of a trace (parameter: its `trace_seq`) as three JSON arrays, one value per span
 * in the same sequence (every aggregate of one query steps through the same rows): `heads`
 * holds `[span_id, parent_span_id, name, span_type, status, status_message, start, end]` with
 * the nanosecond times as text, `attributes` and `events` the stored JSON texts.
 */
const SQLITE_SPANS_JSON = `SELECT
    json_group_array(json_array(span_id, parent_span_id, name, span_type, status, status_message,
      CAST(start_time_ns AS TEXT), CAST(end_time_ns AS TEXT))) AS heads,
    '[' || coalesce(group_concat(attributes, ','), '') || ']' AS attributes,
    json_group_array(json(events)) AS events
  FROM (SELECT * FROM trace_spans WHERE trace_seq = ? ORDER BY start_time_ns, span_id)`;

/** One element of the `heads` of {@link SQLITE_SPANS_JSON}. */
type SpanHead = [string, string | null, string, string, SpanStatusCode, string | null, string, string | null];

const SPAN_UPSERT_COLUMNS = [
  'trace_seq',
  'span_id',
  'parent_span_id',
  'name',
  'span_type',
  'status',
  'status_message',
  'start_time_ns',
  'end_time_ns',
  'attributes',
  'events',
] as const;

/** Most parameters one multi-row statement binds (below SQLite's and PostgreSQL's limits). */
const MAX_PARAMS = 30_000;

/** The tables that hang off a trace, deleted with it. */
const TRACE_CHILD_TABLES = [
  'trace_tags',
  'trace_metadata',
  'trace_spans',
  'trace_data',
  'assessments',
  'trace_run_links',
];

/** MLflow's error for an unknown trace. */
function traceNotFound(traceId: string): ReturnType<typeof notFound> {
  return notFound(`Trace with ID '${traceId}' not found.`);
}

function assessmentNotFound(traceId: string, assessmentId: string): ReturnType<typeof notFound> {
  return notFound(`Assessment with ID '${assessmentId}' not found for trace '${traceId}'`);
}

/** A new id of the form `<prefix><32 hex digits>`. */
function newId(prefix: string): string {
  return `${prefix}${randomUUID().replaceAll('-', '')}`;
}

/** Options of {@link SqlTraceStore}. */
export interface SqlTraceStoreOptions {
  /** SQL written with `?` placeholders, in the driver's own placeholder syntax. */
  sql: (text: string) => string;
  /** The tracking store's clock, in epoch milliseconds. */
  now: () => number;
}

/**
 * MLflow 3's traces and assessments over SQL, on the tracking store's driver, dialect and
 * clock, with the rules of MLflow's SQL store (`start_trace`, `set_trace_tag`,
 * `_delete_traces`, `link_traces_to_run`, `create_assessment`, ...) on the tables of
 * migration 9.
 *
 * - Every write is one transaction. Tags, metadata and spans go in as multi-row statements:
 *   a trace of ten spans is one `INSERT ... ON CONFLICT` (the ingest path).
 * - Spans keep exact nanosecond times: bound as decimal text, read with `CAST(... AS TEXT)`.
 * - An assessment that overrides another makes it `valid: false`; deleting the override makes
 *   it valid again, as MLflow does.
 */
export class SqlTraceStore implements TraceStore, TraceDataStore {
  readonly #driver: SqlDriver;
  readonly #dialect: SqlDialect;
  readonly #sql: (text: string) => string;
  readonly #now: () => number;

  constructor(driver: SqlDriver, dialect: SqlDialect, options: SqlTraceStoreOptions) {
    this.#driver = withDatabaseErrors(driver);
    this.#dialect = dialect;
    this.#sql = options.sql;
    this.#now = options.now;
  }

  // ---------------------------------------------------------------- trace infos

  async startTrace(info: TraceInfo): Promise<TraceInfo> {
    const valid = validateTraceInfo(info);
    return this.#driver.transaction((tx) => this.#writeInfo(tx, valid));
  }

  async logTrace(info: TraceInfo, spans: readonly Span[]): Promise<TraceInfo> {
    const valid = validateTraceInfo(info);
    const validSpans = validateSpans(valid.traceId, spans);
    return this.#driver.transaction(async (tx) => {
      const stored = await this.#writeInfo(tx, valid);
      if (validSpans.length > 0)
        await this.#upsertSpans(tx, await this.#traceSeq(tx, valid.traceId), validSpans);
      return stored;
    });
  }

  async startTraceV2(input: {
    experimentId: string;
    timestampMs: number;
    metadata?: Readonly<Record<string, string>>;
    tags?: Readonly<Record<string, string>>;
  }): Promise<TraceInfo> {
    const valid = validateStartTraceV2(input);
    return this.#driver.transaction((tx) =>
      this.#writeInfo(tx, {
        traceId: newId('tr-'),
        experimentId: valid.experimentId,
        requestTime: valid.timestampMs,
        executionTimeMs: null,
        state: 'IN_PROGRESS',
        metadata: valid.metadata,
        tags: valid.tags,
        assessments: [],
      }),
    );
  }

  async endTrace(traceId: string, input: EndTraceInput): Promise<TraceInfo> {
    const id = validateTraceIdToRead(traceId, 'request_id');
    const valid = validateEndTrace(input);
    return this.#driver.transaction(async (tx) => {
      const row = await this.#traceRow(tx, id);
      await tx.run(this.#sql(`UPDATE trace_info SET state = ?, execution_time_ms = ? WHERE trace_seq = ?`), [
        valid.state,
        valid.endTimeMs - Number(row.request_time),
        row.trace_seq,
      ]);
      await this.#upsertPairs(tx, 'trace_metadata', row.trace_seq, valid.metadata);
      await this.#upsertPairs(tx, 'trace_tags', row.trace_seq, valid.tags);
      return (await this.#infos(tx, [await this.#traceRow(tx, id)], true))[0] as TraceInfo;
    });
  }

  async getTraceInfo(traceId: string): Promise<TraceInfo> {
    const id = validateTraceIdToRead(traceId);
    return this.#driver.read(
      async (tx) => (await this.#infos(tx, [await this.#traceRow(tx, id)], true))[0] as TraceInfo,
    );
  }

  async getTraceExperimentId(traceId: string): Promise<string> {
    const id = validateTraceIdToRead(traceId);
    const row = await this.#driver.read((tx) =>
      tx.get<{ experiment_id: number | string }>(
        this.#sql(`SELECT experiment_id FROM trace_info WHERE trace_id = ?`),
        [id],
      ),
    );
    if (!row) throw traceNotFound(id);
    return String(row.experiment_id);
  }

  async getTraceInfos(traceIds: readonly string[]): Promise<TraceInfo[]> {
    const ids = validateTraceInfoIds(traceIds);
    if (ids.length === 0) return [];
    return this.#driver.read(async (tx) => {
      const rows = await tx.all<TraceInfoRow>(
        this.#sql(`SELECT ${TRACE_INFO_COLUMNS} FROM trace_info WHERE trace_id IN (${marks(ids.length)})`),
        ids,
      );
      const infos = new Map((await this.#infos(tx, rows, true)).map((info) => [info.trace_id, info]));
      return ids.flatMap((id) => {
        const info = infos.get(id);
        return info ? [info] : [];
      });
    });
  }

  /**
   * One page of the traces of some experiments, the newest first by default, with tags,
   * metadata and assessments (as MLflow 3.3's search answers: `mlflow.search_traces` and
   * `genai.evaluate`'s result table read the assessments from it). Keyset paging: a token
   * resumes strictly after the last trace of its page and belongs to its query.
   */
  async searchTraces(input: SearchTracesInput): Promise<Page<TraceInfo>> {
    const experimentIds = [...new Set(validateExperimentIds(input.experimentIds))].sort();
    if (experimentIds.length === 0) {
      throw invalidParameter('At least one experiment id must be given to search traces.');
    }
    const maxResults = validateSearchTracesMaxResults(input.maxResults);
    const filter = parseTraceFilter(input.filter);
    const orderBy = parseTraceOrderBy(input.orderBy);
    const fingerprint = queryFingerprint(['traces', experimentIds, input.filter ?? '', input.orderBy ?? []]);
    const after = decodePageToken(input.pageToken, fingerprint);
    const compiled = compileTraceSearch(this.#dialect, {
      experimentIds,
      filter,
      orderBy,
      ...(after ? { after } : {}),
      limit: maxResults + 1,
    });
    return this.#driver.read(async (tx) => {
      const rows = await tx.all<TraceInfoRow>(compiled.sql, compiled.params);
      const pageRows = rows.slice(0, maxResults);
      const items = await this.#infos(tx, pageRows, true);
      const last = pageRows.at(-1);
      return rows.length > maxResults && last
        ? { items, nextPageToken: encodePageToken(fingerprint, compiled.sortKeyOf(last)) }
        : { items };
    });
  }

  async setTraceTag(traceId: string, key: string, value: string): Promise<void> {
    const id = validateTraceIdToRead(traceId);
    const tag = validateTraceTag(key, value);
    await this.#driver.transaction(async (tx) => {
      const seq = await this.#traceSeq(tx, id);
      await this.#upsertPairs(tx, 'trace_tags', seq, { [tag.key]: tag.value });
    });
  }

  async deleteTraceTag(traceId: string, key: string): Promise<void> {
    const id = validateTraceIdToRead(traceId);
    const tagKey = validateTraceTagKey(key);
    await this.#driver.transaction(async (tx) => {
      const seq = await this.#traceSeq(tx, id);
      const result = await tx.run(this.#sql(`DELETE FROM trace_tags WHERE trace_seq = ? AND key = ?`), [
        seq,
        tagKey,
      ]);
      if (result.changes === 0) throw notFound(`No trace tag with key '${tagKey}' for trace with ID '${id}'`);
    });
  }

  async deleteTraces(input: DeleteTracesInput): Promise<number> {
    const valid = validateDeleteTraces(input);
    return this.#driver.transaction(async (tx) => {
      let seqs: (number | string)[];
      if ('traceIds' in valid) {
        seqs = [];
        for (const ids of chunksOf(valid.traceIds, 500)) {
          const rows = await tx.all<{ trace_seq: number | string }>(
            this.#sql(
              `SELECT trace_seq FROM trace_info WHERE experiment_id = ? AND trace_id IN (${marks(ids.length)})`,
            ),
            [Number(valid.experimentId), ...ids],
          );
          seqs.push(...rows.map((r) => r.trace_seq));
        }
      } else {
        const limit = valid.maxTraces === undefined ? '' : ' LIMIT ?';
        const rows = await tx.all<{ trace_seq: number | string }>(
          this.#sql(
            `SELECT trace_seq FROM trace_info WHERE experiment_id = ? AND request_time <= ?
             ORDER BY request_time, trace_id${limit}`,
          ),
          [
            Number(valid.experimentId),
            valid.maxTimestampMillis,
            ...(valid.maxTraces === undefined ? [] : [valid.maxTraces]),
          ],
        );
        seqs = rows.map((r) => r.trace_seq);
      }
      for (const chunk of chunksOf(seqs, 500)) {
        await this.#deleteTraceRows(tx, `trace_seq IN (${marks(chunk.length)})`, chunk);
      }
      return seqs.length;
    });
  }

  async linkTracesToRun(traceIds: readonly string[], runId: string): Promise<void> {
    const ids = [...new Set(validateTracesToLink(traceIds))];
    const run = validateRunIdToRead(runId);
    await this.#driver.transaction(async (tx) => {
      const found = await tx.get(this.#sql(`SELECT run_uuid FROM runs WHERE run_uuid = ?`), [run]);
      if (!found) throw notFound(`Run with id=${run} not found`);
      if (ids.length === 0) return;
      const rows = await tx.all<{ trace_seq: number | string; trace_id: string }>(
        this.#sql(`SELECT trace_seq, trace_id FROM trace_info WHERE trace_id IN (${marks(ids.length)})`),
        ids,
      );
      const known = new Set(rows.map((r) => r.trace_id));
      const missing = ids.find((id) => !known.has(id));
      if (missing !== undefined) throw traceNotFound(missing);
      await tx.run(
        this.#sql(
          `INSERT INTO trace_run_links (trace_seq, run_id) VALUES ${rows.map(() => '(?, ?)').join(', ')}
           ON CONFLICT (trace_seq, run_id) DO NOTHING`,
        ),
        rows.flatMap((r) => [r.trace_seq, run]),
      );
    });
  }

  // ---------------------------------------------------------------- spans

  async logSpans(traceId: string, spans: readonly Span[]): Promise<void> {
    const id = validateTraceIdToRead(traceId);
    const valid = validateSpans(id, spans);
    await this.#driver.transaction(async (tx) => {
      await this.#upsertSpans(tx, await this.#traceSeq(tx, id), valid);
    });
  }

  /** Span rows of a trace, replacing those of the same ids: one multi-row statement per chunk. */
  async #upsertSpans(tx: SqlExecutor, seq: number | string, spans: readonly Span[]): Promise<void> {
    const perStatement = Math.floor(MAX_PARAMS / SPAN_UPSERT_COLUMNS.length);
    for (const chunk of chunksOf(spans, perStatement)) {
      await tx.run(
        this.#sql(
          `INSERT INTO trace_spans (${SPAN_UPSERT_COLUMNS.join(', ')})
             VALUES ${chunk.map(() => SPAN_VALUES).join(', ')}
             ON CONFLICT (trace_seq, span_id) DO UPDATE SET ${SPAN_UPDATES}`,
        ),
        chunk.flatMap((span) => [
          seq,
          span.span_id,
          span.parent_span_id ?? null,
          span.name,
          span.span_type,
          span.status,
          span.status_message ?? null,
          span.start_time_unix_nano,
          span.end_time_unix_nano ?? null,
          JSON.stringify(span.attributes),
          span.events && span.events.length > 0 ? JSON.stringify(span.events) : null,
        ]),
      );
    }
  }

  async getSpans(traceId: string): Promise<Span[]> {
    const id = validateTraceIdToRead(traceId);
    return this.#driver.read(async (tx) => {
      const seq = await this.#traceSeq(tx, id);
      if (this.#dialect.name === 'sqlite') {
        // Three JSON texts and three JSON.parse calls: a row object per span and a parse per
        // attribute object cost about twice as much on a trace of thousands of spans.
        const row = await tx.get<{ heads: string; attributes: string; events: string }>(
          this.#sql(SQLITE_SPANS_JSON),
          [seq],
        );
        return row ? spansFromJson(id, row) : [];
      }
      const rows = await tx.all<SpanRow>(
        this.#sql(
          `SELECT ${SPAN_COLUMNS} FROM trace_spans WHERE trace_seq = ? ORDER BY trace_spans.start_time_ns, trace_spans.span_id`,
        ),
        [seq],
      );
      return rows.map((row) => toSpan(id, row));
    });
  }

  // ---------------------------------------------------------------- traces.json files

  async putTraceData(
    traceId: string,
    experimentId: string,
    spans: readonly Span[],
    file: TraceDataFile,
  ): Promise<boolean> {
    const id = validateTraceIdToRead(traceId);
    const experiment = Number(validateExperimentId(experimentId));
    const valid = validateSpans(id, spans);
    return this.#driver.transaction(async (tx) => {
      const row = await tx.get<{ trace_seq: number | string }>(
        this.#sql(`SELECT trace_seq FROM trace_info WHERE trace_id = ? AND experiment_id = ?`),
        [id, experiment],
      );
      if (!row) return false;
      await this.#upsertSpans(tx, row.trace_seq, valid);
      await tx.run(
        this.#sql(
          `INSERT INTO trace_data (trace_seq, content, content_type) VALUES (?, ?, ?)
           ON CONFLICT (trace_seq) DO UPDATE SET content = excluded.content, content_type = excluded.content_type`,
        ),
        [row.trace_seq, file.bytes, file.contentType ?? null],
      );
      return true;
    });
  }

  async getTraceData(traceId: string, experimentId: string): Promise<TraceDataFile | undefined> {
    const id = validateTraceIdToRead(traceId);
    const experiment = Number(validateExperimentId(experimentId));
    const row = await this.#driver.get<{ content: Buffer; content_type: string | null }>(
      this.#sql(
        `SELECT d.content, d.content_type FROM trace_data d JOIN trace_info t ON t.trace_seq = d.trace_seq
         WHERE t.trace_id = ? AND t.experiment_id = ?`,
      ),
      [id, experiment],
    );
    if (!row) return undefined;
    return row.content_type === null
      ? { bytes: row.content }
      : { bytes: row.content, contentType: row.content_type };
  }

  async listTraceData(experimentId: string, traceId?: string): Promise<StoredTraceData[]> {
    const experiment = Number(validateExperimentId(experimentId));
    const one = traceId === undefined ? '' : ' AND t.trace_id = ?';
    const rows = await this.#driver.all<{ trace_id: string; size: number | string }>(
      this.#sql(
        `SELECT t.trace_id, length(d.content) AS size FROM trace_data d
         JOIN trace_info t ON t.trace_seq = d.trace_seq
         WHERE t.experiment_id = ?${one} ORDER BY t.trace_id`,
      ),
      traceId === undefined ? [experiment] : [experiment, validateTraceIdToRead(traceId)],
    );
    return rows.map((row) => ({ traceId: row.trace_id, size: Number(row.size) }));
  }

  async traceDataExperiments(): Promise<string[]> {
    const rows = await this.#driver.all<{ experiment_id: number | string }>(
      this.#sql(
        `SELECT DISTINCT t.experiment_id FROM trace_data d JOIN trace_info t ON t.trace_seq = d.trace_seq
         ORDER BY t.experiment_id`,
      ),
    );
    return rows.map((row) => String(row.experiment_id));
  }

  async deleteTraceData(experimentId: string, traceId?: string): Promise<number> {
    const experiment = Number(validateExperimentId(experimentId));
    const one = traceId === undefined ? '' : ' AND trace_id = ?';
    const params = traceId === undefined ? [experiment] : [experiment, validateTraceIdToRead(traceId)];
    const result = await this.#driver.transaction((tx) =>
      tx.run(
        this.#sql(
          `DELETE FROM trace_data WHERE trace_seq IN
             (SELECT trace_seq FROM trace_info WHERE experiment_id = ?${one})`,
        ),
        params,
      ),
    );
    return result.changes;
  }

  // ---------------------------------------------------------------- assessments

  async createAssessment(
    assessment: Omit<Assessment, 'assessment_id'> & { assessment_id?: string },
  ): Promise<Assessment> {
    const valid = validateAssessment(assessment);
    delete valid.assessmentId;
    return this.#driver.transaction(async (tx) => {
      const seq = await this.#traceSeq(tx, valid.traceId);
      return this.#insertAssessment(tx, seq, valid);
    });
  }

  async getAssessment(traceId: string, assessmentId: string): Promise<Assessment> {
    const id = validateTraceIdToRead(traceId);
    const aid = validateTraceIdToRead(assessmentId, 'assessment_id');
    return this.#driver.read(async (tx) => toAssessment(await this.#assessmentRow(tx, id, aid)));
  }

  async updateAssessment(
    traceId: string,
    assessmentId: string,
    changes: Partial<Assessment>,
    updateMask: readonly AssessmentUpdateField[],
  ): Promise<Assessment> {
    const id = validateTraceIdToRead(traceId);
    const aid = validateTraceIdToRead(assessmentId, 'assessment_id');
    const mask = validateAssessmentUpdateMask(updateMask);
    const valid = validateAssessmentChanges(changes, mask);
    return this.#driver.transaction(async (tx) => {
      const row = await this.#assessmentRow(tx, id, aid);
      if (valid.feedback !== undefined && row.kind !== 'feedback') {
        throw invalidParameter('Cannot update feedback value on an Expectation assessment.');
      }
      if (valid.expectation !== undefined && row.kind !== 'expectation') {
        throw invalidParameter('Cannot update expectation value on a Feedback assessment.');
      }
      if (mask.length === 0) return toAssessment(row);
      const payload = valid.feedback ?? valid.expectation;
      const metadata =
        valid.metadata === undefined
          ? row.metadata
          : JSON.stringify({
              ...(row.metadata === null ? {} : (JSON.parse(row.metadata) as object)),
              ...valid.metadata,
            });
      const updated: AssessmentRow = {
        ...row,
        name: valid.name ?? row.name,
        payload: payload === undefined ? row.payload : JSON.stringify(payload),
        rationale:
          valid.rationale === undefined ? row.rationale : valid.rationale === '' ? null : valid.rationale,
        metadata,
        valid: valid.valid === undefined ? row.valid : valid.valid ? 1 : 0,
        last_update_time: this.#now(),
      };
      await tx.run(
        this.#sql(
          `UPDATE assessments SET name = ?, payload = ?, rationale = ?, metadata = ?, valid = ?, last_update_time = ?
           WHERE assessment_seq = ?`,
        ),
        [
          updated.name,
          updated.payload,
          updated.rationale,
          updated.metadata,
          Number(updated.valid) ? 1 : 0,
          updated.last_update_time,
          row.assessment_seq,
        ],
      );
      return toAssessment(updated);
    });
  }

  /**
   * Deletes an assessment; one that is not there is left alone, as MLflow does. An assessment
   * that overrode another gives it back its validity.
   */
  async deleteAssessment(traceId: string, assessmentId: string): Promise<void> {
    const id = validateTraceIdToRead(traceId);
    const aid = validateTraceIdToRead(assessmentId, 'assessment_id');
    await this.#driver.transaction(async (tx) => {
      const row = await tx.get<AssessmentRow>(
        this.#sql(
          `SELECT ${ASSESSMENT_COLUMNS} FROM assessments a JOIN trace_info t ON t.trace_seq = a.trace_seq
           WHERE t.trace_id = ? AND a.assessment_id = ?`,
        ),
        [id, aid],
      );
      if (!row) return;
      if (row.overrides !== null) {
        await tx.run(
          this.#sql(`UPDATE assessments SET valid = 1 WHERE trace_seq = ? AND assessment_id = ?`),
          [row.trace_seq, row.overrides],
        );
      }
      await tx.run(this.#sql(`DELETE FROM assessments WHERE assessment_seq = ?`), [row.assessment_seq]);
    });
  }

  // ---------------------------------------------------------------- for the tracking store

  /** Deletes the traces of an experiment, with everything that hangs off them (permanent deletion). */
  async deleteForExperiment(tx: SqlExecutor, experimentId: number): Promise<void> {
    await this.#deleteTraceRows(tx, 'experiment_id = ?', [experimentId]);
  }

  /** Removes the links of traces to the runs whose `run_seq` the subquery `runs` selects (permanent deletion). */
  async unlinkRuns(tx: SqlExecutor, runs: string, params: readonly unknown[]): Promise<void> {
    await tx.run(
      this.#sql(
        `DELETE FROM trace_run_links WHERE run_id IN (SELECT run_uuid FROM runs WHERE run_seq IN (${runs}))`,
      ),
      params,
    );
  }

  /**
   * For the import surface (`SqlImport`): a whole trace copied from another store, in the
   * caller's transaction: its info with its assessments (their ids kept), its spans, its links
   * to runs and its `traces.json`, in an experiment of any lifecycle stage.
   */
  async importTrace(tx: SqlExecutor, trace: TraceRecord): Promise<void> {
    const info = validateTraceInfo(trace.info);
    await this.#writeInfo(tx, info, true);
    const seq = await this.#traceSeq(tx, info.traceId);
    if (trace.spans.length > 0) await this.#upsertSpans(tx, seq, validateSpans(info.traceId, trace.spans));
    for (const runId of trace.runLinks) {
      await tx.run(
        this.#sql(
          `INSERT INTO trace_run_links (trace_seq, run_id) VALUES (?, ?) ON CONFLICT (trace_seq, run_id) DO NOTHING`,
        ),
        [seq, runId],
      );
    }
    if (trace.data !== undefined) {
      await tx.run(
        this.#sql(
          `INSERT INTO trace_data (trace_seq, content, content_type) VALUES (?, ?, ?)
           ON CONFLICT (trace_seq) DO UPDATE SET content = excluded.content, content_type = excluded.content_type`,
        ),
        [seq, trace.data.bytes, trace.data.contentType ?? null],
      );
    }
  }

  // ---------------------------------------------------------------- internals

  async #writeInfo(tx: SqlExecutor, info: ValidTraceInfo, anyStage = false): Promise<TraceInfo> {
    // One look-up for the experiment and for a trace of that id written before.
    const experiment = await tx.get<{
      artifact_location: string;
      lifecycle_stage: string;
      existing_seq: number | string | null;
    }>(
      this.#sql(
        `SELECT artifact_location, lifecycle_stage,
           (SELECT trace_seq FROM trace_info WHERE trace_id = ?) AS existing_seq
         FROM experiments WHERE experiment_id = ?`,
      ),
      [info.traceId, Number(info.experimentId)],
    );
    if (!experiment) throw experimentNotFound(info.experimentId);
    if (experiment.lifecycle_stage !== 'active' && !anyStage) {
      throw invalidParameter(
        `The experiment ${info.experimentId} must be in the 'active' state. Current state is ${experiment.lifecycle_stage}.`,
      );
    }
    const tags = {
      ...info.tags,
      [TRACE_ARTIFACT_LOCATION_TAG]: appendToArtifactUri(
        experiment.artifact_location,
        'traces',
        info.traceId,
        'artifacts',
      ),
    };
    const values = [
      Number(info.experimentId),
      info.requestTime,
      info.executionTimeMs,
      info.state,
      info.clientRequestId ?? null,
      info.requestPreview ?? null,
      info.responsePreview ?? null,
    ];
    let seq: number | string | null = experiment.existing_seq;
    let existing = seq !== null;
    if (seq === null) {
      const row = await tx.get<{ trace_seq: number | string }>(
        this.#sql(
          `INSERT INTO trace_info (trace_id, experiment_id, request_time, execution_time_ms, state,
             client_request_id, request_preview, response_preview)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (trace_id) DO NOTHING RETURNING trace_seq`,
        ),
        [info.traceId, ...values],
      );
      if (row) {
        seq = row.trace_seq;
      } else {
        // Another connection wrote a trace of this id since the look-up: replaced, as a retry would.
        const other = await tx.get<{ trace_seq: number | string }>(
          this.#sql(`SELECT trace_seq FROM trace_info WHERE trace_id = ?`),
          [info.traceId],
        );
        if (!other)
          throw new AgentrackError('INTERNAL_ERROR', `Storing the trace ${info.traceId} returned no row.`);
        seq = other.trace_seq;
        existing = true;
      }
    }
    if (existing) {
      // The client retries a write it saw fail: the info is replaced, its spans and assessments kept.
      await tx.run(
        this.#sql(
          `UPDATE trace_info SET experiment_id = ?, request_time = ?, execution_time_ms = ?, state = ?,
             client_request_id = ?, request_preview = ?, response_preview = ? WHERE trace_seq = ?`,
        ),
        [...values, seq],
      );
      await tx.run(this.#sql(`DELETE FROM trace_tags WHERE trace_seq = ?`), [seq]);
      await tx.run(this.#sql(`DELETE FROM trace_metadata WHERE trace_seq = ?`), [seq]);
    }
    await this.#upsertPairs(tx, 'trace_tags', seq, tags);
    await this.#upsertPairs(tx, 'trace_metadata', seq, info.metadata);
    for (const assessment of info.assessments) {
      const known =
        assessment.assessmentId !== undefined &&
        (await tx.get(this.#sql(`SELECT 1 AS found FROM assessments WHERE assessment_id = ?`), [
          assessment.assessmentId,
        ]));
      if (!known) await this.#insertAssessment(tx, seq, assessment);
    }
    const out: TraceInfo = {
      trace_id: info.traceId,
      trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: info.experimentId } },
      request_time: formatProtoTimestamp(info.requestTime),
      state: info.state,
    };
    if (info.clientRequestId !== undefined) out.client_request_id = info.clientRequestId;
    if (info.requestPreview !== undefined) out.request_preview = info.requestPreview;
    if (info.responsePreview !== undefined) out.response_preview = info.responsePreview;
    if (info.executionTimeMs !== null) out.execution_duration = formatProtoDuration(info.executionTimeMs);
    if (Object.keys(info.metadata).length > 0) out.trace_metadata = { ...info.metadata };
    if (existing || info.assessments.length > 0) {
      const assessments = await this.#assessmentsOf(tx, [seq]);
      const list = assessments.get(String(seq));
      if (list) out.assessments = list;
    }
    out.tags = tags;
    return out;
  }

  async #insertAssessment(tx: SqlExecutor, seq: number | string, a: ValidAssessment): Promise<Assessment> {
    if (a.overrides !== undefined) {
      const result = await tx.run(
        this.#sql(`UPDATE assessments SET valid = 0 WHERE trace_seq = ? AND assessment_id = ?`),
        [seq, a.overrides],
      );
      if (result.changes === 0) throw assessmentNotFound(a.traceId, a.overrides);
    }
    const now = this.#now();
    const row: AssessmentRow = {
      assessment_seq: 0,
      assessment_id: a.assessmentId ?? newId('a-'),
      trace_seq: seq,
      trace_id: a.traceId,
      name: a.name,
      kind: a.kind,
      payload: JSON.stringify(a.payload),
      rationale: a.rationale ?? null,
      source_type: a.sourceType,
      source_id: a.sourceId ?? null,
      span_id: a.spanId ?? null,
      metadata: a.metadata === undefined ? null : JSON.stringify(a.metadata),
      overrides: a.overrides ?? null,
      valid: a.valid ? 1 : 0,
      run_id: a.runId ?? null,
      create_time: a.createTime ?? now,
      last_update_time: a.lastUpdateTime ?? a.createTime ?? now,
    };
    await tx.run(
      this.#sql(
        `INSERT INTO assessments (assessment_id, trace_seq, name, kind, payload, rationale, source_type, source_id,
           span_id, metadata, overrides, valid, run_id, create_time, last_update_time)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      [
        row.assessment_id,
        seq,
        row.name,
        row.kind,
        row.payload,
        row.rationale,
        row.source_type,
        row.source_id,
        row.span_id,
        row.metadata,
        row.overrides,
        row.valid,
        row.run_id,
        row.create_time,
        row.last_update_time,
      ],
    );
    return toAssessment(row);
  }

  async #assessmentRow(tx: SqlExecutor, traceId: string, assessmentId: string): Promise<AssessmentRow> {
    const row = await tx.get<AssessmentRow>(
      this.#sql(
        `SELECT ${ASSESSMENT_COLUMNS} FROM assessments a JOIN trace_info t ON t.trace_seq = a.trace_seq
         WHERE t.trace_id = ? AND a.assessment_id = ?`,
      ),
      [traceId, assessmentId],
    );
    if (!row) throw assessmentNotFound(traceId, assessmentId);
    return row;
  }

  /** Upserts key/value pairs of one trace in one statement per chunk. */
  async #upsertPairs(
    tx: SqlExecutor,
    table: 'trace_tags' | 'trace_metadata',
    seq: number | string,
    pairs: Readonly<Record<string, string>>,
  ): Promise<void> {
    const entries = Object.entries(pairs);
    for (const chunk of chunksOf(entries, Math.floor(MAX_PARAMS / 3))) {
      await tx.run(
        this.#sql(
          `INSERT INTO ${table} (trace_seq, key, value) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}
           ON CONFLICT (trace_seq, key) DO UPDATE SET value = excluded.value`,
        ),
        chunk.flatMap(([key, value]) => [seq, key, value]),
      );
    }
  }

  async #deleteTraceRows(tx: SqlExecutor, where: string, params: readonly unknown[]): Promise<void> {
    const traces = `SELECT trace_seq FROM trace_info WHERE ${where}`;
    for (const table of TRACE_CHILD_TABLES) {
      await tx.run(this.#sql(`DELETE FROM ${table} WHERE trace_seq IN (${traces})`), params);
    }
    await tx.run(this.#sql(`DELETE FROM trace_info WHERE ${where}`), params);
  }

  async #traceRow(tx: SqlExecutor, traceId: string): Promise<TraceInfoRow> {
    const row = await tx.get<TraceInfoRow>(
      this.#sql(`SELECT ${TRACE_INFO_COLUMNS} FROM trace_info WHERE trace_id = ?`),
      [traceId],
    );
    if (!row) throw traceNotFound(traceId);
    return row;
  }

  async #traceSeq(tx: SqlExecutor, traceId: string): Promise<number | string> {
    const row = await tx.get<{ trace_seq: number | string }>(
      this.#sql(`SELECT trace_seq FROM trace_info WHERE trace_id = ?`),
      [traceId],
    );
    if (!row) throw traceNotFound(traceId);
    return row.trace_seq;
  }

  async #assessmentsOf(
    tx: SqlExecutor,
    seqs: readonly (number | string)[],
  ): Promise<Map<string, Assessment[]>> {
    const out = new Map<string, Assessment[]>();
    for (const chunk of chunksOf(seqs, 500)) {
      const rows = await tx.all<AssessmentRow>(
        this.#sql(
          `SELECT ${ASSESSMENT_COLUMNS} FROM assessments a JOIN trace_info t ON t.trace_seq = a.trace_seq
           WHERE a.trace_seq IN (${marks(chunk.length)}) ORDER BY a.trace_seq, a.create_time, a.assessment_seq`,
        ),
        chunk,
      );
      for (const row of rows) push(out, String(row.trace_seq), toAssessment(row));
    }
    return out;
  }

  async #infos(
    tx: SqlExecutor,
    rows: readonly TraceInfoRow[],
    withAssessments: boolean,
  ): Promise<TraceInfo[]> {
    const tags = new Map<string, Record<string, string>>();
    const metadata = new Map<string, Record<string, string>>();
    const seqs = rows.map((r) => r.trace_seq);
    for (const chunk of chunksOf(seqs, 500)) {
      const list = marks(chunk.length);
      for (const [table, into] of [
        ['trace_tags', tags],
        ['trace_metadata', metadata],
      ] as const) {
        const pairs = await tx.all<{ trace_seq: number | string; key: string; value: string }>(
          this.#sql(
            `SELECT trace_seq, key, value FROM ${table} WHERE trace_seq IN (${list}) ORDER BY trace_seq, key`,
          ),
          chunk,
        );
        for (const p of pairs) {
          const key = String(p.trace_seq);
          const map = into.get(key) ?? {};
          map[p.key] = p.value;
          into.set(key, map);
        }
      }
    }
    const assessments = withAssessments
      ? await this.#assessmentsOf(tx, seqs)
      : new Map<string, Assessment[]>();
    return rows.map((row) => {
      const seq = String(row.trace_seq);
      const info: TraceInfo = {
        trace_id: row.trace_id,
        trace_location: {
          type: 'MLFLOW_EXPERIMENT',
          mlflow_experiment: { experiment_id: String(row.experiment_id) },
        },
        request_time: formatProtoTimestamp(Number(row.request_time)),
        state: row.state,
      };
      if (row.client_request_id !== null) info.client_request_id = row.client_request_id;
      if (row.request_preview !== null) info.request_preview = row.request_preview;
      if (row.response_preview !== null) info.response_preview = row.response_preview;
      if (row.execution_time_ms !== null)
        info.execution_duration = formatProtoDuration(Number(row.execution_time_ms));
      const m = metadata.get(seq);
      if (m) info.trace_metadata = m;
      const a = assessments.get(seq);
      if (a) info.assessments = a;
      const t = tags.get(seq);
      if (t) info.tags = t;
      return info;
    });
  }
}

const SPAN_VALUES = `(${SPAN_UPSERT_COLUMNS.map(() => '?').join(', ')})`;
const SPAN_UPDATES = SPAN_UPSERT_COLUMNS.filter((c) => c !== 'trace_seq' && c !== 'span_id')
  .map((c) => `${c} = excluded.${c}`)
  .join(', ');

function marks(n: number): string {
  return Array.from({ length: n }, () => '?').join(', ');
}

function chunksOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function toSpan(traceId: string, row: SpanRow): Span {
  const span: Span = {
    trace_id: traceId,
    span_id: row.span_id,
    name: row.name,
    span_type: row.span_type,
    status: row.status,
    start_time_unix_nano: row.start_time_ns,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
  };
  if (row.parent_span_id !== null) span.parent_span_id = row.parent_span_id;
  if (row.status_message !== null) span.status_message = row.status_message;
  if (row.end_time_ns !== null) span.end_time_unix_nano = row.end_time_ns;
  if (row.events !== null) span.events = JSON.parse(row.events) as Span['events'];
  return span;
}

/** The spans of {@link SQLITE_SPANS_JSON}'s answer, sorted by start time then span id. */
function spansFromJson(traceId: string, row: { heads: string; attributes: string; events: string }): Span[] {
  const heads = JSON.parse(row.heads) as SpanHead[];
  const attributes = JSON.parse(row.attributes) as Record<string, unknown>[];
  const events = JSON.parse(row.events) as (Span['events'] | null)[];
  const spans = heads.map((head, i) => {
    const [spanId, parentId, name, spanType, status, statusMessage, start, end] = head;
    const span: Span = {
      trace_id: traceId,
      span_id: spanId,
      name,
      span_type: spanType,
      status,
      start_time_unix_nano: start,
      attributes: attributes[i] as Record<string, unknown>,
    };
    if (parentId !== null) span.parent_span_id = parentId;
    if (statusMessage !== null) span.status_message = statusMessage;
    if (end !== null) span.end_time_unix_nano = end;
    const spanEvents = events[i];
    if (spanEvents !== null && spanEvents !== undefined) span.events = spanEvents;
    return span;
  });
  // The subquery's order usually survives the aggregates; sorting here makes it certain.
  return spans.sort(compareSpans);
}

/** By start time (decimal nanoseconds, compared as integers), then span id. */
function compareSpans(a: Span, b: Span): number {
  const x = a.start_time_unix_nano;
  const y = b.start_time_unix_nano;
  if (x !== y) return x.length !== y.length ? x.length - y.length : x < y ? -1 : 1;
  return a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0;
}

function toAssessment(row: AssessmentRow): Assessment {
  const assessment: Assessment = {
    assessment_id: row.assessment_id,
    assessment_name: row.name,
    trace_id: row.trace_id,
    source: {
      source_type: row.source_type as Assessment['source']['source_type'],
      ...(row.source_id !== null ? { source_id: row.source_id } : {}),
    },
    create_time: formatProtoTimestamp(Number(row.create_time)),
    last_update_time: formatProtoTimestamp(Number(row.last_update_time)),
  };
  if (row.span_id !== null) assessment.span_id = row.span_id;
  const payload = JSON.parse(row.payload) as Feedback | Expectation;
  if (row.kind === 'feedback') assessment.feedback = payload as Feedback;
  else assessment.expectation = payload as Expectation;
  if (row.rationale !== null) assessment.rationale = row.rationale;
  if (row.metadata !== null) assessment.metadata = JSON.parse(row.metadata) as Record<string, string>;
  if (row.overrides !== null) assessment.overrides = row.overrides;
  assessment.valid = Number(row.valid) === 1 || row.valid === true;
  if (row.run_id !== null) assessment.run_id = row.run_id;
  return assessment;
}

/**
 * Trace search records for tests, and their rows written straight into the trace tables of a
 * migrated database (SQLite, or any through {@link traceRecordInserts}), so that tests of the
 * trace search need no trace store.
 */
import type Database from 'better-sqlite3';
import { TRACE_NAME_TAG } from '../../entities/index.js';
import type { TraceSearchRecord } from '../trace-ast.js';

/** A trace search record: `trace_id` and what differs from a plain default. */
export function makeTraceRecord(
  traceId: string,
  fields: Partial<Omit<TraceSearchRecord, 'trace_id'>> = {},
): TraceSearchRecord {
  const name = fields.name ?? null;
  return {
    trace_id: traceId,
    experiment_id: fields.experiment_id ?? '1',
    request_time: fields.request_time ?? 1_000,
    execution_time_ms: fields.execution_time_ms ?? null,
    state: fields.state ?? 'OK',
    client_request_id: fields.client_request_id ?? null,
    name,
    tags: { ...fields.tags, ...(name === null ? {} : { [TRACE_NAME_TAG]: name }) },
    metadata: fields.metadata ?? {},
    run_ids: fields.run_ids ?? [],
    spans: fields.spans ?? [],
  };
}

/**
 * Inserts `records` as rows of `trace_info`, `trace_tags` (with the name as the
 * `mlflow.traceName` tag), `trace_metadata`, `trace_spans` and `trace_run_links`; the
 * experiments must exist. Returns each record's `trace_seq`.
 */
export function insertTraceRecords(db: Database.Database, records: readonly TraceSearchRecord[]): number[] {
  const info = db.prepare(
    `INSERT INTO trace_info (trace_id, experiment_id, request_time, execution_time_ms, state, client_request_id)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const tag = db.prepare('INSERT OR REPLACE INTO trace_tags (trace_seq, key, value) VALUES (?, ?, ?)');
  const metadata = db.prepare('INSERT INTO trace_metadata (trace_seq, key, value) VALUES (?, ?, ?)');
  const span = db.prepare(
    `INSERT INTO trace_spans (trace_seq, span_id, parent_span_id, name, span_type, status, start_time_ns, end_time_ns, attributes)
     VALUES (?, ?, NULL, ?, ?, ?, ?, ?, '{}')`,
  );
  const link = db.prepare('INSERT OR IGNORE INTO trace_run_links (trace_seq, run_id) VALUES (?, ?)');
  const write = db.transaction(() =>
    records.map((record) => {
      const seq = Number(
        info.run(
          record.trace_id,
          Number(record.experiment_id),
          record.request_time,
          record.execution_time_ms,
          record.state,
          record.client_request_id ?? null,
        ).lastInsertRowid,
      );
      for (const [key, value] of Object.entries(record.tags)) tag.run(seq, key, value);
      if (record.name !== null) tag.run(seq, TRACE_NAME_TAG, record.name);
      for (const [key, value] of Object.entries(record.metadata)) metadata.run(seq, key, value);
      record.spans.forEach((s, i) => {
        const start = BigInt(record.request_time) * 1_000_000n + BigInt(i);
        span.run(seq, i.toString(16).padStart(16, '0'), s.name, s.span_type, s.status, start, start + 1n);
      });
      for (const runId of record.run_ids) link.run(seq, runId);
      return seq;
    }),
  );
  return write();
}

/** One statement of {@link traceRecordInserts}. */
export interface TraceInsertStatement {
  sql: string;
  params: unknown[];
}

/**
 * The INSERT statements (`?` placeholders, portable SQL) that store `records` as the rows
 * {@link insertTraceRecords} writes, with explicit `trace_seq` values (1, 2, ... in order) so
 * that they run on any SQL backend; the experiments must exist.
 */
export function traceRecordInserts(records: readonly TraceSearchRecord[]): TraceInsertStatement[] {
  return records.flatMap((record, i) => {
    const seq = i + 1;
    const statements: TraceInsertStatement[] = [
      {
        sql: `INSERT INTO trace_info (trace_seq, trace_id, experiment_id, request_time, execution_time_ms, state, client_request_id)
              VALUES (?, ?, ?, ?, ?, ?, ?)`,
        params: [
          seq,
          record.trace_id,
          Number(record.experiment_id),
          record.request_time,
          record.execution_time_ms,
          record.state,
          record.client_request_id ?? null,
        ],
      },
    ];
    // The record's tags hold its name as the `mlflow.traceName` tag already.
    for (const [key, value] of Object.entries(record.tags)) {
      statements.push({
        sql: 'INSERT INTO trace_tags (trace_seq, key, value) VALUES (?, ?, ?)',
        params: [seq, key, value],
      });
    }
    for (const [key, value] of Object.entries(record.metadata)) {
      statements.push({
        sql: 'INSERT INTO trace_metadata (trace_seq, key, value) VALUES (?, ?, ?)',
        params: [seq, key, value],
      });
    }
    record.spans.forEach((span, j) => {
      const start = record.request_time * 1_000_000 + j;
      statements.push({
        sql: `INSERT INTO trace_spans (trace_seq, span_id, parent_span_id, name, span_type, status, start_time_ns, end_time_ns, attributes)
              VALUES (?, ?, NULL, ?, ?, ?, ?, ?, '{}')`,
        params: [
          seq,
          j.toString(16).padStart(16, '0'),
          span.name,
          span.span_type,
          span.status,
          start,
          start + 1,
        ],
      });
    });
    for (const runId of new Set(record.run_ids)) {
      statements.push({
        sql: 'INSERT INTO trace_run_links (trace_seq, run_id) VALUES (?, ?)',
        params: [seq, runId],
      });
    }
    return statements;
  });
}

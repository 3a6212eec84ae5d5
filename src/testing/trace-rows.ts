/**
 * Trace search records written straight into the trace tables of a migrated SQLite file, for
 * tests of the trace search that should not depend on a trace store.
 */
import type Database from 'better-sqlite3';
import { TRACE_NAME_TAG } from '../entities/index.js';
import type { TraceSearchRecord } from '../query/index.js';

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

/**
 * The trace searches users run most (the newest traces of an experiment, page after page;
 * by state; by tag or metadata; the traces of a run; by span name or type) are answered from
 * the trace indexes of migration 10: checked on SQLite's own query plans over a migrated
 * database file holding a few hundred traces.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertTraceRecords, makeTraceRecord } from '../../query/__tests__/trace-fixtures.js';
import { compileTraceSearch, sqliteDialect } from '../../query/index.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openSqliteStore } from './sqlite-store.js';

const STATES = ['OK', 'ERROR', 'IN_PROGRESS'] as const;

describe('trace query plans on SQLite', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: Database.Database;
  let experimentId: string;

  beforeAll(async () => {
    dir = tempDir();
    const path = join(dir.path, 'trace-plans.db');
    const store = await openSqliteStore(path);
    experimentId = await store.createExperiment({ name: 'agent/deployment' });
    const other = await store.createExperiment({ name: 'agent/evaluation' });
    await store.close();
    db = new Database(path);
    insertTraceRecords(
      db,
      Array.from({ length: 600 }, (_, i) =>
        makeTraceRecord(`tr-${i.toString(16).padStart(32, '0')}`, {
          experiment_id: i % 2 ? experimentId : other,
          request_time: 1_000 + i,
          execution_time_ms: i % 5 ? i : null,
          state: STATES[i % 3] as string,
          name: `agent_${i % 4}`,
          tags: { env: i % 3 ? 'prod' : 'staging' },
          metadata: { 'mlflow.sourceRun': `run${i % 50}`, 'mlflow.user': 'me' },
          run_ids: i % 7 ? [] : [`linked${i % 20}`],
          spans: [
            { name: 'root', span_type: 'AGENT', status: 'OK' },
            { name: `llm_${i % 9}`, span_type: 'LLM', status: i % 11 ? 'OK' : 'ERROR' },
          ],
        }),
      ),
    );
  });

  afterAll(() => {
    db.close();
    dir.remove();
  });

  /** The query plan of a search of the experiment, one step a line. */
  function plan(filter: string, after?: unknown[]): string {
    const q = compileTraceSearch(sqliteDialect, {
      experimentIds: [experimentId],
      filter,
      limit: 100,
      ...(after ? { after } : {}),
    });
    const steps = db.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.params) as { detail: string }[];
    return steps.map((r) => r.detail).join('\n');
  }

  it('walks trace_info_latest for the newest traces and for the next page, with no sort', () => {
    expect(plan('')).toBe('SEARCH t USING INDEX trace_info_latest (experiment_id=?)');
    expect(plan('', [0, 1_500, 0, 'tr-x'])).toBe(
      'SEARCH t USING INDEX trace_info_latest (experiment_id=? AND request_time<?)',
    );
  });

  it('finds traces by state from trace_info_state, already in order', () => {
    for (const after of [undefined, [0, 1_500, 0, 'tr-x']]) {
      const steps = plan("trace.status = 'ERROR'", after);
      expect(steps).toMatch(/^SEARCH t USING INDEX trace_info_state \(experiment_id=\? AND state=\?/);
      expect(steps).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('checks tag, name and metadata clauses from their key/value indexes', () => {
    for (const [filter, index] of [
      ["tags.env = 'prod'", 'trace_tags_key_value'],
      ["name = 'agent_1'", 'trace_tags_key_value'],
      ["metadata.`mlflow.user` = 'me'", 'trace_metadata_key_value'],
    ] as const) {
      const steps = plan(filter);
      expect(steps).toMatch(/^SEARCH t USING INDEX trace_info_latest \(experiment_id=\?\)/);
      expect(steps).toMatch(
        new RegExp(
          `SEARCH f0 EXISTS USING COVERING INDEX ${index} \\(key=\\? AND value=\\? AND trace_seq=\\?\\)`,
        ),
      );
      expect(steps).not.toMatch(/SCAN|TEMP B-TREE/);
    }
  });

  it("looks a run's traces up from the source-run metadata and the run links by index", () => {
    for (const filter of ["run_id = 'run3'", "attributes.run_id IN ('run3', 'linked7')"]) {
      const steps = plan(filter);
      expect(steps).toMatch(
        /SEARCH rm USING COVERING INDEX trace_metadata_key_value \(key=\? AND value=\?\)/,
      );
      expect(steps).toMatch(/SEARCH rl USING COVERING INDEX trace_run_links_run \(run_id=\?\)/);
      expect(steps).not.toMatch(/CORRELATED|SCAN|TEMP B-TREE/);
    }
  });

  it('checks span clauses from the span name and type indexes', () => {
    expect(plan("span.name = 'llm_3'")).toMatch(
      /SEARCH f0 EXISTS USING COVERING INDEX trace_spans_name \(name=\? AND trace_seq=\?\)/,
    );
    expect(plan("span.type = 'LLM'")).toMatch(
      /SEARCH f0 EXISTS USING COVERING INDEX trace_spans_type \(span_type=\? AND trace_seq=\?\)/,
    );
  });
});

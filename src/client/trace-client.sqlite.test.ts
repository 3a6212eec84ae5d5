import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultArtifactsDestination } from '../artifacts/artifact-locations.js';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { TRACE_ARTIFACT_LOCATION_TAG, TRACE_DATA_FILE, type TraceInfo } from '../entities/index.js';
import { sqliteDialect } from '../query/index.js';
import { SqlTrackingStore } from '../store/sql/sql-store.js';
import { SqliteDriver } from '../store/sqlite/sqlite-driver.js';
import { parseTraceData } from '../protocol/trace-data.js';
import { recordingDriver, type RecordedStatement } from '../testing/recording-driver.js';
import { tempDir } from '../testing/temp-dir.js';
import { describeTraceClientContract, spansOf, traceInfoOf } from './trace-client.contract.js';
import { TrackingClient } from './tracking-client.js';

/** The file a `mlflow-artifacts:` location names, in the artifacts folder beside the database. */
function proxiedPath(databasePath: string, location: string): string {
  const folder = defaultArtifactsDestination(databasePath) as string;
  return join(folder, ...location.replace(/^mlflow-artifacts:\/*/, '').split('/'));
}

async function readTraceData(databasePath: string, info: TraceInfo): Promise<string | undefined> {
  const location = info.tags?.[TRACE_ARTIFACT_LOCATION_TAG];
  if (location === undefined) return undefined;
  try {
    return await readFile(join(proxiedPath(databasePath, location), TRACE_DATA_FILE), 'utf8');
  } catch {
    return undefined;
  }
}

describeTraceClientContract('SQLite file', async () => {
  const dir = tempDir();
  const path = join(dir.path, 'traces.db');
  const client = await TrackingClient.open(`sqlite:///${path}`);
  return {
    client,
    readTraceData: (info) => readTraceData(path, info),
    cleanup: async () => {
      await client.close();
      dir.remove();
    },
  };
});

const TRACE_TABLES = [
  'trace_info',
  'trace_tags',
  'trace_metadata',
  'trace_spans',
  'assessments',
  'trace_run_links',
];

describe('traces in the embedded store', () => {
  let dir: ReturnType<typeof tempDir>;
  let path: string;
  let client: TrackingClient;
  let experimentId: string;

  beforeEach(async () => {
    dir = tempDir();
    path = join(dir.path, 'rows.db');
    client = await TrackingClient.open(`sqlite:///${path}`);
    experimentId = await client.createExperiment('/Shared/agent/deployment');
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await client.close();
    dir.remove();
  });

  function rowCounts(): Record<string, number> {
    const db = new Database(path, { readonly: true });
    try {
      return Object.fromEntries(
        TRACE_TABLES.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]),
      );
    } finally {
      db.close();
    }
  }

  /** A trace with spans, a tag, an assessment and a run link: a row in every trace table. */
  async function fullTrace(experiment: string): Promise<string> {
    const info = traceInfoOf(experiment, { tags: { flow: 'x' } });
    await client.traces.logTrace({ info, spans: spansOf(info.trace_id) });
    await client.traces.logAssessment({
      assessment_name: 'ok',
      trace_id: info.trace_id,
      source: { source_type: 'CODE', source_id: 'scorer' },
      feedback: { value: 0.5 },
    });
    const run = await client.createRun(experiment);
    await client.traces.linkTracesToRun([info.trace_id], run.info.run_id);
    return info.trace_id;
  }

  it('deletes a trace with every row that hangs off it, and only those', async () => {
    const doomed = await fullTrace(experimentId);
    await fullTrace(experimentId);
    const before = rowCounts();
    expect(Object.values(before).every((n) => n > 0)).toBe(true);
    expect(await client.traces.deleteTraces({ experimentId, traceIds: [doomed] })).toBe(1);
    const after = rowCounts();
    for (const table of TRACE_TABLES) expect(after[table], table).toBe((before[table] as number) / 2);
  });

  it('removes an experiment’s traces when the experiment is deleted for good', async () => {
    await fullTrace(experimentId);
    const other = await client.createExperiment('/Shared/agent/evaluation');
    const kept = await fullTrace(other);
    await client.deleteExperiment(experimentId);
    await (client.store as SqlTrackingStore).hardDeleteExperiment(experimentId);
    const counts = rowCounts();
    expect(counts.trace_info).toBe(1);
    expect(counts.trace_spans).toBe(3);
    expect((await client.traces.getTraceInfo(kept)).trace_id).toBe(kept);
  });

  it('drops the links of a run removed for good, so its traces no longer search as its own', async () => {
    const info = traceInfoOf(experimentId);
    await client.traces.startTrace(info);
    const run = (await client.createRun(experimentId)).info.run_id;
    await client.traces.linkTracesToRun([info.trace_id], run);
    const byRun = { experimentIds: [experimentId], filter: `attribute.run_id = '${run}'` };
    expect((await client.traces.searchTraces(byRun)).items).toHaveLength(1);
    await client.deleteRun(run);
    await (client.store as SqlTrackingStore).hardDeleteRun(run);
    expect(rowCounts().trace_run_links).toBe(0);
    expect((await client.traces.searchTraces(byRun)).items).toEqual([]);
    expect((await client.traces.getTraceInfo(info.trace_id)).trace_id).toBe(info.trace_id);
  });

  it('stores the spans of every traces.json of the recordings as rows and reads them back unchanged', async () => {
    const url = new URL('../../test/fixtures/mlflow-wire/traces.jsonl', import.meta.url);
    const uploads = (await readFile(url, 'utf8'))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as { method: string; path: string; request: unknown })
      .filter((e) => e.method === 'PUT' && e.path.endsWith('/traces.json') && typeof e.request === 'string');
    expect(uploads).toHaveLength(5);
    for (const upload of uploads) {
      const traceId = /traces\/(tr-[0-9a-f]{32})\//.exec(upload.path)?.[1] as string;
      const spans = parseTraceData(upload.request as string, traceId);
      await client.traces.startTrace(traceInfoOf(experimentId, { traceId }));
      await client.traces.store.logSpans(traceId, spans);
      const byStart = [...spans].sort((a, b) =>
        BigInt(a.start_time_unix_nano) === BigInt(b.start_time_unix_nano)
          ? a.span_id.localeCompare(b.span_id)
          : BigInt(a.start_time_unix_nano) < BigInt(b.start_time_unix_nano)
            ? -1
            : 1,
      );
      expect(await client.traces.store.getSpans(traceId)).toEqual(byStart);
    }
  });

  it('keeps nanosecond times as integers in the database and reads them back exactly', async () => {
    const info = traceInfoOf(experimentId);
    await client.traces.logTrace({ info, spans: spansOf(info.trace_id) });
    const db = new Database(path, { readonly: true });
    try {
      db.defaultSafeIntegers(true);
      const rows = db
        .prepare(
          `SELECT typeof(start_time_ns) AS kind, start_time_ns FROM trace_spans ORDER BY start_time_ns`,
        )
        .all() as { kind: string; start_time_ns: bigint }[];
      expect(rows.map((r) => r.kind)).toEqual(['integer', 'integer', 'integer']);
      expect(rows[0]?.start_time_ns).toBe(1_796_123_635_877_123_457n);
    } finally {
      db.close();
    }
    expect((await client.traces.getTrace(info.trace_id)).spans.map((s) => s.start_time_unix_nano)).toEqual([
      '1796123635877123457',
      '1796123635877124458',
      '1796123635877125459',
    ]);
  });

  it('writes a trace with one upload, and its ten spans with one statement', async () => {
    await client.close();
    const seen: RecordedStatement[] = [];
    const store = new SqlTrackingStore(recordingDriver(SqliteDriver.open(path), seen), sqliteDialect);
    const folder = defaultArtifactsDestination(path) as string;
    client = new TrackingClient(store, { artifacts: { proxied: new LocalArtifactRepository(folder) } });
    const put = vi.spyOn(LocalArtifactRepository.prototype, 'put');
    const info = traceInfoOf(experimentId);
    const spans = Array.from({ length: 10 }, (_, i) => ({
      ...spansOf(info.trace_id)[1]!,
      span_id: (i + 1).toString(16).padStart(16, '0'),
      start_time_unix_nano: (1_796_123_635_877_000_000n + BigInt(i)).toString(),
    }));
    seen.length = 0;
    await client.traces.logTrace({ info, spans });
    expect(put).toHaveBeenCalledTimes(1);
    expect(String(put.mock.calls[0]?.[0])).toBe(
      `${experimentId}/traces/${info.trace_id}/artifacts/traces.json`,
    );
    expect(seen.filter(({ sql }) => /trace_spans/.test(sql))).toHaveLength(1);
    // The info (experiment and existing trace, info row, tags, metadata), then the spans' trace and rows.
    expect(seen).toHaveLength(6);
    expect(await client.traces.store.getSpans(info.trace_id)).toHaveLength(10);
  });
});

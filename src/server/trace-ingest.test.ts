/**
 * The artifact service's `traces.json` handling on a real SQLite file and a real folder: a
 * known trace's file is kept in the database with its span rows (nothing in the folder), and
 * downloads, listings and deletions answer as if it were a file there; a file too large for
 * the database, or of an unknown trace, is written to the folder.
 */
import { Buffer } from 'node:buffer';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalArtifactRepository } from '../artifacts/local-artifact-repository.js';
import { spansOf, traceInfoOf } from '../client/trace-client.contract.js';
import { formatTraceData } from '../protocol/trace-data.js';
import { openSqliteStore } from '../store/sqlite/index.js';
import type { SqlTrackingStore } from '../store/sql/sql-store.js';
import { isTraceDataStore, type TraceDataStore, type TraceStore } from '../store/trace-store.js';
import { tempDir } from '../testing/temp-dir.js';
import { TraceIngestingArtifactService } from './trace-ingest.js';

let dir: ReturnType<typeof tempDir>;
let store: SqlTrackingStore;
let root: string;
let service: TraceIngestingArtifactService;
let traces: TraceStore & TraceDataStore;
let experimentId: string;

beforeEach(async () => {
  dir = tempDir('agentrack-trace-ingest-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  root = join(dir.path, 'artifacts');
  if (!isTraceDataStore(store.traces)) throw new Error('an SQL store keeps trace files');
  traces = store.traces;
  service = new TraceIngestingArtifactService(new LocalArtifactRepository(root), traces, traces, {
    maxBytesInDatabase: 4096,
  });
  experimentId = await store.createExperiment({ name: '/Shared/agent/development' });
});
afterEach(async () => {
  await store.close();
  dir.remove();
});

const path = (traceId: string, exp = experimentId) => `${exp}/traces/${traceId}/artifacts/traces.json`;

function upload(to: string, text: string): Promise<void> {
  const bytes = Buffer.from(text, 'utf8');
  return service.uploadArtifact(to, { stream: Readable.from([bytes]), size: bytes.length });
}

async function download(from: string): Promise<string> {
  const file = await service.downloadArtifact(from);
  const chunks: Buffer[] = [];
  for await (const chunk of file.body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startTrace(): Promise<string> {
  const info = await traces.startTrace(traceInfoOf(experimentId));
  return info.trace_id;
}

describe('a known trace', () => {
  it('keeps its traces.json in the database with its span rows, byte for byte, and no file', async () => {
    const traceId = await startTrace();
    // Not what formatTraceData writes: spaces and key order are kept as sent.
    const text = formatTraceData(spansOf(traceId)).replace('{"spans":', '{ "spans" :');
    await upload(path(traceId), text);
    expect(existsSync(join(root, path(traceId)))).toBe(false);
    expect(await download(path(traceId))).toBe(text);
    expect(await traces.getSpans(traceId)).toEqual(spansOf(traceId));
  });

  it('lists the kept file and its folders at every level, beside real files', async () => {
    const traceId = await startTrace();
    const text = formatTraceData(spansOf(traceId));
    await upload(path(traceId), text);
    await service.uploadArtifact(`${experimentId}/traces/${traceId}/artifacts/notes.txt`, {
      stream: Readable.from([Buffer.from('a note')]),
    });
    expect(await service.listArtifacts(`${experimentId}/traces/${traceId}/artifacts`)).toEqual([
      { path: 'notes.txt', isDir: false, fileSize: 6 },
      { path: 'traces.json', isDir: false, fileSize: Buffer.byteLength(text) },
    ]);
    expect(await service.listArtifacts(`${experimentId}/traces/${traceId}`)).toEqual([
      { path: 'artifacts', isDir: true },
    ]);
    const other = await startTrace();
    await upload(path(other), formatTraceData(spansOf(other)));
    expect(await service.listArtifacts(`${experimentId}/traces`)).toEqual(
      [traceId, other].sort().map((id) => ({ path: id, isDir: true })),
    );
    expect(await service.listArtifacts(experimentId)).toEqual([{ path: 'traces', isDir: true }]);
    expect(await service.listArtifacts('')).toEqual([{ path: experimentId, isDir: true }]);
    // Folders of other experiments, and paths that only look like an experiment's, list nothing kept.
    expect(await service.listArtifacts(`0${experimentId}/traces`)).toEqual([]);
    expect(await service.listArtifacts('999/traces')).toEqual([]);
  });

  it('forgets the kept file when its path or a folder above it is deleted; its span rows stay', async () => {
    const first = await startTrace();
    const second = await startTrace();
    await upload(path(first), formatTraceData(spansOf(first)));
    await upload(path(second), formatTraceData(spansOf(second)));
    await service.deleteArtifact(path(first));
    await expect(service.downloadArtifact(path(first))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    expect(await download(path(second))).toBe(formatTraceData(spansOf(second)));
    expect(await traces.getSpans(first)).toEqual(spansOf(first));

    await service.deleteArtifact(`${experimentId}/traces`);
    await expect(service.downloadArtifact(path(second))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
    expect(await service.listArtifacts('')).toEqual([]);
  });

  it('drops the kept file with the trace', async () => {
    const traceId = await startTrace();
    await upload(path(traceId), formatTraceData(spansOf(traceId)));
    expect(await traces.deleteTraces({ experimentId, traceIds: [traceId] })).toBe(1);
    expect(await traces.listTraceData(experimentId)).toEqual([]);
    await expect(service.downloadArtifact(path(traceId))).rejects.toMatchObject({
      code: 'RESOURCE_DOES_NOT_EXIST',
    });
  });

  it('writes a file larger than the database takes to the artifact store, and it replaces a kept one', async () => {
    const traceId = await startTrace();
    await upload(path(traceId), formatTraceData(spansOf(traceId)));
    const names = Array.from({ length: 3 }, (_, i) => `step_${i}_${'x'.repeat(2000)}`);
    const large = formatTraceData(spansOf(traceId, names));
    expect(Buffer.byteLength(large)).toBeGreaterThan(4096);
    await upload(path(traceId), large);
    expect(existsSync(join(root, path(traceId)))).toBe(true);
    expect(await download(path(traceId))).toBe(large);
    expect((await traces.getSpans(traceId)).map((span) => span.name)).toEqual(names);
    expect(await traces.listTraceData(experimentId)).toEqual([]);
  });
});

describe('a trace the path does not lead to', () => {
  it('keeps the file of an unknown trace, or of a trace of another experiment, in the artifact store without rows', async () => {
    const unknown = 'tr-0000000000000000000000000000beef';
    await upload(path(unknown), formatTraceData(spansOf(unknown)));
    expect(existsSync(join(root, path(unknown)))).toBe(true);

    const traceId = await startTrace();
    const elsewhere = await store.createExperiment({ name: '/Shared/agent/evaluation' });
    await upload(path(traceId, elsewhere), formatTraceData(spansOf(traceId)));
    expect(existsSync(join(root, path(traceId, elsewhere)))).toBe(true);
    expect(await traces.getSpans(traceId)).toEqual([]);
    expect(await traces.getTraceData(traceId, elsewhere)).toBeUndefined();
  });
});

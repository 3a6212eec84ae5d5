/**
 * Exchanges between MLflow 3.3's Python client (or curl) and MLflow 3.3's tracking server,
 * recorded through a logging proxy (`test/fixtures/mlflow-wire/`): what the REST store must
 * send, and what it must read. Each operation names its line in a recording.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Recorded JSON: any key may be read (the tests know the recordings' shapes). */
export type WireJson = { readonly [key: string]: WireJson };

/** One recorded request and its answer. */
export interface WireExchange {
  method: 'GET' | 'POST';
  path: string;
  /** GET parameters, in the order sent. */
  query: Record<string, string>;
  /** The JSON body sent (`null` for a GET). */
  request: WireJson;
  status: number;
  response: WireJson;
}

const RECORDINGS = ['seed-workflow.jsonl', 'rest-edges.jsonl'] as const;
type Recording = (typeof RECORDINGS)[number];

const FOLDER = fileURLToPath(new URL('../../../../test/fixtures/mlflow-wire/', import.meta.url));
const recorded = Object.fromEntries(
  RECORDINGS.map((file) => [
    file,
    readFileSync(FOLDER + file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as WireExchange),
  ]),
) as Record<Recording, WireExchange[]>;

const LINES = {
  createExperiment: ['seed-workflow.jsonl', 0],
  createExperimentWithTags: ['rest-edges.jsonl', 0],
  createExperimentDuplicate: ['seed-workflow.jsonl', 3],
  getExperiment: ['rest-edges.jsonl', 4],
  getExperimentMissing: ['rest-edges.jsonl', 5],
  getExperimentByName: ['seed-workflow.jsonl', 6],
  getExperimentByNameMissing: ['seed-workflow.jsonl', 65],
  searchExperiments: ['seed-workflow.jsonl', 72],
  renameExperiment: ['rest-edges.jsonl', 26],
  setExperimentTag: ['rest-edges.jsonl', 27],
  deleteExperiment: ['rest-edges.jsonl', 28],
  restoreExperiment: ['rest-edges.jsonl', 30],
  createRun: ['seed-workflow.jsonl', 7],
  setTag: ['seed-workflow.jsonl', 8],
  logParam: ['seed-workflow.jsonl', 14],
  getRun: ['seed-workflow.jsonl', 15],
  getRunWithNaN: ['rest-edges.jsonl', 15],
  getRunMissing: ['rest-edges.jsonl', 16],
  logMetric: ['seed-workflow.jsonl', 17],
  updateRun: ['seed-workflow.jsonl', 22],
  logBatch: ['seed-workflow.jsonl', 30],
  logBatchChangedParam: ['rest-edges.jsonl', 11],
  deleteRun: ['rest-edges.jsonl', 23],
  restoreRun: ['rest-edges.jsonl', 24],
  searchRuns: ['seed-workflow.jsonl', 66],
  searchRunsEmpty: ['seed-workflow.jsonl', 69],
  searchRunsBadFilter: ['seed-workflow.jsonl', 73],
  getMetricHistory: ['seed-workflow.jsonl', 71],
  getMetricHistoryWithNaN: ['rest-edges.jsonl', 17],
} satisfies Record<string, [Recording, number]>;

/** The recordings the REST store's tests replay, by operation. */
export const WIRE = Object.fromEntries(
  Object.entries(LINES).map(([name, [file, line]]) => [name, recorded[file][line] as WireExchange]),
) as Record<keyof typeof LINES, WireExchange>;

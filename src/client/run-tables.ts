import { validateArtifactPath } from '../artifacts/artifact-path.js';
import { LOGGED_ARTIFACTS_TAG, type FileInfo, type Run } from '../entities/index.js';
import { AgentrackError, invalidParameter, notFound } from '../errors.js';
import type { TrackingStore } from '../store/tracking-store.js';
import { pythonFloatRepr, pythonJsonString, pythonJsonText } from '../utils/python-json-text.js';
import type { RunArtifacts } from './run-artifacts.js';

/**
 * A table as MLflow's `log_table` stores it (pandas' `split` orientation, without the index):
 * the column names, then the rows, each a list of cells in column order.
 */
export interface Table {
  columns: string[];
  data: unknown[][];
}

/**
 * What {@link TrackingClient.logTable} takes: columns (`{ question: [...], score: [...] }`,
 * a single value is repeated on every row, and only single values make one row) or rows
 * (`[{ question, score }, ...]`, a missing cell is null).
 */
export type TableInput = Readonly<Record<string, unknown>> | ReadonlyArray<Readonly<Record<string, unknown>>>;

/** Options of {@link RunTables.loadTable}. */
export interface LoadTableOptions {
  /** Only these runs; default every run of the experiment that logged the table. */
  runIds?: readonly string[];
  /**
   * Columns added from each run, as MLflow's `extra_columns`: `run_id`, `experiment_id`,
   * `status`, `artifact_uri`, `start_time`, `end_time`, `metrics.<key>`, `params.<key>` or
   * `tags.<key>`. A table column of the same name makes it `<name>_`.
   */
  extraColumns?: readonly string[];
}

/** Characters MLflow refuses in a table's file name: they would break its search for the table. */
const FORBIDDEN_IN_TABLE_FILE = ['"', "'", ',', ':', '[', ']', '{', '}'];

const RUN_ATTRIBUTES = [
  'run_id',
  'experiment_id',
  'status',
  'artifact_uri',
  'start_time',
  'end_time',
] as const;

/**
 * MLflow's tables on runs (`log_table`, `load_table`): a JSON file in pandas' `split` form that
 * appends when logged again, listed in the run tag `mlflow.loggedArtifacts`
 * (`[{"path": "...", "type": "table"}]`), by which MLflow's UI shows it and `load_table` finds it.
 */
export class RunTables {
  readonly #store: TrackingStore;
  readonly #artifacts: RunArtifacts;

  constructor(store: TrackingStore, artifacts: RunArtifacts) {
    this.#store = store;
    this.#artifacts = artifacts;
  }

  /**
   * Logs `data` as the table `artifactFile` (a `.json` name) of the run, appended to the rows
   * already there (columns joined, missing cells null), and lists it in `mlflow.loggedArtifacts`,
   * keeping the entries already there.
   */
  async logTable(runId: string, data: TableInput, artifactFile: string): Promise<FileInfo> {
    const path = tableFile(artifactFile);
    const rows = toTable(data);
    const run = await this.#store.getRun(runId);
    const listed = loggedArtifacts(run);
    const existing = await this.#artifacts.readFile(runId, path);
    const table = existing === undefined ? rows : concatTables([parseTable(existing, path), rows]);
    const file = await this.#artifacts.writeFile(runId, path, tableJson(table));
    const entry = { path, type: 'table' };
    if (!listed.some((item) => sameEntry(item, entry))) {
      await this.#store.setTag(runId, {
        key: LOGGED_ARTIFACTS_TAG,
        value: pythonJsonText([...listed, entry]),
      });
    }
    return file;
  }

  /**
   * The table `artifactFile` of every run of the experiment that logged it (or of `runIds`),
   * joined in search order (newest run first), with `extraColumns` from each run, as MLflow's
   * `load_table`. RESOURCE_DOES_NOT_EXIST when no run has it.
   */
  async loadTable(
    experimentId: string,
    artifactFile: string,
    options: LoadTableOptions = {},
  ): Promise<Table> {
    const path = tableFile(artifactFile);
    const extra = [...(options.extraColumns ?? [])];
    for (const column of extra) checkExtraColumn(column);
    let filter = `tags.${LOGGED_ARTIFACTS_TAG} LIKE '%"path"%:%"${path}",%"type"%:%"table"%'`;
    if (options.runIds !== undefined && options.runIds.length > 0) {
      for (const id of options.runIds) {
        if (typeof id !== 'string' || /['\\]/.test(id))
          throw invalidParameter(`Invalid run id '${String(id)}'.`);
      }
      filter += ` and attributes.run_id IN (${options.runIds.map((id) => `'${id}'`).join(',')})`;
    }
    const tables: Table[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.#store.searchRuns({
        experimentIds: [experimentId],
        filter,
        maxResults: 1000,
        ...(pageToken ? { pageToken } : {}),
      });
      for (const run of page.items) {
        const text = await this.#artifacts.readFile(run.info.run_id, path);
        if (text === undefined) throw notFound(`Artifact ${path} not found for run ${run.info.run_id}.`);
        tables.push(withRunColumns(parseTable(text, path), run, extra));
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    if (tables.length === 0) throw notFound('No runs found with the corresponding table artifact.');
    return concatTables(tables);
  }
}

/**
 * Checks the file name of a table as MLflow's `log_table` does (a `.json` name without the
 * characters its search for tables cannot take) and returns it as a canonical artifact path;
 * INVALID_PARAMETER_VALUE otherwise.
 */
export function tableFile(artifactFile: string): string {
  if (typeof artifactFile !== 'string') throw invalidParameter('The table file must be a string.');
  for (const ch of FORBIDDEN_IN_TABLE_FILE) {
    if (artifactFile.includes(ch))
      throw invalidParameter(`The artifact_file contains forbidden character: ${ch}`);
  }
  if (artifactFile.endsWith('.parquet')) {
    throw invalidParameter(
      `Invalid table file '${artifactFile}': agentrack writes and reads tables as .json only.`,
    );
  }
  if (!artifactFile.endsWith('.json')) {
    throw invalidParameter(
      `Invalid artifact file path '${artifactFile}'. Please ensure the file you are trying to log as a table ` +
        `has a file name with a '.json' extension.`,
    );
  }
  return validateArtifactPath(artifactFile);
}

/** `data` as columns and rows, as pandas builds a DataFrame from a dict (or a list of dicts). */
function toTable(data: TableInput): Table {
  if (Array.isArray(data)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const [i, row] of data.entries()) {
      if (!isPlainObject(row)) throw invalidParameter(`Table row ${i} must be an object of column values.`);
      for (const key of Object.keys(row)) {
        if (!seen.has(key)) {
          seen.add(key);
          columns.push(key);
        }
      }
    }
    return {
      columns,
      data: data.map((row: Record<string, unknown>) =>
        columns.map((c) => (row[c] === undefined ? null : row[c])),
      ),
    };
  }
  if (!isPlainObject(data)) {
    throw invalidParameter('A table must be columns (an object of lists) or rows (a list of objects).');
  }
  const columns = Object.keys(data);
  const lists = columns.filter((c) => Array.isArray(data[c]));
  const lengths = new Set(lists.map((c) => (data[c] as unknown[]).length));
  if (lengths.size > 1) {
    const shown = lists.map((c) => `${c}: ${(data[c] as unknown[]).length}`).join(', ');
    throw invalidParameter(`All columns of a table must have the same length (${shown}).`);
  }
  const count = lists.length === 0 ? 1 : ([...lengths][0] as number);
  const cell = (column: string, row: number): unknown => {
    const value = data[column];
    const item = Array.isArray(value) ? value[row] : value;
    return item === undefined ? null : item;
  };
  return { columns, data: Array.from({ length: count }, (_, row) => columns.map((c) => cell(c, row))) };
}

/** A stored table; INVALID_STATE when the file is not one. */
function parseTable(text: string, path: string): Table {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const table = parsed as Partial<Table> | undefined;
  if (
    !isPlainObject(table) ||
    !Array.isArray(table.columns) ||
    !Array.isArray(table.data) ||
    !table.data.every((row) => Array.isArray(row))
  ) {
    throw new AgentrackError('INVALID_STATE', `The artifact '${path}' is not a table ({"columns", "data"}).`);
  }
  return { columns: table.columns.map(String), data: table.data };
}

/** pandas' `concat`: the columns of all tables (first seen first), rows in order, missing cells null. */
function concatTables(tables: readonly Table[]): Table {
  const columns: string[] = [];
  for (const table of tables) for (const c of table.columns) if (!columns.includes(c)) columns.push(c);
  const data = tables.flatMap((table) => {
    const index = columns.map((c) => table.columns.indexOf(c));
    return table.data.map((row) => index.map((i) => (i === -1 ? null : (row[i] ?? null))));
  });
  return { columns, data };
}

function checkExtraColumn(column: string): void {
  if ((RUN_ATTRIBUTES as readonly string[]).includes(column)) return;
  if (/^(metrics|params|tags)\.\S/.test(column)) return;
  throw invalidParameter(
    `Unknown extra column '${column}': use ${RUN_ATTRIBUTES.join(', ')}, metrics.<key>, params.<key> or tags.<key>.`,
  );
}

/** `table` with each of `extra` (a run attribute, metric, param or tag) added as a column. */
function withRunColumns(table: Table, run: Run, extra: readonly string[]): Table {
  if (extra.length === 0) return table;
  const columns = [...table.columns];
  const values = extra.map((column) => {
    columns.push(table.columns.includes(column) ? `${column}_` : column);
    return runValue(run, column);
  });
  return { columns, data: table.data.map((row) => [...row, ...values]) };
}

function runValue(run: Run, column: string): unknown {
  const dot = column.indexOf('.');
  const key = column.slice(dot + 1);
  if (column.startsWith('metrics.')) return run.data.metrics?.find((m) => m.key === key)?.value ?? null;
  if (column.startsWith('params.')) return run.data.params?.find((p) => p.key === key)?.value ?? null;
  if (column.startsWith('tags.')) return run.data.tags?.find((t) => t.key === key)?.value ?? null;
  return (run.info as unknown as Record<string, unknown>)[column] ?? null;
}

/** The entries of the run's `mlflow.loggedArtifacts` tag; INVALID_STATE when it holds no JSON list. */
function loggedArtifacts(run: Run): unknown[] {
  const value = run.data.tags?.find((t) => t.key === LOGGED_ARTIFACTS_TAG)?.value;
  if (value === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed)) {
    throw new AgentrackError(
      'INVALID_STATE',
      `The tag ${LOGGED_ARTIFACTS_TAG} of run '${run.info.run_id}' is not a JSON list; not changing it.`,
    );
  }
  return parsed;
}

/** Python's `==` of two dicts, for the entries of `mlflow.loggedArtifacts`. */
function sameEntry(item: unknown, entry: { path: string; type: string }): boolean {
  if (!isPlainObject(item)) return false;
  const keys = Object.keys(item);
  return keys.length === 2 && item.path === entry.path && item.type === entry.type;
}

/**
 * `table` as pandas' `to_json(orient="split", index=False)` writes it: one line, `/` escaped,
 * non-ASCII escaped, NaN and ±Infinity as null, and in a column of numbers that has a missing
 * value or a fraction (a float column in pandas) every number written as a float (`1.0`).
 */
function tableJson(table: Table): string {
  const floatColumns = table.columns.map((_, c) => isFloatColumn(table.data.map((row) => row[c])));
  const columns = table.columns.map((c) => pythonJsonString(c, { escapeSlash: true })).join(',');
  const rows = table.data
    .map((row) => `[${table.columns.map((_, c) => cellJson(row[c], floatColumns[c] === true)).join(',')}]`)
    .join(',');
  return `{"columns":[${columns}],"data":[${rows}]}`;
}

function isFloatColumn(values: readonly unknown[]): boolean {
  const numbers = values.filter((v) => v !== null && v !== undefined);
  if (numbers.length === 0 || !numbers.every((v) => typeof v === 'number')) return false;
  return numbers.length < values.length || numbers.some((v) => !Number.isInteger(v));
}

function cellJson(value: unknown, asFloat: boolean, open: Set<object> = new Set()): string {
  let v = value;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON: () => unknown }).toJSON();
  }
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return 'null';
    if (Number.isInteger(v) && Math.abs(v) < 1e16) return asFloat ? `${v}.0` : String(v);
    return pythonFloatRepr(v);
  }
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v !== 'object') return pythonJsonString(String(v), { escapeSlash: true });
  if (open.has(v)) throw invalidParameter('A table cell cannot contain itself.');
  open.add(v);
  const text = Array.isArray(v)
    ? `[${v.map((item) => cellJson(item, false, open)).join(',')}]`
    : `{${Object.entries(v as Record<string, unknown>)
        .filter(([, item]) => item !== undefined)
        .map(([k, item]) => `${pythonJsonString(k, { escapeSlash: true })}:${cellJson(item, false, open)}`)
        .join(',')}}`;
  open.delete(v);
  return text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

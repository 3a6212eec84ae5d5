/**
 * Compiles a search (filter, order_by, view type, page position) into one SQL query over
 * the schema of `src/store/sql/schema.ts`, for any {@link SqlDialect}.
 *
 * Shape: one flat SELECT of the row's columns plus its sort key (`sk_b<i>` bucket and
 * `sk_v<i>` value per ordering term, see `sort-key.ts`), filtered, restricted to the rows
 * strictly after `after` in the final ordering, ordered and limited. The ORDER BY and the
 * keyset condition are written on the underlying columns, not on the selected aliases, so
 * that an index can deliver the order (e.g. `runs_latest` for `start_time DESC, run_uuid`)
 * and the scan stops at the limit. Metric, param, tag and dataset clauses are EXISTS
 * subqueries keyed by `run_seq`, so a run lacking the key (or any dataset input) never
 * matches (for `!=` too). An ordering term on a key the filter already requires to be
 * present (and, for metrics, not NaN) is an inner join with no bucket, which lets the
 * planner drive the scan from that key's index.
 * Every value and key is a parameter.
 *
 * View types filter the row's own `lifecycle_stage` only, as MLflow does: MLflow marks a
 * deleted experiment's runs deleted (and restores them with it), so the store must do the
 * same for a deleted experiment's runs to leave ACTIVE_ONLY searches.
 *
 * Registry searches (registered models, model versions) have no view type; their tag clauses
 * are EXISTS subqueries too, and prompts are left out as MLflow's SQL registry leaves them out
 * (see `prompt-filter.ts`).
 */
import { DATASET_CONTEXT_TAG, type ViewType } from '../entities/index.js';
import { invalidParameter } from '../errors.js';
import type {
  Comparison,
  ExperimentFilter,
  ModelVersionFilter,
  NumberComparator,
  OrderBy,
  RegisteredModelFilter,
  RunFilter,
} from './ast.js';
import {
  parseExperimentFilter,
  parseModelVersionFilter,
  parseRegisteredModelFilter,
  parseRunFilter,
} from './filter-parser.js';
import {
  parseExperimentOrderBy,
  parseModelVersionOrderBy,
  parseRegisteredModelOrderBy,
  parseRunOrderBy,
} from './order-by-parser.js';
import { PROMPT_TAG_KEY, registryFilterPlan } from './prompt-filter.js';
import {
  BUCKET_MISSING,
  BUCKET_NAN,
  BUCKET_VALUE,
  decodeNumber,
  encodeNumber,
  experimentOrderTerms,
  modelVersionOrderTerms,
  registeredModelOrderTerms,
  runOrderTerms,
  type OrderTerm,
  type SortKey,
  type SortKeyValue,
} from './sort-key.js';
import type { SqlDialect } from './sql-dialect.js';
import { join, param, raw, renderSql, sql, type SqlFragment } from './sql-fragment.js';

/** Options of {@link compileRunSearch}. */
export interface RunSearchOptions {
  /** Experiments to search (wire ids); ids that are not integers match nothing. */
  readonly experimentIds: readonly string[];
  readonly viewType: ViewType;
  /** Parsed filter or filter text. */
  readonly filter?: RunFilter | string;
  /** Parsed order_by or its text entries. */
  readonly orderBy?: OrderBy | readonly string[];
  /** Sort key of the last row of the previous page (as decoded from a page token; checked here). */
  readonly after?: readonly unknown[];
  /** Maximum number of rows. */
  readonly limit: number;
}

/** Options of {@link compileExperimentSearch}. */
export interface ExperimentSearchOptions {
  readonly viewType: ViewType;
  readonly filter?: ExperimentFilter | string;
  readonly orderBy?: OrderBy | readonly string[];
  /** Sort key of the last row of the previous page (checked here). */
  readonly after?: readonly unknown[];
  readonly limit: number;
}

/** Options of {@link compileRegisteredModelSearch} and {@link compileModelVersionSearch}. */
export interface RegistrySearchOptions {
  /** Parsed filter or filter text. */
  readonly filter?: RegisteredModelFilter | ModelVersionFilter | string;
  /** Parsed order_by or its text entries. */
  readonly orderBy?: OrderBy | readonly string[];
  /** Sort key of the last row of the previous page (checked here). */
  readonly after?: readonly unknown[];
  readonly limit: number;
}

/** A row as the database driver returns it. */
export type SqlRow = Readonly<Record<string, unknown>>;

/** A compiled search: run `sql` with `params`; `sortKeyOf(row)` gives a row's sort key. */
export interface CompiledSearch {
  readonly sql: string;
  readonly params: unknown[];
  /** The final ordering the query applies. */
  readonly terms: readonly OrderTerm[];
  /** The sort key of a result row; pass the last one as `after` for the next page. */
  sortKeyOf(row: SqlRow): SortKey;
}

const RUN_COLUMNS: Readonly<Record<string, string>> = {
  run_id: 'run_uuid',
  run_name: 'name',
  user_id: 'user_id',
  status: 'status',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
};

const RUN_SELECT = [
  'run_seq',
  'run_uuid',
  'experiment_id',
  'name',
  'user_id',
  'status',
  'start_time',
  'end_time',
  'lifecycle_stage',
  'artifact_uri',
] as const;

const EXPERIMENT_COLUMNS: Readonly<Record<string, string>> = {
  experiment_id: 'experiment_id',
  name: 'name',
  creation_time: 'creation_time',
  last_update_time: 'last_update_time',
};

const EXPERIMENT_SELECT = [
  'experiment_id',
  'name',
  'artifact_location',
  'lifecycle_stage',
  'creation_time',
  'last_update_time',
] as const;

const REGISTERED_MODEL_SELECT = [
  'model_seq',
  'name',
  'creation_timestamp',
  'last_updated_timestamp',
  'description',
  'user_id',
  'last_version',
] as const;

const MODEL_VERSION_SELECT = [
  'version_seq',
  'model_seq',
  'version',
  'creation_timestamp',
  'last_updated_timestamp',
  'description',
  'user_id',
  'current_stage',
  'source',
  'storage_location',
  'run_id',
  'run_link',
  'status',
  'status_message',
  'model_id',
] as const;

/** Model-version search names and their columns, on `model_versions AS v` and `registered_models AS m`. */
const MODEL_VERSION_COLUMNS: Readonly<Record<string, readonly [alias: string, column: string]>> = {
  name: ['m', 'name'],
  version_number: ['v', 'version'],
  run_id: ['v', 'run_id'],
  source_path: ['v', 'source'],
  creation_timestamp: ['v', 'creation_timestamp'],
  last_updated_timestamp: ['v', 'last_updated_timestamp'],
};

function modelVersionColumn(key: string): SqlFragment {
  const [alias, name] = MODEL_VERSION_COLUMNS[key] ?? ['v', 'version'];
  return column(alias, name);
}

const RUN_DATA_TABLES = { metric: 'latest_metrics', param: 'params', tag: 'tags' } as const;

const DATASET_COLUMNS: Readonly<Record<string, string>> = { name: 'name', digest: 'digest' };

const SQL_NUMBER_OPERATORS: Readonly<Record<string, string>> = {
  '=': '=',
  '!=': '<>',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/** A condition no row satisfies. */
export const FALSE: SqlFragment = raw('1 = 0');

/** The column `name` of the table aliased `alias`: both from fixed tables in the query modules. */
export function column(alias: string, name: string): SqlFragment {
  return raw(`${alias}.${name}`);
}

/** `(?, ?, ...)`: a parenthesized list of parameters. */
export function parenthesize(values: readonly unknown[]): SqlFragment {
  return sql`(${join(values.map(param), ', ')})`;
}

/** The type of a column a number comparison reads: a double (metric values) or an integer (times, versions). */
export type NumberColumn = 'double' | 'integer';

/** 2^63: the integers PostgreSQL's BIGINT holds are those of [-2^63, 2^63). */
const BIGINT_END = 2 ** 63;

/**
 * `expr` (an integer column) compared with `value` as numbers, as SQLite compares them and the
 * evaluator does, written with an integer bound or none: PostgreSQL types the parameter as the
 * column's BIGINT, which cannot hold a fraction, ±Infinity or more than 2^63, and fails the
 * statement (and a cast of the column to a double would cost it its index). A fraction `v`
 * becomes `< ceil(v)`, `<= floor(v)`, ... and never equal; a bound beyond every BIGINT leaves
 * `IS NOT NULL` or nothing.
 */
function integerComparison(expr: SqlFragment, comparator: NumberComparator, value: number): SqlFragment {
  const operator = raw(SQL_NUMBER_OPERATORS[comparator] ?? '=');
  if (Number.isInteger(value) && value >= -BIGINT_END && value < BIGINT_END) {
    return sql`${expr} ${operator} ${param(value)}`;
  }
  const present = sql`${expr} IS NOT NULL`;
  if (comparator === '=') return FALSE;
  if (comparator === '!=') return present;
  if (Number.isNaN(value)) return FALSE;
  const below = comparator === '<' || comparator === '<=';
  if (!(value >= -BIGINT_END && value < BIGINT_END)) return below === value > 0 ? present : FALSE;
  const bound = comparator === '<' || comparator === '>=' ? Math.ceil(value) : Math.floor(value);
  return sql`${expr} ${operator} ${param(bound)}`;
}

/**
 * `expr` compared with a clause's value; `numbers` says what type of column a number
 * comparison reads (see {@link integerComparison}).
 */
export function valueCondition(
  dialect: SqlDialect,
  expr: SqlFragment,
  clause: Comparison,
  numbers: NumberColumn = 'double',
): SqlFragment {
  switch (clause.type) {
    case 'string_comparison':
      switch (clause.comparator) {
        case '=':
          return sql`${expr} = ${param(clause.value)}`;
        case '!=':
          return sql`${expr} <> ${param(clause.value)}`;
        case 'LIKE':
          return dialect.like(expr, param(dialect.likeParam(clause.value)));
        case 'ILIKE':
          return dialect.ilike(expr, param(dialect.ilikeParam(clause.value)));
      }
      break;
    case 'list_comparison':
      return clause.comparator === 'IN'
        ? sql`${expr} IN ${parenthesize(clause.value)}`
        : sql`${expr} NOT IN ${parenthesize(clause.value)}`;
    case 'number_comparison':
      if (numbers === 'integer') return integerComparison(expr, clause.comparator, clause.value);
      return sql`${expr} ${raw(SQL_NUMBER_OPERATORS[clause.comparator] ?? '=')} ${param(clause.value)}`;
  }
  return FALSE;
}

/** The condition of one run filter clause on `runs AS r`. */
function runCondition(dialect: SqlDialect, clause: Comparison, index: number): SqlFragment {
  switch (clause.entity) {
    case 'attribute':
      return valueCondition(dialect, column('r', RUN_COLUMNS[clause.key] ?? 'run_uuid'), clause, 'integer');
    case 'dataset':
      return datasetCondition(dialect, clause, index);
    case 'metric': {
      const alias = `f${index}`;
      let condition: SqlFragment;
      if (clause.type !== 'number_comparison') {
        condition = FALSE;
      } else if (clause.comparator === '!=') {
        condition = sql`(${column(alias, 'is_nan')} = 1 OR ${column(alias, 'value')} <> ${param(clause.value)})`;
      } else {
        // A NaN latest value satisfies no ordering and no equality (IEEE). MLflow's SQL store
        // compares the 0 it stores for NaN instead; agentrack deliberately does not.
        condition = sql`${column(alias, 'is_nan')} = 0 AND ${valueCondition(dialect, column(alias, 'value'), clause)}`;
      }
      return sql`EXISTS (SELECT 1 FROM latest_metrics AS ${raw(alias)} WHERE ${column(alias, 'run_seq')} = r.run_seq AND ${column(alias, 'key')} = ${param(clause.key)} AND ${condition})`;
    }
    case 'param':
    case 'tag': {
      const alias = `f${index}`;
      const table = RUN_DATA_TABLES[clause.entity];
      return sql`EXISTS (SELECT 1 FROM ${raw(table)} AS ${raw(alias)} WHERE ${column(alias, 'run_seq')} = r.run_seq AND ${column(alias, 'key')} = ${param(clause.key)} AND ${valueCondition(dialect, column(alias, 'value'), clause)})`;
    }
    default:
      return FALSE;
  }
}

/**
 * A dataset clause holds when one of the run's inputs satisfies it: its dataset's name or
 * digest, or its `mlflow.data.context` input tag (an input without one satisfies no context
 * clause).
 */
function datasetCondition(dialect: SqlDialect, clause: Comparison, index: number): SqlFragment {
  const input = `f${index}`;
  const inputs = sql`inputs AS ${raw(input)}`;
  const ofRun = sql`${column(input, 'run_seq')} = r.run_seq`;
  if (clause.key === 'context') {
    const tag = `${input}t`;
    return sql`EXISTS (SELECT 1 FROM ${inputs} JOIN input_tags AS ${raw(tag)} ON ${column(tag, 'input_seq')} = ${column(input, 'input_seq')} WHERE ${ofRun} AND ${column(tag, 'name')} = ${param(DATASET_CONTEXT_TAG)} AND ${valueCondition(dialect, column(tag, 'value'), clause)})`;
  }
  const dataset = `${input}d`;
  const field = column(dataset, DATASET_COLUMNS[clause.key] ?? 'name');
  return sql`EXISTS (SELECT 1 FROM ${inputs} JOIN datasets AS ${raw(dataset)} ON ${column(dataset, 'dataset_seq')} = ${column(input, 'dataset_seq')} WHERE ${ofRun} AND ${valueCondition(dialect, field, clause)})`;
}

/** The condition of one experiment filter clause on `experiments AS e`. */
function experimentCondition(dialect: SqlDialect, clause: Comparison, index: number): SqlFragment {
  if (clause.entity === 'attribute') {
    return valueCondition(dialect, column('e', EXPERIMENT_COLUMNS[clause.key] ?? 'name'), clause, 'integer');
  }
  if (clause.entity !== 'tag') return FALSE;
  const alias = `f${index}`;
  return sql`EXISTS (SELECT 1 FROM experiment_tags AS ${raw(alias)} WHERE ${column(alias, 'experiment_id')} = e.experiment_id AND ${column(alias, 'key')} = ${param(clause.key)} AND ${valueCondition(dialect, column(alias, 'value'), clause)})`;
}

function viewTypeCondition(alias: string, viewType: ViewType): SqlFragment[] {
  if (viewType === 'ALL') return [];
  return [
    sql`${column(alias, 'lifecycle_stage')} = ${param(viewType === 'ACTIVE_ONLY' ? 'active' : 'deleted')}`,
  ];
}

/** How one ordering term is computed in the inner query. */
export interface TermSql {
  readonly join?: SqlFragment;
  readonly bucket: SqlFragment;
  readonly value: SqlFragment;
}

/**
 * A run's duration: NULL while it has no end time, so its bucket comes from the same
 * `IS NULL` test as a column's, and the keyset's `v = ?` pins the bucket as for end_time.
 */
const RUN_DURATION = raw('(r.end_time - r.start_time)');

function runTermSql(term: OrderTerm, index: number): TermSql {
  if (term.entity === 'attribute') {
    const col = term.key === 'duration' ? RUN_DURATION : column('r', RUN_COLUMNS[term.key] ?? 'run_uuid');
    return {
      bucket: term.nullable ? sql`CASE WHEN ${col} IS NULL THEN 2 ELSE 0 END` : raw('0'),
      value: col,
    };
  }
  const alias = `o${index}`;
  // Run orderings hold metrics, params, tags and attributes only.
  const table = raw(RUN_DATA_TABLES[term.entity as keyof typeof RUN_DATA_TABLES]);
  const on = sql`${column(alias, 'run_seq')} = r.run_seq AND ${column(alias, 'key')} = ${param(term.key)}`;
  if (!term.nullable) {
    // The filter guarantees the key is present (and a metric not NaN) on every matching row.
    const notNan = term.entity === 'metric' ? sql` AND ${column(alias, 'is_nan')} = 0` : raw('');
    return {
      join: sql` JOIN ${table} AS ${raw(alias)} ON ${on}${notNan}`,
      bucket: raw('0'),
      value: column(alias, 'value'),
    };
  }
  const join = sql` LEFT JOIN ${table} AS ${raw(alias)} ON ${on}`;
  if (term.entity === 'metric') {
    return {
      join,
      bucket: sql`CASE WHEN ${column(alias, 'run_seq')} IS NULL THEN 2 WHEN ${column(alias, 'is_nan')} = 1 THEN 1 ELSE 0 END`,
      value: sql`CASE WHEN ${column(alias, 'is_nan')} = 0 THEN ${column(alias, 'value')} END`,
    };
  }
  return {
    join,
    bucket: sql`CASE WHEN ${column(alias, 'run_seq')} IS NULL THEN 2 ELSE 0 END`,
    value: column(alias, 'value'),
  };
}

/**
 * True when every run matching `filter` has a value for the (metric, param or tag) term,
 * and for a metric one that is not NaN: then the term cannot be NaN or missing.
 */
function filterGuaranteesValue(filter: readonly Comparison[], term: OrderTerm): boolean {
  if (term.entity === 'attribute') return false;
  return filter.some(
    (clause) =>
      clause.entity === term.entity &&
      clause.key === term.key &&
      (term.entity !== 'metric' || (clause.type === 'number_comparison' && clause.comparator !== '!=')),
  );
}

function experimentTermSql(term: OrderTerm): TermSql {
  return { bucket: raw('0'), value: column('e', EXPERIMENT_COLUMNS[term.key] ?? 'experiment_id') };
}

function bucketColumn(i: number): string {
  return `sk_b${i}`;
}
function valueColumn(i: number): string {
  return `sk_v${i}`;
}

function allowedBuckets(term: OrderTerm): readonly number[] {
  if (!term.nullable) return [BUCKET_VALUE];
  return term.entity === 'metric'
    ? [BUCKET_VALUE, BUCKET_NAN, BUCKET_MISSING]
    : [BUCKET_VALUE, BUCKET_MISSING];
}

/** Checks a page position against the ordering and decodes its numbers. */
function decodeAfter(
  terms: readonly OrderTerm[],
  after: readonly unknown[],
): Array<[number, string | number | null]> {
  const invalid = () =>
    invalidParameter(
      'Invalid page token: its position does not fit this search; restart without a page token',
    );
  if (!Array.isArray(after) || after.length !== 2 * terms.length) throw invalid();
  return terms.map((term, i) => {
    const bucket = after[2 * i];
    const value: unknown = after[2 * i + 1];
    if (typeof bucket !== 'number' || !allowedBuckets(term).includes(bucket)) throw invalid();
    if (bucket !== BUCKET_VALUE) {
      if (value !== null) throw invalid();
      return [bucket, null];
    }
    if (term.kind === 'number') {
      const number = decodeNumber(value);
      if (number === undefined) throw invalid();
      return [bucket, number];
    }
    if (typeof value !== 'string') throw invalid();
    return [bucket, value];
  });
}

/** Rows strictly after `after` in the ordering `terms`, over the outer query's columns. */
function keysetCondition(
  dialect: SqlDialect,
  terms: readonly OrderTerm[],
  termSql: readonly TermSql[],
  after: readonly unknown[],
): SqlFragment {
  const position = decodeAfter(terms, after);
  let rest: SqlFragment | undefined;
  for (let i = terms.length - 1; i >= 0; i -= 1) {
    const term = terms[i] as OrderTerm;
    const [bucket, value] = position[i] as [number, string | number | null];
    const b = (termSql[i] as TermSql).bucket;
    let v = (termSql[i] as TermSql).value;
    if (term.kind === 'string') v = dialect.binaryText(v);
    const beyond = raw(term.ascending ? '>' : '<');
    let gt: SqlFragment;
    let eq: SqlFragment;
    if (bucket !== BUCKET_VALUE) {
      gt = sql`${b} > ${param(bucket)}`;
      eq = sql`${b} = ${param(bucket)}`;
    } else if (term.nullable) {
      // The value column is NULL outside bucket 0, so `v = ?` also pins the bucket.
      gt = sql`(${b} > ${param(bucket)} OR ${v} ${beyond} ${param(value)})`;
      eq = sql`${v} = ${param(value)}`;
    } else {
      gt = sql`${v} ${beyond} ${param(value)}`;
      eq = sql`${v} = ${param(value)}`;
    }
    rest = rest === undefined ? gt : sql`(${gt} OR (${eq} AND ${rest}))`;
  }
  const first = terms[0];
  const [firstBucket, firstValue] = position[0] ?? [BUCKET_VALUE, null];
  if (rest !== undefined && first && !first.nullable && firstBucket === BUCKET_VALUE) {
    // Redundant with the condition above, but a plain range on the leading sort column is
    // what lets the planner seek into the index instead of scanning from the first row.
    let v = (termSql[0] as TermSql).value;
    if (first.kind === 'string') v = dialect.binaryText(v);
    return sql`${v} ${raw(first.ascending ? '>=' : '<=')} ${param(firstValue)} AND ${rest}`;
  }
  return rest ?? FALSE;
}

function orderByList(
  dialect: SqlDialect,
  terms: readonly OrderTerm[],
  termSql: readonly TermSql[],
): SqlFragment {
  const items: SqlFragment[] = [];
  terms.forEach((term, i) => {
    const t = termSql[i] as TermSql;
    if (term.nullable) items.push(sql`${t.bucket} ASC`);
    const v = t.value;
    items.push(
      sql`${term.kind === 'string' ? dialect.binaryText(v) : v} ${raw(term.ascending ? 'ASC' : 'DESC')}`,
    );
  });
  return join(items, ', ');
}

function sortKeyReader(terms: readonly OrderTerm[]): (row: SqlRow) => SortKey {
  return (row) =>
    terms.flatMap((term, i): SortKeyValue[] => {
      const bucket = term.nullable ? Number(row[bucketColumn(i)]) : BUCKET_VALUE;
      if (bucket !== BUCKET_VALUE) return [bucket, null];
      const value = row[valueColumn(i)];
      return [bucket, term.kind === 'number' ? encodeNumber(Number(value)) : String(value)];
    });
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) {
    throw invalidParameter(`Invalid limit ${limit}: expected a non-negative integer`);
  }
}

/**
 * The query of a search over `table AS alias`: its `select` columns and the sort key of
 * `terms` (computed as `termSql` says), the rows satisfying `conditions` and, with `after`,
 * strictly after that position, in the final order, at most `limit`.
 */
export function assemble(
  dialect: SqlDialect,
  parts: {
    select: readonly string[];
    alias: string;
    table: string;
    /** Joins every row needs, before those of the sort terms. */
    joins?: readonly SqlFragment[];
    /** Selected after the table's own columns. */
    extraColumns?: readonly SqlFragment[];
    terms: readonly OrderTerm[];
    termSql: readonly TermSql[];
    conditions: readonly SqlFragment[];
    after?: readonly unknown[];
    limit: number;
  },
): CompiledSearch {
  checkLimit(parts.limit);
  const { alias, terms, termSql } = parts;
  const columns = [
    ...parts.select.map((name) => column(alias, name)),
    ...(parts.extraColumns ?? []),
    ...termSql.flatMap((t, i) => [
      sql`${t.bucket} AS ${raw(bucketColumn(i))}`,
      sql`${t.value} AS ${raw(valueColumn(i))}`,
    ]),
  ];
  const joins = [...(parts.joins ?? []), ...termSql.flatMap((t) => (t.join === undefined ? [] : [t.join]))];
  const conditions = [...parts.conditions];
  if (parts.after !== undefined) conditions.push(keysetCondition(dialect, terms, termSql, parts.after));
  const where = conditions.length === 0 ? raw('1 = 1') : join(conditions, ' AND ');
  const query = sql`SELECT ${join(columns, ', ')} FROM ${raw(parts.table)} AS ${raw(alias)}${join(joins, '')} WHERE ${where} ORDER BY ${orderByList(dialect, terms, termSql)} LIMIT ${param(parts.limit)}`;
  const { sql: text, params } = renderSql(query, (i) => dialect.placeholder(i));
  return { sql: text, params, terms, sortKeyOf: sortKeyReader(terms) };
}

function asFilter(
  filter: readonly Comparison[] | string | undefined,
  parse: (text?: string) => readonly Comparison[],
): readonly Comparison[] {
  return typeof filter === 'object' ? filter : parse(filter);
}

function asOrderBy(
  orderBy: OrderBy | readonly string[] | undefined,
  parse: (o?: readonly string[]) => OrderBy,
): OrderBy {
  if (orderBy === undefined || orderBy.length === 0) return [];
  return typeof orderBy[0] === 'string' ? parse(orderBy as readonly string[]) : (orderBy as OrderBy);
}

/**
 * Compiles a run search over `runs AS r`: selects `run_seq, run_uuid, experiment_id, name,
 * user_id, status, start_time, end_time, lifecycle_stage, artifact_uri` and the sort-key
 * columns, in MLflow's final order, at most `limit` rows after `after`.
 *
 * @example
 * const q = compileRunSearch(sqliteDialect, { experimentIds: ['1'], viewType: 'ACTIVE_ONLY',
 *   filter: "metrics.acc > 0.9", orderBy: ['metrics.acc DESC'], limit: 100 });
 * const rows = db.prepare(q.sql).all(...q.params);
 */
export function compileRunSearch(dialect: SqlDialect, options: RunSearchOptions): CompiledSearch {
  const filter = asFilter(options.filter, parseRunFilter);
  const terms = runOrderTerms(asOrderBy(options.orderBy, parseRunOrderBy)).map((term) =>
    term.nullable && filterGuaranteesValue(filter, term) ? { ...term, nullable: false } : term,
  );
  const ids = options.experimentIds.filter((id) => /^-?\d+$/.test(id)).map(Number);
  const experiments =
    ids.length === 0
      ? FALSE
      : ids.length === 1
        ? sql`r.experiment_id = ${param(ids[0])}`
        : sql`r.experiment_id IN ${parenthesize(ids)}`;
  const conditions = [
    experiments,
    ...viewTypeCondition('r', options.viewType),
    ...filter.map((clause, i) => runCondition(dialect, clause, i)),
  ];
  return assemble(dialect, {
    select: RUN_SELECT,
    alias: 'r',
    table: 'runs',
    terms,
    termSql: terms.map(runTermSql),
    conditions,
    after: options.after,
    limit: options.limit,
  });
}

/**
 * Compiles an experiment search over `experiments AS e`: selects `experiment_id, name,
 * artifact_location, lifecycle_stage, creation_time, last_update_time` and the sort-key
 * columns. `experiment_id` is an integer in SQL; the store turns it into the wire string.
 */
export function compileExperimentSearch(
  dialect: SqlDialect,
  options: ExperimentSearchOptions,
): CompiledSearch {
  const filter = asFilter(options.filter, parseExperimentFilter);
  const terms = experimentOrderTerms(asOrderBy(options.orderBy, parseExperimentOrderBy));
  const conditions = [
    ...viewTypeCondition('e', options.viewType),
    ...filter.map((clause, i) => experimentCondition(dialect, clause, i)),
  ];
  return assemble(dialect, {
    select: EXPERIMENT_SELECT,
    alias: 'e',
    table: 'experiments',
    terms,
    termSql: terms.map(experimentTermSql),
    conditions,
    after: options.after,
    limit: options.limit,
  });
}

/** The condition of one tag clause: an EXISTS on `table`'s rows of the searched row. */
function tagCondition(
  dialect: SqlDialect,
  clause: Comparison,
  index: number,
  table: string,
  owner: string,
  ownerColumn: SqlFragment,
): SqlFragment {
  const alias = `f${index}`;
  return sql`EXISTS (SELECT 1 FROM ${raw(table)} AS ${raw(alias)} WHERE ${column(alias, owner)} = ${ownerColumn} AND ${column(alias, 'key')} = ${param(clause.key)} AND ${valueCondition(dialect, column(alias, 'value'), clause)})`;
}

/**
 * Compiles a registered-model search over `registered_models AS m`: selects `model_seq, name,
 * creation_timestamp, last_updated_timestamp, description, user_id, last_version` and the
 * sort-key columns, in MLflow's final order (default `name ASC`), at most `limit` rows after
 * `after`. Prompts are left out unless the filter asks for them.
 *
 * @example
 * const q = compileRegisteredModelSearch(sqliteDialect, { filter: "name LIKE 'health%'", limit: 101 });
 * const rows = db.prepare(q.sql).all(...q.params);
 */
export function compileRegisteredModelSearch(
  dialect: SqlDialect,
  options: RegistrySearchOptions,
): CompiledSearch {
  const plan = registryFilterPlan(asFilter(options.filter, parseRegisteredModelFilter));
  const conditions = plan.clauses.map((clause, i) =>
    clause.entity === 'tag'
      ? tagCondition(dialect, clause, i, 'registered_model_tags', 'model_seq', raw('m.model_seq'))
      : valueCondition(dialect, column('m', 'name'), clause),
  );
  if (plan.excludePrompts) {
    conditions.push(
      sql`NOT EXISTS (SELECT 1 FROM registered_model_tags AS p WHERE p.model_seq = m.model_seq AND p.key = ${param(PROMPT_TAG_KEY)} AND p.value = ${param('true')})`,
    );
  }
  const terms = registeredModelOrderTerms(asOrderBy(options.orderBy, parseRegisteredModelOrderBy));
  return assemble(dialect, {
    select: REGISTERED_MODEL_SELECT,
    alias: 'm',
    table: 'registered_models',
    terms,
    termSql: terms.map((term) => ({ bucket: raw('0'), value: column('m', term.key) })),
    conditions,
    after: options.after,
    limit: options.limit,
  });
}

/**
 * Compiles a model-version search over `model_versions AS v` joined to its `registered_models
 * AS m`: selects the `model_versions` columns (`version_seq, model_seq, version,
 * creation_timestamp, last_updated_timestamp, description, user_id, current_stage, source,
 * storage_location, run_id, run_link, status, status_message, model_id`), then `m.name AS
 * name`, then the sort-key columns, in MLflow's final order (default `last_updated_timestamp
 * DESC, name ASC, version_number DESC`). Unless the filter asks for prompts, every version of a
 * registered model with a version tagged as a prompt is left out, as in MLflow.
 */
export function compileModelVersionSearch(
  dialect: SqlDialect,
  options: RegistrySearchOptions,
): CompiledSearch {
  const plan = registryFilterPlan(asFilter(options.filter, parseModelVersionFilter));
  const conditions = plan.clauses.map((clause, i) =>
    clause.entity === 'tag'
      ? tagCondition(dialect, clause, i, 'model_version_tags', 'version_seq', raw('v.version_seq'))
      : valueCondition(dialect, modelVersionColumn(clause.key), clause, 'integer'),
  );
  if (plan.excludePrompts) {
    // Not correlated: computed once, where a per-row subquery would scan each row's siblings.
    conditions.push(
      sql`v.model_seq NOT IN (SELECT pv.model_seq FROM model_version_tags AS p JOIN model_versions AS pv ON pv.version_seq = p.version_seq WHERE p.key = ${param(PROMPT_TAG_KEY)} AND p.value = ${param('true')})`,
    );
  }
  const terms = modelVersionOrderTerms(asOrderBy(options.orderBy, parseModelVersionOrderBy));
  return assemble(dialect, {
    select: MODEL_VERSION_SELECT,
    alias: 'v',
    table: 'model_versions',
    joins: [raw(' JOIN registered_models AS m ON m.model_seq = v.model_seq')],
    extraColumns: [raw('m.name AS name')],
    terms,
    termSql: terms.map((term) => ({ bucket: raw('0'), value: modelVersionColumn(term.key) })),
    conditions,
    after: options.after,
    limit: options.limit,
  });
}

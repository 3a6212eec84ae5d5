/**
 * Compiles a logged-model search into one SQL query over the logged-model tables of
 * `src/store/sql/schema.ts` (`logged_models`, `logged_model_tags`, `logged_model_params`,
 * `logged_model_metrics`), with the same shape and keyset paging as the run search (see
 * `sql-compiler.ts`). Param, tag and metric clauses are EXISTS subqueries keyed by
 * `model_seq`; a metric term of the ordering joins the one row holding the model's latest
 * value on the term's dataset. Every value and key is a parameter.
 */
import type { Comparison } from './ast.js';
import type {
  LoggedModelDatasetScope,
  LoggedModelFilter,
  LoggedModelOrderBy,
  LoggedModelOrderByInput,
} from './logged-model-ast.js';
import { parseLoggedModelFilter, parseLoggedModelOrderBy } from './logged-model-parser.js';
import {
  LOGGED_MODEL_STATUS_RANKS,
  loggedModelOrderTerms,
  type LoggedModelOrderTerm,
} from './logged-model-sort-key.js';
import {
  FALSE,
  assemble,
  column,
  parenthesize,
  valueCondition,
  type CompiledSearch,
  type TermSql,
} from './sql-compiler.js';
import type { SqlDialect } from './sql-dialect.js';
import { join, param, raw, sql, type SqlFragment } from './sql-fragment.js';

/** Options of {@link compileLoggedModelSearch}. */
export interface LoggedModelSearchOptions {
  /** Experiments to search (wire ids); ids that are not integers match nothing. */
  readonly experimentIds: readonly string[];
  /** Parsed filter or filter text. */
  readonly filter?: LoggedModelFilter | string;
  /** The datasets metric clauses read (any of them); none: every value. */
  readonly datasets?: readonly LoggedModelDatasetScope[];
  /** Parsed order_by, or its entries as a request carries them. */
  readonly orderBy?: LoggedModelOrderBy | readonly LoggedModelOrderByInput[];
  /** Sort key of the last row of the previous page (as decoded from a page token; checked here). */
  readonly after?: readonly unknown[];
  /** Maximum number of rows. */
  readonly limit: number;
}

const ATTRIBUTE_COLUMNS: Readonly<Record<string, string>> = {
  model_id: 'model_id',
  name: 'name',
  model_type: 'model_type',
  source_run_id: 'source_run_id',
  status: 'status',
  creation_timestamp: 'creation_timestamp',
  last_updated_timestamp: 'last_updated_timestamp',
};

const SELECT = [
  'model_seq',
  'model_id',
  'experiment_id',
  'name',
  'artifact_location',
  'creation_timestamp',
  'last_updated_timestamp',
  'status',
  'lifecycle_stage',
  'model_type',
  'source_run_id',
  'status_message',
] as const;

const DATA_TABLES = { param: 'logged_model_params', tag: 'logged_model_tags' } as const;

// `status` orders by MLflow's enum numbers; the names are this module's constants.
const STATUS_RANK: SqlFragment = raw(
  `CASE m.status ${Object.entries(LOGGED_MODEL_STATUS_RANKS)
    .map(([name, rank]) => `WHEN '${name}' THEN ${rank}`)
    .join(' ')} END`,
);

/** `alias` (a metric row) logged on one of `datasets`; no condition when there are none. */
function datasetScope(alias: string, datasets: readonly LoggedModelDatasetScope[]): SqlFragment[] {
  if (datasets.length === 0) return [];
  const each = datasets.map((d) => {
    const name = sql`${column(alias, 'dataset_name')} = ${param(d.datasetName)}`;
    return d.datasetDigest === undefined
      ? name
      : sql`(${name} AND ${column(alias, 'dataset_digest')} = ${param(d.datasetDigest)})`;
  });
  return [each.length === 1 ? (each[0] as SqlFragment) : sql`(${join(each, ' OR ')})`];
}

function condition(
  dialect: SqlDialect,
  clause: Comparison,
  index: number,
  datasets: readonly LoggedModelDatasetScope[],
): SqlFragment {
  const alias = `f${index}`;
  const ofModel = sql`${column(alias, 'model_seq')} = m.model_seq AND ${column(alias, 'key')} = ${param(clause.key)}`;
  switch (clause.entity) {
    case 'attribute':
      return valueCondition(
        dialect,
        column('m', ATTRIBUTE_COLUMNS[clause.key] ?? 'model_id'),
        clause,
        'integer',
      );
    case 'param':
    case 'tag':
      return sql`EXISTS (SELECT 1 FROM ${raw(DATA_TABLES[clause.entity])} AS ${raw(alias)} WHERE ${ofModel} AND ${valueCondition(dialect, column(alias, 'value'), clause)})`;
    case 'metric': {
      let value: SqlFragment;
      if (clause.type !== 'number_comparison') {
        value = FALSE;
      } else if (clause.comparator === '!=') {
        value = sql`(${column(alias, 'is_nan')} = 1 OR ${column(alias, 'value')} <> ${param(clause.value)})`;
      } else {
        // As in the run language, a NaN value satisfies no ordering and no equality.
        value = sql`${column(alias, 'is_nan')} = 0 AND ${valueCondition(dialect, column(alias, 'value'), clause)}`;
      }
      const where = join([ofModel, value, ...datasetScope(alias, datasets)], ' AND ');
      return sql`EXISTS (SELECT 1 FROM logged_model_metrics AS ${raw(alias)} WHERE ${where})`;
    }
    default:
      return FALSE;
  }
}

function termSql(term: LoggedModelOrderTerm, index: number): TermSql {
  if (term.entity === 'attribute') {
    return {
      bucket: raw('0'),
      value: term.key === 'status' ? STATUS_RANK : column('m', ATTRIBUTE_COLUMNS[term.key] ?? 'model_id'),
    };
  }
  const alias = `o${index}`;
  const latest = `l${index}`;
  const filters: SqlFragment[] = [
    sql`${column(latest, 'model_seq')} = m.model_seq`,
    sql`${column(latest, 'key')} = ${param(term.key)}`,
  ];
  if (term.datasetName !== undefined)
    filters.push(sql`${column(latest, 'dataset_name')} = ${param(term.datasetName)}`);
  if (term.datasetDigest !== undefined) {
    filters.push(sql`${column(latest, 'dataset_digest')} = ${param(term.datasetDigest)}`);
  }
  const pick = sql`SELECT ${column(latest, 'metric_seq')} FROM logged_model_metrics AS ${raw(latest)} WHERE ${join(filters, ' AND ')} ORDER BY ${column(latest, 'timestamp')} DESC, ${column(latest, 'step')} DESC, ${column(latest, 'is_nan')} ASC, ${column(latest, 'value')} DESC, ${column(latest, 'metric_seq')} DESC LIMIT 1`;
  return {
    join: sql` LEFT JOIN logged_model_metrics AS ${raw(alias)} ON ${column(alias, 'metric_seq')} = (${pick})`,
    bucket: sql`CASE WHEN ${column(alias, 'metric_seq')} IS NULL THEN 2 WHEN ${column(alias, 'is_nan')} = 1 THEN 1 ELSE 0 END`,
    value: sql`CASE WHEN ${column(alias, 'is_nan')} = 0 THEN ${column(alias, 'value')} END`,
  };
}

function asOrderBy(orderBy: LoggedModelSearchOptions['orderBy']): LoggedModelOrderBy {
  if (orderBy === undefined || orderBy.length === 0) return [];
  return 'fieldName' in (orderBy[0] as object)
    ? parseLoggedModelOrderBy(orderBy as readonly LoggedModelOrderByInput[])
    : (orderBy as LoggedModelOrderBy);
}

/**
 * Compiles a logged-model search over `logged_models AS m`: selects the model's row
 * (`model_seq, model_id, experiment_id, name, artifact_location, creation_timestamp,
 * last_updated_timestamp, status, lifecycle_stage, model_type, source_run_id,
 * status_message`) and the sort-key columns, active models of the experiments only, in the
 * final order, at most `limit` rows after `after`.
 *
 * @example
 * const q = compileLoggedModelSearch(sqliteDialect, { experimentIds: ['1'],
 *   filter: "metrics.accuracy > 0.9", orderBy: [{ fieldName: 'metrics.accuracy', ascending: false }], limit: 100 });
 * const rows = db.prepare(q.sql).all(...q.params);
 */
export function compileLoggedModelSearch(
  dialect: SqlDialect,
  options: LoggedModelSearchOptions,
): CompiledSearch {
  const filter = typeof options.filter === 'object' ? options.filter : parseLoggedModelFilter(options.filter);
  const datasets = options.datasets ?? [];
  const terms = loggedModelOrderTerms(asOrderBy(options.orderBy));
  const ids = options.experimentIds.filter((id) => /^-?\d+$/.test(id)).map(Number);
  const experiments =
    ids.length === 0
      ? FALSE
      : ids.length === 1
        ? sql`m.experiment_id = ${param(ids[0])}`
        : sql`m.experiment_id IN ${parenthesize(ids)}`;
  const conditions = [
    experiments,
    sql`m.lifecycle_stage = ${param('active')}`,
    ...filter.map((clause, i) => condition(dialect, clause, i, datasets)),
  ];
  if (datasets.length > 0 && !filter.some((clause) => clause.entity === 'metric')) {
    const scope = join([sql`d.model_seq = m.model_seq`, ...datasetScope('d', datasets)], ' AND ');
    conditions.push(sql`EXISTS (SELECT 1 FROM logged_model_metrics AS d WHERE ${scope})`);
  }
  return assemble(dialect, {
    select: SELECT,
    alias: 'm',
    table: 'logged_models',
    terms,
    termSql: terms.map(termSql),
    conditions,
    after: options.after,
    limit: options.limit,
  });
}

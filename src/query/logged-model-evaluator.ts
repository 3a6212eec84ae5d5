/**
 * The in-memory evaluator of the logged-model search: the reference semantics the SQL store
 * reproduces.
 *
 * As MLflow's SQL store matches them: an attribute clause compares the model's attribute; a
 * param or tag clause holds when the model has the key with a value that satisfies it; a
 * metric clause holds when one of the values ever logged for the metric satisfies it (not
 * only the latest), among the values logged on the search's datasets when it names some. A
 * search with datasets and no metric clause keeps the models with a value on one of them.
 * As in the run language, a NaN value satisfies only `!=`.
 */
import type { LoggedModel } from '../entities/index.js';
import type { Comparison } from './ast.js';
import { holds } from './evaluator.js';
import type {
  LoggedModelDatasetScope,
  LoggedModelFilter,
  LoggedModelOrderBy,
  LoggedModelOrderByInput,
} from './logged-model-ast.js';
import { parseLoggedModelFilter, parseLoggedModelOrderBy } from './logged-model-parser.js';
import {
  loggedModelAttribute,
  loggedModelOrderTerms,
  loggedModelSortKey,
  onDataset,
} from './logged-model-sort-key.js';
import { compareSortKeys, findByKey } from './sort-key.js';

function inScope(
  metric: NonNullable<LoggedModel['data']['metrics']>[number],
  datasets: readonly LoggedModelDatasetScope[],
): boolean {
  return datasets.length === 0 || datasets.some((d) => onDataset(metric, d.datasetName, d.datasetDigest));
}

function clauseHolds(
  clause: Comparison,
  model: LoggedModel,
  datasets: readonly LoggedModelDatasetScope[],
): boolean {
  switch (clause.entity) {
    case 'attribute':
      return holds(clause, loggedModelAttribute(model, clause.key));
    case 'param':
      return holds(clause, findByKey(model.data.params, clause.key)?.value);
    case 'tag':
      return holds(clause, findByKey(model.info.tags, clause.key)?.value);
    case 'metric':
      return (model.data.metrics ?? []).some(
        (metric) => metric.key === clause.key && inScope(metric, datasets) && holds(clause, metric.value),
      );
    default:
      return false;
  }
}

/**
 * True when `model` satisfies every clause of `filter` (parsed or text), its metrics read on
 * `datasets` when given.
 *
 * @example
 * models.filter((m) => matchesLoggedModel("metrics.accuracy > 0.9", m, [{ datasetName: 'golden' }]))
 */
export function matchesLoggedModel(
  filter: LoggedModelFilter | string | undefined,
  model: LoggedModel,
  datasets: readonly LoggedModelDatasetScope[] = [],
): boolean {
  const clauses = typeof filter === 'object' ? filter : parseLoggedModelFilter(filter);
  if (
    datasets.length > 0 &&
    !clauses.some((clause) => clause.entity === 'metric') &&
    !(model.data.metrics ?? []).some((metric) => inScope(metric, datasets))
  ) {
    return false;
  }
  return clauses.every((clause) => clauseHolds(clause, model, datasets));
}

/**
 * The comparator of the complete logged-model ordering: the entries of `orderBy` (parsed, or
 * as a request carries them), values before NaN before missing in either direction, then
 * `creation_timestamp DESC` (unless ordered on), then `model_id ASC`.
 *
 * @example
 * models.sort(compareLoggedModels([{ fieldName: 'metrics.accuracy', ascending: false }]))
 */
export function compareLoggedModels(
  orderBy: LoggedModelOrderBy | readonly LoggedModelOrderByInput[] = [],
): (a: LoggedModel, b: LoggedModel) => number {
  const parsed =
    orderBy.length > 0 && 'fieldName' in (orderBy[0] as object)
      ? parseLoggedModelOrderBy(orderBy as readonly LoggedModelOrderByInput[])
      : (orderBy as LoggedModelOrderBy);
  const terms = loggedModelOrderTerms(parsed);
  return (a, b) => compareSortKeys(terms, loggedModelSortKey(terms, a), loggedModelSortKey(terms, b));
}

/**
 * The in-memory evaluator: the reference semantics every store's search must reproduce.
 *
 * Matching follows MLflow's SQL store: a run lacking the metric, param, tag or attribute
 * of a clause never matches it, `!=` included. One deliberate deviation: a NaN metric
 * matches only `!=` (IEEE semantics), where MLflow's SQL store compares the stored 0.
 * Strings compare by code point (SQLite's BINARY), LIKE is case-sensitive, ILIKE folds
 * ASCII only. A dataset clause holds when one of the run's dataset inputs satisfies it (its
 * dataset's name or digest, or its `mlflow.data.context` input tag), as MLflow's join does.
 * Registry searches follow MLflow's SQL registry: a registered model or version lacking the tag
 * of a clause never matches it, except for the prompt tag (see `prompt-filter.ts`).
 */
import {
  DATASET_CONTEXT_TAG,
  type DatasetInput,
  type Experiment,
  type KeyValue,
  type LifecycleStage,
  type ModelVersion,
  type RegisteredModel,
  type Run,
  type ViewType,
} from '../entities/index.js';
import type {
  Comparison,
  ExperimentFilter,
  ModelVersionFilter,
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
import { ilikeMatches, likeMatches } from './like.js';
import {
  parseExperimentOrderBy,
  parseModelVersionOrderBy,
  parseRegisteredModelOrderBy,
  parseRunOrderBy,
} from './order-by-parser.js';
import { PROMPT_TAG_KEY, registryFilterPlan } from './prompt-filter.js';
import {
  compareSortKeys,
  experimentAttribute,
  experimentOrderTerms,
  experimentSortKey,
  findByKey,
  modelVersionAttribute,
  modelVersionOrderTerms,
  modelVersionSortKey,
  registeredModelAttribute,
  registeredModelOrderTerms,
  registeredModelSortKey,
  runAttribute,
  runOrderTerms,
  runSortKey,
} from './sort-key.js';

function compareNumber(comparator: string, lhs: number, rhs: number): boolean {
  switch (comparator) {
    case '=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
      return lhs < rhs;
    case '<=':
      return lhs <= rhs;
    case '>':
      return lhs > rhs;
    case '>=':
      return lhs >= rhs;
    default:
      return false;
  }
}

/** Does one clause hold for `value` (`undefined`: the row has no such value)? */
export function holds(clause: Comparison, value: string | number | undefined): boolean {
  if (value === undefined) return false;
  switch (clause.type) {
    case 'number_comparison':
      // NaN compares unequal to everything and is neither smaller nor greater: only != holds.
      return typeof value === 'number' && compareNumber(clause.comparator, value, clause.value);
    case 'string_comparison': {
      if (typeof value !== 'string') return false;
      switch (clause.comparator) {
        case '=':
          return value === clause.value;
        case '!=':
          return value !== clause.value;
        case 'LIKE':
          return likeMatches(value, clause.value);
        case 'ILIKE':
          return ilikeMatches(value, clause.value);
      }
      return false;
    }
    case 'list_comparison':
      return typeof value === 'string' && clause.value.includes(value) === (clause.comparator === 'IN');
  }
}

function runClauseHolds(clause: Comparison, run: Run): boolean {
  switch (clause.entity) {
    case 'metric':
      return holds(clause, findByKey(run.data.metrics, clause.key)?.value);
    case 'param':
      return holds(clause, findByKey(run.data.params, clause.key)?.value);
    case 'tag':
      return holds(clause, findByKey(run.data.tags, clause.key)?.value);
    case 'attribute':
      return holds(clause, runAttribute(run, clause.key));
    case 'dataset':
      return (run.inputs.dataset_inputs ?? []).some((input) => datasetClauseHolds(clause, input));
    default:
      return false;
  }
}

function datasetClauseHolds(clause: Comparison, input: DatasetInput): boolean {
  switch (clause.key) {
    case 'context':
      return (input.tags ?? []).some((tag) => tag.key === DATASET_CONTEXT_TAG && holds(clause, tag.value));
    case 'digest':
      return holds(clause, input.dataset.digest);
    default:
      return holds(clause, input.dataset.name);
  }
}

function experimentClauseHolds(clause: Comparison, experiment: Experiment): boolean {
  switch (clause.entity) {
    case 'tag':
      return holds(clause, findByKey(experiment.tags, clause.key)?.value);
    case 'attribute':
      return holds(clause, experimentAttribute(experiment, clause.key));
    default:
      return false;
  }
}

/**
 * True when `run` satisfies every clause of `filter` (a parsed filter or filter text).
 *
 * @example
 * runs.filter((run) => matchesRun(parseRunFilter("metrics.acc > 0.9"), run))
 */
export function matchesRun(filter: RunFilter | string | undefined, run: Run): boolean {
  const clauses = typeof filter === 'object' ? filter : parseRunFilter(filter);
  return clauses.every((clause) => runClauseHolds(clause, run));
}

/** True when `experiment` satisfies every clause of `filter` (parsed or text). */
export function matchesExperiment(
  filter: ExperimentFilter | string | undefined,
  experiment: Experiment,
): boolean {
  const clauses = typeof filter === 'object' ? filter : parseExperimentFilter(filter);
  return clauses.every((clause) => experimentClauseHolds(clause, experiment));
}

/** True when a run or experiment in `stage` is visible under `viewType`. */
export function matchesViewType(viewType: ViewType, stage: LifecycleStage): boolean {
  return viewType === 'ALL' || (viewType === 'ACTIVE_ONLY' ? stage === 'active' : stage === 'deleted');
}

function isParsed(orderBy: OrderBy | readonly string[]): orderBy is OrderBy {
  return orderBy.length === 0 || typeof orderBy[0] !== 'string';
}

/**
 * The comparator of MLflow's complete run ordering: the `orderBy` clauses (parsed or text),
 * values before NaN before missing in either direction, then `start_time DESC` (unless
 * ordered on), then run id ascending.
 *
 * @example
 * runs.sort(compareRuns(['metrics.rmse ASC']))
 */
export function compareRuns(orderBy: OrderBy | readonly string[] = []): (a: Run, b: Run) => number {
  const terms = runOrderTerms(isParsed(orderBy) ? orderBy : parseRunOrderBy(orderBy));
  return (a, b) => compareSortKeys(terms, runSortKey(terms, a), runSortKey(terms, b));
}

/**
 * The comparator of MLflow's complete experiment ordering: by default creation time
 * descending then id ascending; with clauses, those then id descending (unless ordered on).
 */
export function compareExperiments(
  orderBy: OrderBy | readonly string[] = [],
): (a: Experiment, b: Experiment) => number {
  const terms = experimentOrderTerms(isParsed(orderBy) ? orderBy : parseExperimentOrderBy(orderBy));
  return (a, b) => compareSortKeys(terms, experimentSortKey(terms, a), experimentSortKey(terms, b));
}

function isPromptTagged(tags: readonly KeyValue[] | undefined): boolean {
  return findByKey(tags, PROMPT_TAG_KEY)?.value === 'true';
}

/**
 * True when `model` satisfies `filter` (parsed or text) as MLflow's SQL registry reads it:
 * prompts are left out unless the filter asks for them (see `registryFilterPlan`).
 *
 * @example
 * models.filter((m) => matchesRegisteredModel("name LIKE 'health%'", m))
 */
export function matchesRegisteredModel(
  filter: RegisteredModelFilter | string | undefined,
  model: RegisteredModel,
): boolean {
  const plan = registryFilterPlan(typeof filter === 'object' ? filter : parseRegisteredModelFilter(filter));
  if (plan.excludePrompts && isPromptTagged(model.tags)) return false;
  return plan.clauses.every((clause) =>
    holds(
      clause,
      clause.entity === 'tag'
        ? findByKey(model.tags, clause.key)?.value
        : registeredModelAttribute(model, clause.key),
    ),
  );
}

/**
 * Names of the registered models MLflow treats as prompts in a version search: those with a
 * version tagged `mlflow.prompt.is_prompt` = `'true'` among `versions`.
 */
export function promptModelNames(versions: Iterable<ModelVersion>): Set<string> {
  const names = new Set<string>();
  for (const version of versions) if (isPromptTagged(version.tags)) names.add(version.name);
  return names;
}

/**
 * True when `version` satisfies `filter` (parsed or text) as MLflow's SQL registry reads it.
 * Unless the filter asks for prompts, every version of a registered model named in
 * `promptModels` is left out: pass `promptModelNames(allVersions)` for MLflow's rule; by
 * default only the version's own tags are looked at.
 *
 * @example
 * versions.filter((v) => matchesModelVersion("name = 'agent' AND version_number > 1", v))
 */
export function matchesModelVersion(
  filter: ModelVersionFilter | string | undefined,
  version: ModelVersion,
  promptModels: ReadonlySet<string> = promptModelNames([version]),
): boolean {
  const plan = registryFilterPlan(typeof filter === 'object' ? filter : parseModelVersionFilter(filter));
  if (plan.excludePrompts && promptModels.has(version.name)) return false;
  return plan.clauses.every((clause) =>
    holds(
      clause,
      clause.entity === 'tag'
        ? findByKey(version.tags, clause.key)?.value
        : modelVersionAttribute(version, clause.key),
    ),
  );
}

/**
 * The comparator of MLflow's complete registered-model ordering: the `orderBy` clauses (parsed
 * or text), then `name ASC` unless ordered on.
 *
 * @example
 * models.sort(compareRegisteredModels(['timestamp DESC']))
 */
export function compareRegisteredModels(
  orderBy: OrderBy | readonly string[] = [],
): (a: RegisteredModel, b: RegisteredModel) => number {
  const terms = registeredModelOrderTerms(isParsed(orderBy) ? orderBy : parseRegisteredModelOrderBy(orderBy));
  return (a, b) => compareSortKeys(terms, registeredModelSortKey(terms, a), registeredModelSortKey(terms, b));
}

/**
 * The comparator of MLflow's complete model-version ordering: by default
 * `last_updated_timestamp DESC, name ASC, version_number DESC`; with clauses, those then
 * `name ASC` and `version_number DESC` unless ordered on.
 */
export function compareModelVersions(
  orderBy: OrderBy | readonly string[] = [],
): (a: ModelVersion, b: ModelVersion) => number {
  const terms = modelVersionOrderTerms(isParsed(orderBy) ? orderBy : parseModelVersionOrderBy(orderBy));
  return (a, b) => compareSortKeys(terms, modelVersionSortKey(terms, a), modelVersionSortKey(terms, b));
}

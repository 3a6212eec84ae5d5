/**
 * The vocabulary of MLflow's logged-model search (`logged-models/search`, MLflow 3): what its
 * filter and its `order_by` entries may name, and their parsed forms. A filter is a list of
 * comparisons joined by AND, with the AST of the run language ({@link Comparison}); an
 * `order_by` entry is a structured object (`{field_name, ascending, dataset_name,
 * dataset_digest}`), parsed into {@link LoggedModelOrderByClause}.
 */
import type { AttributeKind, Comparison, Entity, Location } from './ast.js';

/**
 * Logged-model attributes a filter and `order_by` accept, with their kind. `status` is the
 * name MLflow's client shows (`PENDING`, `READY`, `FAILED`, `UNSPECIFIED`); a model without a
 * type or a source run has the empty string there.
 */
export const LOGGED_MODEL_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
  model_id: 'string',
  model_type: 'string',
  name: 'string',
  source_run_id: 'string',
  status: 'string',
};

/** Other names of logged-model attributes, mapped to the canonical one (MLflow's `ALIASES`, its column names). */
export const LOGGED_MODEL_ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  creation_time: 'creation_timestamp',
  creation_timestamp_ms: 'creation_timestamp',
  last_updated_time: 'last_updated_timestamp',
  last_updated_timestamp_ms: 'last_updated_timestamp',
};

/** Entity prefixes of logged-model filters: MLflow accepts exactly these four. */
export const LOGGED_MODEL_ENTITY_ALIASES: Readonly<Record<string, Entity>> = {
  attributes: 'attribute',
  metrics: 'metric',
  params: 'param',
  tags: 'tag',
};

/** A parsed logged-model filter: comparisons on attributes, metrics, params and tags, joined by AND. */
export type LoggedModelFilter = readonly Comparison[];

/** A dataset that scopes the metrics a search reads, as MLflow's `DatasetFilter`. */
export interface LoggedModelDatasetScope {
  readonly datasetName: string;
  /** Absent: every digest of the dataset. */
  readonly datasetDigest?: string | undefined;
}

/** One `order_by` entry as a request carries it (MLflow's `SearchLoggedModels.OrderBy`). */
export interface LoggedModelOrderByInput {
  readonly fieldName: string;
  /** Default `true`. */
  readonly ascending?: boolean | undefined;
  readonly datasetName?: string | undefined;
  readonly datasetDigest?: string | undefined;
}

/**
 * One parsed `order_by` entry: an attribute, or a metric (its latest value, by timestamp then
 * step, among the values logged on the dataset the entry names, if any).
 */
export interface LoggedModelOrderByClause {
  readonly type: 'order_by';
  readonly entity: 'metric' | 'attribute';
  readonly key: string;
  readonly ascending: boolean;
  /** For a metric: only its values on this dataset. */
  readonly datasetName?: string;
  /** For a metric: only its values on datasets of this digest. */
  readonly datasetDigest?: string;
  /** Offsets into the entry's `field_name`. */
  readonly location: Location;
}

/** A parsed logged-model `order_by` list. */
export type LoggedModelOrderBy = readonly LoggedModelOrderByClause[];

/**
 * The AST of MLflow's search language, and the vocabulary the parsers accept.
 *
 * A filter is a list of comparisons joined by AND. Every node is discriminated on `type`
 * and carries `location`: offsets into the source string (`end` exclusive), in UTF-16 code
 * units as JavaScript indexes strings. Keys are stored unquoted, and attribute aliases
 * (`created`, `Run name`, ...) are resolved to their canonical names.
 */

/** Offsets of a node in its source string: `start` inclusive, `end` exclusive. */
export interface Location {
  readonly start: number;
  readonly end: number;
}

/**
 * What a comparison or order-by clause refers to. `metadata` (a trace's request metadata) and
 * `span` (one of a trace's spans) belong to the trace search only.
 */
export const ENTITIES = ['metric', 'param', 'tag', 'attribute', 'dataset', 'metadata', 'span'] as const;
/** One of {@link ENTITIES}. */
export type Entity = (typeof ENTITIES)[number];

/** Comparators of numeric comparisons (metrics, numeric attributes). */
export const NUMBER_COMPARATORS = ['=', '!=', '<', '<=', '>', '>='] as const;
/** One of {@link NUMBER_COMPARATORS}. */
export type NumberComparator = (typeof NUMBER_COMPARATORS)[number];

/** Comparators of string comparisons (params, tags, string attributes, datasets). */
export const STRING_COMPARATORS = ['=', '!=', 'LIKE', 'ILIKE'] as const;
/** One of {@link STRING_COMPARATORS}. */
export type StringComparator = (typeof STRING_COMPARATORS)[number];

/** Comparators taking a parenthesized list of strings. */
export const LIST_COMPARATORS = ['IN', 'NOT IN'] as const;
/** One of {@link LIST_COMPARATORS}. */
export type ListComparator = (typeof LIST_COMPARATORS)[number];

/** Any comparator. */
export type Comparator = NumberComparator | StringComparator | ListComparator;

/** `metrics.rmse < 1`, `attributes.start_time >= 1700000000000`. */
export interface NumberComparison {
  readonly type: 'number_comparison';
  readonly entity: 'metric' | 'attribute';
  readonly key: string;
  readonly comparator: NumberComparator;
  readonly value: number;
  readonly location: Location;
}

/** `params.model = 'lr'`, `tags.env LIKE 'prod%'`, `status != 'FAILED'`, `span.type = 'LLM'`. */
export interface StringComparison {
  readonly type: 'string_comparison';
  readonly entity: 'param' | 'tag' | 'attribute' | 'dataset' | 'metadata' | 'span';
  readonly key: string;
  readonly comparator: StringComparator;
  readonly value: string;
  readonly location: Location;
}

/** `attributes.run_id IN ('a', 'b')`, `datasets.name NOT IN ('x')`, `span.name IN ('llm')`. */
export interface ListComparison {
  readonly type: 'list_comparison';
  readonly entity: 'attribute' | 'dataset' | 'span';
  readonly key: string;
  readonly comparator: ListComparator;
  readonly value: readonly string[];
  readonly location: Location;
}

/** One comparison clause of a filter. */
export type Comparison = NumberComparison | StringComparison | ListComparison;

/** A parsed run filter: comparisons joined by AND; empty matches every run. */
export type RunFilter = readonly Comparison[];

/** A parsed experiment filter: comparisons on `attribute` and `tag` only. */
export type ExperimentFilter = readonly Comparison[];

/** A parsed registered-model filter: comparisons on `name` and on tags. */
export type RegisteredModelFilter = readonly Comparison[];

/** A parsed model-version filter: comparisons on version attributes and on tags. */
export type ModelVersionFilter = readonly Comparison[];

/** One parsed `order_by` entry, e.g. `metrics.rmse DESC`. */
export interface OrderByClause {
  readonly type: 'order_by';
  /** `metadata`: the trace search only. */
  readonly entity: 'metric' | 'param' | 'tag' | 'attribute' | 'metadata';
  readonly key: string;
  readonly ascending: boolean;
  /** Offsets into this entry's own string. */
  readonly location: Location;
}

/** A parsed `order_by` list. */
export type OrderBy = readonly OrderByClause[];

/** Whether an attribute compares as a number or as a string. */
export type AttributeKind = 'number' | 'string';

/**
 * Run attributes that filters and order_by accept, with their kind. `run_id` is the run's
 * uuid, `run_name` its name. All are orderable too (see {@link RUN_ORDER_BY_ATTRIBUTES}).
 */
export const RUN_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  artifact_uri: 'string',
  end_time: 'number',
  run_id: 'string',
  run_name: 'string',
  start_time: 'number',
  status: 'string',
  user_id: 'string',
};

/**
 * Run attributes order_by accepts: the filter's, and (an agentrack extension, not in MLflow)
 * `duration`, the run's `end_time - start_time` in milliseconds, missing while it has no end time.
 */
export const RUN_ORDER_BY_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  ...RUN_ATTRIBUTES,
  duration: 'number',
};

/** Alternative names of run attributes in filters, mapped to the canonical name. */
export const RUN_FILTER_ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  created: 'start_time',
  Created: 'start_time',
  'run name': 'run_name',
  'Run name': 'run_name',
  'Run Name': 'run_name',
};

/** Alternative names of run attributes in order_by (MLflow accepts only the `created` ones). */
export const RUN_ORDER_BY_ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  created: 'start_time',
  Created: 'start_time',
};

/** Experiment attributes a filter accepts, with their kind. */
export const EXPERIMENT_FILTER_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  creation_time: 'number',
  last_update_time: 'number',
  name: 'string',
};

/** Experiment attributes order_by accepts, with their kind. */
export const EXPERIMENT_ORDER_BY_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  creation_time: 'number',
  experiment_id: 'number',
  last_update_time: 'number',
  name: 'string',
};

/** Registered-model attributes a filter accepts (MLflow's `SearchModelUtils`: the name only). */
export const REGISTERED_MODEL_FILTER_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  name: 'string',
};

/**
 * Registered-model attributes order_by accepts, as MLflow's SQL store does: `name` and the
 * last update time, also spelled `timestamp` (see {@link REGISTERED_MODEL_ORDER_BY_ALIASES}).
 * MLflow refuses `creation_timestamp` there.
 */
export const REGISTERED_MODEL_ORDER_BY_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  last_updated_timestamp: 'number',
  name: 'string',
};

/** `timestamp` in a registered-model order_by is MLflow's other name for the last update time. */
export const REGISTERED_MODEL_ORDER_BY_ALIASES: Readonly<Record<string, string>> = {
  timestamp: 'last_updated_timestamp',
};

/**
 * Model-version attributes a filter accepts (MLflow's `SearchModelVersionUtils`): `name` is the
 * registered model's name, `version_number` the version as a number, `source_path` the source URI.
 */
export const MODEL_VERSION_FILTER_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  name: 'string',
  run_id: 'string',
  source_path: 'string',
  version_number: 'number',
};

/** Model-version attributes order_by accepts. */
export const MODEL_VERSION_ORDER_BY_ATTRIBUTES: Readonly<Record<string, AttributeKind>> = {
  creation_timestamp: 'number',
  last_updated_timestamp: 'number',
  name: 'string',
  version_number: 'number',
};

/**
 * The model-version attributes MLflow calls numeric, named when a string attribute is compared
 * with a number (only `version_number` of them is searchable).
 */
export const MODEL_VERSION_NUMERIC_ATTRIBUTES = [
  'creation_timestamp',
  'last_updated_timestamp',
  'version_number',
] as const;

/** Keys of the `dataset` entity. */
export const DATASET_KEYS = ['context', 'digest', 'name'] as const;

/** Entity prefixes of run filters and their canonical entity. */
export const RUN_ENTITY_ALIASES: Readonly<Record<string, Entity>> = {
  metric: 'metric',
  metrics: 'metric',
  parameter: 'param',
  parameters: 'param',
  param: 'param',
  params: 'param',
  tag: 'tag',
  tags: 'tag',
  attribute: 'attribute',
  attr: 'attribute',
  attributes: 'attribute',
  run: 'attribute',
  dataset: 'dataset',
  datasets: 'dataset',
};

/** Entity prefixes of experiment and registry filters (MLflow accepts exactly these three). */
export const EXPERIMENT_ENTITY_ALIASES: Readonly<Record<string, Entity>> = {
  attribute: 'attribute',
  tag: 'tag',
  tags: 'tag',
};

/** `node` without its locations, for comparing ASTs by meaning. */
export function withoutLocation<T extends { location: Location }>(node: T): Omit<T, 'location'> {
  const { location: _location, ...rest } = node;
  return rest;
}

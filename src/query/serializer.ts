/**
 * Canonical text for parsed filters and order_by lists: parsing the output gives back the
 * same AST (locations aside).
 *
 * Canonical form: attributes bare (`start_time`), other entities with their plural prefix
 * (`metrics.`, `params.`, `tags.`, `datasets.`); keys unquoted when they scan as one word,
 * else in backticks; strings in single quotes; keywords upper case; one space between tokens.
 * The same text is valid for runs and, for attribute and tag clauses, for experiments and the
 * registry searches.
 */
import type { Comparison, Entity, OrderByClause } from './ast.js';
import { isPlainKey, isPlainWord } from './scanner.js';

const PREFIXES: Readonly<Record<Entity, string>> = {
  metric: 'metrics',
  param: 'params',
  tag: 'tags',
  attribute: '',
  dataset: 'datasets',
  metadata: 'metadata',
  span: 'span',
};

function quote(text: string, char: "'" | '`'): string {
  return `${char}${text.split(char).join(char + char)}${char}`;
}

function identifier(entity: Entity, key: string): string {
  const prefix = PREFIXES[entity];
  if (prefix === '') return isPlainWord(key) ? key : quote(key, '`');
  return isPlainKey(key) ? `${prefix}.${key}` : `${prefix}.${quote(key, '`')}`;
}

function number(value: number): string {
  if (value === Infinity) return '1e999';
  if (value === -Infinity) return '-1e999';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

function comparison(clause: Comparison): string {
  const left = `${identifier(clause.entity, clause.key)} ${clause.comparator}`;
  switch (clause.type) {
    case 'number_comparison':
      return `${left} ${number(clause.value)}`;
    case 'string_comparison':
      return `${left} ${quote(clause.value, "'")}`;
    case 'list_comparison':
      return `${left} (${clause.value.map((v) => quote(v, "'")).join(', ')})`;
  }
}

/**
 * Canonical filter text for parsed comparisons; `''` for the empty filter.
 *
 * @example
 * serializeFilter(parseRunFilter("metric.rmse<1 and params.a='x'")) // "metrics.rmse < 1 AND params.a = 'x'"
 */
export function serializeFilter(filter: readonly Comparison[]): string {
  return filter.map(comparison).join(' AND ');
}

/** Canonical text of a run filter (see {@link serializeFilter}). */
export const serializeRunFilter: (filter: readonly Comparison[]) => string = serializeFilter;

/** Canonical text of an experiment filter (see {@link serializeFilter}). */
export const serializeExperimentFilter: (filter: readonly Comparison[]) => string = serializeFilter;

/** Canonical text of a registered-model filter (see {@link serializeFilter}). */
export const serializeRegisteredModelFilter: (filter: readonly Comparison[]) => string = serializeFilter;

/** Canonical text of a model-version filter (see {@link serializeFilter}). */
export const serializeModelVersionFilter: (filter: readonly Comparison[]) => string = serializeFilter;

/**
 * Canonical order_by entries, one string per clause, direction always spelled out.
 *
 * @example
 * serializeOrderBy(parseRunOrderBy(['metric.rmse'])) // ['metrics.rmse ASC']
 */
export function serializeOrderBy(orderBy: readonly OrderByClause[]): string[] {
  return orderBy.map((c) => `${identifier(c.entity, c.key)} ${c.ascending ? 'ASC' : 'DESC'}`);
}

import type { SortingState } from '@tanstack/react-table';

/** The run table's sortable columns other than metrics, params and tags, with their `order_by` attribute. */
const ATTRIBUTE_ORDER: Readonly<Record<string, string>> = {
  name: 'attributes.run_name',
  status: 'attributes.status',
  start: 'attributes.start_time',
  // agentrack's extension to MLflow's order_by: end_time - start_time, unfinished runs last.
  duration: 'attributes.duration',
};

/** MLflow's default order (newest first), as the table shows it. */
export const DEFAULT_SORTING: SortingState = [{ id: 'start', desc: true }];

/** `?order=metrics.accuracy:asc` as the table's sorting (the default when absent or unreadable). */
export function sortingFromUrl(order: string | null): SortingState {
  if (!order) return DEFAULT_SORTING;
  const cut = order.lastIndexOf(':');
  const id = cut < 0 ? order : order.slice(0, cut);
  const direction = cut < 0 ? 'asc' : order.slice(cut + 1);
  if (orderByFor(id) === undefined) return DEFAULT_SORTING;
  return [{ id, desc: direction === 'desc' }];
}

/** The table's sorting as `?order=` (`undefined` for the default). */
export function sortingToUrl(sorting: SortingState): string | undefined {
  const first = sorting[0];
  if (!first || (first.id === 'start' && first.desc)) return undefined;
  return `${first.id}:${first.desc ? 'desc' : 'asc'}`;
}

/** The `order_by` entry of `runs/search` for a column id, e.g. ``metrics.`accuracy` ASC``. */
export function orderByFor(id: string, desc = false): string | undefined {
  const direction = desc ? 'DESC' : 'ASC';
  const attribute = ATTRIBUTE_ORDER[id];
  if (attribute) return `${attribute} ${direction}`;
  const match = /^(metrics|params|tags)\.(.+)$/.exec(id);
  if (!match || match[2]?.includes('`')) return undefined;
  return `${match[1]}.\`${match[2]}\` ${direction}`;
}

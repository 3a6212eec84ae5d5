import type { Page } from '../../store/tracking-store.js';

/**
 * A page as MLflow's search responses carry it: the items under `field` and
 * `next_page_token`, each omitted when empty, so that an empty result is `{}`.
 *
 * @example pageToWire('runs', { items: [] }) // {}
 */
export function pageToWire<T>(field: string, page: Page<T>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (page.items.length > 0) body[field] = page.items;
  if (page.nextPageToken) body.next_page_token = page.nextPageToken;
  return body;
}

/**
 * The page a search response carries, each item under `field` read by `read`: a missing list
 * is empty (MLflow leaves it out), an empty `next_page_token` is no next page.
 *
 * @example pageFromWire({ runs: [...], next_page_token: 'x' }, 'runs', runFromWire)
 */
export function pageFromWire<T>(
  body: Record<string, unknown>,
  field: string,
  read: (item: unknown) => T,
): Page<T> {
  const value = body[field];
  const items = (Array.isArray(value) ? value : []).map(read);
  const token = body.next_page_token;
  return typeof token === 'string' && token !== '' ? { items, nextPageToken: token } : { items };
}

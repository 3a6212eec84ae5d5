import type { Page } from '../../store/tracking-store.js';

/**
 * A page as MLflow's search responses carry it: the items under `field` and
 * `next_page_token`, each omitted when empty, so that an empty result is `{}`.
 *
 * @example pageResponse('runs', { items: [] }) // {}
 */
export function pageResponse<T>(field: string, page: Page<T>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (page.items.length > 0) body[field] = page.items;
  if (page.nextPageToken) body.next_page_token = page.nextPageToken;
  return body;
}

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Page } from '../store/tracking-store.js';

/**
 * Every page of a paged search, fetched as the iteration goes: `fetchPage` is called with the
 * previous page's token until a page has none. Between pages it yields one turn of the event
 * loop, so that a long iteration over an embedded store (whose calls never wait for I/O) lets
 * the other requests of the same server in between its pages rather than holding them all
 * until it ends.
 */
export async function* pagesOf<T>(
  fetchPage: (pageToken: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<Page<T>> {
  let pageToken: string | undefined;
  for (;;) {
    const page = await fetchPage(pageToken);
    yield page;
    pageToken = page.nextPageToken;
    if (!pageToken) return;
    await nextTurn();
  }
}

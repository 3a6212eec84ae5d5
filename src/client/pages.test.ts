import { describe, expect, it } from 'vitest';
import type { Page } from '../store/tracking-store.js';
import { pagesOf } from './pages.js';

/** A paged source of `count` numbers, `size` per page, that records the order of events. */
function source(count: number, size: number, events: string[]) {
  return async (pageToken: string | undefined): Promise<Page<number>> => {
    const start = pageToken === undefined ? 0 : Number(pageToken);
    events.push(`fetch ${start}`);
    const items = Array.from({ length: Math.min(size, count - start) }, (_, i) => start + i);
    const next = start + size;
    return next < count ? { items, nextPageToken: String(next) } : { items };
  };
}

describe('pagesOf', () => {
  it('fetches page after page with the previous token until one has none', async () => {
    const events: string[] = [];
    const pages: number[][] = [];
    for await (const page of pagesOf(source(7, 3, events))) pages.push(page.items);
    expect(pages).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(events).toEqual(['fetch 0', 'fetch 3', 'fetch 6']);
  });

  it('lets other work of the event loop run between two pages, not before the first nor after the last', async () => {
    const events: string[] = [];
    const fetch = source(4, 2, events);
    // Work queued for the next turn of the event loop, as an incoming request's handler would be.
    setImmediate(() => events.push('other work'));
    for await (const page of pagesOf(fetch)) events.push(`got ${page.items.join(',')}`);
    expect(events).toEqual(['fetch 0', 'got 0,1', 'other work', 'fetch 2', 'got 2,3']);
  });

  it('yields one page, once, when the first page has no token', async () => {
    const events: string[] = [];
    const pages = [];
    for await (const page of pagesOf(source(0, 5, events))) pages.push(page);
    expect(pages).toEqual([{ items: [] }]);
    expect(events).toEqual(['fetch 0']);
  });
});

/**
 * The set-up every browser test file of the web UI repeats, in one place: one Chromium and one
 * server per file (with an optional seed step), a page per test in a fresh context whose console
 * errors, page errors and dialogs are collected and checked at the end, and the readers of
 * tables that several pages share.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { launchBrowser, openContext, startUiServer, type UiServer } from './browser.js';

/** A colour scheme the UI is tested in. */
export type Scheme = 'light' | 'dark';

/** A page in its own context, with what went wrong in it so far. */
export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and page errors, as `openContext` collects them. */
  errors: string[];
  /** Every dialog the page opened (dismissed at once): a hostile value that ran as script. */
  dialogs: string[];
}

/** What `withPage` asserts once the test body has run. */
export interface PageChecks {
  /**
   * The errors expected: exactly these (the default: none), those matching a pattern left out
   * (the 404 a Not-found page is made of), or `false` when the test checks them itself.
   */
  errors?: readonly string[] | RegExp | false;
  /** Also assert that no dialog opened. */
  dialogs?: boolean;
}

/** One file's browser and server, and the pages opened on them. */
export interface UiFixture<S> {
  /** The file's Chromium. */
  readonly browser: Browser;
  /** The file's server. */
  readonly server: UiServer;
  /** What the seed step answered. */
  readonly seed: S;
  /** A page in a fresh context of `scheme`; the caller closes the context. */
  openPage(scheme?: Scheme): Promise<OpenedPage>;
  /** Runs `fn` on a page in a fresh context of `scheme`, checks what went wrong, and closes the context. */
  withPage(scheme: Scheme, fn: (opened: OpenedPage) => Promise<void>, checks?: PageChecks): Promise<void>;
}

/**
 * Registers this file's `beforeAll` (Chromium and a server, then `seed` on the server) and its
 * `afterAll` (both closed); answers the fixture whose members are there once `beforeAll` ran.
 */
export function useUiFixture<S = undefined>(
  options: { seed?: (server: UiServer) => Promise<S>; timeout?: number } = {},
): UiFixture<S> {
  let browser: Browser | undefined;
  let server: UiServer | undefined;
  let seeded: { value: S } | undefined;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startUiServer()]);
    seeded = { value: options.seed ? await options.seed(server) : (undefined as S) };
  }, options.timeout);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`the ${what} is not started: beforeAll has not run or failed`);
    return value;
  };

  const fixture: UiFixture<S> = {
    get browser() {
      return started(browser, 'browser');
    },
    get server() {
      return started(server, 'server');
    },
    get seed() {
      return started(seeded, 'seed').value;
    },
    async openPage(scheme = 'light') {
      const { context, errors } = await openContext(fixture.browser, scheme);
      const page = await context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (dialog) => {
        dialogs.push(`${dialog.type()}: ${dialog.message()}`);
        void dialog.dismiss();
      });
      return { page, context, errors, dialogs };
    },
    async withPage(scheme, fn, checks = {}) {
      const opened = await fixture.openPage(scheme);
      try {
        await fn(opened);
        const expected = checks.errors ?? [];
        if (expected instanceof RegExp) {
          expect(opened.errors.filter((e) => !expected.test(e))).toEqual([]);
        } else if (expected !== false) {
          expect(opened.errors).toEqual(expected);
        }
        if (checks.dialogs) expect(opened.dialogs).toEqual([]);
      } finally {
        await opened.context.close();
      }
    },
  };
  return fixture;
}

/** The console error Chromium logs for a 404 answer: a Not-found page is made of one. */
export const NOT_FOUND_ERROR = /Failed to load resource: the server responded with a status of 404/;

/** Waits for what the user sees, with room for a loaded machine. */
export function eventually<T>(read: () => T | Promise<T>): ReturnType<typeof expect.poll<T | Promise<T>>> {
  return expect.poll(read, { timeout: 10_000 });
}

/** The body rows of the page's data table, without the virtualizer's aria-hidden spacer rows. */
export const bodyRows = (page: Page): Locator => page.locator('.data-table tbody tr[data-index]');

/** The text of each cell of the body rows of the table `selector` names (spacer rows left out). */
export async function tableCells(page: Page, selector: string): Promise<string[][]> {
  return page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)} + ' tbody tr')]
      .filter((tr) => !tr.hasAttribute('aria-hidden'))
      .map((tr) => [...tr.children].map((c) => c.textContent.trim()))`,
  ) as Promise<string[][]>;
}

/** The rows within `scope` whose row header is named `name` (exactly, unless `exact` is false). */
export function rowWithHeader(scope: Page | Locator, name: string, exact = true): Locator {
  const page =
    'page' in scope && typeof scope.page === 'function' ? (scope as Locator).page() : (scope as Page);
  return scope.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact }) });
}

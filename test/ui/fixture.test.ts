/**
 * The browser tests' fixture itself, in a real Chromium against a real server: `withPage`
 * fails a test on a console error or (when asked) a dialog, leaves out only the errors it is
 * told to, always closes its context, and the shared table readers skip the virtualizer's
 * spacer rows.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { bodyRows, rowWithHeader, tableCells, useUiFixture } from './fixture.js';

const ui = useUiFixture();

const TABLE = `<table class="data-table"><tbody>
  <tr aria-hidden="true"><td></td></tr>
  <tr data-index="0"><th scope="row">alpha</th><td> 1 </td></tr>
  <tr data-index="1"><th scope="row">alpha beta</th><td>2</td></tr>
  <tr aria-hidden="true"><td></td></tr>
</tbody></table>`;

describe('withPage', () => {
  it('fails the test on a console error, unless the error is expected or left to the test', async () => {
    const logError = async ({ page }: { page: Page }) => {
      await page.goto(`${ui.server.url}/`);
      await page.evaluate('console.error("status of 404 for /models/none")');
    };
    await expect(ui.withPage('light', logError)).rejects.toThrow(/to deeply equal \[\]/);
    await ui.withPage('dark', logError, { errors: /status of 404/ });
    await ui.withPage('light', logError, { errors: ['console: status of 404 for /models/none'] });
    await ui.withPage('light', logError, { errors: false });
    await expect(ui.withPage('light', logError, { errors: /status of 500/ })).rejects.toThrow(
      /to deeply equal \[\]/,
    );
  });

  it('fails the test on a dialog when asked to, and dismisses it either way', async () => {
    const alert = async ({ page, dialogs }: { page: Page; dialogs: string[] }) => {
      await page.goto(`${ui.server.url}/`);
      await page.evaluate('alert("pwned")');
      expect(dialogs).toEqual(['alert: pwned']);
    };
    await ui.withPage('light', alert);
    await expect(ui.withPage('light', alert, { dialogs: true })).rejects.toThrow(/to deeply equal \[\]/);
  });

  it('closes its context when the test body throws', async () => {
    let context: BrowserContext | undefined;
    await expect(
      ui.withPage('light', async (opened) => {
        context = opened.context;
        throw new Error('the body failed');
      }),
    ).rejects.toThrow('the body failed');
    await expect(context!.newPage()).rejects.toThrow();
  });
});

describe('the table readers', () => {
  it('read the body rows without the spacer rows, and find a row by its header', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.setContent(TABLE);
      expect(await bodyRows(page).count()).toBe(2);
      expect(await tableCells(page, '.data-table')).toEqual([
        ['alpha', '1'],
        ['alpha beta', '2'],
      ]);
      expect(await rowWithHeader(page, 'alpha').count()).toBe(1);
      expect(await rowWithHeader(page.locator('.data-table'), 'alpha', false).count()).toBe(2);
      expect(await rowWithHeader(page.locator('.data-table'), 'alpha beta').locator('td').textContent()).toBe(
        '2',
      );
    });
  });
});

/**
 * The web UI's frame in a real browser against a real server: served at `/` and at every
 * page's URL (a reload lands on the same page), its assets cached, unknown pages answered by
 * the UI's own not-found page, and no accessibility violation in light or dark.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations } from './browser.js';
import { useUiFixture } from './fixture.js';

const ui = useUiFixture();

describe('the web UI frame', () => {
  it('is served at / with a strict content security policy, its assets cached for good', async () => {
    const { server } = ui;
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${server.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${server.url}/assets/..%2F..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
  });

  it('answers a page URL that matches no page with its own not-found page, reachable by keyboard', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/1/nothing-here`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
      await page.reload();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
      await page.keyboard.press('Tab');
      expect(await page.evaluate('document.activeElement?.textContent')).toBe('Skip to content');
      expect(await axeViolations(page)).toEqual([]);
    });
  });

  it.each(['light', 'dark'] as const)('has no WCAG A/AA violations in the %s scheme', async (scheme) => {
    await ui.withPage(
      scheme,
      async ({ page }) => {
        await page.goto(`${ui.server.url}/models/none`);
        await page.getByRole('heading', { level: 1 }).waitFor();
        expect(await axeViolations(page)).toEqual([]);
      },
      // The model page asks the server for the model 'none': Chromium logs the 404 it answers.
      { errors: /status of 404/ },
    );
  });
});

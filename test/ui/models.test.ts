/**
 * The Models and Model pages in a real browser against a real server, on a lifecycle seeded
 * through the `Agent`: the registered models with their versions, aliases and the version in
 * production, the name filter (its parse error as it is typed, kept in the URL), a model's
 * versions with their evaluation and deployment runs (links that navigate), Not found for an
 * unknown model, no accessibility violation in light or dark, no console error.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations, screenshot } from './browser.js';
import { NOT_FOUND_ERROR, tableCells, useUiFixture } from './fixture.js';
import { seedLifecycle } from './seed-lifecycle.js';

const ui = useUiFixture({ seed: (server) => seedLifecycle(server.url) });

describe('the Models page', () => {
  it('lists the registered models with their latest versions, aliases, production version and update time', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/models`);
      await page.getByRole('link', { name: ui.seed.model }).waitFor();
      const rows = await tableCells(page, '.data-table');
      const support = rows.find((r) => r[0] === ui.seed.model);
      expect(support).toBeDefined();
      const [, latest, aliases, production, updated, description = ''] = support as string[];
      expect(latest).toBe('v3');
      expect(aliases).toContain('champion → v3');
      expect(aliases).toContain('production → v1');
      expect(production).toBe('v1');
      expect(updated).toMatch(/ago|just now/);
      // Long and hostile: cut, as text, the whole of it on hover.
      expect(description).toContain('<script>');
      expect(description.length).toBeLessThan(ui.seed.description.length);
      expect(await page.getByTitle(ui.seed.description).count()).toBe(1);
      expect(await page.evaluate('window.__pwned')).toBeUndefined();
      expect(rows.find((r) => r[0] === ui.seed.otherModel)?.slice(1, 4)).toEqual(['—', '—', '—']);
      const exact = await page.locator('.data-table time').first().getAttribute('title');
      expect(exact).toMatch(/\d{4}-\d{2}-\d{2}/);
      await screenshot(page, 'models', 'light');
    });
  });

  it("shows a bad filter's parse error as it is typed, and keeps an applied filter in the URL", async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/models`);
      const field = page.getByLabel('Filter');
      await field.fill("name LIKE '%support");
      await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('#model-filter-help').textContent()).not.toMatch(/filter language/);
      expect(await page.getByRole('button', { name: 'Apply' }).isDisabled()).toBe(true);
      await field.fill("name LIKE '%support%'");
      await expect.poll(() => field.getAttribute('aria-invalid')).toBeNull();
      await field.press('Enter');
      await page.waitForURL(/filter=/);
      await expect
        .poll(async () => (await tableCells(page, '.data-table')).map((r) => r[0]))
        .toEqual([ui.seed.model]);
      await page.reload();
      await page.getByRole('link', { name: ui.seed.model }).waitFor();
      expect(await field.inputValue()).toBe("name LIKE '%support%'");
      expect((await tableCells(page, '.data-table')).map((r) => r[0])).toEqual([ui.seed.model]);
      await field.fill("name = 'nothing_like_it'");
      await field.press('Enter');
      await page.getByText('No registered model matches the filter').waitFor();
    });
  });

  it('sorts by name on the server, the sort kept in the URL', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/models?sort=name&dir=desc`);
      await page.getByRole('link', { name: ui.seed.model }).waitFor();
      expect((await tableCells(page, '.data-table')).map((r) => r[0])).toEqual([
        ui.seed.model,
        ui.seed.otherModel,
      ]);
      await page.getByRole('button', { name: /^Name/ }).click();
      await page.waitForURL(/dir=asc/);
      await expect
        .poll(async () => (await tableCells(page, '.data-table')).map((r) => r[0]))
        .toEqual([ui.seed.otherModel, ui.seed.model]);
    });
  });
});

describe('the Model page', () => {
  it('shows the versions newest first with their lineage, the production version marked, and its links navigate', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/models`);
      await page.getByRole('link', { name: ui.seed.model }).click();
      await page.waitForURL(`${ui.server.url}/models/${ui.seed.model}`);
      await page.getByRole('heading', { level: 1, name: ui.seed.model }).waitFor();
      await page.getByRole('link', { name: ui.seed.deploymentNames[0] }).waitFor();
      expect(await page.locator('.model-summary').textContent()).toContain('version 1 (production)');
      expect(await page.locator('.tags-table').textContent()).toContain('team');
      const rows = await tableCells(page, '.versions-table');
      expect(rows.map((r) => r[0])).toEqual(['v3', 'v2', 'v1in production']);
      expect(rows.map((r) => r[1])).toEqual(['READY', 'READY', 'READY']);
      expect(rows.map((r) => r[2])).toEqual(['champion', '—', 'production']);
      expect(rows.map((r) => r[5])).toEqual([...ui.seed.evaluationNames].reverse());
      expect(rows[0]?.[6]).toBe(`${ui.seed.deploymentNames[2]} failed`);
      expect(rows[1]?.[6]).toBe(`${ui.seed.deploymentNames[1]} rolled back`);
      expect(rows[2]?.[6]).toBe(`${ui.seed.deploymentNames[0]} success`);
      expect(await page.locator('.versions-table tr.in-production th').textContent()).toContain('v1');
      await screenshot(page, 'model', 'light');

      await page.getByRole('link', { name: ui.seed.evaluationNames[1] }).click();
      await page.waitForURL(`${ui.server.url}/runs/${ui.seed.evaluations[1]}`);
      await page.goBack();
      await page.getByRole('link', { name: ui.seed.deploymentNames[1] }).click();
      await page.waitForURL(`${ui.server.url}/runs/${ui.seed.deployments[1]}`);
      await page.goBack();
      await page.getByRole('link', { name: `Deployments of ${ui.seed.agent}` }).click();
      await page.waitForURL(`${ui.server.url}/agents/${ui.seed.agent}/deployments`);
    });
  });

  it("answers an unknown model with Not found and the server's message", async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/models/no_such_model`);
        await page.getByRole('alert').waitFor();
        expect(await page.locator('.error-title').textContent()).toBe('Not found');
        expect(await page.locator('.error-message').textContent()).toContain('no_such_model');
        expect(await page.locator('.error-code').textContent()).toContain('RESOURCE_DOES_NOT_EXIST');
      },
      { errors: NOT_FOUND_ERROR },
    );
  });

  it('is reachable by keyboard: Tab reaches the version links', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/models/${ui.seed.model}`);
      await page.getByRole('link', { name: ui.seed.deploymentNames[0] }).waitFor();
      const target = ui.seed.evaluationNames[2];
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = (await page.evaluate('document.activeElement?.textContent')) === target;
      }
      expect(reached).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL(`${ui.server.url}/runs/${ui.seed.evaluations[2]}`);
    });
  });

  it.each(['light', 'dark'] as const)('has no WCAG A/AA violations in the %s scheme', async (scheme) => {
    await ui.withPage(
      scheme,
      async ({ page }) => {
        await page.goto(`${ui.server.url}/models`);
        await page.getByRole('link', { name: ui.seed.model }).waitFor();
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, 'models', scheme);
        await page.goto(`${ui.server.url}/models/${ui.seed.model}`);
        await page.getByRole('link', { name: ui.seed.deploymentNames[0] }).waitFor();
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, 'model', scheme);
        await page.goto(`${ui.server.url}/models/no_such_model`);
        await page.getByRole('alert').waitFor();
        expect(await axeViolations(page)).toEqual([]);
      },
      { errors: NOT_FOUND_ERROR },
    );
  });
});

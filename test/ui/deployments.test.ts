/**
 * The Deployments page in a real browser against a real server, on a lifecycle seeded through
 * the `Agent`: the timeline of which model version was in production when (v1, v2, v3, v3 found
 * failed, v2 rolled back: v1 again, highlighted), the events in order with the rollback and the
 * failure marked as status changes, their links to the deployment and evaluation runs, the
 * empty state, Not found for an unknown agent, no accessibility violation in light or dark.
 */
import { describe, expect, it } from 'vitest';
import { axeViolations, screenshot } from './browser.js';
import { NOT_FOUND_ERROR, tableCells, useUiFixture } from './fixture.js';
import { seedLifecycle } from './seed-lifecycle.js';

const ui = useUiFixture({ seed: (server) => seedLifecycle(server.url) });

describe('the Deployments page', () => {
  it('draws one band per period in production, oldest first, the current one highlighted', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/agents/${ui.seed.agent}/deployments`);
      const bands = page.getByRole('list', { name: /Periods in production/ }).getByRole('link');
      await bands.first().waitFor();
      expect(await bands.allTextContents()).toEqual(['v1', 'v2', 'v3', 'v2', 'v1']);
      const labels = await bands.evaluateAll((links) => links.map((a) => a.getAttribute('aria-label') ?? ''));
      expect(labels[4]).toMatch(/^v1 in production from .* until now/);
      expect(labels[3]).toMatch(/^v2 in production from .* to /);
      expect(await page.locator('.band.current').count()).toBe(1);
      expect(await page.locator('.band.current').textContent()).toBe('v1');
      // Bands follow the time axis from left to right without overlapping.
      const boxes = await page.locator('.band').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          return [r.left, r.right];
        }),
      );
      for (let i = 1; i < boxes.length; i++) {
        expect(boxes[i]![0]).toBeGreaterThanOrEqual(boxes[i - 1]![1] - 1);
      }
      expect(await page.locator('.production-now').textContent()).toBe(
        `In production now: v1 deployed by ${ui.seed.deploymentNames[0]}`,
      );
      await bands.nth(2).click();
      await page.waitForURL(`${ui.server.url}/runs/${ui.seed.deployments[2]}`);
      await page.goBack();
      await bands.first().waitFor();
      await screenshot(page, 'deployments', 'light');
    });
  });

  it('lists every deployment and status change in order, rollbacks and failures marked, with their runs', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/agents/${ui.seed.agent}/deployments`);
      await page.locator('.events-table tbody tr').first().waitFor();
      const rows = await tableCells(page, '.events-table');
      expect(rows.map((r) => r.slice(1, 5))).toEqual([
        ['Deployed', 'v1 (in production now)', ui.seed.deploymentNames[0], ui.seed.evaluationNames[0]],
        ['Deployed', 'v2', ui.seed.deploymentNames[1], ui.seed.evaluationNames[1]],
        ['Deployed', 'v3', ui.seed.deploymentNames[2], ui.seed.evaluationNames[2]],
        ['Failed (status change)', 'v3', ui.seed.deploymentNames[2], ui.seed.evaluationNames[2]],
        ['Rolled back (status change)', 'v2', ui.seed.deploymentNames[1], ui.seed.evaluationNames[1]],
      ]);
      expect(rows[3]?.[5]).toContain('error rate above 5%');
      expect(rows[4]?.[5]).toContain('latency regression');
      expect(rows.every((r) => /ago/.test(r[0] ?? ''))).toBe(true);
      expect(await page.locator('.events-table tr.current').count()).toBe(1);

      const table = page.locator('.events-table');
      await table.getByRole('link', { name: ui.seed.evaluationNames[1] }).first().click();
      await page.waitForURL(`${ui.server.url}/runs/${ui.seed.evaluations[1]}`);
      await page.goBack();
      await table.getByRole('link', { name: ui.seed.deploymentNames[1] }).first().click();
      await page.waitForURL(`${ui.server.url}/runs/${ui.seed.deployments[1]}`);
    });
  });

  it('says so when the agent has no deployment yet', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/agents/${ui.seed.quietAgent}/deployments`);
      await page.getByText('No deployments yet').waitFor();
      expect(await page.locator('.timeline').count()).toBe(0);
    });
  });

  it("answers an unknown agent with Not found and the server's message", async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/agents/no_such_agent/deployments`);
        await page.getByRole('alert').waitFor();
        expect(await page.locator('.error-title').textContent()).toBe('Not found');
        expect(await page.locator('.error-message').textContent()).toContain(
          "No agent named 'no_such_agent'",
        );
      },
      { errors: NOT_FOUND_ERROR },
    );
  });

  it.each(['light', 'dark'] as const)('has no WCAG A/AA violations in the %s scheme', async (scheme) => {
    await ui.withPage(
      scheme,
      async ({ page }) => {
        await page.goto(`${ui.server.url}/agents/${ui.seed.agent}/deployments`);
        await page.locator('.events-table tbody tr').first().waitFor();
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, 'deployments', scheme);
        await page.goto(`${ui.server.url}/agents/${ui.seed.quietAgent}/deployments`);
        await page.getByText('No deployments yet').waitFor();
        expect(await axeViolations(page)).toEqual([]);
      },
      { errors: NOT_FOUND_ERROR },
    );
  });
});

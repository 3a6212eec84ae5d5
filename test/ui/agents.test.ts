/**
 * The agents page and the audit page in a real browser against a real server: two agents
 * seeded through the lifecycle `Agent`, their lanes, counts, verdicts and production version,
 * links through to the lanes and runs, the audit status arriving after the page, the audit's
 * checklist with its offending runs, and the empty, not-found and unreachable states.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seedAgents, type SeededAgents } from '../../src/testing/seed-agents.js';
import { axeViolations, screenshot } from './browser.js';
import { useUiFixture } from './fixture.js';

const ui = useUiFixture();
let seeded: SeededAgents | undefined;

/** The two agents, seeded once the empty state has been seen (or first thing, when that test is skipped). */
async function agents(): Promise<SeededAgents> {
  seeded ??= await seedAgents(ui.server.store);
  return seeded;
}

/** The card of one agent on the agents page. */
function card(page: Page, agent: string) {
  return page.getByRole('article', { name: agent });
}

/** One lane of an agent's card. */
function lane(page: Page, agent: string, title: 'Development' | 'Evaluation' | 'Deployment') {
  return card(page, agent).getByRole('region', { name: new RegExp(`^${title}`) });
}

describe('the agents page', () => {
  it('says how to create an agent when there is none', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/`);
      await page.getByText('No agents yet').waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'No agents yet' }).textContent()).toContain(
        'agentrack init',
      );
      expect(await axeViolations(page)).toEqual([]);
    });
    await agents();
  });

  it('shows both agents with their lanes, run counts, verdicts and the version in production', async () => {
    const seeded = await agents();
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/`);
      await card(page, 'support_bot').waitFor();
      const names = await page
        .getByRole('article')
        .evaluateAll((cards) => cards.map((c) => c.querySelector('h2')?.textContent));
      expect(names).toEqual(['support_bot', 'triage-agent']);

      const dev = lane(page, 'support_bot', 'Development');
      expect(await dev.locator('dt:text("Runs") + dd').textContent()).toBe('3');
      const lastRun = dev.getByRole('link', { name: 'bad run' });
      expect(await lastRun.getAttribute('href')).toBe(`/runs/${seeded.support.badRunId}`);
      expect(await dev.locator('time').getAttribute('title')).toMatch(/\d{4}/);
      expect(await dev.getByRole('link', { name: /^Traces/ }).getAttribute('href')).toBe(
        `/experiments/${seeded.support.experimentIds.development}/traces`,
      );

      const evaluation = lane(page, 'support_bot', 'Evaluation');
      expect(await evaluation.locator('dt:text("Runs") + dd').textContent()).toBe('2');
      expect(await evaluation.locator('.badge').textContent()).toBe('failed');
      expect(await evaluation.getByText('not a candidate').count()).toBe(1);
      expect(await lane(page, 'triage-agent', 'Evaluation').locator('.badge').textContent()).toBe('passed');

      const deployment = lane(page, 'support_bot', 'Deployment');
      expect(await deployment.locator('dt:text("In production") + dd').textContent()).toMatch(
        /^version 4 since .+ ago$/,
      );
      expect(await deployment.getByRole('link', { name: /^Traces/ }).count()).toBe(0);
      const model = lane(page, 'triage-agent', 'Deployment').getByRole('link', { name: 'triage-model v1' });
      expect(await model.getAttribute('href')).toBe('/models/triage-model');

      const links = card(page, 'support_bot');
      expect(await links.getByRole('link', { name: 'Deployments' }).getAttribute('href')).toBe(
        '/agents/support_bot/deployments',
      );
      expect(await links.getByRole('link', { name: 'Audit', exact: true }).getAttribute('href')).toBe(
        '/agents/support_bot/audit',
      );
    });
  });

  it("fetches each agent's audit on its own after the page, then shows passed or its problems", async () => {
    await agents();
    await ui.withPage('light', async ({ page }) => {
      const audits: string[] = [];
      let agentsAnswered = -1;
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.endsWith('/agentrack/agents/audit'))
          audits.push(url.searchParams.get('agent') ?? '');
      });
      page.on('response', (response) => {
        if (new URL(response.url()).pathname.endsWith('/agentrack/agents')) agentsAnswered = audits.length;
      });
      await page.goto(`${ui.server.url}/`);
      const support = page.getByRole('status', { name: 'Audit status of support_bot' });
      const triage = page.getByRole('status', { name: 'Audit status of triage-agent' });
      await support.getByText(/problems?$/).waitFor();
      await triage.getByText('audit passed').waitFor();
      // The agents were answered before any audit: the audits never delay the page.
      expect(agentsAnswered).toBe(0);
      // Once per agent (a development build of React mounts twice, asking twice).
      expect([...new Set(audits)].sort()).toEqual(['support_bot', 'triage-agent']);
      expect(await support.textContent()).toMatch(/^\d+ problems$/);
    });
  });

  it('links each lane to its experiment, and back', async () => {
    const seeded = await agents();
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/`);
      await lane(page, 'support_bot', 'Evaluation')
        .getByRole('link', { name: /^Evaluation/ })
        .click();
      await page.waitForURL(`${ui.server.url}/experiments/${seeded.support.experimentIds.evaluation}`);
      await page.goBack();
      await card(page, 'support_bot').waitFor();
      expect(new URL(page.url()).pathname).toBe('/');
      // Keyboard: the lane links are reachable by Tab and open with Enter.
      await lane(page, 'triage-agent', 'Development')
        .getByRole('link', { name: /^Development/ })
        .focus();
      await page.keyboard.press('Enter');
      await page.waitForURL(`${ui.server.url}/experiments/${seeded.triage.experimentIds.development}`);
    });
  });

  it.each(['light', 'dark'] as const)('has no WCAG A/AA violation in the %s scheme', async (scheme) => {
    await agents();
    await ui.withPage(scheme, async ({ page }) => {
      await page.goto(`${ui.server.url}/`);
      await page
        .getByRole('status', { name: 'Audit status of support_bot' })
        .getByText(/problems/)
        .waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'agents', scheme);
    });
  });
});

describe('the audit page', () => {
  it('lists the checklist item by item and links the offending runs to their pages', async () => {
    const seeded = await agents();
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/agents/support_bot/audit`);
      await page.getByRole('heading', { level: 1, name: 'Audit of support_bot' }).waitFor();
      // The heading is there while the audit runs; its checklist comes with the report.
      const checklist = page.getByRole('list', { name: 'Checklist' });
      await checklist.waitFor();
      const items = checklist.getByRole('region');
      expect(await items.count()).toBe(6);
      const names = page.getByRole('region', { name: /Run names follow the naming convention/ });
      expect(await names.getByRole('heading').textContent()).toBe(
        'fail Run names follow the naming convention',
      );
      expect(await names.textContent()).toContain('1 of 6 runs failed');
      const offending = names.getByRole('link', { name: 'bad run' });
      expect(await offending.getAttribute('href')).toBe(`/runs/${seeded.support.badRunId}`);
      expect(
        await names.getByRole('link', { name: '/Shared/support_bot/development' }).getAttribute('href'),
      ).toBe(`/experiments/${seeded.support.experimentIds.development}`);
      const exists = page.getByRole('region', { name: /The three experiments exist/ });
      expect(await exists.locator('.badge').textContent()).toBe('pass');

      // The view survives a reload: failing checks only.
      await page.getByRole('checkbox', { name: 'Failing checks only' }).click();
      await page.waitForURL(/failing=1/);
      await page.reload();
      await page.getByRole('list', { name: 'Checklist' }).waitFor();
      expect(await page.getByRole('checkbox', { name: 'Failing checks only' }).isChecked()).toBe(true);
      const failing = await page.getByRole('list', { name: 'Checklist' }).locator('.badge').allTextContents();
      expect(failing.length).toBeGreaterThan(0);
      expect(failing.every((status) => status === 'fail')).toBe(true);

      await offending.click();
      await page.waitForURL(`${ui.server.url}/runs/${seeded.support.badRunId}`);
    });
  });

  it.each(['light', 'dark'] as const)('has no WCAG A/AA violation in the %s scheme', async (scheme) => {
    await agents();
    await ui.withPage(scheme, async ({ page }) => {
      await page.goto(`${ui.server.url}/agents/triage-agent/audit`);
      await page.getByText(/All \d+ checks passed/).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.goto(`${ui.server.url}/agents/support_bot/audit`);
      await page.getByText(/checks failed/).waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'audit', scheme);
    });
  });

  it('says Not found, with the message, for an unknown agent', async () => {
    await agents();
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/agents/nobody/audit`);
        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.getByText('Not found').count()).toBe(1);
        expect(await alert.textContent()).toContain("No agent named 'nobody'");
        expect(await alert.textContent()).toContain('RESOURCE_DOES_NOT_EXIST');
      },
      { errors: ['console: Failed to load resource: the server responded with a status of 404 (Not Found)'] },
    );
  });
});

describe('when the server is gone', () => {
  /** The UI's files as the server sent them, for the browser to load once the server has stopped. */
  const kept = new Map<string, { contentType: string; body: Buffer }>();
  /** What a browser logs when the server it asks is gone. */
  const refused = /ERR_CONNECTION_REFUSED|Failed to load resource/;

  it('shows the error state when a page asks the stopped server', async () => {
    await agents();
    await ui.withPage(
      'light',
      async ({ page }) => {
        page.on('response', async (response) => {
          const url = new URL(response.url());
          if (url.pathname.startsWith('/ajax-api/') || response.status() !== 200) return;
          const contentType = response.headers()['content-type'] ?? 'application/octet-stream';
          kept.set(url.pathname, { contentType, body: await response.body() });
        });
        await page.goto(`${ui.server.url}/`);
        await card(page, 'support_bot').waitFor();
        await card(page, 'support_bot').getByRole('link', { name: 'Audit', exact: true }).click();
        await page.getByRole('list', { name: 'Checklist' }).waitFor();
        await ui.server.close();
        // A page of the UI opened from the one loaded (an audit not seen yet): it asks the server, which is gone.
        await page.evaluate(`history.pushState({}, '', '/agents/lab/audit?failing=1');
        dispatchEvent(new PopStateEvent('popstate'))`);
        const alert = page.getByRole('alert');
        await alert.getByText('The server cannot be reached').waitFor();
        expect(await alert.textContent()).toContain('UNREACHABLE');
        await alert.getByRole('button', { name: 'Try again' }).click();
        await alert.getByText('The server cannot be reached').waitFor();
      },
      { errors: refused },
    );
  });

  it('shows the error state on a reload of either page, its files from what the browser kept', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.route('**/*', async (route) => {
          const url = new URL(route.request().url());
          const file = route.request().resourceType() === 'document' ? kept.get('/') : kept.get(url.pathname);
          if (url.pathname.startsWith('/ajax-api/') || file === undefined) return route.continue();
          return route.fulfill({ status: 200, contentType: file.contentType, body: file.body });
        });
        await page.goto(`${ui.server.url}/`, { timeout: 15_000 });
        const alert = page.getByRole('alert');
        await alert.getByText('The server cannot be reached').waitFor({ timeout: 15_000 });
        expect(await alert.getByRole('button', { name: 'Try again' }).count()).toBe(1);
        await page.goto(`${ui.server.url}/agents/support_bot/audit`, { timeout: 15_000 });
        await page.getByRole('alert').getByText('The server cannot be reached').waitFor({ timeout: 15_000 });
      },
      { errors: refused },
    );
  });
});

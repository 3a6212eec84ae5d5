/**
 * The lane page (`/experiments/:id`) in a real browser against a real server: the run table
 * sorted, filtered and paged by the server, chosen columns, selection for compare, keyboard
 * navigation, hostile names as text, and its empty, missing and unreachable states.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, screenshot, startUiServer, type UiServer } from './browser.js';
import { bodyRows, eventually, rowWithHeader, useUiFixture } from './fixture.js';

let laneId: string;
let emptyId: string;
const SCRIPT_NAME = '<script>alert(1)</script>';
const LONG_PROMPT = `Answer politely. ${'x'.repeat(483)}`;
/** More than two pages of 200. */
const RUN_COUNT = 450;

async function seed({ store }: UiServer): Promise<void> {
  laneId = await store.createExperiment({ name: '/Shared/support-bot/development' });
  emptyId = await store.createExperiment({ name: 'scratch' });
  const base = Date.now() - 3 * 24 * 3600 * 1000;
  for (let i = 0; i < RUN_COUNT; i++) {
    const run = await store.createRun({
      experimentId: laneId,
      runName: `run-${String(i).padStart(3, '0')}`,
      startTime: base + i * 60_000,
      tags: [{ key: 'version', value: `1.${i % 5}` }],
    });
    await store.logBatch(run.info.run_id, {
      metrics: [
        { key: 'accuracy', value: (i % 100) / 100 + i / 100_000, timestamp: base, step: 0 },
        { key: 'latency_ms', value: 100 + i, timestamp: base, step: 0 },
      ],
      params: [{ key: 'model', value: i % 2 === 0 ? 'small' : 'large' }],
      tags: [{ key: 'environment', value: 'dev' }],
    });
    await store.updateRun(run.info.run_id, { status: 'FINISHED', endTime: base + i * 60_000 + 1500 + i });
  }
  // The newest runs, on the first page: hostile name, unusual numbers, a long param.
  const specials: [string, number][] = [
    [SCRIPT_NAME, Number.NaN],
    ['run-plus-inf', Number.POSITIVE_INFINITY],
    ['run-minus-inf', Number.NEGATIVE_INFINITY],
  ];
  for (const [index, [name, accuracy]] of specials.entries()) {
    const run = await store.createRun({
      experimentId: laneId,
      runName: name,
      startTime: Date.now() - (index + 1) * 1000,
      tags: [{ key: 'version', value: '2.0' }],
    });
    await store.logBatch(run.info.run_id, {
      metrics: [{ key: 'accuracy', value: accuracy, timestamp: Date.now(), step: 0 }],
      params: [{ key: 'prompt', value: LONG_PROMPT }],
    });
  }
}

const ui = useUiFixture({ seed, timeout: 120_000 });

const footer = (page: Page) => page.locator('.data-table-footer');
const firstRunName = (page: Page) => bodyRows(page).first().locator('td').nth(1).textContent();

async function storeOrder(orderBy: string, filter?: string) {
  const found = await ui.server.store.searchRuns({
    experimentIds: [laneId],
    orderBy: [orderBy],
    maxResults: 3,
    ...(filter ? { filter } : {}),
  });
  return found.items.map((run) => run.info.run_name);
}

describe('the lane page', () => {
  it('shows the lane, its runs (NaN and ±Infinity as such, a script name as text), with one page fetched first', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        const searches: string[] = [];
        page.on('request', (request) => {
          if (request.url().endsWith('/runs/search')) searches.push(request.postData() ?? '');
        });
        await page.goto(`${ui.server.url}/experiments/${laneId}`);
        await bodyRows(page).first().waitFor();
        expect(searches).toHaveLength(1);
        expect(JSON.parse(searches[0] as string)).toMatchObject({
          experiment_ids: [laneId],
          max_results: 200,
        });
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('support-bot · development');
        expect(await page.locator('.lane-facts').getByText('/Shared/support-bot/development').count()).toBe(
          1,
        );
        expect(await page.getByRole('link', { name: 'Traces' }).getAttribute('href')).toBe(
          `/experiments/${laneId}/traces`,
        );
        const scriptLink = page.getByRole('link', { name: SCRIPT_NAME });
        expect(await scriptLink.textContent()).toBe(SCRIPT_NAME);
        const specialRow = (name: string) => bodyRows(page).filter({ hasText: name });
        expect(await specialRow(SCRIPT_NAME).getByText('NaN', { exact: true }).count()).toBe(1);
        expect(await specialRow('run-plus-inf').getByText('+Infinity', { exact: true }).count()).toBe(1);
        expect(await specialRow('run-minus-inf').getByText('-Infinity', { exact: true }).count()).toBe(1);
        // Default columns: the lane's standard tags, then its first metrics.
        const headers = await page.locator('.data-table thead th').allTextContents();
        expect(headers.slice(1)).toEqual([
          'Run',
          'Status',
          'Started ▼',
          'Duration',
          'tags version',
          'tags environment',
          'metrics accuracy',
          'metrics latency_ms',
        ]);
        expect(await footer(page).textContent()).toBe('200 runs loaded, more to load');
        expect(await axeViolations(page)).toEqual([]);
        await screenshot(page, 'lane', 'light');
      },
      { dialogs: true },
    );
  });

  it('adds a param column from the picker, keeps it in the URL, the long value whole on hover', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      await page.getByText('Columns (4)').click();
      await page.getByRole('group', { name: 'Parameters' }).getByRole('checkbox', { name: 'prompt' }).click();
      await eventually(() => new URL(page.url()).searchParams.get('cols')).toBe(
        'tags.version,tags.environment,metrics.accuracy,metrics.latency_ms,params.prompt',
      );
      await page
        .getByRole('group', { name: 'Metrics' })
        .getByRole('checkbox', { name: 'latency_ms' })
        .click();
      await eventually(() => new URL(page.url()).searchParams.get('cols')).not.toContain('latency_ms');
      await page.reload();
      await bodyRows(page).first().waitFor();
      const headers = await page.locator('.data-table thead th').allTextContents();
      expect(headers.slice(5)).toEqual([
        'tags version',
        'tags environment',
        'metrics accuracy',
        'params prompt',
      ]);
      const cell = bodyRows(page)
        .filter({ hasText: 'run-plus-inf' })
        .locator('td')
        .nth(8)
        .locator('.truncated');
      expect(await cell.getAttribute('title')).toBe(LONG_PROMPT);
      expect(((await cell.textContent()) ?? '').length).toBeLessThan(LONG_PROMPT.length);
    });
  });

  it('sorts by a metric on the server, the order in the URL and kept on reload', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      const ascending = await storeOrder('metrics.`accuracy` ASC');
      const descending = await storeOrder('metrics.`accuracy` DESC');
      expect(ascending[0]).not.toBe(descending[0]);
      await page.getByRole('button', { name: 'metrics accuracy' }).click();
      await eventually(() => new URL(page.url()).searchParams.get('order')).toBe('metrics.accuracy:asc');
      await eventually(() => firstRunName(page)).toBe(ascending[0]);
      expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('accuracy');
      await page.getByRole('button', { name: 'metrics accuracy' }).click();
      await eventually(() => new URL(page.url()).searchParams.get('order')).toBe('metrics.accuracy:desc');
      await eventually(() => firstRunName(page)).toBe(descending[0]);
      await page.reload();
      await bodyRows(page).first().waitFor();
      expect(await firstRunName(page)).toBe(descending[0]);
      expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('accuracy');
      // A param sorts too: the server's order_by on params.
      await page.getByRole('button', { name: 'tags version' }).click();
      await eventually(() => new URL(page.url()).searchParams.get('order')).toBe('tags.version:asc');
      await eventually(() => firstRunName(page)).toBe((await storeOrder('tags.`version` ASC'))[0]);
    });
  });

  it('sorts by duration on the server both ways, unfinished runs last, kept on reload and across the keyset page boundary', async () => {
    await ui.withPage('light', async ({ page }) => {
      // The order the seeded runs' own durations give: end - start, ascending or descending,
      // the runs without an end time last either way (in the default order among themselves).
      const all = (await ui.server.store.searchRuns({ experimentIds: [laneId], maxResults: 1000 })).items;
      const finished = all.filter((run) => run.info.end_time !== undefined);
      const unfinished = all.filter((run) => run.info.end_time === undefined).map((run) => run.info.run_name);
      expect(unfinished).toHaveLength(3);
      const duration = (run: (typeof all)[number]) => (run.info.end_time ?? 0) - run.info.start_time;
      expect(new Set(finished.map(duration)).size).toBe(finished.length);
      const byDuration = [...finished]
        .sort((a, b) => duration(a) - duration(b))
        .map((run) => run.info.run_name);
      const shortest = [...byDuration, ...unfinished];
      const longest = [...byDuration.reverse(), ...unfinished];

      const searches: Array<{ order_by?: string[]; page_token?: string }> = [];
      page.on('request', (request) => {
        if (request.url().endsWith('/runs/search')) searches.push(JSON.parse(request.postData() ?? '{}'));
      });
      const rowName = (index: number) =>
        page.locator(`.data-table tbody tr[data-index="${index}"]`).locator('td').nth(1).textContent();
      const firstNames = async () =>
        await bodyRows(page).evaluateAll((rows) => rows.slice(0, 5).map((r) => r.children[1]?.textContent));

      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      await page.getByRole('button', { name: 'Duration' }).click();
      await eventually(() => new URL(page.url()).searchParams.get('order')).toBe('duration:desc');
      await eventually(firstNames).toEqual(longest.slice(0, 5));
      expect(searches.at(-1)?.order_by).toEqual(['attributes.duration DESC']);
      expect(await page.locator('th[aria-sort="descending"]').textContent()).toContain('Duration');
      await page.getByRole('button', { name: 'Duration' }).click();
      await eventually(() => new URL(page.url()).searchParams.get('order')).toBe('duration:asc');
      await eventually(firstNames).toEqual(shortest.slice(0, 5));
      expect(searches.at(-1)?.order_by).toEqual(['attributes.duration ASC']);

      await page.reload();
      await bodyRows(page).first().waitFor();
      expect(await firstNames()).toEqual(shortest.slice(0, 5));
      expect(await page.locator('th[aria-sort="ascending"]').textContent()).toContain('Duration');

      // The next keyset page continues the order where the first one ended.
      const rowHeight = (await bodyRows(page).first().boundingBox())?.height ?? 0;
      expect(rowHeight).toBeGreaterThan(0);
      await page.locator('.data-table-scroll').hover();
      await page.mouse.wheel(0, 200 * 40);
      await eventually(() => footer(page).textContent()).toBe('400 runs loaded, more to load');
      const next = searches.at(-1);
      expect(next?.order_by).toEqual(['attributes.duration ASC']);
      expect(next?.page_token).toBeTruthy();
      await page
        .locator('.data-table-scroll')
        .evaluate((element, top) => element.scrollTo(0, top), rowHeight * 196);
      for (const index of [198, 199, 200, 201]) {
        await eventually(() => rowName(index)).toBe(shortest[index]);
      }
      // And the last page ends with the unfinished runs.
      await page.mouse.wheel(0, 400 * 40);
      await eventually(() => footer(page).textContent()).toBe(`${RUN_COUNT + 3} runs loaded, all loaded`);
      await page.mouse.wheel(0, 400 * 40);
      await eventually(() => rowName(RUN_COUNT + 2)).toBe(shortest[RUN_COUNT + 2]);
      expect(shortest.slice(-3)).toEqual(unfinished);
    });
  });

  it('shows a filter parse error under the offending character, then applies a valid filter', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      const input = page.getByLabel('Filter runs');
      await input.fill('metrics.accuracy >');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      expect(await input.getAttribute('aria-describedby')).toBe(await alert.getAttribute('id'));
      expect(await alert.locator('.filter-caret-mark').textContent()).toBe(`${' '.repeat(18)}^`);
      expect(await alert.textContent()).toContain('at character 19');
      expect(new URL(page.url()).searchParams.get('filter')).toBeNull();
      await input.fill('metrics.accuracy > 0.985');
      await eventually(() => new URL(page.url()).searchParams.get('filter')).toBe('metrics.accuracy > 0.985');
      const expected = await ui.server.store.searchRuns({
        experimentIds: [laneId],
        filter: 'metrics.accuracy > 0.985',
        maxResults: 1000,
      });
      expect(expected.items.length).toBeGreaterThan(0);
      await eventually(() => footer(page).textContent()).toBe(
        `${expected.items.length} runs loaded, all loaded`,
      );
      await page.reload();
      expect(await page.getByLabel('Filter runs').inputValue()).toBe('metrics.accuracy > 0.985');
      await eventually(() => footer(page).textContent()).toBe(
        `${expected.items.length} runs loaded, all loaded`,
      );
      await page.getByLabel('Filter runs').fill("tags.version = 'nothing'");
      await page.getByText('No runs match this filter').waitFor();
    });
  });

  it("shows the server's 400 for a refused filter in the table's error state, not as a crash", async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        // A shared link can carry a filter the server refuses.
        const filter = "attributes.status IN ('FINISHED')";
        await page.goto(`${ui.server.url}/experiments/${laneId}?filter=${encodeURIComponent(filter)}`);
        await page.getByText('The server refused this search').waitFor();
        const refusal = page.locator('.error-state');
        expect(await refusal.textContent()).toContain('INVALID_PARAMETER_VALUE');
        expect(await refusal.textContent()).toContain('HTTP 400');
        expect(await page.getByLabel('Filter runs').getAttribute('aria-invalid')).toBe('true');
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('support-bot · development');
        await page.getByLabel('Filter runs').fill("attributes.run_id IN ('none')");
        await page.getByText('No runs match this filter').waitFor();
      },
      { errors: /400/ },
    );
  });

  it('loads the next keyset page as the table scrolls to its end', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      expect(await footer(page).textContent()).toBe('200 runs loaded, more to load');
      await page.locator('.data-table-scroll').hover();
      await page.mouse.wheel(0, 200 * 40);
      await eventually(() => footer(page).textContent()).toBe('400 runs loaded, more to load');
      await page.mouse.wheel(0, 200 * 40);
      await eventually(() => footer(page).textContent()).toBe(`${RUN_COUNT + 3} runs loaded, all loaded`);
    });
  });

  it('is keyboard-operable: Tab into the rows, arrows move, Enter opens the run', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      await page.getByLabel('Filter runs').focus();
      for (let i = 0; i < 20; i++) {
        await page.keyboard.press('Tab');
        if ((await page.evaluate('document.activeElement?.tagName')) === 'TR') break;
      }
      expect(await page.evaluate('document.activeElement?.getAttribute("aria-rowindex")')).toBe('2');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowUp');
      await page.keyboard.press('ArrowDown');
      // The table moves the focus once it has rendered the active row: wait for it, not a fixed turn.
      await eventually(() => page.evaluate('document.activeElement?.getAttribute("aria-rowindex")')).toBe(
        '4',
      );
      const href = await bodyRows(page).nth(2).getByRole('link').getAttribute('href');
      await page.keyboard.press('Enter');
      await eventually(() => new URL(page.url()).pathname).toBe(href);
    });
  });

  it('selects runs by keyboard and pointer, keeps the selection in the URL, and compares them', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/experiments/${laneId}`);
        await bodyRows(page).first().waitFor();
        expect(await page.getByText('Compare (0)').getAttribute('aria-disabled')).toBe('true');
        await page.getByRole('checkbox', { name: `Select ${SCRIPT_NAME}` }).focus();
        await page.keyboard.press('Space');
        await page.getByText('Compare (1)').waitFor();
        expect(await page.getByText('Compare (1)').getAttribute('aria-disabled')).toBe('true');
        await page.getByRole('checkbox', { name: 'Select run-plus-inf' }).click();
        const ids = await Promise.all(
          [SCRIPT_NAME, 'run-plus-inf'].map(async (name) =>
            (await bodyRows(page).filter({ hasText: name }).getByRole('link').getAttribute('href'))?.replace(
              '/runs/',
              '',
            ),
          ),
        );
        await eventually(() => new URL(page.url()).searchParams.get('sel')).toBe(ids.join(','));
        await page.reload();
        await bodyRows(page).first().waitFor();
        expect(await page.getByRole('checkbox', { name: 'Select run-plus-inf' }).isChecked()).toBe(true);
        await page.getByRole('link', { name: 'Compare (2)' }).click();
        await eventually(() => new URL(page.url()).searchParams.get('runs')).toBe(ids.join(','));
        await page.getByRole('heading', { name: 'Compare runs' }).waitFor();
        await page.getByRole('columnheader', { name: SCRIPT_NAME }).waitFor();
        await page.getByRole('columnheader', { name: 'run-plus-inf' }).waitFor();
        const accuracyRow = rowWithHeader(page, 'metric accuracy', false);
        expect(await accuracyRow.getByText('differs').count()).toBe(1);
        await page.getByRole('figure', { name: 'accuracy' }).locator('canvas').waitFor();
      },
      { dialogs: true },
    );
  });

  it("toggles a focused row's selection with Space, without scrolling, kept on reload; Enter still opens the run", async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      const scroll = page.locator('.data-table-scroll');
      const scrolled = () =>
        scroll.evaluate((el) => [el.scrollTop, el.ownerDocument.defaultView?.scrollY ?? -1]);
      await bodyRows(page).nth(1).focus();
      await page.keyboard.press('ArrowDown');
      const row = bodyRows(page).nth(2);
      const checkbox = row.getByRole('checkbox');
      const runId = (await row.getByRole('link').getAttribute('href'))?.replace('/runs/', '');
      expect(await page.evaluate('document.activeElement?.getAttribute("aria-rowindex")')).toBe('4');
      const before = await scrolled();

      await page.keyboard.press('Space');
      await eventually(() => new URL(page.url()).searchParams.get('sel')).toBe(runId);
      await eventually(() => checkbox.isChecked()).toBe(true);
      await page.getByText('Compare (1)').waitFor();
      expect(await scrolled()).toEqual(before);
      expect(await page.evaluate('document.activeElement?.getAttribute("aria-rowindex")')).toBe('4');

      await page.reload();
      await bodyRows(page).first().waitFor();
      expect(await bodyRows(page).nth(2).getByRole('checkbox').isChecked()).toBe(true);
      await page.getByText('Compare (1)').waitFor();

      // Space again clears it; Enter still opens the run.
      await bodyRows(page).nth(2).focus();
      await page.keyboard.press('Space');
      await eventually(() => new URL(page.url()).searchParams.get('sel')).toBeNull();
      await eventually(() => bodyRows(page).nth(2).getByRole('checkbox').isChecked()).toBe(false);
      expect(await scrolled()).toEqual(before);
      await page.keyboard.press('Enter');
      await eventually(() => new URL(page.url()).pathname).toBe(`/runs/${runId}`);
    });
  });

  it('has no WCAG A/AA violations in the dark scheme, with a filter error shown', async () => {
    await ui.withPage('dark', async ({ page }) => {
      await page.goto(`${ui.server.url}/experiments/${laneId}`);
      await bodyRows(page).first().waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await page.getByLabel('Filter runs').fill('metrics.accuracy >');
      await page.getByRole('alert').waitFor();
      expect(await axeViolations(page)).toEqual([]);
      await screenshot(page, 'lane', 'dark');
    });
  });

  it('says when an experiment has no runs, and when it does not exist', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/experiments/${emptyId}`);
        await page.getByText('No runs in this experiment yet').waitFor();
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('scratch');
        await page.goto(`${ui.server.url}/experiments/987654`);
        const alert = page.getByRole('alert');
        await alert.getByText('Not found').waitFor();
        expect(await alert.textContent()).toContain('RESOURCE_DOES_NOT_EXIST');
        expect(await axeViolations(page)).toEqual([]);
      },
      // The browser reports the 404 itself; nothing else may fail.
      { errors: /404/ },
    );
  });

  it('shows the server as unreachable when it stops answering', async () => {
    const own = await startUiServer();
    let closed = false;
    const { context, page } = await ui.openPage();
    try {
      const id = await own.store.createExperiment({ name: 'short-lived' });
      await page.goto(`${own.url}/experiments/${id}`);
      await page.getByText('No runs in this experiment yet').waitFor();
      await own.close();
      closed = true;
      await page.getByLabel('Filter runs').fill("tags.version = '1'");
      await page.getByText('The server cannot be reached').waitFor({ timeout: 15_000 });
    } finally {
      await context.close();
      if (!closed) await own.close();
    }
  }, 30_000);
});

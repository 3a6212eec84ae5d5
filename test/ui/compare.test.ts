/**
 * The compare page (`/compare?runs=a,b`) in a real browser against a real server: params and
 * latest metrics side by side with differences marked, metric histories overlaid in uPlot
 * charts (from the server's downsampled bulk history), missing runs named, hostile values as text.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, screenshot, type UiServer } from './browser.js';
import { eventually, rowWithHeader, useUiFixture } from './fixture.js';

const ids: string[] = [];
const SCRIPT_NAME = '<script>alert(1)</script>';
const LONG_PROMPT = `You are a support agent. ${'y'.repeat(475)}`;

async function seed({ store }: UiServer): Promise<void> {
  const experimentId = await store.createExperiment({ name: '/Shared/support-bot/evaluation' });
  const now = Date.now();
  const runs: {
    name: string;
    params: Record<string, string>;
    accuracy: (step: number) => number;
    loss: number;
  }[] = [
    {
      name: SCRIPT_NAME,
      params: { model: 'small', temperature: '0.2', prompt: LONG_PROMPT },
      accuracy: (step) => (step === 2999 ? Number.NaN : step / 3000),
      loss: Number.POSITIVE_INFINITY,
    },
    {
      name: 'eval-large',
      params: { model: 'large', temperature: '0.2', prompt: 'short' },
      accuracy: (step) => 0.5 + step / 6000,
      loss: Number.NEGATIVE_INFINITY,
    },
  ];
  for (const spec of runs) {
    const run = await store.createRun({ experimentId, runName: spec.name, startTime: now - 60_000 });
    ids.push(run.info.run_id);
    const history = Array.from({ length: 3000 }, (_, step) => ({
      key: 'accuracy',
      value: spec.accuracy(step),
      timestamp: now - 60_000 + step,
      step,
    }));
    for (let at = 0; at < history.length; at += 1000) {
      await store.logBatch(run.info.run_id, { metrics: history.slice(at, at + 1000) });
    }
    await store.logBatch(run.info.run_id, {
      metrics: [{ key: 'loss', value: spec.loss, timestamp: now, step: 0 }],
      params: Object.entries(spec.params).map(([key, value]) => ({ key, value })),
    });
    await store.updateRun(run.info.run_id, { status: 'FINISHED', endTime: now });
  }
}

const ui = useUiFixture({ seed, timeout: 120_000 });

const row = (page: Page, header: string) => rowWithHeader(page, header);

describe('the compare page', () => {
  it.each(['light', 'dark'] as const)(
    'shows the runs side by side, differences marked, NaN and ±Infinity as such, in the %s scheme',
    async (scheme) => {
      await ui.withPage(
        scheme,
        async ({ page }) => {
          const histories: URL[] = [];
          page.on('request', (request) => {
            if (request.url().includes('/metrics/get-history-bulk-interval'))
              histories.push(new URL(request.url()));
          });
          await page.goto(`${ui.server.url}/compare?runs=${ids.join(',')}`);
          await page.getByRole('columnheader', { name: SCRIPT_NAME }).waitFor();
          expect(await page.getByRole('columnheader', { name: 'eval-large' }).count()).toBe(1);
          expect(await page.getByRole('link', { name: SCRIPT_NAME }).textContent()).toBe(SCRIPT_NAME);
          expect(await row(page, 'param model').getByRole('cell').allTextContents()).toEqual([
            'differs',
            'small',
            'large',
          ]);
          expect(await row(page, 'param temperature').getByRole('cell').allTextContents()).toEqual([
            'same',
            '0.2',
            '0.2',
          ]);
          expect(await row(page, 'metric loss').getByRole('cell').allTextContents()).toEqual([
            'differs',
            '+Infinity',
            '-Infinity',
          ]);
          expect(await row(page, 'metric accuracy').getByRole('cell').nth(1).textContent()).toBe('NaN');
          const prompt = row(page, 'param prompt').locator('.truncated');
          expect(await prompt.getAttribute('title')).toBe(LONG_PROMPT);
          expect(await page.getByText('2 runs, 5 params and metrics, 4 differ.').count()).toBe(1);

          const chart = page.getByRole('figure', { name: 'accuracy' });
          await chart.locator('canvas').waitFor();
          const legend = await chart.locator('.u-legend').textContent();
          expect(legend).toContain(SCRIPT_NAME);
          expect(legend).toContain('eval-large');
          expect(histories.length).toBeGreaterThan(0);
          for (const query of histories) {
            expect(query.searchParams.getAll('run_ids')).toEqual(ids);
            expect(query.searchParams.get('metric_key')).toBe('accuracy');
            expect(query.searchParams.get('max_results')).toBe('1000');
          }
          expect(await chart.getAttribute('aria-describedby')).toBeTruthy();
          expect(await axeViolations(page)).toEqual([]);
          await screenshot(page, 'compare', scheme);
        },
        { dialogs: true },
      );
    },
  );

  it('charts the chosen metrics, kept in the URL, and draws the server-downsampled history', async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/compare?runs=${ids.join(',')}`);
      await page.getByRole('figure', { name: 'accuracy' }).locator('canvas').waitFor();
      const description = await page
        .getByRole('figure', { name: 'accuracy' })
        .locator('.visually-hidden')
        .textContent();
      // 3,000 points logged per run, fewer drawn: the server downsampled the history.
      const counts = [...(description ?? '').matchAll(/(\d+) points/g)].map((m) => Number(m[1]));
      expect(counts).toHaveLength(2);
      for (const count of counts) {
        expect(count).toBeGreaterThan(100);
        expect(count).toBeLessThan(3000);
      }
      await page
        .getByRole('group', { name: 'Metrics to chart' })
        .getByRole('checkbox', { name: 'loss' })
        .click();
      await eventually(() => new URL(page.url()).searchParams.get('metrics')).toBe('accuracy,loss');
      await page.getByRole('figure', { name: 'loss' }).locator('canvas').waitFor();
      await page.reload();
      await page.getByRole('figure', { name: 'loss' }).locator('canvas').waitFor();
      expect(await page.getByRole('figure').count()).toBe(2);
      await page
        .getByRole('group', { name: 'Metrics to chart' })
        .getByRole('checkbox', { name: 'accuracy' })
        .click();
      await eventually(() => new URL(page.url()).searchParams.get('metrics')).toBe('loss');
      await eventually(() => page.getByRole('figure').count()).toBe(1);
    });
  });

  it("names a NaN under the cursor in the legend, and describes each line's range and last value", async () => {
    await ui.withPage('light', async ({ page }) => {
      await page.goto(`${ui.server.url}/compare?runs=${ids.join(',')}`);
      const chart = page.getByRole('figure', { name: 'accuracy' });
      await chart.locator('canvas').waitFor();
      expect(await chart.getByRole('img', { name: 'Chart of accuracy by step' }).count()).toBe(1);
      // The first run logged NaN at its last step: a gap in its line, named in the legend there.
      const box = await chart.locator('.u-over').boundingBox();
      if (!box) throw new Error('the chart has no plot area');
      await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2);
      const valueOf = (label: string) =>
        chart.locator('.u-legend tr', { hasText: label }).locator('.u-value');
      await eventually(() => valueOf(SCRIPT_NAME).textContent()).toBe('NaN');
      expect(await valueOf('eval-large').textContent()).toBe('0.999833');
      const description = await chart.locator('.visually-hidden').textContent();
      expect(description).toMatch(
        /<script>alert\(1\)<\/script>: \d+ points, min 0, max 0\.99\d*, last NaN\./,
      );
      expect(description).toMatch(/eval-large: \d+ points, min 0\.5, max 0\.999833, last 0\.999833\./);
    });
  });

  it('names the runs that do not exist and still compares the others', async () => {
    await ui.withPage(
      'light',
      async ({ page, errors }) => {
        await page.goto(`${ui.server.url}/compare?runs=${ids[1]},no-such-run`);
        const alert = page.getByRole('alert');
        await alert.getByText('Not found').waitFor();
        expect(await alert.textContent()).toContain('no-such-run');
        await page.getByRole('columnheader', { name: 'eval-large' }).waitFor();
        expect(await axeViolations(page)).toEqual([]);
        expect(errors.filter((e) => !e.includes('404'))).toEqual([]);
        await page.goto(`${ui.server.url}/compare`);
        await page.getByText('No runs to compare').waitFor();
      },
      { errors: false },
    );
  });
});

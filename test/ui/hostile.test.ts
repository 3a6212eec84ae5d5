/**
 * Hostile content in a real browser: run names, tags, params, artifact file names and
 * contents, span names, inputs and outputs and trace tags carrying HTML and script, on every
 * page that shows them. Each payload would set `window.__xss` and open a dialog if it ran; the
 * test proves neither happens, that the values are shown as text, and that none became an
 * element of the page.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { spansOf, traceInfoOf } from '../../src/client/trace-client.contract.js';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { TRACE_SOURCE_RUN_KEY } from '../../src/entities/index.js';
import { useUiFixture } from './fixture.js';

/** A payload for `where`: an event handler, a script element and a javascript: link, each setting `window.__xss`. */
const xss = (where: string) =>
  `<img src=x onerror="window.__xss='${where}';alert('${where}')"><script>window.__xss='${where}'</script>` +
  `<a href="javascript:window.__xss='${where}'">${where}</a>`;
const HTML_CONTENT = `<html><body><h1 id="pwned">report</h1>${xss('artifact-content')}</body></html>`;
const FILE_NAME = `"><svg onload=alert('file')>.html`;

interface Seeded {
  experimentId: string;
  runId: string;
  traceId: string;
  spanId: string;
}

async function seed(url: string): Promise<Seeded> {
  const client = await TrackingClient.open(url);
  try {
    const experimentId = await client.createExperiment('/Shared/hostile_agent/development');
    const run = await client.createRun(experimentId, {
      runName: xss('run-name'),
      tags: { team: xss('tag'), run_type: 'development' },
    });
    const runId = run.info.run_id;
    await client.logBatch(runId, {
      params: { prompt: xss('param') },
      metrics: [{ key: 'score', value: 1, step: 0, timestamp: 1 }],
    });
    await client.logText(runId, HTML_CONTENT, 'report.html');
    await client.logText(runId, xss('file-content'), FILE_NAME);
    const info = traceInfoOf(experimentId, {
      tags: { 'mlflow.traceName': xss('trace-name'), owner: xss('trace-tag') },
      metadata: { [TRACE_SOURCE_RUN_KEY]: runId },
    });
    const spans = spansOf(info.trace_id, [xss('span-name'), 'tool', 'llm']).map((span) => ({
      ...span,
      attributes: {
        ...span.attributes,
        'mlflow.spanInputs': { question: xss('span-input') },
        'mlflow.spanOutputs': xss('span-output'),
      },
    }));
    await client.traces.logTrace({ info, spans });
    return { experimentId, runId, traceId: info.trace_id, spanId: spans[0]?.span_id as string };
  } finally {
    await client.close();
  }
}

const ui = useUiFixture({ seed: (server) => seed(server.url), timeout: 120_000 });

/** Nothing the payloads carry became an element, and none of their code ran. */
async function expectInert(page: Page): Promise<void> {
  expect(await page.evaluate(() => (globalThis as unknown as { __xss?: string }).__xss)).toBeUndefined();
  expect(await page.locator('img[src="x"], svg[onload], #pwned, a[href^="javascript:"]').count()).toBe(0);
  const scripts = await page.locator('script').evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
  expect(scripts.filter((text) => text.includes('__xss'))).toEqual([]);
}

describe('hostile content in the UI', () => {
  it('shows hostile run names, tags and params in the lane and on the run page as text', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/experiments/${ui.seed.experimentId}`);
        // The lane shortens long names with an ellipsis: the start of the payload, as text.
        await page.getByText(`<img src=x onerror="window.__xss='run-n`).first().waitFor();
        await expectInert(page);

        await page.goto(`${ui.server.url}/runs/${ui.seed.runId}`);
        const main = async () => (await page.locator('main').textContent()) ?? '';
        await expect.poll(main).toContain(`window.__xss='param'`);
        expect(await main()).toContain(`window.__xss='tag'`);
        expect(await main()).toContain(`window.__xss='run-n`);
        await expectInert(page);
      },
      { dialogs: true },
    );
  });

  it('lists hostile artifact names and previews hostile contents as text', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        for (const path of ['report.html', FILE_NAME]) {
          await page.goto(`${ui.server.url}/runs/${ui.seed.runId}?artifact=${encodeURIComponent(path)}`);
          const tree = page.getByRole('tree', { name: 'Artifacts' });
          await tree.getByText(path).first().waitFor();
          await page.locator('.artifact-preview pre').first().waitFor();
          const shown = await page.locator('.artifact-preview').textContent();
          expect(shown).toContain(path === 'report.html' ? xss('artifact-content') : xss('file-content'));
          await expectInert(page);
        }
      },
      { dialogs: true },
    );
  });

  it('shows hostile span names, inputs, outputs and trace tags as text', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/traces/${ui.seed.traceId}?span=${ui.seed.spanId}`);
        await page.getByText(xss('span-name')).first().waitFor();
        await expect
          .poll(async () => (await page.locator('main').textContent()) ?? '')
          .toContain('span-input');
        const text = (await page.locator('main').textContent()) ?? '';
        expect(text).toContain('span-output');
        await expectInert(page);

        await page.goto(`${ui.server.url}/experiments/${ui.seed.experimentId}/traces`);
        await expect
          .poll(async () => (await page.locator('main').textContent()) ?? '')
          .toContain('<img src=x onerror="win');
        await expectInert(page);
      },
      { dialogs: true },
    );
  });
});

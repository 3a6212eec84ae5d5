/**
 * The run page in a real browser against a real server, on an evaluation run the lifecycle
 * made: its header, gate verdict (one threshold failing, the scorer's failed trace linked),
 * lineage both ways (the deployment promoted from it, a registered version), params and tags
 * (long and hostile values as text), metrics with NaN and ±Infinity, a chart of a 5,000-step
 * history, the artifact tree by keyboard with a preview of each kind, and its traces.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { newTraceId, spansOf, traceInfoOf } from '../../src/client/trace-client.contract.js';
import { TRACE_SOURCE_RUN_KEY } from '../../src/entities/index.js';
import { Agent } from '../../src/lifecycle/agent.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { axeViolations, screenshot } from './browser.js';
import { rowWithHeader, useUiFixture } from './fixture.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const LONG_PARAM = `You are a careful support agent. ${'Answer briefly and cite the runbook. '.repeat(20)}END`;
const HOSTILE = '<img src=x onerror="alert(1)"><script>alert("param")</script>';
const HTML_FILE = '<html><body><h1>report</h1><script>alert("artifact")</script></body></html>';
const STEPS = 5000;

let evalRun: { id: string; name: string; experimentId: string };
let deployRun: { id: string; name: string };
let traceId: string;
let bigRunId: string;
/** Metrics of the run with a 100,000-step history: more than fit in view, so most charts load lazily. */
const SMALL_METRICS = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, '0')}`);

async function seed(url: string): Promise<void> {
  const agent = await Agent.open({ config: { agent: 'support-bot', version: '1.4.0', trackingUri: url } });
  try {
    const run = await agent.startRun('evaluation', {
      thresholds: ['accuracy >= 0.9', 'correctness/mean >= 0.8'],
    });
    await run.logParams({ prompt: LONG_PARAM, hostile: HOSTILE, temperature: 0.2 });
    await run.logMetrics({
      accuracy: 0.93,
      'correctness/mean': 0.5,
      nan_metric: NaN,
      inf_metric: Infinity,
      neg_inf_metric: -Infinity,
    });
    for (let step = 0; step < STEPS; step++) {
      await run.logMetric('loss', 2 / (1 + step / 100), { step, timestamp: 1_796_000_000_000 + step });
    }
    await run.logText('first line of the notes\nsecond line', 'notes.txt');
    await run.logText(HTML_FILE, 'report.html');
    await run.logDict({ model: 'gpt', nested: { retries: [1, 2] } }, 'config/settings.json');
    await run.logText('model: gpt\nsteps: 3\n', 'config/agent.yaml');
    await run.logTable({ question: ['q1', 'q2'], score: [0.5, 1] }, 'eval/results.json');
    await run.logText(`${'x'.repeat(1023)}\n`.repeat(1536), 'logs/big.log');
    const dir = tempDir('agentrack-ui-run-');
    try {
      writeFileSync(join(dir.path, 'pixel.png'), PNG);
      await run.logArtifact(join(dir.path, 'pixel.png'), 'plots');
    } finally {
      dir.remove();
    }
    const experimentId = run.experimentId;
    traceId = newTraceId();
    // With spans: the trace page the test opens has a whole trace to show.
    await agent.client.traces.logTrace({
      info: traceInfoOf(experimentId, { traceId, metadata: { [TRACE_SOURCE_RUN_KEY]: run.runId } }),
      spans: spansOf(traceId),
    });
    await agent.client.traces.logAssessment({
      assessment_name: 'correctness',
      trace_id: traceId,
      source: { source_type: 'LLM_JUDGE', source_id: 'judge' },
      create_time: '2026-12-01T11:13:58.108Z',
      last_update_time: '2026-12-01T11:13:58.108Z',
      feedback: { value: false },
      metadata: { 'mlflow.assessment.sourceRunId': run.runId },
    });
    await run.end();
    evalRun = { id: run.runId, name: run.runName, experimentId };
    const deployment = await agent.deploy({ modelVersion: '3', evaluationRunId: run.runId, force: true });
    deployRun = { id: deployment.runId, name: deployment.runName };
    await agent.client.registry.createRegisteredModel('support-bot-model');
    await agent.client.registry.createModelVersion('support-bot-model', `runs:/${run.runId}/model`, {
      runId: run.runId,
    });
    const big = await agent.startRun('development');
    for (let step = 0; step < 100_000; step++) {
      await big.logMetric('big', Math.sin(step / 1000), { step, timestamp: 1_796_000_000_000 + step });
    }
    for (const key of SMALL_METRICS) await big.logMetric(key, 1);
    await big.end();
    bigRunId = big.runId;
  } finally {
    await agent.close();
  }
}

const ui = useUiFixture({ seed: (server) => seed(server.url), timeout: 120_000 });

async function openRun(page: Page, runId: string, query = ''): Promise<void> {
  await page.goto(`${ui.server.url}/runs/${runId}${query}`);
  await page.getByRole('heading', { level: 1 }).filter({ hasNotText: 'Loading' }).waitFor();
}

/** True when the chart's canvas has any pixel drawn. */
async function canvasDrawn(page: Page, title: string): Promise<boolean> {
  const canvas = page.getByRole('img', { name: `Chart of ${title} by step` }).locator('canvas');
  return canvas.evaluate((element) => {
    const c = element as unknown as {
      width: number;
      height: number;
      getContext(kind: '2d'): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
    return false;
  });
}

describe('the run page', () => {
  it('shows the header, gate, data, charts and traces of an evaluation run', async () => {
    await ui.withPage('light', async ({ page, context }) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ui.server.url });
      await openRun(page, evalRun.id);
      const h1 = page.getByRole('heading', { level: 1 });
      expect(await h1.textContent()).toBe(`${evalRun.name} FINISHED`);
      const lane = page.getByRole('link', { name: '/Shared/support-bot/evaluation' }).first();
      expect(await lane.getAttribute('href')).toBe(`/experiments/${evalRun.experimentId}`);
      const started = page.locator('.run-facts time');
      expect(await started.getAttribute('title')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/);
      await page.getByRole('button', { name: 'Copy the run id' }).click();
      await page.getByText('Copied').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(evalRun.id);

      // The gate: each threshold with what was observed, the failing scorer's trace linked.
      const gate = page.getByRole('table', { name: 'Thresholds of the gate' });
      expect(await page.getByRole('heading', { name: /^Gate/ }).textContent()).toBe('Gate failed');
      expect(await gate.getByRole('row').allInnerTexts()).toEqual([
        'Metric\tObserved\tComparator\tThreshold\tResult',
        'accuracy\t0.93\t>=\t0.9\tpass',
        'correctness/mean\t0.5\t>=\t0.8\tfail',
      ]);
      expect(await page.locator('.failed-traces h3').textContent()).toBe(
        'Traces that failed correctness/mean: 1 of 1 scored',
      );
      expect(await page.locator('.failed-traces a').getAttribute('href')).toBe(`/traces/${traceId}`);

      // Latest metrics: NaN and ±Infinity as such.
      const metrics = page.getByRole('table', { name: 'Latest metric values' });
      const metric = (key: string) => rowWithHeader(metrics, key);
      expect(await metric('nan_metric').getByRole('cell').first().textContent()).toBe('NaN');
      expect(await metric('inf_metric').getByRole('cell').first().textContent()).toBe('+Infinity');
      expect(await metric('neg_inf_metric').getByRole('cell').first().textContent()).toBe('-Infinity');
      expect(await metric('loss').getByRole('cell').nth(1).textContent()).toBe(
        String((STEPS - 1).toLocaleString('en-US')),
      );

      // Params: a long value cut, whole on hover and on expanding; hostile text stays text.
      const params = page.getByRole('table', { name: 'Parameters' });
      const prompt = rowWithHeader(params, 'prompt', false);
      expect(await prompt.locator('.truncated').getAttribute('title')).toBe(LONG_PARAM);
      expect((await prompt.locator('.truncated').textContent())?.length).toBe(80);
      await prompt.getByRole('button', { name: 'Expand value of prompt' }).click();
      expect(await prompt.locator('pre').textContent()).toBe(LONG_PARAM);
      const hostile = rowWithHeader(params, 'hostile', false);
      expect(await hostile.getByRole('cell').textContent()).toContain('<script>alert("param")</script>');
      expect(await page.locator('.run-page script, .run-page img[src="x"]').count()).toBe(0);

      // Tags: MLflow's own folded away, the choice kept in the URL.
      expect(await page.getByRole('table', { name: 'System tags' }).count()).toBe(0);
      await page.getByRole('button', { name: /System tags/ }).click();
      await page
        .getByRole('table', { name: 'System tags' })
        .getByRole('rowheader', { name: 'mlflow.runName' })
        .waitFor();
      expect(new URL(page.url()).searchParams.get('systemTags')).toBe('1');
      expect(
        await page.getByRole('table', { name: 'Tags' }).getByRole('rowheader', { name: 'run_type' }).count(),
      ).toBe(1);

      // The chart of a 5,000-step history: drawn from at most 1,000 points the server chose.
      const chart = page.getByRole('img', { name: 'Chart of loss by step' });
      await chart.locator('canvas').waitFor();
      await expect.poll(() => canvasDrawn(page, 'loss')).toBe(true);
      const summary = await page
        .locator('figure', { has: chart })
        .locator('.metric-chart-summary')
        .textContent();
      const points = Number(/([\d,]+) points/.exec(summary ?? '')?.[1]?.replaceAll(',', ''));
      expect(points).toBeGreaterThan(100);
      // The server's intervals over the steps, and the last step too, as MLflow answers.
      expect(points).toBeLessThanOrEqual(1001);
      expect(summary).toMatch(/^min 0\.0392\d* · max 2 · last 0\.0392\d* · /);

      // The run's traces, linked to their pages.
      const traces = page.getByRole('table', { name: 'Traces of the run' });
      await traces.getByRole('link', { name: traceId }).click();
      await page.waitForURL(`${ui.server.url}/traces/${traceId}`);

      await page.goBack();
      await page.getByRole('table', { name: 'System tags' }).waitFor();
    });
  });

  it('browses the artifact tree by keyboard and previews every kind of file as text', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await openRun(page, evalRun.id);
        const tree = page.getByRole('tree', { name: 'Artifacts' });
        const item = (path: string) => tree.locator(`[role="treeitem"][data-path="${path}"]`);
        const preview = page.locator('.artifact-preview');
        const focused = () => page.evaluate('document.activeElement?.getAttribute("data-path")');

        await item('config').focus();
        await page.keyboard.press('ArrowRight');
        await item('config/agent.yaml').waitFor();
        expect(await item('config').getAttribute('aria-expanded')).toBe('true');
        await page.keyboard.press('ArrowRight');
        expect(await focused()).toBe('config/agent.yaml');
        await page.keyboard.press('Enter');
        await expect.poll(() => preview.locator('.preview-kind').textContent()).toBe('YAML');
        expect(await preview.locator('pre').textContent()).toBe('model: gpt\nsteps: 3\n');
        expect(new URL(page.url()).searchParams.get('artifact')).toBe('config/agent.yaml');

        await page.keyboard.press('ArrowDown');
        expect(await focused()).toBe('config/settings.json');
        await page.keyboard.press('Enter');
        await expect.poll(() => preview.locator('.preview-kind').textContent()).toBe('JSON');
        expect(await preview.locator('pre').textContent()).toBe(
          JSON.stringify({ model: 'gpt', nested: { retries: [1, 2] } }, null, 2),
        );

        await page.keyboard.press('ArrowLeft');
        expect(await focused()).toBe('config');
        await page.keyboard.press('ArrowLeft');
        expect(await item('config').getAttribute('aria-expanded')).toBe('false');
        await page.keyboard.press('ArrowDown');
        expect(await focused()).toBe('eval');
        await page.keyboard.press('Enter');
        await item('eval/results.json').waitFor();
        await page.keyboard.press('ArrowDown');
        await page.keyboard.press('Enter');
        const table = preview.getByRole('table', { name: 'Table results.json' });
        await table.waitFor();
        expect(await table.getByRole('row').allInnerTexts()).toEqual(['question\tscore', 'q1\t0.5', 'q2\t1']);

        await page.keyboard.press('End');
        expect(await focused()).toBe('report.html');
        await page.keyboard.press('Enter');
        await expect.poll(() => preview.locator('.preview-kind').textContent()).toBe('Text');
        expect(await preview.locator('pre').textContent()).toBe(HTML_FILE);
        expect(await page.locator('.artifact-preview script, .artifact-preview h1').count()).toBe(0);
        expect(await preview.getByRole('link', { name: 'Download report.html' }).getAttribute('href')).toBe(
          `/get-artifact?run_uuid=${evalRun.id}&path=report.html`,
        );

        await page.keyboard.press('ArrowUp');
        await page.keyboard.press('Enter');
        await expect
          .poll(() => preview.locator('pre').textContent())
          .toBe('first line of the notes\nsecond line');

        // A folder by click, an image, and a file past the preview limit.
        await item('plots').locator('.tree-row').click();
        await item('plots/pixel.png').locator('.tree-row').click();
        const image = preview.getByRole('img', { name: 'Image artifact pixel.png' });
        await expect
          .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
          .toBe(1);
        await item('logs').locator('.tree-row').click();
        await item('logs/big.log').locator('.tree-row').click();
        await expect
          .poll(() => preview.locator('.preview-kind').textContent())
          .toBe('Text · the first 1.0 MiB only; download the file for the rest');
        expect((await preview.locator('pre').textContent())?.length).toBe(1024 * 1024);

        // The chosen file survives a reload, its folder opened again.
        await page.reload();
        await preview.locator('.preview-kind', { hasText: 'the first 1.0 MiB only' }).waitFor();
        expect(await item('logs').getAttribute('aria-expanded')).toBe('true');
        expect(await item('logs/big.log').getAttribute('aria-selected')).toBe('true');
      },
      { dialogs: true },
    );
  });

  it('keeps the open folders and the previewed file in the URL, for a reload and a shared link', async () => {
    const agent = await Agent.open({
      config: { agent: 'support-bot', version: '1.4.0', trackingUri: ui.server.url },
    });
    let runId: string;
    try {
      const run = await agent.startRun('development');
      await run.logText('the intro', 'docs/guide/intro.md');
      await run.logText('the readme', 'docs/readme.txt');
      await run.logText('file a', 'data/a.txt');
      await run.end();
      runId = run.runId;
    } finally {
      await agent.close();
    }
    await ui.withPage('light', async ({ page }) => {
      const tree = page.getByRole('tree', { name: 'Artifacts' });
      const item = (path: string) => tree.locator(`[role="treeitem"][data-path="${path}"]`);
      const expanded = (path: string) => item(path).getAttribute('aria-expanded');
      const previewText = () => page.locator('.artifact-preview pre').textContent();
      const url = () => new URL(page.url()).searchParams;
      const open = () => url().getAll('open');

      // A link naming only the file (as links did before the tree kept its folders) opens them.
      await openRun(page, runId, '?artifact=docs/guide/intro.md');
      await expect.poll(previewText).toBe('the intro');
      expect(await expanded('docs')).toBe('true');
      expect(await expanded('docs/guide')).toBe('true');
      expect(await item('docs/guide/intro.md').getAttribute('aria-selected')).toBe('true');
      await expect.poll(open).toEqual(['docs', 'docs/guide']);
      expect(await axeViolations(page)).toEqual([]);
      const entries = await page.evaluate('history.length');

      // Left closes a folder and takes it out of the URL; the preview stays, and so on reload.
      await item('docs/guide').focus();
      await page.keyboard.press('ArrowLeft');
      await expect.poll(open).toEqual(['docs']);
      expect(await item('docs/guide/intro.md').count()).toBe(0);
      await page.reload();
      await expect.poll(previewText).toBe('the intro');
      await item('docs/readme.txt').waitFor();
      expect(await expanded('docs')).toBe('true');
      expect(await expanded('docs/guide')).toBe('false');
      expect(await item('docs/guide/intro.md').count()).toBe(0);

      // Right opens a folder, Space previews a file; a click closes a folder.
      await item('data').focus();
      await page.keyboard.press('ArrowRight');
      await expect.poll(open).toEqual(['data', 'docs']);
      await item('data/a.txt').waitFor();
      await page.keyboard.press('ArrowRight');
      await page.keyboard.press('Space');
      await expect.poll(() => url().get('artifact')).toBe('data/a.txt');
      await expect.poll(previewText).toBe('file a');
      await item('docs').locator('.tree-row').click();
      await expect.poll(open).toEqual(['data']);
      await page.reload();
      await expect.poll(previewText).toBe('file a');
      expect(await expanded('data')).toBe('true');
      expect(await expanded('docs')).toBe('false');
      expect(await item('data/a.txt').getAttribute('aria-selected')).toBe('true');
      expect(await item('docs/readme.txt').count()).toBe(0);

      // Closing a folder closes the folders inside it.
      await item('docs').locator('.tree-row').click();
      await item('docs/guide').locator('.tree-row').click();
      await expect.poll(open).toEqual(['data', 'docs', 'docs/guide']);
      await item('docs').locator('.tree-row').click();
      await expect.poll(open).toEqual(['data']);

      // Every folder closed while a file inside one is previewed: a reload keeps them closed.
      await item('data').locator('.tree-row').click();
      await expect.poll(open).toEqual(['']);
      await page.reload();
      await expect.poll(previewText).toBe('file a');
      expect(await expanded('data')).toBe('false');
      expect(await item('data/a.txt').count()).toBe(0);
      // The previewed file is hidden: its folder is the tree's stop in the tab order.
      expect(await tree.locator('[role="treeitem"][tabindex="0"]').getAttribute('data-path')).toBe('data');

      // Each change replaced the history entry: Back is not flooded.
      expect(await page.evaluate('history.length')).toBe(entries);
      expect(await axeViolations(page)).toEqual([]);
    });
  });

  it('links an evaluation run to its deployment and back, and to its registered version', async () => {
    await ui.withPage('light', async ({ page }) => {
      await openRun(page, evalRun.id);
      const lineage = page.locator('section', { has: page.getByRole('heading', { name: 'Lineage' }) });
      await lineage.getByRole('link', { name: deployRun.name }).click();
      await page.waitForURL(`${ui.server.url}/runs/${deployRun.id}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(`^${deployRun.name}`) }).waitFor();
      expect(await page.getByRole('heading', { name: /^Gate/ }).count()).toBe(0);
      await lineage.getByRole('link', { name: evalRun.name }).click();
      await page.waitForURL(`${ui.server.url}/runs/${evalRun.id}`);
      await page.getByRole('heading', { level: 1, name: new RegExp(`^${evalRun.name}`) }).waitFor();
      await lineage.getByRole('link', { name: 'support-bot-model version 1' }).click();
      await page.waitForURL(`${ui.server.url}/models/support-bot-model`);
    });
  });

  it('draws a 100,000-step history from the points the server picks, other charts as they come into view', async () => {
    await ui.withPage('light', async ({ page }) => {
      const asked: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.pathname.endsWith('/metrics/get-history-bulk-interval')) {
          expect(url.searchParams.get('max_results')).toBe('1000');
          asked.push(url.searchParams.get('metric_key') ?? '');
        }
      });
      await openRun(page, bigRunId);
      await expect.poll(() => canvasDrawn(page, 'big')).toBe(true);
      const chart = page.getByRole('img', { name: 'Chart of big by step' });
      const summary = await page
        .locator('figure', { has: chart })
        .locator('.metric-chart-summary')
        .textContent();
      // Picked points: near the true extremes, and the last step's value exactly (sin(99.999)).
      expect(summary).toMatch(/^min -0\.99\d* · max 0\.99\d* · last -0\.507228 · 1,001 points$/);
      // The chart follows its container's width (one column of charts at 900 pixels: a wider one).
      const clientWidth = (c: unknown) => (c as { clientWidth: number }).clientWidth;
      const width = () => chart.locator('canvas').evaluate(clientWidth);
      const wide = await width();
      expect(wide).toBe(await chart.evaluate(clientWidth));
      await page.setViewportSize({ width: 900, height: 900 });
      await expect.poll(() => chart.evaluate(clientWidth)).not.toBe(wide);
      await expect.poll(width).toBe(await chart.evaluate(clientWidth));
      await expect.poll(() => canvasDrawn(page, 'big')).toBe(true);
      expect(asked).toContain('m00');
      expect(asked).not.toContain('m19');
      await page.locator('.metric-chart-card', { hasText: 'm19' }).scrollIntoViewIfNeeded();
      await expect.poll(() => canvasDrawn(page, 'm19')).toBe(true);
      expect(asked.filter((key) => key === 'm19')).toEqual(['m19']);
    });
  });

  it('shows a skeleton while the run loads, and says so when the server cannot be reached', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        await page.route('**/runs/get?**', async (route) => {
          await held;
          await route.continue();
        });
        await page.goto(`${ui.server.url}/runs/${evalRun.id}`);
        await page.getByRole('status', { name: 'Loading the run' }).first().waitFor();
        expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Loading the run');
        release();
        await page.getByRole('heading', { level: 1, name: new RegExp(`^${evalRun.name}`) }).waitFor();

        await page.unroute('**/runs/get?**');
        await page.route('**/runs/get?**', (route) => route.abort('connectionrefused'));
        await page.goto(`${ui.server.url}/runs/${bigRunId}`);
        const alert = page.getByRole('alert');
        await alert.waitFor({ timeout: 15_000 });
        expect(await alert.locator('.error-title').textContent()).toBe('The server cannot be reached');
        expect(await alert.getByRole('button', { name: 'Try again' }).count()).toBe(1);
      },
      { errors: false },
    );
  });

  it('says Not found with the server’s message for a run that does not exist', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/runs/0123456789abcdef0123456789abcdef`);
        const alert = page.getByRole('alert');
        await alert.waitFor();
        expect(await alert.locator('.error-title').textContent()).toBe('Not found');
        expect(await alert.locator('.error-message').textContent()).toContain(
          '0123456789abcdef0123456789abcdef',
        );
        expect(await alert.locator('.error-code').textContent()).toBe('RESOURCE_DOES_NOT_EXIST · HTTP 404');
        expect(await axeViolations(page)).toEqual([]);
      },
      { errors: false },
    );
  });

  it.each(['light', 'dark'] as const)('has no WCAG A/AA violations in the %s scheme', async (scheme) => {
    await ui.withPage(scheme, async ({ page }) => {
      await openRun(page, evalRun.id, '?systemTags=1&artifact=eval%2Fresults.json');
      await page.getByRole('table', { name: 'Table results.json' }).waitFor();
      await expect.poll(() => canvasDrawn(page, 'loss')).toBe(true);
      await page.getByRole('table', { name: 'Traces of the run' }).waitFor();
      await page.getByRole('link', { name: 'support-bot-model version 1' }).waitFor();
      await screenshot(page, 'run', scheme);
      expect(await axeViolations(page)).toEqual([]);
    });
  });
});

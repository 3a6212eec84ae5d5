/**
 * Every page of the web UI, together, in a real browser against a real server holding a
 * realistic data set (test/ui/seed.ts): each page's URL loads in light and dark, shows its
 * `<h1>` once the loading skeletons are gone, shows the same `<h1>` after a reload, has no
 * WCAG A/AA violation, logs no console or page error and opens no dialog (hostile content
 * stays text). Screenshots of each page in both schemes go to `test-output/ui/`. Written
 * against the URLs and what every page must have, not against any page's details (each page's
 * own test file checks those); navigation follows the links between pages, back and forward.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, screenshot } from './browser.js';
import { useUiFixture, type OpenedPage } from './fixture.js';
import { seedUi, type SeededData } from './seed.js';

const ui = useUiFixture({ seed: (server) => seedUi(server.url) });

/** Every page, named for its screenshot, and its URL built from the seed's ids. */
const PAGES: ReadonlyArray<{ name: string; path: (seed: SeededData) => string }> = [
  { name: 'agents', path: () => '/' },
  { name: 'deployments', path: (seed) => `/agents/${seed.agents[0].name}/deployments` },
  { name: 'deployments-second-agent', path: (seed) => `/agents/${seed.agents[1].name}/deployments` },
  { name: 'audit', path: (seed) => `/agents/${seed.agents[0].name}/audit` },
  { name: 'lane-development', path: (seed) => `/experiments/${seed.agents[0].experiments.development}` },
  { name: 'lane-evaluation', path: (seed) => `/experiments/${seed.agents[0].experiments.evaluation}` },
  { name: 'lane-deployment', path: (seed) => `/experiments/${seed.agents[0].experiments.deployment}` },
  { name: 'traces', path: (seed) => `/experiments/${seed.agents[0].experiments.development}/traces` },
  { name: 'run-development', path: (seed) => `/runs/${seed.richRunId}` },
  { name: 'run-evaluation-failed-gate', path: (seed) => `/runs/${seed.failingEvalRunId}` },
  { name: 'run-deployment-rolled-back', path: (seed) => `/runs/${seed.rolledBackDeployRunId}` },
  { name: 'compare', path: (seed) => `/compare?runs=${seed.passingEvalRunId},${seed.failingEvalRunId}` },
  { name: 'trace', path: (seed) => `/traces/${seed.traceId}` },
  { name: 'models', path: () => '/models' },
  { name: 'model', path: (seed) => `/models/${seed.modelName}` },
];

/** Waits until the page has settled: its `<h1>` shown, no loading skeleton left; answers the `<h1>`'s text. */
async function settledHeading(page: Page): Promise<string> {
  const heading = page.getByRole('heading', { level: 1 });
  await heading.first().waitFor();
  await expect.poll(() => page.locator('.skeleton').count(), { timeout: 15_000 }).toBe(0);
  await expect.poll(() => heading.count()).toBe(1);
  const text = (await heading.textContent())?.trim() ?? '';
  expect(text).not.toBe('');
  return text;
}

describe('the seeded data set', () => {
  it('holds what the pages show: two agents, gates that pass and fail, versions, aliases, a rollback, traces', async () => {
    const [bot, monitor] = ui.seed.agents;
    expect([bot.name, monitor.name]).toEqual(['support_bot', 'health_monitor_agent']);
    const get = async (path: string) => {
      const response = await fetch(`${ui.server.url}/ajax-api/2.0/mlflow/${path}`);
      expect(response.status, path).toBe(200);
      return (await response.json()) as Record<string, unknown>;
    };
    const tagsOf = async (runId: string) => {
      const { run } = (await get(`runs/get?run_id=${runId}`)) as {
        run: { data: { tags: Array<{ key: string; value: string }> } };
      };
      return Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    };
    expect((await tagsOf(ui.seed.passingEvalRunId))['agentrack.gate']).toBe('passed');
    expect((await tagsOf(ui.seed.failingEvalRunId))['agentrack.gate']).toBe('failed');
    expect((await tagsOf(ui.seed.failedDeployRunId))['deployment_status']).toBe('failed');
    expect((await tagsOf(ui.seed.rolledBackDeployRunId))['deployment_status']).toBe('rolled_back');

    const { registered_model: model } = (await get(`registered-models/get?name=${ui.seed.modelName}`)) as {
      registered_model: { latest_versions?: unknown[]; aliases?: Array<{ alias: string; version: string }> };
    };
    expect(Object.fromEntries((model.aliases ?? []).map((a) => [a.alias, a.version]))).toEqual({
      production: '2',
      champion: '3',
    });
    const versions = (await get(
      `model-versions/search?filter=${encodeURIComponent(`name='${ui.seed.modelName}'`)}`,
    )) as {
      model_versions: unknown[];
    };
    expect(versions.model_versions).toHaveLength(3);

    const history = (await get(
      `metrics/get-history-bulk-interval?run_ids=${ui.seed.richRunId}&metric_key=loss&max_results=2500`,
    )) as { metrics: unknown[] };
    expect(history.metrics).toHaveLength(2000);
    const artifacts = (await get(`artifacts/list?run_id=${ui.seed.richRunId}`)) as {
      files: Array<{ path: string }>;
    };
    expect(artifacts.files.map((f) => f.path).sort()).toEqual(
      ['config', 'eval_results', 'logs', 'plots', 'report.html'].sort(),
    );

    const trace = await fetch(`${ui.server.url}/ajax-api/3.0/mlflow/traces/${ui.seed.traceId}`);
    expect(trace.status).toBe(200);
    const { trace: found } = (await trace.json()) as { trace: { trace_info: { assessments?: unknown[] } } };
    expect(found.trace_info.assessments).toHaveLength(3);
  });
});

// One context per scheme, its pages one after the other: a context per page doubles the time on two cores.
describe.each(['light', 'dark'] as const)('every page in the %s scheme', (scheme) => {
  let opened: OpenedPage;
  beforeAll(async () => {
    opened = await ui.openPage(scheme);
  });
  afterAll(async () => {
    await opened?.context.close();
  });

  it.each(PAGES)(
    '$name shows its <h1>, again after a reload, with no axe violation, error or dialog',
    async ({ name, path }) => {
      const { page, errors, dialogs } = opened;
      errors.length = 0;
      dialogs.length = 0;
      const url = path(ui.seed);
      const response = await page.goto(`${ui.server.url}${url}`);
      expect(response?.status(), url).toBe(200);
      const heading = await settledHeading(page);
      await page.reload();
      expect(await settledHeading(page), `${url} after a reload`).toBe(heading);
      expect(await axeViolations(page), url).toEqual([]);
      await screenshot(page, `page-${name}`, scheme);
      expect(errors, url).toEqual([]);
      expect(dialogs, url).toEqual([]);
      // Hostile names, params and span inputs stay text: the app renders no script element.
      expect(await page.locator('#root script').count(), url).toBe(0);
    },
  );
});

/**
 * Sums the page's layout shifts from navigation on (`buffered`, so none before the observer is
 * missed), leaving out those right after the reader's input, as Core Web Vitals counts them; keeps
 * what moved, to say so when the page shifts too much. A string: it runs in the page.
 */
const OBSERVE_LAYOUT_SHIFTS = `(() => {
  const state = { total: 0, shifts: [] };
  const take = (entries) => {
    for (const entry of entries) {
      if (entry.hadRecentInput) continue;
      state.total += entry.value;
      const moved = (entry.sources || []).map((source) => {
        const node = source.node;
        if (!node || !node.nodeName) return '?';
        const cls = typeof node.className === 'string' && node.className ? '.' + node.className.split(' ').join('.') : '';
        return node.nodeName.toLowerCase() + cls;
      });
      state.shifts.push(entry.value.toFixed(4) + ' ' + moved.join(', '));
    }
  };
  const observer = new PerformanceObserver((list) => take(list.getEntries()));
  observer.observe({ type: 'layout-shift', buffered: true });
  window.__layoutShift = () => {
    take(observer.takeRecords());
    return state;
  };
})()`;

/** The layout shift so far, and the shifts that make it up. */
async function layoutShift(page: Page): Promise<{ total: number; shifts: string[] }> {
  // Two frames: shifts of the last frame are reported after it is painted.
  await page.evaluate(
    'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))',
  );
  return page.evaluate('window.__layoutShift()') as Promise<{ total: number; shifts: string[] }>;
}

describe('layout stability', () => {
  let opened: OpenedPage;
  beforeAll(async () => {
    opened = await ui.openPage('light');
    await opened.context.addInitScript(OBSERVE_LAYOUT_SHIFTS);
    // A network's round trip, so that each page paints its loading state before its data arrives
    // (on loopback the data could come before the first paint, and no jump could be seen).
    const cdp = await opened.context.newCDPSession(opened.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 150,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
  });
  afterAll(async () => {
    await opened?.context.close();
  });

  it.each(PAGES)(
    '$name: its cumulative layout shift from navigation until its data is shown is below 0.1',
    async ({ name, path }) => {
      const { page } = opened;
      await page.goto(`${ui.server.url}${path(ui.seed)}`);
      await settledHeading(page);
      await page.waitForLoadState('networkidle');
      const { total, shifts } = await layoutShift(page);
      expect(total, `${name} shifted: ${shifts.join('; ')}`).toBeLessThan(0.1);
    },
  );
});

describe('navigation from the agents page', () => {
  /**
   * Follows the first link on the page whose `href` starts with `prefix` (after `exclude` is
   * ruled out), checks the new page settles, goes back and forward again. A page without such a
   * link fails the test.
   */
  async function follow(page: Page, prefix: string, exclude?: RegExp): Promise<void> {
    const before = page.url();
    const beforeHeading = await settledHeading(page);
    const links = page.locator(`main a[href^="${prefix}"]`);
    const hrefs = await links.evaluateAll((nodes) => nodes.map((n) => n.getAttribute('href') ?? ''));
    const index = hrefs.findIndex((href) => !exclude?.test(href));
    expect(index, `a link to ${prefix} on ${page.url()}`).toBeGreaterThanOrEqual(0);
    const href = hrefs[index] as string;
    await links.nth(index).click();
    await page.waitForURL((url) => `${url.pathname}${url.search}` === href);
    await settledHeading(page);
    await page.goBack();
    await page.waitForURL(before);
    expect(await settledHeading(page)).toBe(beforeHeading);
    await page.goForward();
    await page.waitForURL((url) => `${url.pathname}${url.search}` === href);
    await settledHeading(page);
  }

  it('reaches the models page from the header, and back returns to the agents page', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/`);
        const agents = await settledHeading(page);
        await page
          .getByRole('navigation', { name: 'Sections' })
          .getByRole('link', { name: 'Models' })
          .click();
        await page.waitForURL(`${ui.server.url}/models`);
        const models = await settledHeading(page);
        expect(models).not.toBe(agents);
        await page.goBack();
        await page.waitForURL(`${ui.server.url}/`);
        expect(await settledHeading(page)).toBe(agents);
      },
      { dialogs: true },
    );
  });

  it('follows links from / to a lane, a run, and back', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/`);
        await follow(page, '/experiments/', /\/traces$/);
        await follow(page, '/runs/');
      },
      { dialogs: true },
    );
  });

  it('follows links from / to a lane, its traces, a trace, and back', async () => {
    await ui.withPage(
      'light',
      async ({ page }) => {
        await page.goto(`${ui.server.url}/`);
        await follow(page, `/experiments/${ui.seed.agents[0].experiments.development}`, /\/traces$/);
        await follow(page, `/experiments/${ui.seed.agents[0].experiments.development}/traces`);
        await follow(page, '/traces/');
      },
      { dialogs: true },
    );
  });
});

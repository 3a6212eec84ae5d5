/**
 * What every browser test of the web UI shares: Debian's Chromium driven by playwright-core
 * (never a downloaded browser), a real `agentrack server` on a temporary SQLite file with a
 * real artifact folder, axe-core run inside the page, and screenshots kept under
 * `test-output/ui/` (not committed).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { LocalArtifactRepository } from '../../src/artifacts/local-artifact-repository.js';
import { startServer, type RunningServer } from '../../src/server/serve.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import type { SqlTrackingStore } from '../../src/store/sql/sql-store.js';
import { tempDir } from '../../src/testing/temp-dir.js';

/** Where Debian's package puts Chromium; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Screenshots of every page, in light and dark; not committed. */
export const SCREENSHOT_DIR = join(ROOT, 'test-output', 'ui');

/** Launches headless Chromium; a clear error when the machine has none. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: \`apt-get install -y chromium\` (as .ci/run does), or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A real server on a temporary database and artifact folder; `close()` removes both. */
export interface UiServer {
  url: string;
  store: SqlTrackingStore;
  artifactRoot: string;
  close(): Promise<void>;
}

export async function startUiServer(): Promise<UiServer> {
  const dir = tempDir('agentrack-ui-');
  const store = await openSqliteStore(join(dir.path, 'agentrack.db'), {
    defaultArtifactRoot: 'mlflow-artifacts:/',
  });
  const artifactRoot = join(dir.path, 'artifacts');
  let server: RunningServer;
  try {
    server = await startServer({
      store,
      port: 0,
      logger: false,
      artifactDestination: new LocalArtifactRepository(artifactRoot),
    });
  } catch (error) {
    await store.close();
    dir.remove();
    throw error;
  }
  return {
    url: server.url,
    store,
    artifactRoot,
    async close() {
      await server.close();
      dir.remove();
    },
  };
}

/** A browser context in one colour scheme, whose console errors and failed requests are collected. */
export async function openContext(
  browser: Browser,
  scheme: 'light' | 'dark' = 'light',
): Promise<{ context: BrowserContext; errors: string[] }> {
  const context = await browser.newContext({
    colorScheme: scheme,
    viewport: { width: 1280, height: 900 },
  });
  const errors: string[] = [];
  context.on('weberror', (error) => errors.push(`page error: ${error.error().message}`));
  context.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  return { context, errors };
}

const requireHere = createRequire(import.meta.url);
/** axe-core's source, evaluated in the page through the driver (a script tag would break the page's CSP). */
const AXE_SOURCE = readFileSync(requireHere.resolve('axe-core/axe.min.js'), 'utf8');

/** A WCAG violation axe-core found: its rule, impact and the first offending nodes. */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** Runs axe-core in the page on WCAG 2.x A and AA rules; answers the violations (none is the goal). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE);
  // Runs in the page (a string: this file is type-checked for Node, without the DOM's types).
  return page.evaluate(`(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)),
    }));
  })()`) as Promise<AxeViolation[]>;
}

/** Saves a full-page screenshot as `test-output/ui/<name>-<scheme>.png`. */
export async function screenshot(page: Page, name: string, scheme: 'light' | 'dark'): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}-${scheme}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

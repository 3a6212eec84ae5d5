/**
 * `agentrack ui`: the web UI over the embedded store on loopback, as `mlflow ui` serves it: it
 * prints the URL to open, serves the page and the API there, and stops cleanly on Ctrl-C.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../src/testing/temp-dir.js';
import { startAgentrack, within, type RunningCli } from './helpers.js';

let cli: RunningCli | undefined;
let dir: ReturnType<typeof tempDir> | undefined;
afterEach(async () => {
  cli?.kill('SIGKILL');
  await cli?.done;
  dir?.remove();
  cli = undefined;
  dir = undefined;
});

describe('agentrack ui', () => {
  it('serves the web UI and the API on loopback, prints the URL to open, and stops on SIGINT', async () => {
    dir = tempDir('agentrack-ui-cli-');
    const db = join(dir.path, 'agentrack.db');
    cli = startAgentrack(['ui', '--port', '0', '--backend-store-uri', `sqlite:///${db}`], { cwd: dir.path });
    await within(cli.waitForStderr('in a browser'), 30_000, 'the UI to listen');
    const url = /agentrack ui listening on (http:\/\/127\.0\.0\.1:\d+) /.exec(cli.stderr())?.[1];
    expect(url).toBeDefined();
    expect(cli.stderr()).toContain(`open ${url}/ in a browser`);

    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    const api = await fetch(`${url}/api/2.0/mlflow/experiments/search?max_results=10`);
    expect(
      ((await api.json()) as { experiments: { name: string }[] }).experiments.map((e) => e.name),
    ).toEqual(['Default']);

    cli.kill('SIGINT');
    const ended = await within(cli.done, 30_000, 'the UI to stop');
    expect(ended.code).toBe(0);
    expect(ended.stderr).toContain(
      'agentrack ui: SIGINT, finishing in-flight requests and closing the database',
    );
  });
});

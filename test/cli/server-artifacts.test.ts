import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../src/testing/temp-dir.js';
import { bin, cleanEnv, startAgentrack, within, type CliResult, type RunningCli } from './helpers.js';

const LISTENING = /agentrack server listening on (http:\/\/\S+) \((.*)\)$/m;

/** A command expected to end by itself; killed after 30 s (a server that should have refused to start). */
function agentrack(args: readonly string[], cwd: string): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    encoding: 'utf8',
    env: cleanEnv(),
    timeout: 30_000,
    killSignal: 'SIGKILL',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every server a test started, stopped after it whatever happened. */
const started: RunningCli[] = [];

/** A server started in `cwd`; resolves once it listens, with its URL and the rest of its startup line. */
async function serve(
  args: readonly string[],
  cwd: string,
): Promise<{ cli: RunningCli; url: string; described: string }> {
  const cli = startAgentrack(['server', '--port', '0', '--log-level', 'silent', ...args], { cwd });
  started.push(cli);
  await within(cli.waitForStderr('listening on'), 30_000, 'the server to listen');
  const match = LISTENING.exec(cli.stderr());
  return { cli, url: match?.[1] ?? '', described: match?.[2] ?? '' };
}

async function stop(cli: RunningCli): Promise<void> {
  cli.kill('SIGTERM');
  expect((await within(cli.done, 30_000, 'the server to stop')).code).toBe(0);
}

describe('agentrack server: artifact options', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    for (const cli of started.splice(0)) {
      cli.kill('SIGKILL');
      await cli.done;
    }
    dir.remove();
  });

  it.each([
    [
      ['--default-artifact-root', 'file://fileserver/share'],
      /^error: --default-artifact-root: 'file:\/\/fileserver\/share' names a file on another host/m,
    ],
    [
      ['--default-artifact-root', 'runs:/abc/x'],
      /^error: --default-artifact-root: Artifact location cannot be a runs:\/ URI/m,
    ],
    [
      ['--artifacts-only', '--no-serve-artifacts'],
      /--artifacts-only serves the artifact service alone, which --no-serve-artifacts turns off/,
    ],
    [
      ['--artifacts-only', '--backend-store-uri', 'sqlite:///a.db'],
      /--artifacts-only serves artifacts without a tracking store: drop --backend-store-uri 'sqlite:\/\/\/a.db'/,
    ],
    [
      ['--trusted-proxies', '10.0.0.0/8,proxy.internal'],
      /^error: --trusted-proxies: expected IP addresses or CIDR ranges .*got 'proxy\.internal' \(INVALID_PARAMETER_VALUE\)$/m,
    ],
    [
      ['--trusted-proxies', '10.0.0.1/33'],
      /^error: --trusted-proxies: .*got '10\.0\.0\.1\/33' \(INVALID_PARAMETER_VALUE\)$/m,
    ],
    [
      ['--artifacts-destination', 'gs://bucket/x'],
      /^error: --artifacts-destination: Unsupported artifact URI 'gs:\/\/bucket\/x'/m,
    ],
  ])('%j is a usage error, and creates nothing', (args, message) => {
    const result = agentrack(['server', '--port', '0', ...args], dir.path);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('keeps served artifacts beside the database by default, and says where', async () => {
    const { cli, described } = await serve(['--backend-store-uri', 'sqlite:///data/team.db'], dir.path);
    expect(described).toBe(
      `store ${join(dir.path, 'data/team.db')}, artifacts ${join(dir.path, 'data/team-artifacts')}, no authentication`,
    );
    await stop(cli);
    // The folder is made by the first upload, not by starting the server.
    expect(existsSync(join(dir.path, 'data/team-artifacts'))).toBe(false);
  });

  it('takes --artifacts-destination relative to the working folder, and says it serves none with --no-serve-artifacts', async () => {
    const chosen = await serve(
      ['--backend-store-uri', 'sqlite:///a.db', '--artifacts-destination', 'files'],
      dir.path,
    );
    expect(chosen.described).toBe(
      `store ${join(dir.path, 'a.db')}, artifacts ${join(dir.path, 'files')}, no authentication`,
    );
    await stop(chosen.cli);

    const off = await serve(['--backend-store-uri', 'sqlite:///a.db', '--no-serve-artifacts'], dir.path);
    expect(off.described).toBe(`store ${join(dir.path, 'a.db')}, artifacts not served, no authentication`);
    await stop(off.cli);
  });

  it('gives an in-memory database a temporary destination, removed at shutdown', async () => {
    const { cli, described } = await serve(['--backend-store-uri', 'sqlite:///:memory:'], dir.path);
    const folder = /^store :memory:, artifacts (\S+), no authentication$/.exec(described)?.[1] ?? '';
    expect(existsSync(folder)).toBe(true);
    await stop(cli);
    expect(existsSync(folder)).toBe(false);
  });

  it('serves --artifacts-only without opening a database', async () => {
    const { cli, described } = await serve(['--artifacts-only'], dir.path);
    expect(described).toBe(
      `artifacts only, artifacts ${join(dir.path, 'agentrack-artifacts')}, no authentication`,
    );
    await stop(cli);
    expect(readdirSync(dir.path)).toEqual([]);
  });

  it('serves uploads into the destination, 503 without serving, and only artifacts with --artifacts-only', async () => {
    const served = await serve(
      ['--backend-store-uri', 'sqlite:///a.db', '--artifacts-destination', 'files'],
      dir.path,
    );
    const put = await fetch(`${served.url}/api/2.0/mlflow-artifacts/artifacts/0/abc/artifacts/notes.txt`, {
      method: 'PUT',
      body: 'hello',
    });
    expect(put.status).toBe(200);
    expect(readFileSync(join(dir.path, 'files/0/abc/artifacts/notes.txt'), 'utf8')).toBe('hello');
    await stop(served.cli);

    const off = await serve(['--backend-store-uri', 'sqlite:///a.db', '--no-serve-artifacts'], dir.path);
    expect((await fetch(`${off.url}/api/2.0/mlflow-artifacts/artifacts?path=0`)).status).toBe(503);
    await stop(off.cli);

    const only = await serve(['--artifacts-only', '--artifacts-destination', 'files'], dir.path);
    expect((await fetch(`${only.url}/api/2.0/mlflow/experiments/get?experiment_id=0`)).status).toBe(503);
    expect((await fetch(`${only.url}/api/2.0/mlflow-artifacts/artifacts?path=0/abc/artifacts`)).status).toBe(
      200,
    );
    await stop(only.cli);
  });
});

describe('agentrack server: where new experiments keep their artifacts', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    for (const cli of started.splice(0)) {
      cli.kill('SIGKILL');
      await cli.done;
    }
    dir.remove();
  });

  /** Creates an experiment over REST and reads back its location and Default's. */
  async function locations(url: string, body: Record<string, string>): Promise<[string, string, string]> {
    const created = await fetch(`${url}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const { experiment_id: id } = (await created.json()) as { experiment_id: string };
    const locationOf = async (experimentId: string) => {
      const response = await fetch(`${url}/api/2.0/mlflow/experiments/get?experiment_id=${experimentId}`);
      return ((await response.json()) as { experiment: { artifact_location: string } }).experiment
        .artifact_location;
    };
    return [id, await locationOf(id), await locationOf('0')];
  }

  it.each([
    [[], (id: string) => `mlflow-artifacts:/${id}`, 'mlflow-artifacts:/0'],
    [['--no-serve-artifacts'], (id: string, cwd: string) => `${cwd}/mlruns/${id}`, '<cwd>/mlruns/0'],
    [
      ['--default-artifact-root', 'roots/'],
      (id: string, cwd: string) => `${cwd}/roots/${id}`,
      '<cwd>/roots/0',
    ],
    [
      ['--no-serve-artifacts', '--default-artifact-root', 's3://bucket/team'],
      (id: string) => `s3://bucket/team/${id}`,
      's3://bucket/team/0',
    ],
  ])('%j: as mlflow server', async (args, expected, defaultLocation) => {
    const { url } = await serve(['--backend-store-uri', 'sqlite:///a.db', ...args], dir.path);
    const [id, location, defaults] = await locations(url, { name: 'x' });
    expect(location).toBe(expected(id, dir.path));
    expect(defaults).toBe(defaultLocation.replace('<cwd>', dir.path));
  });

  it('makes a relative location given to experiments/create absolute from its working folder', async () => {
    const { url } = await serve(['--backend-store-uri', 'sqlite:///a.db'], dir.path);
    expect((await locations(url, { name: 'x', artifact_location: 'mine' }))[1]).toBe(`${dir.path}/mine`);
    expect((await locations(url, { name: 'y', artifact_location: 'file:./mine' }))[1]).toBe(
      `file://${dir.path}/mine`,
    );
  });
});

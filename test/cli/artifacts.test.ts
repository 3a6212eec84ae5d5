import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { startServer } from '../../src/server/index.js';
import { openSqliteStore } from '../../src/store/sqlite/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines, startAgentrack, within, writeAgentConfig } from './helpers.js';

/** Splits a table line into its cells (cells hold no double spaces). */
const cells = (line: string | undefined) => (line ?? '').split(/ {2,}/);

describe('agentrack artifacts list|get|put', () => {
  let dir: ReturnType<typeof tempDir>;
  let trackingUri: string;
  let runId: string;
  let inputs: string;
  /** A folder without a configuration: the run id and --tracking-uri say everything. */
  let bare: string;

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-artifacts-');
    trackingUri = `sqlite:///${join(dir.path, 'team.db')}`;
    const client = await TrackingClient.open(trackingUri);
    try {
      runId = (await client.createRun('0')).info.run_id;
    } finally {
      await client.close();
    }
    inputs = join(dir.path, 'inputs');
    mkdirSync(join(inputs, 'reports', 'plots'), { recursive: true });
    writeFileSync(join(inputs, 'reports', 'summary.md'), '# summary\n');
    writeFileSync(join(inputs, 'reports', 'plots', 'loss.bin'), Buffer.alloc(3000, 7));
    writeFileSync(join(inputs, 'config.json'), '{"temperature": 0.2}');
    bare = join(dir.path, 'bare');
    mkdirSync(bare);
  });
  afterAll(() => dir.remove());

  const cli = (args: readonly string[], cwd = bare) =>
    agentrack(['--tracking-uri', trackingUri, ...args], { cwd });

  it('uploads a file and a folder, lists them with sizes, and downloads them back', () => {
    const file = cli(['artifacts', 'put', runId, join(inputs, 'config.json')]);
    expect(file.code, file.stderr).toBe(0);
    expect(lines(file.stdout)).toEqual(['PATH         SIZE', 'config.json  20 B']);
    expect(file.stderr).toBe(`uploaded 1 file (20 B) to run ${runId}\n`);

    const folder = cli(['artifacts', 'put', runId, join(inputs, 'reports'), '--artifact-path', 'reports']);
    expect(folder.code, folder.stderr).toBe(0);
    expect(lines(folder.stdout).map(cells)).toEqual([
      ['PATH', 'SIZE'],
      ['reports/plots/loss.bin', '2.9 KiB'],
      ['reports/summary.md', '10 B'],
    ]);
    expect(folder.stderr).toBe(`uploaded 2 files (2.9 KiB) to run ${runId}\n`);
    // Where the embedded store keeps them: beside the database.
    expect(
      existsSync(join(dir.path, 'team-artifacts', '0', runId, 'artifacts', 'reports', 'summary.md')),
    ).toBe(true);

    const list = cli(['artifacts', 'list', runId]);
    expect(list.code, list.stderr).toBe(0);
    expect(lines(list.stdout).map(cells)).toEqual([
      ['PATH', 'SIZE'],
      ['config.json', '20 B'],
      ['reports/', '-'],
    ]);
    const json = cli(['artifacts', 'list', runId, 'reports', '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { path: 'reports/plots', is_dir: true },
      { path: 'reports/summary.md', is_dir: false, file_size: 10 },
    ]);

    const dest = join(dir.path, 'downloads', 'new');
    const got = cli(['artifacts', 'get', runId, 'reports', '--dest', dest]);
    expect(got.code, got.stderr).toBe(0);
    expect(got.stdout).toBe(`${join(dest, 'reports')}\n`);
    expect(readFileSync(join(dest, 'reports', 'summary.md'), 'utf8')).toBe('# summary\n');
    expect(readFileSync(join(dest, 'reports', 'plots', 'loss.bin'))).toEqual(Buffer.alloc(3000, 7));

    const temporary = cli(['artifacts', 'get', runId, 'config.json']);
    expect(temporary.code, temporary.stderr).toBe(0);
    const local = temporary.stdout.trim();
    try {
      expect(local).toMatch(/[/\\]config\.json$/);
      expect(readFileSync(local, 'utf8')).toBe('{"temperature": 0.2}');
    } finally {
      rmSync(join(local, '..'), { recursive: true, force: true });
    }
  });

  it('says so when a folder is empty, and reads the tracking URI from the configuration', () => {
    const project = writeAgentConfig(dir.path, 'project', { agent: 'artifacts_agent', trackingUri });
    const empty = agentrack(['artifacts', 'list', runId, 'nothing-here'], { cwd: project });
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe(`no artifacts in nothing-here of run ${runId}\n`);
  });

  it('refuses bad input with one readable line and a non-zero exit', () => {
    const unknown = cli(['artifacts', 'list', 'f'.repeat(32)]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`error: Run with id=${'f'.repeat(32)} not found (RESOURCE_DOES_NOT_EXIST)\n`);

    const missingFile = cli(['artifacts', 'put', runId, join(inputs, 'nope.txt')]);
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toMatch(
      /^error: No such file or folder: '.*nope\.txt'\. \(INVALID_PARAMETER_VALUE\)\n$/,
    );

    const missingArtifact = cli([
      'artifacts',
      'get',
      runId,
      'notes/missing.md',
      '--dest',
      join(dir.path, 'x'),
    ]);
    expect(missingArtifact.code).toBe(1);
    expect(missingArtifact.stderr).toBe(
      `error: Artifact 'notes/missing.md' not found in run '${runId}'. (RESOURCE_DOES_NOT_EXIST)\n`,
    );

    for (const args of [
      ['artifacts', 'list', runId, '../../etc'],
      ['artifacts', 'get', runId, '%2E%2E/passwd'],
      ['artifacts', 'put', runId, join(inputs, 'config.json'), '--artifact-path', '/etc'],
    ]) {
      const unsafe = cli(args);
      expect(unsafe.code, args.join(' ')).toBe(1);
      expect(unsafe.stderr).toMatch(/^error: Invalid path: .* \(INVALID_PARAMETER_VALUE\)\n$/);
    }

    const destIsFile = cli(['artifacts', 'get', runId, 'config.json', '--dest', join(inputs, 'config.json')]);
    expect(destIsFile.code).toBe(1);
    expect(destIsFile.stderr).toMatch(/must be a folder/);

    const usage = cli(['artifacts', 'put', runId]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing required argument 'local-path'/);

    // A mistyped id downloads nothing and creates no destination.
    const noRun = cli(['artifacts', 'get', 'e'.repeat(32), '--dest', join(dir.path, 'never')]);
    expect(noRun.code).toBe(1);
    expect(existsSync(join(dir.path, 'never'))).toBe(false);
  });

  it('only reads for list and get: no database, no artifacts folder is created', () => {
    const missing = join(dir.path, 'elsewhere', 'none.db');
    const result = agentrack(['--tracking-uri', `sqlite:///${missing}`, 'artifacts', 'list', runId], {
      cwd: bare,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: no agentrack database at .*none\.db/);
    expect(existsSync(join(dir.path, 'elsewhere'))).toBe(false);
  });

  it('works against a tracking server whose runs keep their artifacts in a shared folder', async () => {
    const served = tempDir('agentrack-cli-artifacts-served-');
    const server = await startServer({
      store: await openSqliteStore(join(served.path, 'served.db'), {
        defaultArtifactRoot: join(served.path, 'mlartifacts'),
      }),
      port: 0,
      logger: false,
    });
    try {
      const client = await TrackingClient.open(server.url, { env: {} });
      const experimentId = await client.createExperiment('/Shared/artifacts_agent/development');
      const remoteRun = (await client.createRun(experimentId)).info.run_id;
      await client.close();
      // Not spawnSync: the server answers from this process's event loop.
      const run = (args: readonly string[]) =>
        within(
          startAgentrack(['--tracking-uri', server.url, ...args], { cwd: bare }).done,
          60_000,
          args.join(' '),
        );
      const put = await run(['artifacts', 'put', remoteRun, join(inputs, 'config.json')]);
      expect(put.code, put.stderr).toBe(0);
      expect(
        existsSync(join(served.path, 'mlartifacts', experimentId, remoteRun, 'artifacts', 'config.json')),
      ).toBe(true);
      const list = await run(['artifacts', 'list', remoteRun]);
      expect(lines(list.stdout).map(cells)).toEqual([
        ['PATH', 'SIZE'],
        ['config.json', '20 B'],
      ]);
    } finally {
      await server.close();
      served.remove();
    }
  });
});

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, agentrackInProcess, lines } from './helpers.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('agentrack: the program', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('agentrack-cli-main-');
  });
  afterAll(() => dir.remove());

  it('prints help and the version with exit 0, and exits 2 on usage errors', () => {
    const help = agentrack(['--help'], { cwd: dir.path });
    expect(help.code).toBe(0);
    for (const command of ['init', 'run', 'runs', 'latest', 'deployments', 'audit', 'quickstart']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    expect(help.stdout).not.toMatch(/^ {2}example /m);

    const version = agentrack(['--version'], { cwd: dir.path });
    expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n` });

    const unknown = agentrack(['frobnicate'], { cwd: dir.path });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("error: unknown command 'frobnicate'");

    const none = agentrack([], { cwd: dir.path });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: agentrack');

    const badOption = agentrack(['runs', '--frob'], { cwd: dir.path });
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("error: unknown option '--frob'");
  });

  it('asks for `agentrack init` when there is no configuration', () => {
    const empty = join(dir.path, 'no-config');
    mkdirSync(empty);
    const result = agentrack(['runs'], { cwd: empty });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^error: no agentrack\.config\.json found in .*no-config or any folder above it; run `agentrack init`.*\(INVALID_PARAMETER_VALUE\)\n$/,
    );
  });

  it('names the file and field of a configuration error', () => {
    const folder = join(dir.path, 'bad-config');
    mkdirSync(folder);
    writeFileSync(
      join(folder, 'agentrack.config.json'),
      '{ "agent": "a", // comment\n "thresholds": ["accuracy => 0.9"], }',
    );
    const result = agentrack(['runs'], { cwd: folder });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "error: agentrack.config.json: thresholds[0]: unknown comparator '=>' in 'accuracy => 0.9' (use >, >=, <, <=, ==) (INVALID_PARAMETER_VALUE)\n",
    );
  });

  it('finds the configuration in a parent folder, or takes it from --config', async () => {
    const project = join(dir.path, 'project');
    mkdirSync(join(project, 'src', 'deep'), { recursive: true });
    writeFileSync(
      join(project, 'agentrack.config.json'),
      JSON.stringify({ agent: 'found_agent', trackingUri: 'sqlite:///found.db' }),
    );
    // The databases each configuration names, next to it (`runs` only reads: it creates none).
    mkdirSync(join(dir.path, 'elsewhere'));
    for (const db of [join(project, 'found.db'), join(dir.path, 'elsewhere', 'agentrack.db')]) {
      await (await TrackingClient.open(`sqlite:///${db}`)).close();
    }
    const found = agentrack(['runs'], { cwd: join(project, 'src', 'deep') });
    expect(found).toMatchObject({ code: 0, stdout: '' });
    expect(found.stderr).toBe("no runs of the agent 'found_agent' found\n");

    const elsewhere = join(dir.path, 'elsewhere');
    writeFileSync(join(elsewhere, 'other.json'), JSON.stringify({ agent: 'explicit_agent' }));
    const explicit = agentrack(['--config', '../elsewhere/other.json', 'runs'], { cwd: project });
    expect(explicit.stderr).toBe("no runs of the agent 'explicit_agent' found\n");
    const missing = agentrack(['runs', '--config', 'nope.json'], { cwd: project });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "error: configuration file 'nope.json' does not exist (RESOURCE_DOES_NOT_EXIST)\n",
    );
  });

  it('reports a bad tracking URI in one line, and with --debug its stack', () => {
    const folder = join(dir.path, 'uri');
    mkdirSync(folder);
    writeFileSync(join(folder, 'agentrack.config.json'), JSON.stringify({ agent: 'uri_agent' }));
    const result = agentrack(['--tracking-uri', 'mysql://nope', 'runs'], { cwd: folder });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^error: Unsupported tracking URI scheme 'mysql'.*\(INVALID_PARAMETER_VALUE\)$/m,
    );

    const debug = agentrack(['runs', '--debug', '--tracking-uri', 'mysql://nope'], { cwd: folder });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(
      /^error: Unsupported tracking URI scheme[^\n]*\nAgentrackError: [^\n]*\n\s+at /,
    );
  });

  it('never prints the password of a PostgreSQL tracking URI, even with --debug', () => {
    const folder = join(dir.path, 'postgres');
    mkdirSync(folder);
    writeFileSync(join(folder, 'agentrack.config.json'), JSON.stringify({ agent: 'pg_agent' }));
    for (const uri of ['postgresql://me:s3cret@127.0.0.1:9/agentrack', 'postgresql://me:s3cret@db:99999/x']) {
      for (const args of [['runs'], ['runs', '--debug'], ['init', '--agent', 'pg_agent'], ['gc']]) {
        const result = agentrack(['--tracking-uri', uri, ...args], { cwd: folder });
        expect(result.code).not.toBe(0);
        expect(result.stderr).toMatch(/postgresql:\/\/me:\*\*\*@/);
        expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret');
      }
    }
  });

  it('runs in-process with injected streams and returns the exit code', async () => {
    const result = await agentrackInProcess(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});

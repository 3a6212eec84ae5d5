import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/index.js';
import { loadConfig } from '../../src/lifecycle/config.js';
import { fileState, folderListing } from '../../src/testing/file-state.js';
import { createMlflowDatabase } from '../../src/testing/mlflow-database.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines } from './helpers.js';

describe('agentrack init', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('agentrack-cli-init-');
  });
  afterAll(() => dir.remove());

  it('writes the commented configuration named after the folder and creates the experiments; re-running keeps both', async () => {
    const folder = join(dir.path, 'My Bot!');
    mkdirSync(folder);
    const first = agentrack(['init'], { cwd: folder });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const file = join(folder, 'agentrack.config.json');
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('"agent": "My_Bot_"');
    expect(text).toMatch(/^\s*\/\/ .*UTC/m);
    expect((await loadConfig({ cwd: folder })).agent).toBe('My_Bot_');
    expect(lines(first.stdout)).toEqual([
      `wrote ${file}`,
      'created  /Shared/My_Bot_/development  (id 1)',
      'created  /Shared/My_Bot_/evaluation   (id 2)',
      'created  /Shared/My_Bot_/deployment   (id 3)',
      `tracking URI: sqlite:///${join(folder, 'agentrack.db')}`,
    ]);
    expect(existsSync(join(folder, 'agentrack.db'))).toBe(true);

    const again = agentrack(['init'], { cwd: folder });
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual([
      `kept ${file} (it exists; --force overwrites it)`,
      'already existed  /Shared/My_Bot_/development  (id 1)',
      'already existed  /Shared/My_Bot_/evaluation   (id 2)',
      'already existed  /Shared/My_Bot_/deployment   (id 3)',
      `tracking URI: sqlite:///${join(folder, 'agentrack.db')}`,
    ]);
    expect(readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses to replace the configuration of another agent without --force', () => {
    const folder = join(dir.path, 'refuse');
    mkdirSync(folder);
    expect(agentrack(['init', '--agent', 'first_agent'], { cwd: folder }).code).toBe(0);
    const file = join(folder, 'agentrack.config.json');
    const before = readFileSync(file, 'utf8');

    const refused = agentrack(['init', '--agent', 'second_agent'], { cwd: folder });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `error: ${file} already exists for the agent 'first_agent'; use --force to overwrite it (RESOURCE_ALREADY_EXISTS)\n`,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);

    const forced = agentrack(['init', '--agent', 'second_agent', '--force'], { cwd: folder });
    expect(forced.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('"agent": "second_agent"');
    expect(forced.stdout).toContain('created  /Shared/second_agent/evaluation   (id 5)');
  });

  it('restores a deleted experiment and reports it', async () => {
    const folder = join(dir.path, 'restore');
    mkdirSync(folder);
    expect(agentrack(['init', '--agent', 'restore_agent'], { cwd: folder }).code).toBe(0);
    const client = await TrackingClient.open(`sqlite:///${join(folder, 'agentrack.db')}`);
    try {
      const evaluation = await client.getExperimentByName('/Shared/restore_agent/evaluation');
      await client.deleteExperiment(evaluation!.experiment_id);
    } finally {
      await client.close();
    }
    const result = agentrack(['init'], { cwd: folder });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('restored         /Shared/restore_agent/evaluation   (id 2)');
    expect(result.stdout).toContain('already existed  /Shared/restore_agent/development  (id 1)');
  });

  it('writes where --config says, into the database --tracking-uri names', () => {
    const folder = join(dir.path, 'explicit');
    mkdirSync(folder);
    const result = agentrack(
      ['--config', 'conf/agent.json', '--tracking-uri', 'sqlite:///data/x.db', 'init', '--agent', 'x'],
      { cwd: folder },
    );
    expect(result.stderr).toBe('');
    expect(existsSync(join(folder, 'conf', 'agent.json'))).toBe(true);
    expect(result.stdout).toContain(`tracking URI: sqlite:///${join(folder, 'data', 'x.db')}`);
  });

  it('rejects an invalid agent name as a usage error and writes nothing', () => {
    const folder = join(dir.path, 'invalid');
    mkdirSync(folder);
    const result = agentrack(['init', '--agent', 'no spaces'], { cwd: folder });
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: --agent: "no spaces" is not a valid agent name/);
    expect(existsSync(join(folder, 'agentrack.config.json'))).toBe(false);
  });

  it.skipIf(process.platform !== 'linux')(
    'writes nothing when the store cannot be opened: no configuration, no database, no folder',
    () => {
      const folder = join(dir.path, 'unopenable');
      mkdirSync(folder);
      for (const uri of ['sqlite:////proc/x.db', 'sqlite:////proc/a/b/x.db']) {
        const result = agentrack(['--tracking-uri', uri, 'init', '--agent', 'x'], { cwd: folder });
        expect(result.code).toBe(1);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(
          new RegExp(`^error: cannot open ${uri.slice('sqlite:///'.length)}: cannot create the `),
        );
        expect(folderListing(folder)).toEqual([]);
      }
      expect(existsSync('/proc/a')).toBe(false);
    },
  );

  it('writes nothing over an MLflow database, and leaves it as it was', () => {
    const folder = join(dir.path, 'over-mlflow');
    mkdirSync(folder);
    const db = join(folder, 'mlflow.db');
    createMlflowDatabase(db);
    const before = fileState(db);
    const result = agentrack(['--tracking-uri', 'sqlite:///mlflow.db', 'init'], { cwd: folder });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^error: ${db} is an MLflow database \\(alembic revision \\w+\\)`),
    );
    expect(folderListing(folder)).toEqual(['mlflow.db']);
    expect(fileState(db)).toEqual(before);
  });

  it('checks that the configuration can be written before it creates the database', () => {
    const folder = join(dir.path, 'config-under-a-file');
    mkdirSync(folder);
    writeFileSync(join(folder, 'plain'), 'x');
    const result = agentrack(['--config', 'plain/agent.json', 'init', '--agent', 'x'], { cwd: folder });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: cannot write ${join(folder, 'plain', 'agent.json')}: ${join(folder, 'plain')} is not a folder (INVALID_PARAMETER_VALUE)\n`,
    );
    expect(folderListing(folder)).toEqual(['plain']);
  });
});

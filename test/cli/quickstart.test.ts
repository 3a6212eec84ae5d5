import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, agentrackInProcess, ESC, lines } from './helpers.js';

describe('agentrack quickstart', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => {
    dir = tempDir('agentrack-cli-quickstart-');
  });
  afterAll(() => dir.remove());

  it('runs the whole lifecycle with no configuration, twice in a row, and the audit passes', async () => {
    const cwd = join(dir.path, 'twice');
    mkdirSync(cwd);
    // The quickstart's database is the folder's, whatever the environment names.
    const env = { AGENTRACK_TRACKING_URI: `sqlite:///${join(dir.path, 'elsewhere.db')}` };
    const first = agentrack(['quickstart'], { cwd, env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).not.toContain(ESC);
    const db = join(cwd, 'agentrack.db');
    expect(lines(first.stdout)[0]).toBe(
      `agentrack quickstart: agent health_monitor_agent, tracking URI sqlite:///${db}`,
    );
    expect(existsSync(join(dir.path, 'elsewhere.db'))).toBe(false);
    for (const heading of [
      '1. Experiments',
      '2. Development run',
      '3. Evaluation run',
      '4. Deployment of model version 1',
      '5. Queries',
      '6. Audit',
    ]) {
      expect(first.stdout).toContain(`\n${heading}`);
    }
    expect(first.stdout).toContain('   created  /Shared/health_monitor_agent/development  (id 1)');
    expect(first.stdout).toMatch(/^ {3}accuracy {8}0\.91 {6}>= {10}0\.85 {7}pass$/m);
    expect(first.stdout).toMatch(/^ {3}latency_p95_ms {2}640 {7}<= {10}800 {8}pass$/m);
    expect(first.stdout).toContain('   gate: passed; deployment candidate: yes');
    expect(first.stdout).toMatch(
      /^ {3}latest evaluation run: +eval_pre_deploy_\d{8}_\d{6} \([0-9a-f]{32}\) FINISHED {2}accuracy=0\.91/m,
    );
    expect(first.stdout).toMatch(/^ {3}deployment runs of model version 1: +deploy_\d{8}_\d{6}$/m);
    expect(first.stdout).toMatch(
      /^ {3}current deployment: +deploy_\d{8}_\d{6}, model version 1 \(success\)$/m,
    );
    expect(first.stdout).toMatch(/^ {3}PASS: all 6 checks passed, 3 runs audited/m);

    const second = agentrack(['quickstart'], { cwd });
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('   already existed  /Shared/health_monitor_agent/evaluation   (id 2)');
    expect(second.stdout).toContain('\n4. Deployment of model version 2');
    expect(second.stdout).toMatch(
      /^ {3}current deployment: +deploy_\d{8}_\d{6}(_2)?, model version 2 \(success\)$/m,
    );
    expect(second.stdout).toMatch(/^ {3}PASS: all 6 checks passed, 6 runs audited/m);

    const client = await TrackingClient.open(`sqlite:///${db}`);
    try {
      const deployment = await client.getExperimentByName('/Shared/health_monitor_agent/deployment');
      const runs = await client.searchRuns({
        experimentIds: [deployment!.experiment_id],
        orderBy: ['start_time ASC'],
      });
      expect(runs.items.map((r) => r.data.tags?.find((t) => t.key === 'model_version')?.value)).toEqual([
        '1',
        '2',
      ]);
    } finally {
      await client.close();
    }
  });

  it('puts the database in --dir, for the agent --agent names, or where --tracking-uri says', () => {
    const result = agentrack(['quickstart', '--agent', 'my_agent', '--dir', 'nested/store'], {
      cwd: dir.path,
    });
    expect(result.code).toBe(0);
    expect(existsSync(join(dir.path, 'nested', 'store', 'agentrack.db'))).toBe(true);
    expect(result.stdout).toContain('/Shared/my_agent/deployment');

    const custom = agentrack(['--tracking-uri', 'sqlite:///custom.db', 'quickstart', '--agent', 'other'], {
      cwd: dir.path,
    });
    expect(custom.code).toBe(0);
    expect(lines(custom.stdout)[0]).toBe(
      `agentrack quickstart: agent other, tracking URI sqlite:///${join(dir.path, 'custom.db')}`,
    );

    expect(agentrack(['quickstart', '--agent', 'bad name'], { cwd: dir.path })).toMatchObject({
      code: 2,
      stdout: '',
    });
  });

  it('fails naming the path, and creates nothing, when --dir cannot hold a database', () => {
    const base = join(dir.path, 'blocked');
    mkdirSync(base);
    writeFileSync(join(base, 'a-file'), 'not a folder');
    const result = agentrack(['quickstart', '--dir', 'a-file/store'], { cwd: base });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot open ${join(base, 'a-file', 'store', 'agentrack.db')}`);
    expect(readdirSync(base)).toEqual(['a-file']);
  });

  it('colors its gate and audit on a terminal, and not with NO_COLOR', async () => {
    const store = join(dir.path, 'colors');
    const tty = await agentrackInProcess(['quickstart', '--dir', store], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain(`${ESC}32mpass${ESC}0m`);
    expect(tty.stdout).toContain(`${ESC}1m1. Experiments${ESC}0m`);
    const plain = await agentrackInProcess(['quickstart', '--dir', store], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(plain.code).toBe(0);
    expect(plain.stdout).not.toContain(ESC);
  });
});

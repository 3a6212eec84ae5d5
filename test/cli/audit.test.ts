import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/lifecycle/audit.js';
import { TrackingClient } from '../../src/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, agentrackInProcess, cleanEnv, ESC, lines, writeAgentConfig } from './helpers.js';

describe('agentrack audit', () => {
  let dir: ReturnType<typeof tempDir>;
  let cwd: string;
  let client: TrackingClient;
  let brokenRunId: string;
  const runTags = async () =>
    Object.fromEntries(((await client.getRun(brokenRunId)).data.tags ?? []).map((t) => [t.key, t.value]));

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-audit-');
    const trackingUri = `sqlite:///${join(dir.path, 'audit.db')}`;
    cwd = writeAgentConfig(dir.path, 'a', { agent: 'audit_agent', trackingUri });
    expect(agentrack(['init'], { cwd }).code).toBe(0);
    client = await TrackingClient.open(trackingUri);
    const development = await client.getExperimentByName('/Shared/audit_agent/development');
    // Named by the convention, but without the tags the audit can infer from its experiment.
    const run = await client.createRun(development!.experiment_id, {
      runName: 'dev_20260101_120000',
      tags: { version: '1.0.0' },
    });
    await client.setTerminated(run.info.run_id);
    brokenRunId = run.info.run_id;
  });
  afterAll(async () => {
    await client.close();
    dir.remove();
  });

  it('fails on a run without the standard tags, plans the fix in a dry run, then fixes it', async () => {
    const failing = agentrack(['audit'], { cwd });
    expect(failing.code).toBe(1);
    expect(failing.stderr).toBe('');
    expect(failing.stdout).not.toContain(ESC);
    expect(failing.stdout).toContain('✗ FAIL  standard-tags');
    expect(failing.stdout).toContain(
      `run dev_20260101_120000 (${brokenRunId}) in /Shared/audit_agent/development: missing tag run_type`,
    );
    expect(lines(failing.stdout).at(-1)).toMatch(
      /^FAIL: 1 of 6 checks failed \(3 problems\), 1 run audited in \d+ ms$/,
    );

    const json = agentrack(['audit', '--json'], { cwd });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as AuditReport;
    expect(report.ok).toBe(false);
    expect(report.items.find((i) => i.id === 'standard-tags')).toMatchObject({ status: 'fail', failed: 1 });

    const dryRun = agentrack(['audit', '--fix', '--dry-run'], { cwd });
    expect(dryRun.code).toBe(1);
    expect(dryRun.stdout).toContain('Changes (3, dry run: nothing written):');
    expect(dryRun.stdout).toContain('+ tag run_type=development on run dev_20260101_120000');
    expect(await runTags()).not.toHaveProperty('run_type');

    const fixed = agentrack(['audit', '--fix'], { cwd });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('Changes (3):');
    expect(lines(fixed.stdout).at(-1)).toMatch(/^PASS: all 6 checks passed, 1 run audited in \d+ ms$/);
    expect(await runTags()).toMatchObject({
      agent_name: 'audit_agent',
      run_type: 'development',
      environment: 'dev',
    });

    const after = agentrack(['audit', '--json'], { cwd });
    expect(after.code).toBe(0);
    expect((JSON.parse(after.stdout) as AuditReport).ok).toBe(true);
  });

  it('refuses --dry-run without --fix', () => {
    expect(agentrack(['audit', '--dry-run'], { cwd })).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'error: --dry-run goes with --fix (INVALID_PARAMETER_VALUE)\n',
    });
  });

  it('shows progress on a terminal only, in one line it wipes, and colors only a terminal without NO_COLOR or --no-color', async () => {
    const config = join(cwd, 'agentrack.config.json');
    const tty = await agentrackInProcess(['--config', config, 'audit'], { tty: true });
    expect(tty.stderr).toMatch(/^\rauditing \/Shared\/audit_agent\/development: 1 runs/);
    expect(tty.stderr).toMatch(/\r {10,}\r$/);
    expect(tty.stderr).not.toContain('\n');
    expect(tty.stdout).toContain(`${ESC}32m✓ PASS${ESC}0m`);

    const noColor = await agentrackInProcess(['--config', config, 'audit'], {
      tty: true,
      env: cleanEnv({ NO_COLOR: '' }),
    });
    expect(noColor.stdout).toContain('✓ PASS');
    expect(noColor.stdout).not.toContain(ESC);
    const flag = await agentrackInProcess(['--config', config, '--no-color', 'audit'], { tty: true });
    expect(flag.stdout).toContain('✓ PASS');
    expect(flag.stdout).not.toContain(ESC);
    const piped = await agentrackInProcess(['--config', config, 'audit']);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toContain(ESC);
  });
});

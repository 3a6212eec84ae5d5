import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import { Agent } from '../../src/lifecycle/agent.js';
import type { DeploymentRecord } from '../../src/lifecycle/queries.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, writeAgentConfig } from './helpers.js';

describe('agentrack deployments set-status', () => {
  let dir: ReturnType<typeof tempDir>;
  let trackingUri: string;
  let cwd: string;
  let deployId: string;
  let deployName: string;
  let devId: string;
  let otherAgentDeployId: string;

  /** The run's tags, read from the SQLite file. */
  const tagsOf = async (runId: string): Promise<Record<string, string>> => {
    const client = await TrackingClient.open(trackingUri);
    try {
      const run = await client.getRun(runId);
      return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
    } finally {
      await client.close();
    }
  };
  const historyOf = async (runId: string) =>
    JSON.parse((await tagsOf(runId))['agentrack.status_history'] ?? 'null') as Array<{
      status: string;
      at: number;
      note?: string;
    }>;

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-set-status-');
    trackingUri = `sqlite:///${join(dir.path, 'set-status.db')}`;
    cwd = writeAgentConfig(dir.path, 'project', { agent: 'status_agent', trackingUri });
    const deployed = agentrack(
      ['run', 'deploy', '--force', '--model-version', '7', '--', process.execPath, '-e', ''],
      { cwd },
    );
    expect(deployed.code).toBe(0);
    const started = /agentrack: (deploy_\d{8}_\d{6}) \(([0-9a-f]{32})\) started/.exec(deployed.stderr);
    expect(started, deployed.stderr).not.toBeNull();
    [, deployName, deployId] = started as unknown as [string, string, string];
    const dev = agentrack(['run', 'dev', '--', process.execPath, '-e', ''], { cwd });
    devId = /\(([0-9a-f]{32})\) started/.exec(dev.stderr)?.[1] as string;
    const other = await Agent.open({ config: { agent: 'other_agent', trackingUri } });
    try {
      otherAgentDeployId = (await other.deploy({ modelVersion: '1', force: true })).runId;
    } finally {
      await other.close();
    }
  });
  afterAll(() => dir.remove());

  it('rolls a deployment back with a note, through the status history, and it leaves production', async () => {
    expect(await tagsOf(deployId)).toMatchObject({ deployment_status: 'success' });
    expect(agentrack(['latest', 'deploy'], { cwd }).stdout).toContain(`id:                 ${deployId}\n`);

    const result = agentrack(
      ['deployments', 'set-status', deployId, 'rolled_back', '--note', 'latency regression'],
      { cwd },
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      `${deployName} (${deployId}, model version 7): success → rolled_back\nnote: latency regression\n`,
    );
    const tags = await tagsOf(deployId);
    expect(tags.deployment_status).toBe('rolled_back');
    const history = await historyOf(deployId);
    expect(history.map(({ status, note }) => ({ status, note }))).toEqual([
      { status: 'success', note: undefined },
      { status: 'rolled_back', note: 'latency regression' },
    ]);
    expect(history[1]!.at).toBeGreaterThanOrEqual(history[0]!.at);

    expect(agentrack(['latest', 'deploy'], { cwd })).toMatchObject({
      code: 1,
      stderr: "error: the agent 'status_agent' has no deployment in production (RESOURCE_DOES_NOT_EXIST)\n",
    });
  });

  it('prints the updated record with --json, the whole history kept', async () => {
    const result = agentrack(['deployments', 'set-status', deployId, 'success', '--json'], { cwd });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const record = JSON.parse(result.stdout) as DeploymentRecord;
    expect(record).toMatchObject({
      runId: deployId,
      runName: deployName,
      modelVersion: '7',
      status: 'success',
    });
    expect(record.history.map((h) => h.status)).toEqual(['success', 'rolled_back', 'success']);
    // --json before the subcommand works too.
    const jsonFirst = agentrack(['deployments', '--json', 'set-status', deployId, 'success'], { cwd });
    expect((JSON.parse(jsonFirst.stdout) as DeploymentRecord).history).toHaveLength(4);
    expect((await historyOf(deployId)).map((h) => h.status)).toEqual([
      'success',
      'rolled_back',
      'success',
      'success',
    ]);
    expect((await tagsOf(deployId)).deployment_status).toBe('success');
  });

  it('refuses a status the lifecycle does not define as a usage error, changing nothing', async () => {
    const before = await tagsOf(deployId);
    expect(agentrack(['deployments', 'set-status', deployId, 'rolledback'], { cwd })).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        "error: unknown deployment status 'rolledback': use success, failed or rolled_back (INVALID_PARAMETER_VALUE)\n",
    });
    expect(
      agentrack(['deployments', 'set-status', deployId, 'failed', '--model-version', '7'], { cwd }),
    ).toMatchObject({
      code: 2,
      stderr: 'error: --model-version applies to the listing only (INVALID_PARAMETER_VALUE)\n',
    });
    const missing = agentrack(['deployments', 'set-status', deployId], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("error: missing required argument 'status'");
    expect(await tagsOf(deployId)).toEqual(before);
  });

  it('refuses an unknown run, and a run that is not a deployment of this agent', async () => {
    const unknown = agentrack(['deployments', 'set-status', 'f'.repeat(32), 'failed'], { cwd });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: .*f{32}.*\(RESOURCE_DOES_NOT_EXIST\)\n$/);

    for (const runId of [devId, otherAgentDeployId]) {
      const before = await tagsOf(runId);
      const refused = agentrack(['deployments', 'set-status', runId, 'failed'], { cwd });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^error: Run \\w+ \\(${runId}\\) is not in the agent's deployment experiment '/Shared/status_agent/deployment'\\. \\(INVALID_PARAMETER_VALUE\\)\\n$`,
        ),
      );
      expect(await tagsOf(runId)).toEqual(before);
    }
  });

  it('shows an example in its help', () => {
    const help = agentrack(['deployments', 'set-status', '--help'], { cwd });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: agentrack deployments set-status [options] <run-id> <status>');
    expect(help.stdout).toMatch(/^ {2}agentrack deployments set-status \S+ rolled_back --note /m);
    expect(agentrack(['deployments', '--help'], { cwd }).stdout).toMatch(/^ {2}set-status /m);
  });
});

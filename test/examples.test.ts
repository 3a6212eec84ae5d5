import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient, type Run } from '../src/index.js';
import { tempDir } from '../src/testing/temp-dir.js';
import { linkAgentrack } from './package-link.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const example = join(root, 'examples', 'health-monitor-agent');
const RUN_TYPES = ['development', 'evaluation', 'deployment'] as const;
type RunType = (typeof RUN_TYPES)[number];
const RUN_NAMES: Record<RunType, RegExp> = {
  development: /^dev_\d{8}_\d{6}(_\d+)?$/,
  evaluation: /^eval_pre_deploy_\d{8}_\d{6}(_\d+)?$/,
  deployment: /^deploy_\d{8}_\d{6}(_\d+)?$/,
};

function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

describe('examples/health-monitor-agent', () => {
  let dir: ReturnType<typeof tempDir>;
  let project: string;

  beforeAll(() => {
    dir = tempDir('agentrack-example-');
    project = join(dir.path, 'health-monitor-agent');
    cpSync(example, project, {
      recursive: true,
      filter: (source) => !['node_modules', 'dist'].includes(basename(source)) && !source.endsWith('.db'),
    });
    linkAgentrack(project);
    const build = spawnSync(
      process.execPath,
      [join(root, 'node_modules/typescript/bin/tsc'), '-p', project],
      { encoding: 'utf8' },
    );
    expect(build.stdout + build.stderr).toBe('');
    expect(build.status).toBe(0);
  });
  afterAll(() => dir.remove());

  function start(trackingUri: string, env: Record<string, string> = {}) {
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      AGENTRACK_TRACKING_URI: trackingUri,
      NO_COLOR: '1',
      ...env,
    };
    if (env.HEALTH_MONITOR_PROMPT === undefined) delete childEnv.HEALTH_MONITOR_PROMPT;
    const result = spawnSync(process.execPath, ['dist/main.js'], {
      cwd: project,
      encoding: 'utf8',
      env: childEnv,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  async function runsByType(trackingUri: string): Promise<Record<RunType, Run[]>> {
    const client = await TrackingClient.open(trackingUri);
    try {
      const out: Partial<Record<RunType, Run[]>> = {};
      for (const type of RUN_TYPES) {
        const experiment = await client.getExperimentByName(`/Shared/health_monitor_agent/${type}`);
        expect(experiment?.lifecycle_stage).toBe('active');
        const page = await client.searchRuns({
          experimentIds: [experiment!.experiment_id],
          orderBy: ['start_time ASC'],
        });
        out[type] = page.items;
      }
      return out as Record<RunType, Run[]>;
    } finally {
      await client.close();
    }
  }

  it('passes its gate and deploys model version 1, then 2 on a re-run, into the database it is pointed at', async () => {
    const uri = `sqlite:///${join(dir.path, 'tracking.db')}`;

    const first = start(uri);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/created\s+\/Shared\/health_monitor_agent\/evaluation/);
    expect(first.stdout).toContain('Evaluation gate: passed (deployment candidate)');
    expect(first.stdout).toContain('pass  accuracy >= 0.85  (observed 0.875)');
    expect(first.stdout).toContain('Deployed model version 1: deploy_');
    expect(first.stdout).toContain('deployment runs for model version 1: 1');
    expect(first.stdout).toMatch(
      /current deployment: deploy_\S+ model_version=1 \[success\] from eval_pre_deploy_/,
    );
    expect(first.stdout).toContain('PASS: all 6 checks passed');

    const second = start(uri);
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/already existed\s+\/Shared\/health_monitor_agent\/evaluation/);
    expect(second.stdout).toContain('Evaluation gate: passed (deployment candidate)');
    expect(second.stdout).toContain('Deployed model version 2: deploy_');
    expect(second.stdout).toMatch(/current deployment: deploy_\S+ model_version=2 \[success\]/);
    expect(second.stdout).toContain('PASS: all 6 checks passed');

    // The override won over the config file's relative trackingUri.
    expect(existsSync(join(project, 'agentrack.db'))).toBe(false);

    const runs = await runsByType(uri);
    for (const type of RUN_TYPES) {
      expect(runs[type]).toHaveLength(2);
      for (const run of runs[type]) {
        expect(run.info.run_name).toMatch(RUN_NAMES[type]);
        expect(run.info.status).toBe('FINISHED');
        expect(tagOf(run, 'agent_name')).toBe('health_monitor_agent');
        expect(tagOf(run, 'run_type')).toBe(type);
        expect(tagOf(run, 'version')).toBe('1.2.0');
      }
    }
    expect(runs.development[0]?.data.params).toContainEqual({ key: 'prompt_template', value: 'v2' });
    expect(runs.evaluation.map((r) => tagOf(r, 'deployment_candidate'))).toEqual(['true', 'true']);
    expect(runs.evaluation[0]?.data.metrics?.find((m) => m.key === 'latency_p95_ms')?.value).toBe(605);
    expect(runs.deployment.map((r) => tagOf(r, 'model_version'))).toEqual(['1', '2']);
    expect(runs.deployment.map((r) => tagOf(r, 'deployment_status'))).toEqual(['success', 'success']);
    expect(tagOf(runs.deployment[1]!, 'agentrack.source_run_id')).toBe(runs.evaluation[1]?.info.run_id);
  });

  it('refuses to deploy and exits 1 when the evaluation fails its gate', async () => {
    const uri = `sqlite:///${join(dir.path, 'gate-fails.db')}`;
    const result = start(uri, { HEALTH_MONITOR_PROMPT: 'v1' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Evaluation gate: failed');
    expect(result.stdout).toContain('FAIL  accuracy >= 0.85  (observed 0.675)');
    expect(result.stdout).toContain('Not deploying');
    expect(result.stdout).toContain('current deployment: (none)');
    expect(result.stdout).toContain('PASS: all 6 checks passed');

    const runs = await runsByType(uri);
    expect(runs.evaluation.map((r) => tagOf(r, 'deployment_candidate'))).toEqual(['false']);
    expect(runs.deployment).toHaveLength(0);
  });
});

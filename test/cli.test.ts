import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../src/index.js';
import { tempDir } from '../src/testing/temp-dir.js';

const bin = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

function agentrack(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', AGENTRACK_TRACKING_URI: '', MLFLOW_TRACKING_URI: '', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('the agentrack binary', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(() => dir.remove());

  it('runs the example workflow into the database it is pointed at, idempotently', async () => {
    const uri = `sqlite:///${join(dir.path, 'example.db')}`;
    const first = agentrack(['example', '--agent', 'demo_agent'], { AGENTRACK_TRACKING_URI: uri });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('/Shared/demo_agent/evaluation -> id 2 (created)');
    expect(first.stdout).toMatch(/latest evaluation run: eval_pre_deploy_\d{8}_\d{6} \[FINISHED\]/);
    const second = agentrack(['--tracking-uri', uri, 'example', '--agent', 'demo_agent']);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('/Shared/demo_agent/evaluation -> id 2 (already existed)');

    const client = await TrackingClient.open(uri);
    try {
      const evaluation = await client.getExperimentByName('/Shared/demo_agent/evaluation');
      const runs = await client.searchRuns({ experimentIds: [evaluation!.experiment_id] });
      expect(runs.items).toHaveLength(2);
      expect(runs.items[0]?.data.tags).toContainEqual({ key: 'run_type', value: 'evaluation' });
    } finally {
      await client.close();
    }
  });

  it('reports a bad tracking URI in one line and exits non-zero', () => {
    const result = agentrack(['--tracking-uri', 'mysql://nope', 'example']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: Unsupported tracking URI scheme 'mysql'/);
  });

  it('prints the stack with --debug', () => {
    const result = agentrack(['--debug', '--tracking-uri', 'mysql://nope', 'example']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/AgentrackError: Unsupported tracking URI scheme[\s\S]*at /);
  });

  it('rejects an unknown command with usage and a non-zero exit', () => {
    const result = agentrack(['frobnicate']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});

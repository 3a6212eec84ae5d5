import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Run } from '../../src/entities/index.js';
import { TrackingClient } from '../../src/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines, writeAgentConfig } from './helpers.js';

// `agentrack run eval -- <command>` where the command does what `mlflow.genai.evaluate` does
// against the loopback server the CLI gives it: traces with the scorers' feedback, then the
// aggregates. The gate reads them when the run ends.
const evaluate = fileURLToPath(new URL('../fixtures/genai-evaluate-child.mjs', import.meta.url));
const STARTED = /^agentrack: (eval_pre_deploy_\d{8}_\d{6}(?:_\d+)?) \(([0-9a-f]{32})\) started in (\S+)$/m;

function tags(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

describe('agentrack run eval over genai.evaluate results', () => {
  let dir: ReturnType<typeof tempDir>;
  let uri: string;
  let client: TrackingClient;

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-genai-');
    uri = `sqlite:///${join(dir.path, 'genai.db')}`;
    client = await TrackingClient.open(uri);
  });
  afterAll(async () => {
    await client.close();
    dir.remove();
  });

  it('gates on correctness/mean and names the traces that failed correctness; exit 3', async () => {
    const cwd = writeAgentConfig(dir.path, 'genai_agent', { agent: 'genai_agent', trackingUri: uri });
    const rows = [
      { correctness: true, relevance: 'yes' },
      { correctness: false, relevance: 'yes' },
      { correctness: { error: 'KeyError: expected_answer' }, relevance: 'no' },
      { correctness: true, relevance: 'yes' },
    ];
    const result = agentrack(
      [
        'run',
        'eval',
        '--threshold',
        'correctness/mean >= 0.9',
        '--threshold',
        'relevance/mean >= 0.5',
        '--',
        'node',
        evaluate,
        JSON.stringify(rows),
      ],
      { cwd },
    );
    expect(result.code, result.stderr).toBe(3);
    const traceIds = lines(result.stdout);
    expect(traceIds).toHaveLength(4);
    const runId = STARTED.exec(result.stderr)?.[2] as string;
    const run = await client.getRun(runId);
    const metrics = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, m.value]));
    expect(metrics).toEqual({ 'correctness/mean': 2 / 3, 'relevance/mean': 0.75 });
    // Newest first, as the search of the run's traces returns them.
    const [, second, third] = traceIds;
    expect(lines(result.stderr).slice(2)).toEqual([
      'METRIC            OBSERVED            COMPARATOR  THRESHOLD  RESULT',
      'correctness/mean  0.6666666666666666  >=          0.9        fail',
      'relevance/mean    0.75                >=          0.5        pass',
      `correctness/mean: 2 of 4 traces failed correctness: ${third}, ${second}`,
      `relevance/mean: 1 of 4 traces failed relevance: ${third}`,
      'gate: failed; deployment candidate: no',
      'agentrack: exit 3: the evaluation gate failed',
    ]);
    expect(tags(run)).toMatchObject({
      'agentrack.gate': 'failed',
      'agentrack.gate.correctness/mean': '0.6666666666666666 >= 0.9: fail',
      deployment_candidate: 'false',
    });
    expect(JSON.parse(tags(run)['agentrack.failed_traces'] ?? 'null')).toEqual({
      'correctness/mean': { failed: 2, scored: 4, traces: [third, second] },
      'relevance/mean': { failed: 1, scored: 4, traces: [third] },
    });
    // `agentrack latest eval` shows them with the gate.
    const latest = agentrack(['latest', 'eval'], { cwd });
    expect(latest.code).toBe(0);
    expect(lines(latest.stdout).slice(7)).toEqual([
      'gate:           failed',
      '                correctness/mean: 0.6666666666666666 >= 0.9: fail',
      '                relevance/mean: 0.75 >= 0.5: pass',
      `failed traces:  correctness/mean: 2 of 4: ${third}, ${second}`,
      `                relevance/mean: 1 of 4: ${third}`,
      'candidate:      no',
    ]);
    // What the command wrote is in the database: the traces of the run, with their assessments.
    const found = await client.traces.searchTraces({
      experimentIds: run.info.experiment_id,
      filter: `attribute.run_id = '${runId}'`,
    });
    expect(found.items.map((t) => t.trace_id).sort()).toEqual([...traceIds].sort());
    const info = await client.traces.getTraceInfo(second as string);
    expect(
      info.assessments?.map((a) => [a.assessment_name, a.feedback?.value ?? a.expectation?.value]),
    ).toEqual([
      ['correctness', false],
      ['relevance', 'yes'],
      ['expected_response', 'ok'],
    ]);
  });
});

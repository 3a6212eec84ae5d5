import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../src/client/tracking-client.js';
import { Agent } from '../src/lifecycle/agent.js';
import { startServer, type RunningServer } from '../src/server/index.js';
import type { SqlTrackingStore } from '../src/store/sql/sql-store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

// The lifecycle layer, unchanged, over TrackingClient → HTTP → agentrack server → SQLite.
describe('the lifecycle layer over an agentrack server', () => {
  let server: RunningServer;
  let store: SqlTrackingStore;
  let client: TrackingClient;
  let clock = Date.UTC(2026, 10, 26, 10, 15, 0);

  beforeEach(async () => {
    store = await openSqliteStore(':memory:');
    server = await startServer({ store, port: 0, logger: false });
    client = await TrackingClient.open(server.url, { env: {}, maxRetries: 0 });
  });
  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('develops, evaluates with a gate, deploys and passes the audit, unchanged', async () => {
    const agent = await Agent.open({
      config: { agent: 'health_monitor_agent', version: '1.2.0', thresholds: ['accuracy >= 0.9'] },
      client,
      now: () => clock,
    });
    const ensured = await agent.ensureExperiments();
    expect(ensured.map((e) => e.outcome)).toEqual(['created', 'created', 'created']);
    await agent.development(async (run) => run.logMetrics({ loss: 0.3 }));
    clock += 1000;
    const evaluation = await agent.evaluation(async (run) => run.logMetrics({ accuracy: 0.93 }));
    expect(evaluation).toMatchObject({ candidate: true });
    clock += 1000;
    const deployed = await agent.deploy({ modelVersion: '3' });
    expect(deployed).toMatchObject({ status: 'success', sourceRunId: evaluation.runId });
    const runs = await agent.allRuns();
    expect(runs.map((r) => r.data.tags?.find((t) => t.key === 'run_type')?.value)).toEqual([
      'deployment',
      'evaluation',
      'development',
    ]);
    expect((await agent.audit()).ok).toBe(true);
    // What the lifecycle wrote over REST is in the SQLite store behind the server.
    expect((await store.getRun(deployed.run.info.run_id)).info.status).toBe('FINISHED');
    await agent.close();
  });

  it("gates on a scorer's aggregate and names the failing traces, reading them over REST", async () => {
    const agent = await Agent.open({ config: { agent: 'genai_agent' }, client, now: () => clock });
    const traceIds: string[] = [];
    const result = await agent.evaluation(
      async (run) => {
        for (const [row, value] of [true, false, undefined].entries()) {
          const traceId = `tr-${(row + 1).toString(16).padStart(32, '0')}`;
          traceIds.push(traceId);
          await client.traces.startTrace({
            trace_id: traceId,
            trace_location: {
              type: 'MLFLOW_EXPERIMENT',
              mlflow_experiment: { experiment_id: run.experimentId },
            },
            request_time: new Date(clock + row).toISOString(),
            state: 'OK',
            trace_metadata: { 'mlflow.sourceRun': run.runId },
          });
          // The last row's scorer never ran: a trace without assessments.
          if (value === undefined) continue;
          await client.traces.logAssessment({
            assessment_name: 'correctness',
            trace_id: traceId,
            source: { source_type: 'CODE', source_id: 'correctness' },
            feedback: { value },
            metadata: { 'mlflow.assessment.sourceRunId': run.runId },
          });
        }
        await run.logMetric('correctness/mean', 0.5);
      },
      { thresholds: ['correctness/mean >= 0.9'] },
    );
    expect(result).toMatchObject({ candidate: false, gate: { status: 'failed' } });
    expect(result.gate?.results[0]?.traces).toEqual({
      scorer: 'correctness',
      aggregate: 'mean',
      scored: 2,
      failed: [{ trace_id: traceIds[1], reason: 'value', value: false }],
    });
    const tags = (await store.getRun(result.runId)).data.tags ?? [];
    expect(tags.find((t) => t.key === 'agentrack.failed_traces')?.value).toBe(
      JSON.stringify({ 'correctness/mean': { failed: 1, scored: 2, traces: [traceIds[1]] } }),
    );
    await agent.close();
  });
});

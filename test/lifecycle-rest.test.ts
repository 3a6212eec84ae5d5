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
});

import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../client/tracking-client.js';
import { Agent } from '../../lifecycle/agent.js';
import type { DeploymentRecord } from '../../lifecycle/queries.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import { tempDir } from '../../testing/temp-dir.js';
import { createApp } from '../create-app.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const MODEL = 'support_model';

let dir: ReturnType<typeof tempDir>;
let store: TrackingStore;
let app: FastifyInstance;
let clock = T0;
const ids: Record<string, string> = {};

beforeAll(async () => {
  dir = tempDir('agentrack-deployments-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  const client = new TrackingClient(store);
  const agent = await Agent.open({
    config: { agent: 'support_bot', thresholds: ['accuracy >= 0.9'], registeredModel: MODEL },
    client,
    now: () => clock,
  });
  for (const n of [1, 2]) {
    clock += 60_000;
    const evaluation = await agent.evaluation((run) => run.logMetrics({ accuracy: 0.95 }), {
      register: { modelUri: `s3://models/support/${n}` },
    });
    ids[`eval${n}`] = evaluation.runId;
  }
  clock += 60_000;
  ids.dep1 = (await agent.deploy({ modelVersion: '1' })).runId;
  clock += 60_000;
  ids.dep2 = (await agent.deploy({ modelVersion: '2' })).runId;
  clock += 60_000;
  await agent.setDeploymentStatus(ids.dep2, 'rolled_back', { note: 'latency regression' });
  await agent.ensureExperiments();
  const other = await Agent.open({ config: { agent: 'quiet_bot' }, client });
  await other.ensureExperiments();
  app = createApp({ store, logger: false, webUi: false });
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  dir?.remove();
});

describe('GET agents/deployments', () => {
  it.each(['/ajax-api/2.0/agentrack/', '/api/2.0/agentrack/'])(
    "answers under %s with the agent's deployments, newest first, their status changes and the one in production",
    async (prefix) => {
      const res = await app.inject({ method: 'GET', url: `${prefix}agents/deployments?agent=support_bot` });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ agent: string; deployments: DeploymentRecord[]; productionRunId?: string }>();
      expect(body.agent).toBe('support_bot');
      expect(body.deployments.map((d) => [d.runId, d.modelVersion, d.status])).toEqual([
        [ids.dep2, '2', 'rolled_back'],
        [ids.dep1, '1', 'success'],
      ]);
      const [dep2, dep1] = body.deployments as [DeploymentRecord, DeploymentRecord];
      expect(dep2.history.map((h) => h.status)).toEqual(['success', 'rolled_back']);
      expect(dep2.history[1]?.note).toContain('latency regression');
      expect(dep2.history[1]?.at).toBe(T0 + 5 * 60_000);
      expect(dep2.sourceRunId).toBe(ids.eval2);
      expect(dep1.sourceRunId).toBe(ids.eval1);
      expect(dep1.forced).toBe(false);
      expect(dep1.run.info.run_id).toBe(ids.dep1);
      expect(body.productionRunId).toBe(ids.dep1);
    },
  );

  it('answers an agent with experiments but no deployment with an empty history', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/ajax-api/2.0/agentrack/agents/deployments?agent=quiet_bot',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ agent: 'quiet_bot', deployments: [] });
  });

  it('answers an unknown agent with 404 RESOURCE_DOES_NOT_EXIST', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/ajax-api/2.0/agentrack/agents/deployments?agent=nobody',
    });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "No agent named 'nobody': it has no experiment under '/Shared/nobody'.",
    });
  });

  it('answers a missing agent with 400 INVALID_PARAMETER_VALUE', async () => {
    const res = await app.inject({ method: 'GET', url: '/ajax-api/2.0/agentrack/agents/deployments' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    expect(res.json<{ message: string }>().message).toContain("'agent'");
  });

  it('answers another method with 405', async () => {
    const res = await app.inject({ method: 'POST', url: '/ajax-api/2.0/agentrack/agents/deployments' });
    expect(res.statusCode).toBe(405);
  });
});

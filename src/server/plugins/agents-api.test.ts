import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentAudit, AgentOverview } from '../../lifecycle/agents-overview.js';
import { openSqliteStore } from '../../store/sqlite/index.js';
import type { TrackingStore } from '../../store/tracking-store.js';
import { seedAgents, type SeededAgents } from '../../testing/seed-agents.js';
import { tempDir } from '../../testing/temp-dir.js';
import type { AccessRequest } from '../access.js';
import { createApp } from '../create-app.js';

let dir: { path: string; remove: () => void };
let store: TrackingStore;
let app: FastifyInstance;
let seeded: SeededAgents;
const checked: AccessRequest[] = [];

beforeAll(async () => {
  dir = tempDir('agentrack-agents-api-');
  store = await openSqliteStore(join(dir.path, 'agentrack.db'));
  seeded = await seedAgents(store);
  app = createApp({
    store,
    logger: false,
    webUi: false,
    authorize: async (access) => {
      checked.push(access);
    },
  });
});
afterAll(async () => {
  await app.close();
  await store.close();
  dir.remove();
});

async function agents(prefix = '/ajax-api/2.0/agentrack/'): Promise<AgentOverview[]> {
  const res = await app.inject({ method: 'GET', url: `${prefix}agents` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { agents: AgentOverview[] }).agents;
}

describe('GET agentrack/agents', () => {
  it('lists every agent with its three lanes, run counts and last runs, under both prefixes', async () => {
    const list = await agents();
    expect(await agents('/api/2.0/agentrack/')).toEqual(list);
    expect(list.map((a) => a.agent)).toEqual(['support_bot', 'triage-agent']);
    const support = list[0] as AgentOverview;
    const ids = seeded.support.experimentIds;
    expect(support.lanes.development).toMatchObject({
      experimentId: ids.development,
      path: '/Shared/support_bot/development',
      runCount: 3,
      lastRun: { runId: seeded.support.badRunId, runName: 'bad run', status: 'FINISHED' },
    });
    expect(support.lanes.evaluation).toMatchObject({
      experimentId: ids.evaluation,
      runCount: 2,
      lastRun: { runId: seeded.support.failedEvaluationId },
    });
    expect(support.lanes.deployment).toMatchObject({
      runCount: 1,
      lastRun: { runId: seeded.support.deploymentRunId },
    });
    expect(checked.some((a) => a.endpoint === 'agents' && a.write === false)).toBe(true);
  });

  it("gives the newest evaluation's verdict and the version in production with the time since", async () => {
    const [support, triage] = (await agents()) as [AgentOverview, AgentOverview];
    expect(support.latestEvaluation).toMatchObject({
      runId: seeded.support.failedEvaluationId,
      gate: 'failed',
      deploymentCandidate: false,
    });
    expect(support.production).toMatchObject({
      runId: seeded.support.deploymentRunId,
      modelVersion: '4',
      registeredModel: null,
    });
    expect(support.production?.since).toBeLessThanOrEqual(Date.now());
    expect(triage.latestEvaluation).toMatchObject({ gate: 'passed', deploymentCandidate: true });
    expect(triage.production).toMatchObject({
      runId: seeded.triage.deploymentRunId,
      modelVersion: '1',
      registeredModel: 'triage-model',
    });
  });

  it('counts a deleted run out, and finds an agent from the agent_name tag of its experiments alone', async () => {
    await store.deleteRun(seeded.support.developmentRuns[0] as string);
    const elsewhere = await store.createExperiment({
      name: '/Users/someone/lab-dev',
      tags: [
        { key: 'agent_name', value: 'lab' },
        { key: 'run_type', value: 'development' },
      ],
    });
    try {
      const list = await agents();
      expect(list.find((a) => a.agent === 'support_bot')?.lanes.development?.runCount).toBe(2);
      const lab = list.find((a) => a.agent === 'lab');
      expect(lab?.lanes).toEqual({
        development: { experimentId: elsewhere, path: '/Users/someone/lab-dev', runCount: 0, lastRun: null },
        evaluation: null,
        deployment: null,
      });
      expect(lab?.latestEvaluation).toBeNull();
      expect(lab?.production).toBeNull();
    } finally {
      await store.restoreRun(seeded.support.developmentRuns[0] as string);
      await store.deleteExperiment(elsewhere);
    }
  });
});

describe('GET agentrack/agents/audit', () => {
  it("answers the lifecycle audit with each item's status and the offending runs", async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/ajax-api/2.0/agentrack/agents/audit?agent=support_bot',
    });
    expect(res.statusCode).toBe(200);
    const report = (res.json() as { audit: AgentAudit }).audit;
    expect(report.agent).toBe('support_bot');
    expect(report.ok).toBe(false);
    expect(report.runsAudited).toBe(6);
    const byId = new Map(report.items.map((i) => [i.id, i]));
    expect(byId.get('experiments-exist')?.status).toBe('pass');
    expect(byId.get('run-names')).toMatchObject({ status: 'fail', failed: 1 });
    expect(byId.get('run-names')?.problems[0]).toMatchObject({
      runId: seeded.support.badRunId,
      runName: 'bad run',
      experimentId: seeded.support.experimentIds.development,
      experimentPath: '/Shared/support_bot/development',
    });
    expect(byId.get('standard-tags')?.problems.map((p) => p.runId)).toContain(seeded.support.badRunId);
    // No registered model is bound: the registry's items are not checked.
    expect(byId.has('production-alias')).toBe(false);
  });

  it('checks the registry of an agent bound to a registered model, and passes a clean agent', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/api/2.0/agentrack/agents/audit?agent=triage-agent',
    });
    expect(res.statusCode).toBe(200);
    const report = (res.json() as { audit: AgentAudit }).audit;
    expect(report.items.map((i) => [i.id, i.status])).toContainEqual(['production-alias', 'pass']);
    expect(report.ok).toBe(true);
  });

  it('answers 404 RESOURCE_DOES_NOT_EXIST for an unknown agent, 400 without one', async () => {
    const unknown = await app.inject({
      method: 'GET',
      url: '/ajax-api/2.0/agentrack/agents/audit?agent=nobody',
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: expect.stringContaining("No agent named 'nobody'"),
    });
    const missing = await app.inject({ method: 'GET', url: '/ajax-api/2.0/agentrack/agents/audit' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ error_code: 'INVALID_PARAMETER_VALUE' });
    const refused = await app.inject({ method: 'POST', url: '/ajax-api/2.0/agentrack/agents' });
    expect(refused.statusCode).toBe(405);
  });
});

describe('GET agentrack/agents/audit of a long lane, on a listening server', () => {
  const RUNS = 2_500;
  let bigDir: { path: string; remove: () => void };
  let bigStore: TrackingStore;
  let server: FastifyInstance;
  let origin: string;
  let laneId: string;
  /** Calls of `searchRuns` on the lane, and the call to hold until `release` is called. */
  let laneSearches = 0;
  let holdAt = 0;
  let held: { reached: () => void; release: Promise<void> } | undefined;
  /** Audit requests the server has received, and who waits for one to be closed before its answer. */
  let received = 0;
  const closedEarly: (() => void)[] = [];

  /** Resolves once the server has received `count` audit requests in all. */
  async function receivedAudits(count: number): Promise<void> {
    while (received < count) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  beforeAll(async () => {
    bigDir = tempDir('agentrack-agents-audit-');
    const inner = await openSqliteStore(join(bigDir.path, 'agentrack.db'));
    laneId = await inner.createExperiment({ name: '/Shared/big_agent/development' });
    for (let i = 0; i < RUNS; i++) {
      await inner.createRun({ experimentId: laneId, runName: `run ${i}`, startTime: 1_000 + i });
    }
    bigStore = new Proxy(inner, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        // The store's methods use its private fields: they are called on the store itself.
        if (key !== 'searchRuns') return (value as (...args: unknown[]) => unknown).bind(target);
        return async (input: { experimentIds: string[]; maxResults?: number }) => {
          if (input.experimentIds.includes(laneId) && input.maxResults === 1000) {
            laneSearches += 1;
            if (held && laneSearches === holdAt) {
              held.reached();
              await held.release;
            }
          }
          return (value as (i: unknown) => Promise<unknown>).call(target, input);
        };
      },
    });
    server = createApp({ store: bigStore, logger: false, webUi: false });
    server.addHook('onRequest', async (request, reply) => {
      if (!request.url.includes('agents/audit')) return;
      received += 1;
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) setImmediate(() => closedEarly.forEach((notify) => notify()));
      });
    });

    origin = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await bigStore?.close();
    bigDir?.remove();
  });

  /** Holds the audit's `page`-th page of the lane until the returned `release` is called. */
  function holdPage(page: number): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedPromise = new Promise<void>((resolve) => (reached = resolve));
    const releasePromise = new Promise<void>((resolve) => (release = resolve));
    laneSearches = 0;
    holdAt = page;
    held = { reached, release: releasePromise };
    return { reached: reachedPromise, release };
  }

  /** Starts GET agents/audit; `abort` closes the connection before the answer. */
  function requestAudit(): { answer: Promise<AgentAudit>; abort: () => void } {
    const controller = new AbortController();
    const answer = fetch(`${origin}/ajax-api/2.0/agentrack/agents/audit?agent=big_agent`, {
      signal: controller.signal,
    }).then(async (res) => {
      expect(res.status).toBe(200);
      return ((await res.json()) as { audit: AgentAudit }).audit;
    });
    return { answer, abort: () => controller.abort() };
  }

  it('reads every run of the lane, page by page, when its client waits', async () => {
    laneSearches = 0;
    held = undefined;
    const report = await requestAudit().answer;
    expect(report.runsAudited).toBe(RUNS);
    expect(laneSearches).toBe(3);
  });

  it('gives the requests that arrive while an audit runs the same audit, read once', async () => {
    const hold = holdPage(2);
    const first = requestAudit();
    await hold.reached;
    const before = received;
    const second = requestAudit();
    // The second request reaches the service while the first audit is held at its second page.
    await receivedAudits(before + 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    hold.release();
    const [a, b] = await Promise.all([first.answer, second.answer]);
    expect(b).toEqual(a);
    expect(laneSearches).toBe(3);
  });

  it('stops reading pages once its client has closed the connection', async () => {
    const hold = holdPage(2);
    const audit = requestAudit();
    await hold.reached;
    const closed = new Promise<void>((resolve) => closedEarly.push(resolve));
    audit.abort();
    await expect(audit.answer).rejects.toThrow();
    // The server sees the connection close, then the held page is let go: no page follows it.
    await closed;
    hold.release();
    // Reading the held page takes milliseconds: an audit that went on would ask for the next
    // one well within this wait (nothing tells the test that an abandoned audit has ended).
    for (let waited = 0; waited < 2_000 && laneSearches === 2; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(laneSearches).toBe(2);
    // The next request audits afresh, and the store is intact.
    held = undefined;
    laneSearches = 0;
    expect((await requestAudit().answer).runsAudited).toBe(RUNS);
    expect(laneSearches).toBe(3);
  });
});

import { TrackingClient } from '../client/tracking-client.js';
import { Agent } from '../lifecycle/agent.js';
import type { TrackingStore } from '../store/tracking-store.js';

/** What {@link seedAgents} created, for assertions. */
export interface SeededAgents {
  /** `support_bot`: 3 development runs (one breaking the naming and tag conventions), an evaluation that passed its gate then one that failed it, a deployment of version 4. */
  support: {
    experimentIds: Record<'development' | 'evaluation' | 'deployment', string>;
    developmentRuns: string[];
    /** The development run made by hand, named `bad run`, without the standard tags. */
    badRunId: string;
    passedEvaluationId: string;
    failedEvaluationId: string;
    deploymentRunId: string;
  };
  /** `triage-agent`, bound to the registered model `triage-model`: one development run, a passing evaluation that registered version 1, its deployment. */
  triage: {
    experimentIds: Record<'development' | 'evaluation' | 'deployment', string>;
    evaluationRunId: string;
    deploymentRunId: string;
  };
}

/**
 * Two agents seeded through the lifecycle `Agent`, as `agentrack` users make them, on a clock
 * that starts an hour ago and moves a second per reading.
 */
export async function seedAgents(store: TrackingStore): Promise<SeededAgents> {
  const client = new TrackingClient(store);
  let t = Date.now() - 3_600_000;
  const now = () => (t += 1000);
  const support = await Agent.open({ config: { agent: 'support_bot', version: '1.2.0' }, client, now });
  const developmentRuns: string[] = [];
  for (let i = 0; i < 2; i++) {
    const run = await support.development(async (r) => r.logMetrics({ loss: 1 / (i + 1) }));
    developmentRuns.push(run.runId);
  }
  const supportIds = {
    development: await support.experimentId('development'),
    evaluation: await support.experimentId('evaluation'),
    deployment: await support.experimentId('deployment'),
  };
  const bad = await client.createRun(supportIds.development, { runName: 'bad run', startTime: now() });
  await client.updateRun(bad.info.run_id, { status: 'FINISHED', endTime: now() });
  developmentRuns.push(bad.info.run_id);
  const passed = await support.evaluation(async (r) => r.logMetrics({ accuracy: 0.95 }), {
    thresholds: ['accuracy >= 0.9'],
  });
  const deployment = await support.deploy({ modelVersion: '4' });
  const failed = await support.evaluation(async (r) => r.logMetrics({ accuracy: 0.5 }), {
    thresholds: ['accuracy >= 0.9'],
  });

  const triage = await Agent.open({
    config: { agent: 'triage-agent', version: '0.3.0', registeredModel: 'triage-model' },
    client,
    now,
  });
  await triage.development(async (r) => r.logParams({ prompt: 'v1' }));
  const evaluation = await triage.evaluation(async (r) => r.logMetrics({ accuracy: 0.99 }), {
    thresholds: ['accuracy >= 0.9'],
    register: { modelUri: 's3://models/triage/1' },
  });
  const triageDeployment = await triage.deploy({ modelVersion: '1' });
  return {
    support: {
      experimentIds: supportIds,
      developmentRuns,
      badRunId: bad.info.run_id,
      passedEvaluationId: passed.runId,
      failedEvaluationId: failed.runId,
      deploymentRunId: deployment.runId,
    },
    triage: {
      experimentIds: {
        development: await triage.experimentId('development'),
        evaluation: await triage.experimentId('evaluation'),
        deployment: await triage.experimentId('deployment'),
      },
      evaluationRunId: evaluation.runId,
      deploymentRunId: triageDeployment.runId,
    },
  };
}

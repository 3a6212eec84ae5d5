/**
 * A realistic lifecycle for the Models, Model and Deployments pages, written through the
 * lifecycle `Agent` over the server's REST API: three evaluations that passed their gate and
 * registered versions 1 to 3, deployments of v1, v2 and v3, v3 then found failed (the alias
 * goes back to v2) and v2 rolled back (back to v1), an extra alias, and a registered model
 * and an agent of their own with nothing deployed.
 */
import { TrackingClient } from '../../src/client/tracking-client.js';
import { Agent } from '../../src/lifecycle/agent.js';

/** The ids and times the pages should show. */
export interface SeededLifecycle {
  agent: string;
  model: string;
  otherModel: string;
  /** An agent with experiments and no deployment. */
  quietAgent: string;
  evaluations: [string, string, string];
  evaluationNames: [string, string, string];
  /** Deployments of v1, v2 and v3. */
  deployments: [string, string, string];
  deploymentNames: [string, string, string];
  /** The description of the model, with markup that must show as text. */
  description: string;
}

const HOUR = 3_600_000;

export async function seedLifecycle(url: string): Promise<SeededLifecycle> {
  const model = 'support_model';
  const description =
    'Answers support tickets <script>window.__pwned = 1</script> <b>bold?</b> ' +
    'and more words. '.repeat(12);
  const client = await TrackingClient.open(url);
  let clock = Date.now() - 6 * 24 * HOUR;
  const agent = await Agent.open({
    config: {
      agent: 'support_bot',
      version: '1.0.0',
      thresholds: ['accuracy >= 0.9'],
      registeredModel: model,
    },
    client,
    now: () => clock,
  });
  try {
    const evaluations: string[] = [];
    const evaluationNames: string[] = [];
    for (const n of [1, 2, 3]) {
      clock += HOUR;
      const result = await agent.evaluation((run) => run.logMetrics({ accuracy: 0.9 + n / 100 }), {
        register: { modelUri: `s3://models/support_bot/v${n}` },
      });
      evaluations.push(result.runId);
      evaluationNames.push(result.runName);
    }
    const registry = client.registry;
    await registry.updateRegisteredModel(model, { description });
    await registry.setRegisteredModelTag(model, 'team', 'support');
    await registry.setRegisteredModelAlias(model, 'champion', 3);
    const deployments: string[] = [];
    const deploymentNames: string[] = [];
    for (const version of ['1', '2', '3']) {
      clock += 24 * HOUR;
      const record = await agent.deploy({ modelVersion: version });
      deployments.push(record.runId);
      deploymentNames.push(record.runName);
    }
    clock += 2 * HOUR;
    await agent.setDeploymentStatus(deployments[2] as string, 'failed', { note: 'error rate above 5%' });
    clock += 20 * HOUR;
    await agent.setDeploymentStatus(deployments[1] as string, 'rolled_back', { note: 'latency regression' });

    await registry.createRegisteredModel('other_model', { description: 'Not deployed anywhere' });
    const quiet = await Agent.open({ config: { agent: 'quiet_bot' }, client });
    await quiet.ensureExperiments();
    return {
      agent: 'support_bot',
      model,
      otherModel: 'other_model',
      quietAgent: 'quiet_bot',
      evaluations: evaluations as SeededLifecycle['evaluations'],
      evaluationNames: evaluationNames as SeededLifecycle['evaluationNames'],
      deployments: deployments as SeededLifecycle['deployments'],
      deploymentNames: deploymentNames as SeededLifecycle['deploymentNames'],
      description,
    };
  } finally {
    await agent.close();
    await client.close();
  }
}

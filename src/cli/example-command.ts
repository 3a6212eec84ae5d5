import { TrackingClient } from '../client/tracking-client.js';
import type { Run } from '../entities/index.js';
import type { CliIo } from './run-main.js';

/** Options of the `example` command. */
export interface ExampleOptions {
  trackingUri?: string;
  agent: string;
}

/**
 * The main job until the lifecycle layer lands: the mission's three experiments for one
 * agent, a development, an evaluation and a deployment run with the standard tags, then
 * the mission's queries, all on the embedded store.
 */
export async function exampleCommand(options: ExampleOptions, io: CliIo): Promise<number> {
  const client = await TrackingClient.open(options.trackingUri);
  try {
    const base = `/Shared/${options.agent}`;
    const ids: Record<string, string> = {};
    for (const lane of ['development', 'evaluation', 'deployment'] as const) {
      const name = `${base}/${lane}`;
      const existing = await client.getExperimentByName(name);
      ids[lane] = existing ? existing.experiment_id : await client.createExperiment(name);
      io.stdout(`experiment ${name} -> id ${ids[lane]}${existing ? ' (already existed)' : ' (created)'}\n`);
    }
    const stamp = timestamp(new Date());
    const common = { agent_name: options.agent, version: '1.0.0' };

    const dev = await client.createRun(ids.development as string, {
      runName: `dev_${stamp}`,
      tags: { ...common, run_type: 'development', environment: 'dev' },
    });
    await client.logParam(dev.info.run_id, 'prompt_template', 'v3');
    await client.logMetric(dev.info.run_id, 'latency_ms', 120.5, { step: 0 });
    await client.logMetric(dev.info.run_id, 'latency_ms', 98.25, { step: 1 });
    await client.setTerminated(dev.info.run_id);

    const evaluation = await client.createRun(ids.evaluation as string, {
      runName: `eval_pre_deploy_${stamp}`,
      tags: { ...common, run_type: 'evaluation', environment: 'staging', deployment_candidate: 'true' },
    });
    await client.logBatch(evaluation.info.run_id, {
      metrics: [
        { key: 'accuracy', value: 0.93 },
        { key: 'relevance', value: 0.88 },
      ],
    });
    await client.setTerminated(evaluation.info.run_id);

    const deploy = await client.createRun(ids.deployment as string, {
      runName: `deploy_${stamp}`,
      tags: {
        ...common,
        run_type: 'deployment',
        environment: 'production',
        model_version: '1',
        deployment_status: 'success',
      },
    });
    await client.setTerminated(deploy.info.run_id);

    const latest = await client.searchRuns({
      experimentIds: [ids.evaluation as string],
      filter: "tags.run_type = 'evaluation'",
      orderBy: ['start_time DESC'],
      maxResults: 1,
    });
    io.stdout(`\nlatest evaluation run: ${describe(latest.items[0])}\n`);
    const deployments = await client.searchRuns({
      experimentIds: [ids.deployment as string],
      filter: "tags.model_version = '1'",
      orderBy: ['start_time DESC'],
    });
    io.stdout(`deployment runs for model version 1: ${deployments.items.length}\n`);
    for (const run of deployments.items) io.stdout(`  ${describe(run)}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

function describe(run: Run | undefined): string {
  if (!run) return '(none)';
  const metrics = (run.data.metrics ?? []).map((m) => `${m.key}=${m.value}`).join(' ');
  return `${run.info.run_name} [${run.info.status}] ${run.info.run_id}${metrics ? ` ${metrics}` : ''}`;
}

function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}_${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

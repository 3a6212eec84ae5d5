import type { Command } from 'commander';
import type { DeploymentRecord } from '../../lifecycle/queries.js';
import type { CliContext } from '../context.js';
import type { Paint } from '../output/color.js';
import { formatJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { formatTime } from '../output/time.js';

/** Options of `agentrack deployments`. */
export interface DeploymentsOptions {
  modelVersion?: string;
  json?: boolean;
}

function paintDeploymentStatus(status: string | undefined, paint: Paint): string {
  if (status === 'success') return paint.green(status);
  if (status === 'failed') return paint.red(status);
  if (status === 'rolled_back') return paint.yellow(status);
  return '-';
}

/** The table of `agentrack deployments`. */
export function formatDeployments(records: readonly DeploymentRecord[], paint: Paint): string {
  return formatTable(
    ['NAME', 'MODEL', 'STATUS', 'STARTED', 'SOURCE', 'RUN ID'],
    records.map((r) => [
      r.runName,
      r.modelVersion ?? '-',
      paintDeploymentStatus(r.status, paint),
      formatTime(r.run.info.start_time),
      r.forced ? 'forced' : (r.sourceRunName ?? '-'),
      r.runId,
    ]),
  );
}

/** `agentrack deployments`: the deployment history (or one model version's), newest first. */
export async function deploymentsCommand(options: DeploymentsOptions, ctx: CliContext): Promise<number> {
  return ctx.withReadOnlyAgent(async ({ agent }) => {
    const records =
      options.modelVersion !== undefined
        ? await agent.deploymentsOf(options.modelVersion)
        : await agent.deploymentHistory();
    if (options.json) {
      ctx.io.stdout(formatJson(records));
    } else if (records.length === 0) {
      const of = options.modelVersion !== undefined ? ` of model version ${options.modelVersion}` : '';
      ctx.io.stderr(`no deployments${of} for the agent '${agent.config.agent}'\n`);
    } else {
      ctx.io.stdout(formatDeployments(records, ctx.out));
    }
    return 0;
  });
}

/** Adds `deployments` to the program. */
export function registerDeploymentsCommand(program: Command, ctx: CliContext): void {
  program
    .command('deployments')
    .description("list the agent's deployments, newest first")
    .option('--model-version <version>', 'only the deployments of this model version')
    .option('--json', 'print the deployment records as JSON')
    .action(ctx.action((options: DeploymentsOptions) => deploymentsCommand(options, ctx)));
}

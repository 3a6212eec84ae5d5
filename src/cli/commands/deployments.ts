import type { Command } from 'commander';
import { DEPLOYMENT_STATUSES, type DeploymentStatus } from '../../lifecycle/conventions.js';
import type { DeploymentRecord } from '../../lifecycle/queries.js';
import { usageError } from '../cli-error.js';
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

/** Options of `agentrack deployments set-status` (with those of `deployments`, which it shares). */
export interface SetStatusOptions {
  note?: string;
  json?: boolean;
  modelVersion?: string;
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

/** A deployment status given on the command line; anything else is a usage error. */
export function parseDeploymentStatus(value: string): DeploymentStatus {
  const status = DEPLOYMENT_STATUSES.find((s) => s === value);
  if (status === undefined) {
    const choices = `${DEPLOYMENT_STATUSES.slice(0, -1).join(', ')} or ${DEPLOYMENT_STATUSES.at(-1)}`;
    throw usageError(`unknown deployment status '${value}': use ${choices}`);
  }
  return status;
}

/**
 * `agentrack deployments set-status`: changes a deployment's status after the fact (a
 * rollback, a failure found later), through the lifecycle's `setDeploymentStatus`, so the
 * `deployment_status` tag and the status history change together.
 */
export async function setStatusCommand(
  runId: string,
  status: string,
  options: SetStatusOptions,
  ctx: CliContext,
): Promise<number> {
  const checked = parseDeploymentStatus(status);
  if (options.modelVersion !== undefined) throw usageError('--model-version applies to the listing only');
  return ctx.withAgent(async ({ agent }) => {
    const record = await agent.setDeploymentStatus(
      runId,
      checked,
      options.note ? { note: options.note } : {},
    );
    if (options.json) {
      ctx.io.stdout(formatJson(record));
      return 0;
    }
    const previous = record.history.at(-2)?.status;
    const paint = ctx.out;
    const model = record.modelVersion !== undefined ? `, model version ${record.modelVersion}` : '';
    ctx.io.stdout(
      `${record.runName} (${record.runId}${model}): ` +
        `${paintDeploymentStatus(previous, paint)} → ${paintDeploymentStatus(record.status, paint)}\n`,
    );
    // The note kept in the history: the caller's, and where the production alias went.
    const note = record.history.at(-1)?.note;
    if (note) ctx.io.stdout(`note: ${note}\n`);
    return 0;
  });
}

const SET_STATUS_HELP = `
The status is one of ${DEPLOYMENT_STATUSES.join(', ')}. Every change is kept in the run's status
history (tag agentrack.status_history) with its time and note; the deployment_status tag holds
the latest. The deployment in production (agentrack latest deploy) is the latest one whose
status is success.

With registeredModel in the configuration, the production alias (productionAlias, default
production) follows the deployment in production: rolling back (or failing) the deployment in
production moves it back to the version of the latest earlier deployment still in production,
or removes it when there is none; changing any other deployment leaves it alone. The note
says which, and the registered model's tag agentrack.production_history records every move.
Setting success on the deployment in production puts a drifted alias back.

Examples:
  agentrack deployments set-status 0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b rolled_back --note "latency regression"
  agentrack deployments set-status 0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b success --json
`;

/** Adds `deployments` and `deployments set-status` to the program. */
export function registerDeploymentsCommand(program: Command, ctx: CliContext): void {
  const deployments = program
    .command('deployments')
    .description("list the agent's deployments, newest first (set-status: change one's status)")
    .option('--model-version <version>', 'only the deployments of this model version')
    .option('--json', 'print the deployment records as JSON')
    .action(ctx.action((options: DeploymentsOptions) => deploymentsCommand(options, ctx)));
  deployments
    .command('set-status')
    .description("change a deployment's status after the fact, e.g. to rolled_back")
    .argument('<run-id>', "the deployment run's id")
    .argument('<status>', DEPLOYMENT_STATUSES.join(', '))
    .option('--note <text>', 'why, kept with the change in the status history')
    .option('--json', 'print the updated deployment record as JSON')
    .addHelpText('after', SET_STATUS_HELP)
    .action(
      // `deployments` takes the options the two share (--json) wherever they stand: read them there too.
      ctx.action((runId: string, status: string, _options: SetStatusOptions, command: Command) =>
        setStatusCommand(runId, status, command.optsWithGlobals<SetStatusOptions>(), ctx),
      ),
    );
}

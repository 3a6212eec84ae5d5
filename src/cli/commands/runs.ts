import type { Command } from 'commander';
import type { Run } from '../../entities/index.js';
import type { Agent } from '../../lifecycle/agent.js';
import { RUN_TYPES, TAGS, type RunType } from '../../lifecycle/conventions.js';
import { tagOf } from '../../lifecycle/queries.js';
import { collect, parsePositiveInteger, parseRunTypeArgument } from '../arguments.js';
import type { CliContext } from '../context.js';
import type { Paint } from '../output/color.js';
import { formatJson } from '../output/json.js';
import { formatTable } from '../output/table.js';
import { formatTime } from '../output/time.js';

/** Options of `agentrack runs`. */
export interface RunsOptions {
  type?: string;
  filter?: string;
  orderBy: string[];
  maxResults: string;
  json?: boolean;
}

/** Default `--max-results` of `agentrack runs`. */
export const DEFAULT_MAX_RUNS = 50;

/** A run status, colored by how the run ended. */
export function paintStatus(status: string, paint: Paint): string {
  if (status === 'FINISHED') return paint.green(status);
  if (status === 'FAILED') return paint.red(status);
  if (status === 'KILLED') return paint.yellow(status);
  return status;
}

/** The active experiments of the given run types (the agent's lanes), by id; missing ones are skipped, never created. */
export async function laneExperiments(
  agent: Agent,
  types: readonly RunType[],
): Promise<Map<string, RunType>> {
  const ids = new Map<string, RunType>();
  for (const type of types) {
    const experiment = await agent.client.getExperimentByName(agent.config.experiments[type]);
    if (experiment?.lifecycle_stage === 'active') ids.set(experiment.experiment_id, type);
  }
  return ids;
}

/** `agentrack runs`: the agent's runs, newest first, as a table or MLflow's JSON. */
export async function runsCommand(options: RunsOptions, ctx: CliContext): Promise<number> {
  const types = options.type === undefined ? RUN_TYPES : [parseRunTypeArgument(options.type)];
  const maxResults = parsePositiveInteger(options.maxResults, '--max-results');
  return ctx.withReadOnlyAgent(async ({ agent }) => {
    const experiments = await laneExperiments(agent, types);
    let runs: Run[] = [];
    let more = false;
    if (experiments.size > 0) {
      const page = await agent.client.searchRuns({
        experimentIds: [...experiments.keys()],
        ...(options.filter !== undefined ? { filter: options.filter } : {}),
        orderBy: options.orderBy.length > 0 ? options.orderBy : ['start_time DESC'],
        maxResults,
      });
      runs = page.items;
      more = Boolean(page.nextPageToken);
    }
    if (options.json) {
      ctx.io.stdout(formatJson(runs));
      return 0;
    }
    if (runs.length === 0) {
      ctx.io.stderr(`no runs of the agent '${agent.config.agent}' found\n`);
      return 0;
    }
    const single = types.length === 1 ? types[0] : undefined;
    const extra = single === 'deployment' ? 'MODEL' : single === 'evaluation' ? 'CANDIDATE' : undefined;
    const paint = ctx.out;
    const rows = runs.map((run) => [
      run.info.run_name,
      experiments.get(run.info.experiment_id) ?? '-',
      paintStatus(run.info.status, paint),
      formatTime(run.info.start_time),
      tagOf(run, TAGS.version) ?? '-',
      ...(extra === 'MODEL' ? [tagOf(run, TAGS.modelVersion) ?? '-'] : []),
      ...(extra === 'CANDIDATE' ? [candidateText(tagOf(run, TAGS.deploymentCandidate))] : []),
      run.info.run_id,
    ]);
    const headers = ['NAME', 'TYPE', 'STATUS', 'STARTED', 'VERSION', ...(extra ? [extra] : []), 'RUN ID'];
    ctx.io.stdout(formatTable(headers, rows));
    if (more) ctx.io.stderr(`(the first ${maxResults} runs; --max-results shows more)\n`);
    return 0;
  });
}

function candidateText(value: string | undefined): string {
  return value === 'true' ? 'yes' : value === 'false' ? 'no' : '-';
}

/** Adds `runs` to the program. */
export function registerRunsCommand(program: Command, ctx: CliContext): void {
  program
    .command('runs')
    .description("list the agent's runs, newest first")
    .option('--type <type>', 'only dev, eval or deploy runs')
    .option('--filter <expr>', 'an MLflow search filter, e.g. "metrics.accuracy > 0.9"')
    .option(
      '--order-by <expr>',
      "an MLflow order-by clause (repeatable; default 'start_time DESC')",
      collect,
      [],
    )
    .option('--max-results <n>', 'how many runs at most', String(DEFAULT_MAX_RUNS))
    .option('--json', 'print MLflow run objects as JSON')
    .action(ctx.action((options: RunsOptions) => runsCommand(options, ctx)));
}

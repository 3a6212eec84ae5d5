import type { Command } from 'commander';
import type { Run } from '../../entities/index.js';
import { TAGS } from '../../lifecycle/conventions.js';
import { tagOf, type DeploymentRecord } from '../../lifecycle/queries.js';
import { notFound } from '../../errors.js';
import { parseRunTypeArgument } from '../arguments.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { Paint } from '../output/color.js';
import { formatJson } from '../output/json.js';
import { formatKeyValues } from '../output/key-values.js';
import { formatTime } from '../output/time.js';
import { paintStatus } from './runs.js';

/** Options of `agentrack latest`. */
export interface LatestOptions {
  candidates?: boolean;
  json?: boolean;
}

type Entries = Array<readonly [string, string | readonly string[]]>;

function metricLines(run: Run): string[] {
  return [...(run.data.metrics ?? [])]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((m) => `${m.key} = ${String(m.value)}`);
}

/**
 * The lines of the `agentrack.failed_traces` record: per threshold on a scorer's aggregate, how
 * many of the scored traces failed and which (`correctness/mean: 2 of 4: tr-..., tr-...`).
 */
function failedTraceLines(record: string | undefined): string[] {
  if (record === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(record);
  } catch {
    return [record];
  }
  if (typeof parsed !== 'object' || parsed === null) return [record];
  return Object.entries(
    parsed as Record<string, { failed?: unknown; scored?: unknown; traces?: unknown }>,
  ).map(([metric, entry]) => {
    const ids = Array.isArray(entry.traces) ? entry.traces.map(String) : [];
    const more = typeof entry.failed === 'number' ? entry.failed - ids.length : 0;
    const list = ids.length > 0 ? `: ${ids.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
    return `${metric}: ${String(entry.failed)} of ${String(entry.scored)}${list}`;
  });
}

/** The key/value block of an evaluation run: its metrics, gate, failing traces and candidacy. */
export function evaluationEntries(run: Run, paint: Paint): Entries {
  const gate = tagOf(run, TAGS.gateStatus);
  const checks = (run.data.tags ?? [])
    .filter((t) => t.key.startsWith(TAGS.gatePrefix))
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((t) => `${t.key.slice(TAGS.gatePrefix.length)}: ${t.value}`);
  const candidate = tagOf(run, TAGS.deploymentCandidate);
  const failed = failedTraceLines(tagOf(run, TAGS.failedTraces));
  return [
    ['name', run.info.run_name],
    ['id', run.info.run_id],
    ['status', paintStatus(run.info.status, paint)],
    ['started', formatTime(run.info.start_time)],
    ['version', tagOf(run, TAGS.version) ?? '-'],
    ['metrics', metricLines(run)],
    ['gate', [gate ?? 'not recorded', ...checks]],
    ...(failed.length > 0 ? [['failed traces', failed] as const] : []),
    ['candidate', candidate === 'true' ? paint.green('yes') : candidate === 'false' ? 'no' : '-'],
  ];
}

/** The key/value block of a deployment: model version, status and where it came from. */
export function deploymentEntries(record: DeploymentRecord, paint: Paint): Entries {
  const source = record.forced
    ? 'forced'
    : record.sourceRunName
      ? `${record.sourceRunName} (${record.sourceRunId ?? '?'})`
      : '-';
  return [
    ['name', record.runName],
    ['id', record.runId],
    ['status', paintStatus(record.run.info.status, paint)],
    ['started', formatTime(record.run.info.start_time)],
    ['version', tagOf(record.run, TAGS.version) ?? '-'],
    ['model_version', record.modelVersion ?? '-'],
    ['deployment_status', record.status ?? '-'],
    ['source', source],
  ];
}

/** `agentrack latest eval|deploy`: the latest evaluation run (or passing candidate), or the current deployment. */
export async function latestCommand(type: string, options: LatestOptions, ctx: CliContext): Promise<number> {
  const runType = parseRunTypeArgument(type, ['evaluation', 'deployment']);
  if (runType === 'deployment' && options.candidates) {
    throw usageError('--candidates applies to latest eval only');
  }
  return ctx.withReadOnlyAgent(async ({ agent }) => {
    const name = agent.config.agent;
    if (runType === 'evaluation') {
      const run = await agent.latestEvaluation({ candidatesOnly: options.candidates === true });
      if (!run) {
        throw notFound(
          options.candidates
            ? `the agent '${name}' has no evaluation run that passed its gate`
            : `the agent '${name}' has no evaluation run`,
        );
      }
      ctx.io.stdout(options.json ? formatJson(run) : formatKeyValues(evaluationEntries(run, ctx.out)));
      return 0;
    }
    const record = await agent.currentDeployment();
    if (!record) throw notFound(`the agent '${name}' has no deployment in production`);
    ctx.io.stdout(options.json ? formatJson(record) : formatKeyValues(deploymentEntries(record, ctx.out)));
    return 0;
  });
}

/** Adds `latest` to the program. */
export function registerLatestCommand(program: Command, ctx: CliContext): void {
  program
    .command('latest')
    .description('show the latest evaluation run (eval) or the deployment in production (deploy)')
    .argument('<type>', 'eval or deploy')
    .option('--candidates', 'eval: the latest run that passed its gate')
    .option('--json', 'print JSON')
    .action(ctx.action((type: string, options: LatestOptions) => latestCommand(type, options, ctx)));
}

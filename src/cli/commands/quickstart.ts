import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Run } from '../../entities/index.js';
import { isAgentrackError } from '../../errors.js';
import type { AgentConfig } from '../../lifecycle/agent-config.js';
import { formatAuditReport } from '../../lifecycle/audit.js';
import { resolveConfig } from '../../lifecycle/config.js';
import { displayTrackingUri } from '../../store/tracking-uri.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { formatGateSummary } from '../output/gate-summary.js';
import { formatTable } from '../output/table.js';
import { formatEnsuredExperiments } from './init.js';

/** Options of `agentrack quickstart`. */
export interface QuickstartOptions {
  agent: string;
  dir?: string;
}

/** The agent `quickstart` tracks unless told otherwise. */
export const QUICKSTART_AGENT = 'health_monitor_agent';

/** The thresholds of the quickstart's evaluation run. */
export const QUICKSTART_THRESHOLDS = ['accuracy >= 0.85', 'latency_p95_ms <= 800'] as const;

const INDENT = '   ';

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `${INDENT}${line}`))
    .join('\n');
}

function describeRun(run: Run): string {
  const metrics = [...(run.data.metrics ?? [])]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((m) => `${m.key}=${String(m.value)}`)
    .join(' ');
  return `${run.info.run_name} (${run.info.run_id}) ${run.info.status}${metrics ? `  ${metrics}` : ''}`;
}

function quickstartConfig(agent: string, trackingUri: string): AgentConfig {
  try {
    return resolveConfig({ agent, version: '1.0.0', trackingUri });
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) throw usageError(`--${error.message}`);
    throw error;
  }
}

/**
 * `agentrack quickstart`: the whole lifecycle on the embedded store with no configuration:
 * the experiments, a development run, an evaluation run that passes its gate, the deployment
 * of that candidate as the next model version, the lifecycle's queries, then the audit.
 * Safe to re-run; exit 1 when the audit fails.
 */
export async function quickstartCommand(options: QuickstartOptions, ctx: CliContext): Promise<number> {
  const dir = resolve(process.cwd(), options.dir ?? '.');
  const config = quickstartConfig(
    options.agent,
    ctx.globals.trackingUri ?? `sqlite:///${join(dir, 'agentrack.db')}`,
  );
  const { io } = ctx;
  const paint = ctx.out;
  const step = (n: number, title: string) => io.stdout(`\n${paint.bold(`${n}. ${title}`)}\n`);
  return ctx.withAgent(
    async ({ agent, target }) => {
      io.stdout(
        `agentrack quickstart: agent ${agent.config.agent}, tracking URI ${displayTrackingUri(target)}\n`,
      );

      step(1, 'Experiments');
      io.stdout(formatEnsuredExperiments(await agent.ensureExperiments(), INDENT));

      step(2, `Development run in ${agent.config.experiments.development}`);
      const dev = await agent.development(async (run) => {
        await run.logParams({ prompt_template: 'triage_v3', model: 'gpt-4o-mini', temperature: 0.2 });
        for (let i = 0; i < 5; i++) {
          await run.logMetrics(
            { loss: Number((0.9 / (i + 1)).toFixed(4)), latency_ms: 900 - 60 * i },
            { step: i },
          );
        }
      });
      io.stdout(
        `${INDENT}${dev.runName} (${dev.runId}) ${dev.status}: 3 params, loss and latency_ms over 5 steps\n`,
      );

      step(3, `Evaluation run in ${agent.config.experiments.evaluation}`);
      const evaluation = await agent.evaluation(
        async (run) => {
          await run.logParam('dataset', 'health_checks_v2');
          await run.logMetrics({ accuracy: 0.91, latency_p95_ms: 640, relevance: 0.88 });
        },
        { thresholds: QUICKSTART_THRESHOLDS },
      );
      io.stdout(`${INDENT}${evaluation.runName} (${evaluation.runId}) ${evaluation.status}\n`);
      if (evaluation.gate)
        io.stdout(indent(formatGateSummary(evaluation.gate, evaluation.candidate === true, paint)));

      const modelVersion = String((await agent.deploymentHistory()).length + 1);
      step(4, `Deployment of model version ${modelVersion} in ${agent.config.experiments.deployment}`);
      const deployment = await agent.deploy({ modelVersion, evaluationRunId: evaluation.runId });
      io.stdout(
        `${INDENT}${deployment.runName} (${deployment.runId}) ${deployment.status ?? '-'}, ` +
          `promoted from ${deployment.sourceRunName ?? '-'}\n`,
      );

      step(5, 'Queries');
      const latest = await agent.latestEvaluation();
      const ofVersion = await agent.deploymentsOf(modelVersion);
      const current = await agent.currentDeployment();
      io.stdout(
        formatTable(
          undefined,
          [
            ['latest evaluation run:', latest ? describeRun(latest) : '(none)'],
            [
              `deployment runs of model version ${modelVersion}:`,
              ofVersion.map((d) => d.runName).join(', ') || '(none)',
            ],
            [
              'current deployment:',
              current
                ? `${current.runName}, model version ${current.modelVersion ?? '-'} (${current.status ?? '-'})`
                : '(none)',
            ],
          ],
          { indent: INDENT },
        ),
      );

      step(6, 'Audit');
      const report = await agent.audit();
      io.stdout(indent(formatAuditReport(report, { color: paint.enabled })));
      if (report.ok && options.dir === undefined && ctx.globals.trackingUri === undefined) {
        io.stdout(
          `\nNext: \`agentrack init --agent ${agent.config.agent}\` writes a configuration for this database; ` +
            'then try `agentrack runs`, `agentrack latest eval`, `agentrack deployments`.\n',
        );
      }
      return report.ok ? 0 : 1;
    },
    { config },
  );
}

/** Adds `quickstart` to the program. */
export function registerQuickstartCommand(program: Command, ctx: CliContext): void {
  program
    .command('quickstart')
    .description(
      'run the whole lifecycle once (experiments, dev, eval, deploy, queries, audit) on a local database, no configuration needed',
    )
    .option('--agent <name>', "the agent's name", QUICKSTART_AGENT)
    .option('--dir <dir>', 'the folder of the database agentrack.db (default: this folder)')
    .action(ctx.action((options: QuickstartOptions) => quickstartCommand(options, ctx)));
}

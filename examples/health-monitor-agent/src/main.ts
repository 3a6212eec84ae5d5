/**
 * The health monitor's release workflow, tracked with agentrack: a development run, an
 * evaluation run judged by the configured gate, a deployment of the next model version when
 * the evaluation passes, the lifecycle queries, and an audit of the conventions.
 *
 * Environment: HEALTH_MONITOR_PROMPT picks the prompt template (v1, v2, v3; default v2);
 * AGENTRACK_TRACKING_URI, when set, redirects the runs to another tracking store.
 */
import { fileURLToPath } from 'node:url';
import {
  Agent,
  formatAuditReport,
  isAgentrackError,
  loadConfig,
  type DeploymentRecord,
  type Run,
} from 'agentrack';
import { formatThreshold, type GateVerdict } from 'agentrack/lifecycle';
import { MODEL, toPromptTemplate } from './agent.js';
import { DATASET, DATASET_NAME, DEV_SUBSET, datasetDigest } from './dataset.js';
import { evaluate } from './evaluate.js';

/** The project folder (where agentrack.config.json is), wherever `npm start` runs from. */
const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));
const DEV_STEPS = 4;
const OUTCOME_WORDS = { created: 'created', existed: 'already existed', restored: 'restored' } as const;

async function main(): Promise<number> {
  const promptTemplate = toPromptTemplate(process.env.HEALTH_MONITOR_PROMPT?.trim() || 'v2');
  const agent = await openAgent();
  try {
    const { config } = agent;
    print(`Agent ${config.agent} ${config.version}, prompt template ${promptTemplate}, model ${MODEL}`);
    print(`Tracking: ${config.trackingUri ?? '(default)'}`);

    heading('Experiments');
    for (const entry of await agent.ensureExperiments()) {
      print(`  ${OUTCOME_WORDS[entry.outcome].padEnd(15)} ${entry.path} (id ${entry.experimentId})`);
    }

    heading('Development run');
    const development = await agent.development(async (run) => {
      await run.logParams({
        prompt_template: promptTemplate,
        model: MODEL,
        dataset: DATASET_NAME,
        dev_cases: DEV_SUBSET.length,
      });
      // Each step scores a growing share of the dev subset, as an engineer iterating would.
      const perStep = Math.ceil(DEV_SUBSET.length / DEV_STEPS);
      for (let step = 0; step < DEV_STEPS; step++) {
        const scores = evaluate(DEV_SUBSET.slice(0, (step + 1) * perStep), promptTemplate);
        await run.logMetrics({ accuracy: scores.accuracy, latency_p95_ms: scores.latencyP95Ms }, { step });
      }
      return evaluate(DEV_SUBSET, promptTemplate);
    });
    print(`  ${development.runName} [${development.status}]  ${development.runId}`);
    print(`  dev accuracy ${development.value.accuracy} on ${development.value.cases} cases`);

    heading('Evaluation run');
    const evaluation = await agent.evaluation(async (run) => {
      await run.logParams({
        prompt_template: promptTemplate,
        model: MODEL,
        dataset: DATASET_NAME,
        dataset_digest: datasetDigest(DATASET),
        eval_cases: DATASET.length,
      });
      const scores = evaluate(DATASET, promptTemplate);
      await run.logMetrics({
        accuracy: scores.accuracy,
        latency_p95_ms: scores.latencyP95Ms,
        down_recall: scores.downRecall,
      });
      return scores;
    });
    print(`  ${evaluation.runName} [${evaluation.status}]  ${evaluation.runId}`);
    printGate(evaluation.gate, evaluation.candidate === true);

    heading('Deployment');
    let deployed: DeploymentRecord | undefined;
    if (evaluation.candidate) {
      // Model versions count deployments: the next one is N + 1, so re-running keeps going.
      const modelVersion = String((await agent.deploymentHistory()).length + 1);
      deployed = await agent.deploy({ modelVersion, evaluationRunId: evaluation.runId });
      print(`  Deployed model version ${modelVersion}: ${describeDeployment(deployed)}`);
    } else {
      print('  Not deploying: the evaluation run is not a deployment candidate.');
    }

    heading('Queries');
    print(`  latest evaluation run: ${describeRun(await agent.latestEvaluation())}`);
    const current = await agent.currentDeployment();
    const modelVersion = deployed?.modelVersion ?? current?.modelVersion;
    if (modelVersion !== undefined) {
      const runs = await agent.deploymentsOf(modelVersion);
      print(`  deployment runs for model version ${modelVersion}: ${runs.length}`);
      for (const record of runs) print(`    ${describeDeployment(record)}`);
    }
    print(`  current deployment: ${current ? describeDeployment(current) : '(none)'}`);

    heading('Audit');
    const report = await agent.audit();
    process.stdout.write(formatAuditReport(report, { color: useColor() }));

    return report.ok && evaluation.candidate === true ? 0 : 1;
  } finally {
    await agent.close();
  }
}

/**
 * Opens the agent from agentrack.config.json. The file's trackingUri outranks the environment,
 * so an explicit AGENTRACK_TRACKING_URI is passed as an override: CI and tests can redirect runs
 * without editing the file.
 */
async function openAgent(): Promise<Agent> {
  const trackingUri = process.env.AGENTRACK_TRACKING_URI?.trim();
  if (!trackingUri) return Agent.open({ cwd: PROJECT_DIR });
  return Agent.open({ config: await loadConfig({ cwd: PROJECT_DIR, overrides: { trackingUri } }) });
}

function printGate(gate: GateVerdict | undefined, candidate: boolean): void {
  print(`  Evaluation gate: ${gate?.status ?? 'not applied'}${candidate ? ' (deployment candidate)' : ''}`);
  for (const result of gate?.results ?? []) {
    const observed = result.reason ?? String(result.observed);
    print(
      `    ${result.passed ? 'pass' : 'FAIL'}  ${formatThreshold(result.threshold)}  (observed ${observed})`,
    );
  }
}

function describeRun(run: Run | null): string {
  if (!run) return '(none)';
  const metrics = (run.data.metrics ?? []).map((m) => `${m.key}=${m.value}`).join(' ');
  const candidate = run.data.tags?.find((t) => t.key === 'deployment_candidate')?.value;
  return `${run.info.run_name} [${run.info.status}] ${metrics} deployment_candidate=${candidate ?? '?'}`;
}

function describeDeployment(record: DeploymentRecord): string {
  const source = record.forced ? 'forced' : `from ${record.sourceRunName ?? '?'}`;
  return `${record.runName} model_version=${record.modelVersion ?? '?'} [${record.status ?? '?'}] ${source}`;
}

function heading(title: string): void {
  print(`\n${title}`);
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

function useColor(): boolean {
  return process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}${isAgentrackError(error) ? ` (${error.code})` : ''}\n`);
    process.exitCode = 1;
  },
);

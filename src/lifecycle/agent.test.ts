import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrackingClient } from '../client/tracking-client.js';
import { expectError } from '../client/tracking-client.contract.js';
import type { Feedback, Run } from '../entities/index.js';
import { fileState, folderListing } from '../testing/file-state.js';
import { tempDir } from '../testing/temp-dir.js';
import { Agent } from './agent.js';
import type { AgentConfigInput } from './agent-config.js';
import type { RunHandle } from './run-handle.js';

const T0 = Date.UTC(2026, 10, 26, 10, 15, 0); // 2026-11-26 10:15:00 UTC

function tags(run: Run): Record<string, string> {
  return Object.fromEntries((run.data.tags ?? []).map((t) => [t.key, t.value]));
}

describe('Agent', () => {
  let dir: ReturnType<typeof tempDir>;
  let client: TrackingClient;
  let clock: number;
  let agent: Agent;
  const config: AgentConfigInput = {
    agent: 'health_monitor_agent',
    version: '1.2.0',
    tags: { team: 'core' },
    thresholds: ['accuracy >= 0.9', 'latency_p95_ms <= 800'],
  };

  const open = (overrides: Partial<AgentConfigInput> = {}) =>
    Agent.open({ config: { ...config, ...overrides }, client, now: () => clock });

  beforeEach(async () => {
    dir = tempDir();
    client = await TrackingClient.open(`sqlite:///${join(dir.path, 'agent.db')}`);
    clock = T0;
    agent = await open();
  });
  afterEach(async () => {
    await agent.close();
    await client.close();
    dir.remove();
  });

  describe('experiments', () => {
    it('creates the three experiments once, tagged, and reports what it did', async () => {
      const first = await agent.ensureExperiments();
      expect(first.map((e) => [e.runType, e.path, e.outcome])).toEqual([
        ['development', '/Shared/health_monitor_agent/development', 'created'],
        ['evaluation', '/Shared/health_monitor_agent/evaluation', 'created'],
        ['deployment', '/Shared/health_monitor_agent/deployment', 'created'],
      ]);
      const second = await agent.ensureExperiments();
      expect(second.map((e) => e.outcome)).toEqual(['existed', 'existed', 'existed']);
      expect(second.map((e) => e.experimentId)).toEqual(first.map((e) => e.experimentId));
      const evaluation = await client.getExperiment(first[1]!.experimentId);
      expect(evaluation.tags).toEqual(
        expect.arrayContaining([
          { key: 'agent_name', value: 'health_monitor_agent' },
          { key: 'run_type', value: 'evaluation' },
        ]),
      );
    });

    it('restores a deleted experiment instead of failing or duplicating it', async () => {
      const [, evaluation] = await agent.ensureExperiments();
      await client.deleteExperiment(evaluation!.experimentId);
      const report = await agent.ensureExperiments();
      expect(report[1]).toMatchObject({ outcome: 'restored', experimentId: evaluation!.experimentId });
      expect((await client.getExperiment(evaluation!.experimentId)).lifecycle_stage).toBe('active');
    });

    it('normalizes configured paths, folding /Workspace away', async () => {
      const other = await open({ agent: 'x', basePath: '/Workspace//Shared/team_x/' });
      const report = await other.ensureExperiments();
      expect(report.map((e) => e.path)).toEqual([
        '/Shared/team_x/development',
        '/Shared/team_x/evaluation',
        '/Shared/team_x/deployment',
      ]);
    });
  });

  describe('runs', () => {
    it('names runs by the convention from the clock and suffixes collisions within a second', async () => {
      const names: string[] = [];
      for (let i = 0; i < 3; i++) {
        const run = await agent.startRun('dev');
        names.push(run.runName);
        await run.end();
      }
      expect(names).toEqual(['dev_20261126_101500', 'dev_20261126_101500_2', 'dev_20261126_101500_3']);
      clock += 1000;
      const evaluation = await agent.startRun('evaluation');
      const deployment = await agent.startRun('deploy', { modelVersion: '1', force: true });
      expect(evaluation.runName).toBe('eval_pre_deploy_20261126_101501');
      expect(deployment.runName).toBe('deploy_20261126_101501');
    });

    it('applies standard, type, configured and caller tags, and refuses to overwrite the standard ones', async () => {
      const handle = await agent.startRun('eval', { tags: { dataset: 'golden_v2' } });
      const run = await client.getRun(handle.runId);
      expect(tags(run)).toMatchObject({
        agent_name: 'health_monitor_agent',
        run_type: 'evaluation',
        environment: 'staging',
        version: '1.2.0',
        deployment_candidate: 'false',
        team: 'core',
        dataset: 'golden_v2',
        'mlflow.runName': 'eval_pre_deploy_20261126_101500',
      });
      expect(run.info.start_time).toBe(T0);
      await expectError(
        agent.startRun('dev', { tags: { run_type: 'evaluation' } }),
        'INVALID_PARAMETER_VALUE',
        /run_type/,
      );
      await expectError(
        agent.startRun('dev', { tags: { team: 'other' } }),
        'INVALID_PARAMETER_VALUE',
        /team/,
      );
      await expectError(handle.setTag('environment', 'prod'), 'INVALID_PARAMETER_VALUE', /environment/);
      await expectError(agent.startRun('nightly'), 'INVALID_PARAMETER_VALUE', /Unknown run type 'nightly'/);
    });

    it('batches thousands of metrics into a handful of store calls', async () => {
      const handle = await agent.startRun('dev');
      for (let step = 0; step < 5000; step++) await handle.logMetric('loss', 1 / (step + 1), { step });
      await handle.logParams({ lr: 0.01, model: 'gpt' });
      await handle.setTags({ note: 'x' });
      await handle.end();
      expect(handle.storeCalls).toBeLessThanOrEqual(6);
      expect(await client.getMetricHistory(handle.runId, 'loss')).toHaveLength(5000);
      const run = await client.getRun(handle.runId);
      expect(run.info.status).toBe('FINISHED');
      expect(run.data.params).toEqual([
        { key: 'lr', value: '0.01' },
        { key: 'model', value: 'gpt' },
      ]);
      await expectError(handle.logMetric('late', 1), 'INVALID_STATE', /already ended/);
    });

    it('refuses a changed param at the call, and a bad key at the call', async () => {
      const handle = await agent.startRun('dev');
      await handle.logParam('lr', '0.01');
      await expectError(
        handle.logParam('lr', '0.02'),
        'INVALID_PARAMETER_VALUE',
        'Changing param values is not allowed',
      );
      await expectError(handle.logMetric('bad key!', 1), 'INVALID_PARAMETER_VALUE', /bad key!/);
      await handle.end();
    });

    it('ends a scoped run FINISHED, or FAILED with the error in a tag and the error rethrown', async () => {
      const ok = await agent.development(async (run) => {
        await run.logMetric('m', 1);
        return 42;
      });
      expect(ok).toMatchObject({ value: 42, status: 'FINISHED', runName: 'dev_20261126_101500' });
      await expect(
        agent.development(async () => {
          throw new Error('model server unreachable');
        }),
      ).rejects.toThrow('model server unreachable');
      const [failed] = (
        await client.searchRuns({
          experimentIds: [await agent.experimentId('development')],
          filter: "attributes.status = 'FAILED'",
        })
      ).items;
      expect(tags(failed!)).toMatchObject({ 'agentrack.error': 'Error: model server unreachable' });
      expect(failed!.info.end_time).toBe(T0);
    });
  });

  describe('evaluation gates', () => {
    it('earns deployment_candidate only when every threshold passes, recording each check', async () => {
      const passed = await agent.evaluation(async (run) => {
        await run.logMetrics({ accuracy: 0.93, latency_p95_ms: 640 });
      });
      expect(passed).toMatchObject({ candidate: true, gate: { status: 'passed' } });
      const run = await client.getRun(passed.runId);
      expect(tags(run)).toMatchObject({
        deployment_candidate: 'true',
        'agentrack.gate': 'passed',
        'agentrack.gate.accuracy': '0.93 >= 0.9: pass',
        'agentrack.gate.latency_p95_ms': '640 <= 800: pass',
      });

      const failed = await agent.evaluation(async (run) => {
        await run.logMetrics({ accuracy: 0.95, latency_p95_ms: 950 });
      });
      expect(failed).toMatchObject({ candidate: false, gate: { status: 'failed' } });
      expect(tags(await client.getRun(failed.runId))).toMatchObject({
        deployment_candidate: 'false',
        'agentrack.gate.latency_p95_ms': '950 <= 800: fail',
      });
    });

    it('fails a threshold whose metric is missing, and takes per-call thresholds over the config', async () => {
      const missing = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.99));
      expect(missing.candidate).toBe(false);
      expect(tags(await client.getRun(missing.runId))['agentrack.gate.latency_p95_ms']).toBe(
        'missing <= 800: fail',
      );

      const relaxed = await agent.evaluation(
        async (run) => run.logMetrics({ accuracy: 0.8, latency_p95_ms: 100 }),
        { thresholds: ['accuracy >= 0.75'] },
      );
      expect(relaxed.candidate).toBe(true);
    });

    it('never makes a run without thresholds, or a failed run, a candidate', async () => {
      const bare = await open({ thresholds: [] });
      const none = await bare.evaluation(async (run) => run.logMetric('accuracy', 1));
      expect(none).toMatchObject({ candidate: false, gate: { status: 'none' } });
      clock += 1000;
      await expect(
        agent.evaluation(async (run) => {
          await run.logMetrics({ accuracy: 0.99, latency_p95_ms: 10 });
          throw new Error('eval crashed');
        }),
      ).rejects.toThrow('eval crashed');
      const latest = await agent.latestEvaluation();
      expect(latest?.info.status).toBe('FAILED');
      expect(tags(latest!).deployment_candidate).toBe('false');
      expect(await agent.latestEvaluation({ candidatesOnly: true })).toBeNull();
    });
  });

  describe("gates on genai.evaluate's scorer aggregates", () => {
    // An agent whose configuration sets no thresholds: each test gives its own.
    let scored: Agent;
    beforeEach(async () => {
      scored = await open({ thresholds: [] });
    });
    /** A trace of the run with one feedback per scorer, written as `mlflow.genai.evaluate` writes them. */
    async function evaluatedRow(
      run: RunHandle,
      row: number,
      feedback: Record<string, Feedback>,
      link: 'metadata' | 'link-to-run' = 'metadata',
      sourceRun = run.runId,
    ): Promise<string> {
      const traceId = `tr-${(row + 1).toString(16).padStart(32, '0')}`;
      await client.traces.startTrace({
        trace_id: traceId,
        trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: run.experimentId } },
        request_time: new Date(T0 + row * 10).toISOString(),
        execution_duration: '0.002s',
        state: 'OK',
        trace_metadata: {
          'mlflow.trace_schema.version': '3',
          ...(link === 'metadata' ? { 'mlflow.sourceRun': sourceRun } : {}),
        },
        tags: { 'mlflow.traceName': 'agent' },
      });
      if (link === 'link-to-run') await client.traces.linkTracesToRun([traceId], sourceRun);
      for (const [name, verdict] of Object.entries(feedback)) {
        await client.traces.logAssessment({
          assessment_name: name,
          trace_id: traceId,
          source: { source_type: 'CODE', source_id: name },
          feedback: verdict,
          metadata: { 'mlflow.assessment.sourceRunId': sourceRun },
        });
      }
      await client.traces.logAssessment({
        assessment_name: 'expected_answer',
        trace_id: traceId,
        source: { source_type: 'HUMAN', source_id: 'root' },
        expectation: { value: 'ok' },
        metadata: { 'mlflow.assessment.sourceRunId': sourceRun },
      });
      return traceId;
    }

    it('judges correctness/mean >= 0.9 and names the traces that failed the scorer everywhere it records the gate', async () => {
      const failing: string[] = [];
      let errored = '';
      const result = await scored.evaluation(
        async (run) => {
          await evaluatedRow(run, 0, { correctness: { value: true }, latency: { value: 300 } });
          failing.push(
            await evaluatedRow(run, 1, { correctness: { value: false }, latency: { value: 900 } }),
          );
          errored = await evaluatedRow(run, 2, {
            correctness: { error: { error_code: 'SCORER_ERROR', error_message: 'KeyError: answer' } },
            latency: { value: 200 },
          });
          await evaluatedRow(
            run,
            3,
            { correctness: { value: 'yes' }, latency: { value: 100 } },
            'link-to-run',
          );
          failing.push(
            await evaluatedRow(
              run,
              4,
              { correctness: { value: 'no' }, latency: { value: 50 } },
              'link-to-run',
            ),
          );
          await run.logMetrics({ 'correctness/mean': 0.5, 'latency/p90': 660 });
        },
        {
          thresholds: ['correctness/mean >= 0.9', 'latency/p90 <= 800', 'accuracy >= 0.5'],
          gateTable: 'agentrack/gate.json',
        },
      );
      expect(result.candidate).toBe(false);
      const [correctness, latency, accuracy] = result.gate!.results;
      expect(correctness).toMatchObject({ observed: 0.5, passed: false });
      expect(correctness!.traces).toEqual({
        scorer: 'correctness',
        aggregate: 'mean',
        scored: 5,
        failed: [
          { trace_id: failing[1], reason: 'value', value: 'no' },
          { trace_id: errored, reason: 'error', error: 'KeyError: answer' },
          { trace_id: failing[0], reason: 'value', value: false },
        ],
      });
      // The aggregate passes, and the one trace above the bound is still named.
      expect(latency).toMatchObject({ observed: 660, passed: true });
      expect(latency!.traces?.failed.map((f) => f.trace_id)).toEqual([failing[0]]);
      expect(accuracy).toMatchObject({ passed: false, reason: 'missing' });
      expect(accuracy!.traces).toBeUndefined();

      const run = await client.getRun(result.runId);
      expect(tags(run)['agentrack.gate.correctness/mean']).toBe('0.5 >= 0.9: fail');
      expect(JSON.parse(tags(run)['agentrack.failed_traces'] ?? 'null')).toEqual({
        'correctness/mean': { failed: 3, scored: 5, traces: [failing[1], errored, failing[0]] },
        'latency/p90': { failed: 1, scored: 5, traces: [failing[0]] },
      });
      const table = await client.loadTable(run.info.experiment_id, 'agentrack/gate.json');
      expect(table).toEqual({
        columns: ['metric', 'observed', 'comparator', 'threshold', 'result', 'failed_traces'],
        data: [
          ['correctness/mean', 0.5, '>=', 0.9, 'fail', [failing[1], errored, failing[0]]],
          ['latency/p90', 660, '<=', 800, 'pass', [failing[0]]],
          ['accuracy', null, '>=', 0.5, 'fail', null],
        ],
      });
    });

    it("passes on a high enough mean, ignoring other runs' traces and feedback", async () => {
      const other = await scored.startRun('evaluation');
      await evaluatedRow(other, 9, { correctness: { value: false } });
      await other.end();
      const result = await scored.evaluation(
        async (run) => {
          await evaluatedRow(run, 0, { correctness: { value: true } });
          // A trace of this run that another run's evaluation judged.
          await evaluatedRow(run, 1, { correctness: { value: true } });
          await client.traces.logAssessment({
            assessment_name: 'correctness',
            trace_id: `tr-${'2'.padStart(32, '0')}`,
            source: { source_type: 'CODE', source_id: 'correctness' },
            feedback: { value: false },
            metadata: { 'mlflow.assessment.sourceRunId': other.runId },
          });
          await run.logMetric('correctness/mean', 1);
        },
        { thresholds: ['correctness/mean >= 0.9'] },
      );
      expect(result).toMatchObject({ candidate: true, gate: { status: 'passed' } });
      expect(result.gate!.results[0]!.traces).toEqual({
        scorer: 'correctness',
        aggregate: 'mean',
        scored: 2,
        failed: [],
      });
      expect(
        JSON.parse(tags(await client.getRun(result.runId))['agentrack.failed_traces'] ?? 'null'),
      ).toEqual({
        'correctness/mean': { failed: 0, scored: 2, traces: [] },
      });
    });

    it('reads no traces, and adds no tag, when no threshold is on a scorer aggregate', async () => {
      const result = await scored.evaluation(
        async (run) => {
          await evaluatedRow(run, 0, { correctness: { value: false } });
          await run.logMetrics({ accuracy: 0.95, 'correctness/mean': 0 });
        },
        { thresholds: ['accuracy >= 0.9'] },
      );
      expect(result.candidate).toBe(true);
      expect(result.gate!.results.every((r) => r.traces === undefined)).toBe(true);
      expect(tags(await client.getRun(result.runId))).not.toHaveProperty('agentrack.failed_traces');
    });
  });

  describe('artifacts', () => {
    it('logs, lists and downloads artifacts through a run handle, writes only while the run runs', async () => {
      const files = join(dir.path, 'outputs');
      mkdirSync(join(files, 'plots'), { recursive: true });
      writeFileSync(join(files, 'summary.md'), '# summary\n');
      writeFileSync(join(files, 'plots', 'loss.svg'), '<svg/>');
      let handleRef: RunHandle | undefined;
      const result = await agent.evaluation(async (run) => {
        handleRef = run;
        await run.logMetrics({ accuracy: 0.93, latency_p95_ms: 640 });
        await run.logArtifact(join(files, 'summary.md'), 'reports');
        await run.logArtifacts(files, 'outputs');
        await run.logText('ok\n', 'notes/status.txt');
        await run.logDict({ prompt: 'v3', temperature: 0.2 }, 'config/agent.yaml');
        await run.logTable(
          {
            question: ['is web-1 healthy?', 'is db-1 healthy?'],
            answer: ['critical', 'ok'],
            score: [0.93, 0.81],
          },
          'eval_results/table.json',
        );
        expect((await run.listArtifacts()).map((f) => f.path)).toEqual([
          'config',
          'eval_results',
          'notes',
          'outputs',
          'reports',
        ]);
      });
      expect(result).toMatchObject({ status: 'FINISHED', candidate: true });
      const run = handleRef as RunHandle;
      // Reads still work after the end; writes are refused like any other logging.
      expect(await run.loadTable('eval_results/table.json')).toEqual({
        columns: ['question', 'answer', 'score'],
        data: [
          ['is web-1 healthy?', 'critical', 0.93],
          ['is db-1 healthy?', 'ok', 0.81],
        ],
      });
      const local = await run.downloadArtifacts('config/agent.yaml', dir.path);
      expect(readFileSync(local, 'utf8')).toBe('prompt: v3\ntemperature: 0.2\n');
      expect(await run.listArtifacts('outputs/plots')).toEqual([
        { path: 'outputs/plots/loss.svg', is_dir: false, file_size: 6 },
      ]);
      await expectError(run.logText('late', 'late.txt'), 'INVALID_STATE', 'has already ended');
      await expectError(run.logTable({ a: [1] }, 'late.json'), 'INVALID_STATE', 'has already ended');
    });

    it("attaches an evaluation's gate results as a table MLflow's load_table finds", async () => {
      const result = await agent.evaluation(async (run) => run.logMetric('accuracy', 0.95), {
        gateTable: 'agentrack/gate.json',
      });
      expect(result).toMatchObject({ candidate: false, gate: { status: 'failed' } });
      const run = await client.getRun(result.runId);
      expect(run.info.status).toBe('FINISHED');
      expect(tags(run)['mlflow.loggedArtifacts']).toBe('[{"path": "agentrack/gate.json", "type": "table"}]');
      const local = await client.downloadArtifacts(result.runId, 'agentrack/gate.json', dir.path);
      expect(readFileSync(local, 'utf8')).toBe(
        '{"columns":["metric","observed","comparator","threshold","result","failed_traces"],"data":[' +
          '["accuracy",0.95,">=",0.9,"pass",null],["latency_p95_ms",null,"<=",800.0,"fail",null]]}',
      );
      expect(
        await client.loadTable(await agent.experimentId('evaluation'), 'agentrack/gate.json', {
          extraColumns: ['run_id'],
        }),
      ).toEqual({
        columns: ['metric', 'observed', 'comparator', 'threshold', 'result', 'failed_traces', 'run_id'],
        data: [
          ['accuracy', 0.95, '>=', 0.9, 'pass', null, result.runId],
          ['latency_p95_ms', null, '<=', 800, 'fail', null, result.runId],
        ],
      });
    });

    it('refuses a gate table outside evaluation runs or with a bad name before any run starts', async () => {
      await expectError(
        agent.development(async () => undefined, { gateTable: 'gate.json' }),
        'INVALID_PARAMETER_VALUE',
        'evaluation runs only',
      );
      await expectError(
        agent.evaluation(async () => undefined, { gateTable: 'gate.csv' }),
        'INVALID_PARAMETER_VALUE',
        "'.json'",
      );
      await expectError(
        agent.evaluation(async () => undefined, { gateTable: '../gate.json' }),
        'INVALID_PARAMETER_VALUE',
        'Invalid path',
      );
      expect(await agent.allRuns()).toEqual([]);
    });

    it('still ends the run when the gate table cannot be written, and says why', async () => {
      let runId = '';
      await expectError(
        agent.evaluation(
          async (run) => {
            runId = run.runId;
            await run.logMetrics({ accuracy: 0.93, latency_p95_ms: 640 });
            // A folder where the table should go.
            await run.logText('in the way', 'gate.json/blocker.txt');
          },
          { gateTable: 'gate.json' },
        ),
        'INVALID_PARAMETER_VALUE',
        'a folder has that name',
      );
      const run = await client.getRun(runId);
      expect(run.info.status).toBe('FINISHED');
      expect(tags(run)).toMatchObject({ 'agentrack.gate': 'passed', deployment_candidate: 'true' });
    });
  });

  describe('promotion and deployment tracking', () => {
    async function passingEvaluation(): Promise<string> {
      const result = await agent.evaluation(async (run) =>
        run.logMetrics({ accuracy: 0.93, latency_p95_ms: 640 }),
      );
      clock += 1000;
      return result.runId;
    }

    it('refuses to deploy without a passing evaluation run, unless forced', async () => {
      await expectError(
        agent.deploy({ modelVersion: '1' }),
        'INVALID_STATE',
        /no finished evaluation run that passed/,
      );
      const forced = await agent.deploy({ modelVersion: '1', force: true });
      expect(forced).toMatchObject({ forced: true, status: 'success', modelVersion: '1' });
      expect(tags(forced.run)['agentrack.forced']).toBe('true');
      expect(JSON.parse(tags(forced.run)['agentrack.promotion']!)).toMatchObject({
        gate: 'no evaluation run',
        forced: true,
      });
    });

    it('promotes the latest candidate with its lineage and gate record', async () => {
      const evaluationId = await passingEvaluation();
      const deployed = await agent.deploy({ modelVersion: '3' });
      expect(deployed).toMatchObject({
        modelVersion: '3',
        status: 'success',
        sourceRunId: evaluationId,
        sourceRunName: 'eval_pre_deploy_20261126_101500',
        forced: false,
      });
      expect(deployed.runName).toBe('deploy_20261126_101501');
      const t = tags(deployed.run);
      expect(t).toMatchObject({
        run_type: 'deployment',
        environment: 'production',
        model_version: '3',
        deployment_status: 'success',
      });
      expect(JSON.parse(t['agentrack.promotion']!)).toMatchObject({
        evaluation_run_id: evaluationId,
        gate: 'passed',
        metrics: { accuracy: 0.93, latency_p95_ms: 640 },
        checks: { accuracy: '0.93 >= 0.9: pass' },
      });
      expect(deployed.run.info.status).toBe('FINISHED');
    });

    it('refuses a named evaluation run that did not pass, and tags a forced one', async () => {
      const failing = await agent.evaluation(async (run) =>
        run.logMetrics({ accuracy: 0.5, latency_p95_ms: 100 }),
      );
      await expectError(
        agent.deploy({ modelVersion: '2', evaluationRunId: failing.runId }),
        'INVALID_STATE',
        /not a deployment candidate \(gate failed\)/,
      );
      const forced = await agent.deploy({ modelVersion: '2', evaluationRunId: failing.runId, force: true });
      expect(forced).toMatchObject({ forced: true, sourceRunId: failing.runId });
      const devRun = await agent.development(async () => undefined);
      await expectError(
        agent.deploy({ modelVersion: '2', evaluationRunId: devRun.runId }),
        'INVALID_STATE',
        /not in the agent's evaluation experiment/,
      );
      await expectError(agent.deploy({ modelVersion: ' ' }), 'INVALID_PARAMETER_VALUE', /model version/);
    });

    it('keeps status changes as history and answers which version was in production at a time', async () => {
      await passingEvaluation();
      const v1 = await agent.deploy({ modelVersion: '1' });
      clock += 60_000;
      await passingEvaluation();
      const v2 = await agent.deploy({ modelVersion: '2' });
      const v2Deployed = clock;
      clock += 60_000;
      const rolledBack = await agent.setDeploymentStatus(v2.runId, 'rolled_back', {
        note: 'latency regression',
      });
      expect(rolledBack.status).toBe('rolled_back');
      expect(rolledBack.history.map((h) => h.status)).toEqual(['success', 'rolled_back']);
      expect(rolledBack.history[1]).toMatchObject({ note: 'latency regression', at: clock });

      expect((await agent.productionAt(v2Deployed))?.modelVersion).toBe('2');
      expect((await agent.productionAt(clock))?.modelVersion).toBe('1');
      expect((await agent.currentDeployment())?.runId).toBe(v1.runId);
      expect(await agent.productionAt(T0 - 1)).toBeNull();
      expect((await agent.deploymentHistory()).map((d) => d.modelVersion)).toEqual(['2', '1']);
      expect((await agent.deploymentsOf('2')).map((d) => d.runId)).toEqual([v2.runId]);
      expect(await agent.deploymentsOf('9')).toEqual([]);
      await expectError(agent.setDeploymentStatus(v2.runId, 'paused'), 'INVALID_PARAMETER_VALUE', /paused/);
    });

    it('records a failed scoped deployment as failed', async () => {
      await passingEvaluation();
      await expect(
        agent.deployment(
          async () => {
            throw new Error('rollout timed out');
          },
          { modelVersion: '5' },
        ),
      ).rejects.toThrow('rollout timed out');
      const [record] = await agent.deploymentsOf('5');
      expect(record).toMatchObject({ status: 'failed', run: { info: { status: 'FAILED' } } });
      expect(await agent.currentDeployment()).toBeNull();
    });
  });

  it('without a configuration file, says how to give Agent.open its configuration', async () => {
    const empty = join(dir.path, 'no-config');
    mkdirSync(empty);
    await expectError(
      Agent.open({ cwd: empty }),
      'INVALID_PARAMETER_VALUE',
      /or pass `config` \(at least `\{ agent \}`\) to Agent\.open$/,
    );
  });

  it('answers queries on a new agent without creating its experiments', async () => {
    expect(await agent.latestEvaluation()).toBeNull();
    expect(await agent.deploymentHistory()).toEqual([]);
    expect(await agent.currentDeployment()).toBeNull();
    expect(await agent.allRuns()).toEqual([]);
    expect(await client.getExperimentByName('/Shared/health_monitor_agent/evaluation')).toBeNull();
  });

  it('gives the gate outcome from a manually ended evaluation run', async () => {
    const handle = await agent.startRun('eval');
    await handle.logMetrics({ accuracy: 0.91, latency_p95_ms: 100 });
    const outcome = await handle.end();
    expect(outcome).toMatchObject({ candidate: true, verdict: { status: 'passed' } });
    expect(handle.gate).toBe(outcome);
  });

  it('lists every run of the agent across its three experiments in one call, and the audit passes', async () => {
    await agent.development(async (run) => run.logMetric('loss', 0.3));
    clock += 1000;
    await agent.evaluation(async (run) => run.logMetrics({ accuracy: 0.93, latency_p95_ms: 640 }));
    clock += 1000;
    await agent.deploy({ modelVersion: '1' });
    const runs = await agent.allRuns();
    expect(runs.map((r) => tags(r).run_type)).toEqual(['deployment', 'evaluation', 'development']);
    expect(await agent.allRuns({ maxResults: 2 })).toHaveLength(2);
    const report = await agent.audit();
    expect(report.items.filter((i) => i.status === 'fail')).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('opens on a client that only reads: queries and the audit answer, writes are refused, nothing changes', async () => {
    await agent.evaluation(async (run) => run.logMetrics({ accuracy: 0.93, latency_p95_ms: 640 }));
    clock += 1000;
    await agent.deploy({ modelVersion: '1' });
    await agent.close();
    await client.close();
    const path = join(dir.path, 'agent.db');
    const before = { file: fileState(path), listing: folderListing(dir.path) };
    client = await TrackingClient.open(`sqlite:///${path}`, { mode: 'read' });
    agent = await open();
    expect(await agent.latestEvaluation({ candidatesOnly: true })).not.toBeNull();
    expect(await agent.currentDeployment()).toMatchObject({ modelVersion: '1' });
    expect(await agent.allRuns()).toHaveLength(2);
    expect((await agent.audit({ fix: true, dryRun: true })).ok).toBe(true);
    await expect(agent.development(async () => {})).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await agent.close();
    await client.close();
    expect({ file: fileState(path), listing: folderListing(dir.path) }).toEqual(before);
  });
});

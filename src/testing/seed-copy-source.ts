import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrackingClient } from '../client/tracking-client.js';
import type { Span } from '../entities/index.js';

/** What {@link seedCopySource} created, for assertions. */
export interface SeededCopySource {
  experimentIds: string[];
  /** The experiment deleted after its runs were made. */
  deletedExperimentId: string;
  runIds: string[];
  /** A run deleted on its own, in an active experiment. */
  deletedRunId: string;
  modelId: string;
  traceIds: string[];
  /** The registered model, with versions 1 (from a run), 2 (deleted), 3 (from the logged model). */
  registeredModel: string;
}

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5);

/** The spans of a trace: a root and a child, with attributes and an event. */
function spansOf(traceId: string, n: number): Span[] {
  const start = BigInt(T0 + n * 1000) * 1_000_000n;
  return [
    {
      trace_id: traceId,
      span_id: (n * 2 + 1).toString(16).padStart(16, '0'),
      name: 'agent',
      span_type: 'AGENT',
      status: 'OK',
      start_time_unix_nano: String(start),
      end_time_unix_nano: String(start + 5_000_000n),
      attributes: { 'mlflow.spanType': 'AGENT', 'mlflow.spanInputs': { question: `q${n}` } },
    },
    {
      trace_id: traceId,
      span_id: (n * 2 + 2).toString(16).padStart(16, '0'),
      parent_span_id: (n * 2 + 1).toString(16).padStart(16, '0'),
      name: 'search',
      span_type: 'TOOL',
      status: 'ERROR',
      status_message: 'timeout',
      start_time_unix_nano: String(start + 1_000_000n),
      end_time_unix_nano: String(start + 4_000_000n),
      attributes: { 'mlflow.spanType': 'TOOL' },
      events: [
        { name: 'exception', time_unix_nano: String(start + 2_000_000n), attributes: { message: 'slow' } },
      ],
    },
  ];
}

/**
 * Fills a store, through a client, with one of every kind of object `agentrack copy` copies:
 * experiments (one with tags, one deleted), runs with metric histories (NaN and ±Infinity
 * among them), params, tags, datasets and artifacts (one deleted run), a logged model with
 * params, tags, metrics and files, linked to its runs, traces with spans, assessments (one
 * overridden) and a link to a run, and a registered model with versions, tags, an alias and
 * stages (one version deleted).
 */
export async function seedCopySource(
  client: TrackingClient,
  options: { runs?: number } = {},
): Promise<SeededCopySource> {
  const runCount = options.runs ?? 3;
  const local = mkdtempSync(join(tmpdir(), 'agentrack-seed-'));
  try {
    const main = await client.createExperiment('agents/support', {
      tags: { team: 'core', 'mlflow.note.content': 'support agent' },
    });
    const other = await client.createExperiment('agents/triage');
    const gone = await client.createExperiment('agents/retired');
    await client.setExperimentTag('0', 'default.tag', 'yes');
    const runIds: string[] = [];
    for (let i = 0; i < runCount; i++) {
      const experimentId = i % 2 === 0 ? main : other;
      const run = await client.createRun(experimentId, {
        runName: `run-${i}`,
        startTime: T0 + i * 60_000,
        tags: { flow: `f${i % 3}` },
        userId: 'ada',
      });
      const runId = run.info.run_id;
      runIds.push(runId);
      await client.logBatch(runId, {
        params: { temperature: 0.1 * i, model: 'gpt' },
        metrics: [
          ...Array.from({ length: 5 }, (_, step) => ({
            key: 'loss',
            value: 1 / (step + 1 + i),
            step,
            timestamp: T0 + step,
          })),
          {
            key: 'weird',
            value: i === 0 ? Number.NaN : i === 1 ? Infinity : -Infinity,
            step: 0,
            timestamp: T0,
          },
          { key: 'weird', value: 0.5, step: 1, timestamp: T0 + 1 },
        ],
      });
      await client.store.logInputs(runId, {
        datasets: [
          {
            dataset: {
              name: 'questions',
              digest: 'abc123',
              source_type: 'local',
              source: '{"uri": "q.csv"}',
              schema: '{"a": 1}',
            },
            tags: [{ key: 'mlflow.data.context', value: 'eval' }],
          },
        ],
      });
      await client.logText(runId, `notes of run ${i}\n`, 'notes/readme.md');
      await client.logDict(runId, { i, tools: ['search'] }, 'config/agent.json');
      await client.setTerminated(runId, i === runCount - 1 ? 'FAILED' : 'FINISHED', T0 + i * 60_000 + 30_000);
    }
    const goneRun = await client.createRun(gone, { runName: 'old', startTime: T0 });
    await client.logMetric(goneRun.info.run_id, 'loss', 0.3, { step: 2, timestamp: T0 });
    await client.logText(goneRun.info.run_id, 'old', 'old.txt');
    runIds.push(goneRun.info.run_id);
    const deletedRunId = runIds[1] as string;

    const firstRun = runIds[0] as string;
    const model = await client.createLoggedModel(main, {
      name: 'support-agent',
      modelType: 'agent',
      sourceRunId: firstRun,
      params: { prompt: 'v3' },
      tags: { stage: 'candidate' },
    });
    const modelId = model.info.model_id;
    writeFileSync(join(local, 'MLmodel'), 'flavors: {}\n');
    await client.logModelArtifact(modelId, join(local, 'MLmodel'));
    await client.logBatch(firstRun, {
      metrics: [{ key: 'accuracy', value: 0.9, step: 1, timestamp: T0, modelId }],
    });
    await client.finalizeLoggedModel(modelId, 'READY');
    await client.logOutputs(firstRun, [{ model_id: modelId, step: 1 }]);
    if (runIds[2] !== undefined) await client.store.logInputs(runIds[2], { models: [{ model_id: modelId }] });

    const traceIds: string[] = [];
    for (let n = 0; n < 2; n++) {
      const traceId = `tr-${(n + 0xabc).toString(16).padStart(32, '0')}`;
      traceIds.push(traceId);
      await client.traces.logTrace({
        info: {
          trace_id: traceId,
          trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: main } },
          request_time: new Date(T0 + n * 1000).toISOString(),
          execution_duration: '0.005s',
          state: n === 0 ? 'OK' : 'ERROR',
          request_preview: `q${n}`,
          trace_metadata: { 'mlflow.sourceRun': firstRun, 'mlflow.modelId': modelId },
          tags: { 'mlflow.traceName': 'agent' },
        },
        spans: spansOf(traceId, n),
      });
      const judged = await client.traces.logAssessment({
        assessment_name: 'correctness',
        trace_id: traceId,
        source: { source_type: 'LLM_JUDGE', source_id: 'judge' },
        feedback: { value: n === 0 },
        rationale: 'compared with the expected answer',
        run_id: firstRun,
      });
      if (n === 0) {
        await client.traces.overrideFeedback(traceId, judged.assessment_id, {
          value: false,
          source: { source_type: 'HUMAN', source_id: 'ada' },
        });
      }
      await client.traces.logAssessment({
        assessment_name: 'expected',
        trace_id: traceId,
        source: { source_type: 'HUMAN', source_id: 'ada' },
        expectation: { value: { answer: 'ok' } },
      });
    }
    if (runIds[2] !== undefined) await client.traces.linkTracesToRun([traceIds[1] as string], runIds[2]);

    const registry = client.registry;
    const name = 'support-model';
    await registry.createRegisteredModel(name, { tags: { owner: 'core' }, description: 'the support agent' });
    await registry.createModelVersion(name, `runs:/${firstRun}/model`, {
      runId: firstRun,
      tags: { reviewed: 'yes' },
      description: 'first',
    });
    await registry.createModelVersion(name, `runs:/${firstRun}/model`, { runId: firstRun });
    await registry.createModelVersion(name, `models:/${modelId}`, { modelId });
    await registry.deleteModelVersion(name, '2');
    await registry.transitionModelVersionStage(name, '1', 'Archived');
    await registry.transitionModelVersionStage(name, '3', 'Production');
    await registry.setRegisteredModelAlias(name, 'champion', '3');
    await registry.createRegisteredModel('empty-model');

    await client.deleteRun(deletedRunId);
    await client.deleteExperiment(gone);
    return {
      experimentIds: ['0', main, other, gone],
      deletedExperimentId: gone,
      runIds,
      deletedRunId,
      modelId,
      traceIds,
      registeredModel: name,
    };
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
}

/** {@link seedCopySource} into the store at `uri`, through a client of its own, closed after. */
export async function seedCopySourceAt(
  uri: string,
  options: { runs?: number } = {},
): Promise<SeededCopySource> {
  const client = await TrackingClient.open(uri);
  try {
    return await seedCopySource(client, options);
  } finally {
    await client.close();
  }
}

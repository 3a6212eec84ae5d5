/**
 * A realistic data set for the web UI's browser tests, written into a running server over its
 * REST API: the lifecycle `Agent` on a `TrackingClient` opened on the server's URL, so run
 * names, standard tags, gates, registrations, alias moves and rollbacks are the real ones.
 *
 * Two agents, each with its three lanes:
 * - `support_bot` (registered model `support_bot`): development runs with params, tags and
 *   metrics (one history of 2,000 steps), artifacts of every kind (text, JSON, YAML, PNG, a
 *   `log_table` table, HTML with a `<script>`), a failed development run; evaluation runs with
 *   thresholds, three passing (each registering a version: 1, 2, 3) and one failing its gate;
 *   deployments of versions 1 and 2, a failed one of 3, one of 3 rolled back (the alias
 *   `production` moves back to 2), and the alias `champion` on 3; traces with spans (inputs
 *   with `<script>alert(1)</script>`) and assessments.
 * - `health_monitor_agent` (no registered model): a development run, a passing evaluation, a
 *   deployment, and a trace.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Span, TraceInfo } from '../../src/entities/index.js';
import { Agent } from '../../src/lifecycle/agent.js';
import { tempDir } from '../../src/testing/temp-dir.js';

/** What a hostile name, param or span input looks like: it must show as text, never run. */
export const HOSTILE = '<script>alert(1)</script>';

/** One agent's ids in the seeded data. */
export interface SeededAgent {
  name: string;
  experiments: { development: string; evaluation: string; deployment: string };
  devRunIds: string[];
  evalRunIds: string[];
  deployRunIds: string[];
  traceIds: string[];
}

/** The ids the browser suite builds its URLs from. */
export interface SeededData {
  agents: [SeededAgent, SeededAgent];
  /** The development run with the 2,000-step history and every kind of artifact. */
  richRunId: string;
  /** The evaluation run that passed its gate and the one that failed it. */
  passingEvalRunId: string;
  failingEvalRunId: string;
  /** The trace with a span tree, hostile inputs and assessments. */
  traceId: string;
  /** The registered model with versions 1, 2, 3 and aliases `production` (on 2) and `champion` (on 3). */
  modelName: string;
  /** The failed deployment and the rolled-back one. */
  failedDeployRunId: string;
  rolledBackDeployRunId: string;
}

/** A valid 4×4 PNG (an RGB gradient), written by hand: no image library needed. */
function png(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const size = 4;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push(x * 60, y * 60, 200);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const traceIdOf = () => `tr-${randomBytes(16).toString('hex')}`;
const spanIdOf = () => randomBytes(8).toString('hex');

/** A trace of an agent call: a root AGENT span, a RETRIEVER, an LLM and a failing TOOL span. */
async function logAgentTrace(
  client: TrackingClient,
  experimentId: string,
  options: { name: string; runId?: string; hostile?: boolean; error?: boolean; at: number },
): Promise<string> {
  const traceId = traceIdOf();
  const start = BigInt(options.at) * 1_000_000n;
  const ms = (n: number) => BigInt(n) * 1_000_000n;
  const root = spanIdOf();
  const question = options.hostile ? `Why is web-1 down? ${HOSTILE}` : 'Why is web-1 down?';
  const span = (
    name: string,
    type: string,
    from: number,
    to: number,
    attributes: Record<string, unknown>,
    parent?: string,
    status: Span['status'] = 'OK',
  ): Span => ({
    trace_id: traceId,
    span_id: parent === undefined ? root : spanIdOf(),
    ...(parent === undefined ? {} : { parent_span_id: parent }),
    name,
    span_type: type,
    status,
    ...(status === 'ERROR' ? { status_message: 'tool timed out after 2 s' } : {}),
    start_time_unix_nano: String(start + ms(from)),
    end_time_unix_nano: String(start + ms(to)),
    attributes,
  });
  const spans: Span[] = [
    span(options.name, 'AGENT', 0, 1840, {
      'mlflow.spanInputs': { question, html: '<img src=x onerror=alert(1)>' },
      'mlflow.spanOutputs': 'web-1 ran out of disk space',
    }),
    span('retrieve_runbooks', 'RETRIEVER', 12, 240, { 'mlflow.spanInputs': { query: question } }, root),
    span(
      'chat_completion',
      'LLM',
      250,
      1500,
      {
        'mlflow.spanInputs': { messages: [{ role: 'user', content: question }] },
        'mlflow.spanOutputs': { content: 'Disk full on /var' },
        'llm.token_count': 812,
      },
      root,
    ),
    span(
      'check_disk',
      'TOOL',
      1510,
      1830,
      { 'mlflow.spanInputs': { host: 'web-1' } },
      root,
      options.error ? 'ERROR' : 'OK',
    ),
  ];
  const info: TraceInfo = {
    trace_id: traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_time: new Date(options.at).toISOString(),
    execution_duration: '1.840s',
    state: options.error ? 'ERROR' : 'OK',
    request_preview: question,
    response_preview: 'web-1 ran out of disk space',
    tags: { 'mlflow.traceName': options.name, flow: options.hostile ? HOSTILE : 'incident' },
    ...(options.runId ? { trace_metadata: { 'mlflow.sourceRun': options.runId } } : {}),
  };
  await client.traces.logTrace({ info, spans });
  return traceId;
}

/** Fills the server at `url` with the data set; a few seconds. */
export async function seedUi(url: string): Promise<SeededData> {
  const client = await TrackingClient.open(url);
  const files = tempDir('agentrack-ui-seed-');
  try {
    const bot = await Agent.open({
      client,
      config: {
        agent: 'support_bot',
        version: '1.4.0',
        thresholds: ['accuracy >= 0.9', 'latency_p95_ms <= 800'],
        registeredModel: 'support_bot',
        trackingUri: url,
      },
    });
    const monitor = await Agent.open({
      client,
      config: {
        agent: 'health_monitor_agent',
        version: '0.3.1',
        thresholds: ['accuracy >= 0.8'],
        trackingUri: url,
      },
    });
    await Promise.all([bot.ensureExperiments(), monitor.ensureExperiments()]);
    const experimentsOf = async (agent: Agent) => ({
      development: await agent.experimentId('development'),
      evaluation: await agent.experimentId('evaluation'),
      deployment: await agent.experimentId('deployment'),
    });
    const botIds: SeededAgent = {
      name: bot.config.agent,
      experiments: await experimentsOf(bot),
      devRunIds: [],
      evalRunIds: [],
      deployRunIds: [],
      traceIds: [],
    };
    const monitorIds: SeededAgent = {
      name: monitor.config.agent,
      experiments: await experimentsOf(monitor),
      devRunIds: [],
      evalRunIds: [],
      deployRunIds: [],
      traceIds: [],
    };

    // Development: the rich run, a plain one, a failed one.
    const pngPath = join(files.path, 'confusion.png');
    writeFileSync(pngPath, png());
    const rich = await bot.development(
      async (run) => {
        await run.logParams({
          model: 'gpt-4o-mini',
          temperature: 0.2,
          prompt_template: 'v3',
          system_prompt: `You are a support bot. ${'Answer briefly and cite the runbook. '.repeat(12)}`,
          hostile_param: HOSTILE,
        });
        await run.setTags({ team: 'sre', 'mlflow.note.content': `Notes with ${HOSTILE}` });
        for (let step = 0; step < 2000; step++) {
          await run.logMetric('loss', 2 * Math.exp(-step / 400) + 0.05 * Math.sin(step / 7), { step });
        }
        for (let step = 0; step < 20; step++) await run.logMetric('accuracy', 0.6 + step * 0.017, { step });
        await run.logMetrics({ latency_p95_ms: 712, nan_metric: Number.NaN, inf_metric: Infinity });
        await run.logText(`Epoch 1 done\nEpoch 2 done\n${HOSTILE}\n`, 'logs/train.txt');
        await run.logDict({ temperature: 0.2, tools: ['search', 'check_disk'] }, 'config/agent.json');
        await run.logDict({ retries: 3, model: 'gpt-4o-mini' }, 'config/agent.yaml');
        await run.logArtifact(pngPath, 'plots');
        await run.logTable(
          {
            question: ['is web-1 healthy?', `what is ${HOSTILE}?`, 'restart db-2?'],
            answer: ['no: disk full', 'text, never markup', 'yes'],
            score: [0.93, 0.5, 0.88],
          },
          'eval_results/table.json',
        );
        await run.logText(
          `<!doctype html><html><body><h1>Report</h1>${HOSTILE}<p>done</p></body></html>`,
          'report.html',
        );
        return run.runId;
      },
      { tags: { dataset: 'golden-v2' } },
    );
    botIds.devRunIds.push(rich.runId);
    const plain = await bot.development(async (run) => {
      await run.logParams({ model: 'gpt-4o', temperature: 0 });
      await run.logMetrics({ accuracy: 0.88, latency_p95_ms: 640 });
    });
    botIds.devRunIds.push(plain.runId);
    // A development run that fails: the lifecycle ends it FAILED with agentrack.error, then rethrows.
    await bot
      .development(async (run) => {
        await run.logParam('model', 'gpt-4o-mini');
        throw new Error('rate limited by the provider');
      })
      .catch(() => undefined);

    // Evaluation: three pass (versions 1, 2, 3), one fails its gate.
    const modelUri = `runs:/${rich.runId}/model`;
    const evaluate = (accuracy: number, latency: number, register: boolean) =>
      bot.evaluation(
        async (run) => {
          await run.logParams({ dataset: 'golden-v2', judge: 'gpt-4o' });
          await run.logMetrics({ accuracy, latency_p95_ms: latency });
        },
        { gateTable: 'agentrack/gate.json', ...(register ? { register: { modelUri } } : {}) },
      );
    const pass1 = await evaluate(0.91, 700, true);
    const fail = await evaluate(0.82, 950, true);
    const pass2 = await evaluate(0.93, 640, true);
    const pass3 = await evaluate(0.95, 610, true);
    if (!pass1.candidate || fail.candidate || !pass2.candidate || !pass3.candidate) {
      throw new Error('seed: the evaluation gates did not come out as planned');
    }
    botIds.evalRunIds.push(pass1.runId, fail.runId, pass2.runId, pass3.runId);
    const evalTrace = await logAgentTrace(client, botIds.experiments.evaluation, {
      name: 'evaluate_row',
      runId: fail.runId,
      at: Date.now() - 60_000,
    });
    botIds.traceIds.push(evalTrace);

    // Deployments: 1 and 2 succeed, 3 fails, 3 again then rolled back (alias back to 2).
    const d1 = await bot.deploy({ modelVersion: '1', evaluationRunId: pass1.runId });
    const d2 = await bot.deploy({ modelVersion: '2', evaluationRunId: pass2.runId });
    const d3 = await bot
      .deployment(
        async () => {
          throw new Error('canary error rate 12%');
        },
        { modelVersion: '3', evaluationRunId: pass3.runId },
      )
      .then(
        (result) => result.runId,
        async () => (await bot.deploymentsOf('3'))[0]?.runId,
      );
    if (d3 === undefined) throw new Error('seed: the failed deployment was not recorded');
    const d4 = await bot.deploy({ modelVersion: '3', evaluationRunId: pass3.runId });
    await bot.setDeploymentStatus(d4.runId, 'rolled_back', { note: 'latency regression' });
    botIds.deployRunIds.push(d1.runId, d2.runId, d3, d4.runId);
    await client.registry.setRegisteredModelAlias('support_bot', 'champion', '3');
    await client.registry.updateRegisteredModel('support_bot', {
      description: `The support bot's answers model. ${HOSTILE}`,
    });

    // Traces of the development lane.
    const now = Date.now();
    const traceId = await logAgentTrace(client, botIds.experiments.development, {
      name: 'answer_ticket',
      runId: rich.runId,
      hostile: true,
      at: now - 30_000,
    });
    botIds.traceIds.push(traceId);
    botIds.traceIds.push(
      await logAgentTrace(client, botIds.experiments.development, {
        name: 'answer_ticket',
        error: true,
        at: now - 20_000,
      }),
    );
    const verdict = await client.traces.logAssessment({
      assessment_name: 'correctness',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
      feedback: { value: true },
      rationale: `Matches the runbook. ${HOSTILE}`,
    });
    await client.traces.overrideFeedback(traceId, verdict.assessment_id, {
      value: false,
      rationale: 're-checked: the disk was not full',
    });
    await client.traces.logAssessment({
      assessment_name: 'expected_answer',
      trace_id: traceId,
      source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
      expectation: { value: 'web-1 ran out of inodes' },
    });

    // The second agent: one of each.
    const monitorDev = await monitor.development(async (run) => {
      await run.logParams({ model: 'claude-haiku', window: '5m' });
      for (let step = 0; step < 50; step++) await run.logMetric('accuracy', 0.7 + step / 250, { step });
    });
    monitorIds.devRunIds.push(monitorDev.runId);
    const monitorEval = await monitor.evaluation(async (run) => run.logMetric('accuracy', 0.86));
    monitorIds.evalRunIds.push(monitorEval.runId);
    const monitorDeploy = await monitor.deploy({ modelVersion: '7', evaluationRunId: monitorEval.runId });
    monitorIds.deployRunIds.push(monitorDeploy.runId);
    monitorIds.traceIds.push(
      await logAgentTrace(client, monitorIds.experiments.development, {
        name: 'check_host',
        runId: monitorDev.runId,
        at: now - 10_000,
      }),
    );

    await Promise.all([bot.close(), monitor.close()]);
    return {
      agents: [botIds, monitorIds],
      richRunId: rich.runId,
      passingEvalRunId: pass2.runId,
      failingEvalRunId: fail.runId,
      traceId,
      modelName: 'support_bot',
      failedDeployRunId: d3,
      rolledBackDeployRunId: d4.runId,
    };
  } finally {
    await client.close();
    files.remove();
  }
}

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { Span, TraceInfo } from '../../src/entities/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import { agentrack, lines, writeAgentConfig } from './helpers.js';

const AGENT = 'cli_trace_agent';
const T0 = 1_796_123_635_877_083_937n;

function info(
  experimentId: string,
  traceId: string,
  state: 'OK' | 'ERROR',
  ms: number,
  run?: string,
): TraceInfo {
  return {
    trace_id: traceId,
    trace_location: { type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } },
    request_time: new Date(ms).toISOString(),
    execution_duration: '0.012s',
    state,
    trace_metadata: { 'mlflow.trace_schema.version': '3', ...(run ? { 'mlflow.sourceRun': run } : {}) },
    tags: { 'mlflow.traceName': 'health_check' },
  };
}

function spans(traceId: string, failing: boolean): Span[] {
  const base = { trace_id: traceId, status: 'OK' as const, attributes: {} };
  return [
    {
      ...base,
      span_id: '00000000000000a1',
      name: 'health_check',
      span_type: 'AGENT',
      start_time_unix_nano: String(T0),
      end_time_unix_nano: String(T0 + 1_604_438n),
      attributes: { 'mlflow.spanInputs': { host: 'web-1' }, 'mlflow.spanOutputs': 'critical' },
    },
    {
      ...base,
      span_id: '00000000000000b2',
      parent_span_id: '00000000000000a1',
      name: 'read_metrics',
      span_type: 'TOOL',
      start_time_unix_nano: String(T0 + 400_000n),
      end_time_unix_nano: String(T0 + 500_000n),
      ...(failing ? { status: 'ERROR' as const, status_message: 'RuntimeError: pager unreachable' } : {}),
    },
  ];
}

describe('agentrack traces', () => {
  let dir: ReturnType<typeof tempDir>;
  let cwd: string;
  let trackingUri: string;
  let devId: string;
  let runId: string;
  const ok = 'tr-000000000000000000000000000000a1';
  const failed = 'tr-000000000000000000000000000000b2';
  const inRun = 'tr-000000000000000000000000000000c3';
  const evaluated = 'tr-000000000000000000000000000000d4';

  beforeAll(async () => {
    dir = tempDir('agentrack-cli-traces-');
    trackingUri = `sqlite:///${join(dir.path, 'traces.db')}`;
    cwd = writeAgentConfig(dir.path, 'agent', { agent: AGENT, trackingUri });
    const client = await TrackingClient.open(trackingUri);
    try {
      devId = await client.createExperiment(`/Shared/${AGENT}/development`);
      const evalId = await client.createExperiment(`/Shared/${AGENT}/evaluation`);
      runId = (await client.createRun(evalId)).info.run_id;
      const now = Date.now();
      await client.traces.logTrace({ info: info(devId, ok, 'OK', now - 4000), spans: spans(ok, false) });
      await client.traces.logTrace({
        info: info(devId, failed, 'ERROR', now - 3000),
        spans: spans(failed, true),
      });
      await client.traces.logTrace({
        info: info(evalId, inRun, 'OK', now - 2000, runId),
        spans: spans(inRun, false),
      });
      await client.traces.logTrace({
        info: info(evalId, evaluated, 'OK', now - 1000),
        spans: spans(evaluated, false),
      });
      await client.traces.logAssessment({
        assessment_name: 'correct_status',
        trace_id: ok,
        source: { source_type: 'HUMAN', source_id: 'sre@example.com' },
        feedback: { value: true },
        rationale: 'cpu 93% is critical',
      });
    } finally {
      await client.close();
    }
  });
  afterAll(() => dir.remove());

  const ids = (stdout: string) =>
    lines(stdout)
      .slice(1)
      .map((line) => line.split(/\s+/)[0]);

  it("lists the lanes' traces, newest first, with lane, name, state, duration and run", () => {
    const all = agentrack(['traces'], { cwd });
    expect(all.code, all.stderr).toBe(0);
    expect(lines(all.stdout)[0]).toMatch(/^TRACE ID\s+LANE\s+NAME\s+STATE\s+STARTED\s+DURATION\s+RUN ID$/);
    expect(ids(all.stdout)).toEqual([evaluated, inRun, failed, ok]);
    const row = lines(all.stdout).find((l) => l.startsWith(inRun)) as string;
    expect(row).toMatch(/evaluation\s+health_check\s+OK\s+\S+Z\s+12\.00 ms\s+[0-9a-f]{32}$/);
    expect(row.endsWith(runId)).toBe(true);
  });

  it('narrows to a lane, a filter, a run, and prints JSON', () => {
    const errors = agentrack(['traces', '--type', 'dev', '--filter', "trace.status = 'ERROR'"], { cwd });
    expect(errors.code, errors.stderr).toBe(0);
    expect(ids(errors.stdout)).toEqual([failed]);
    const spanFilter = agentrack(['traces', '--filter', "span.status = 'ERROR'"], { cwd });
    expect(ids(spanFilter.stdout)).toEqual([failed]);
    const ofRun = agentrack(['traces', '--run', runId, '--json'], { cwd });
    expect(ofRun.code, ofRun.stderr).toBe(0);
    const parsed = JSON.parse(ofRun.stdout) as TraceInfo[];
    expect(parsed.map((t) => t.trace_id)).toEqual([inRun]);
    expect(parsed[0]?.tags?.['mlflow.artifactLocation']).toMatch(/\/traces\/tr-0+c3\/artifacts$/);
    const limited = agentrack(['traces', '--max-results', '1'], { cwd });
    expect(ids(limited.stdout)).toEqual([evaluated]);
    expect(limited.stderr).toContain('--max-results shows more');
    const none = agentrack(['traces', '--filter', "tags.nothing = 'here'"], { cwd });
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(none.stderr).toContain(`no traces of the agent '${AGENT}' found`);
  });

  it('lists any experiment by id, without a configuration', () => {
    const listed = agentrack(['traces', '--experiment-id', devId, '--tracking-uri', trackingUri], {
      cwd: dir.path,
    });
    expect(listed.code, listed.stderr).toBe(0);
    expect(ids(listed.stdout)).toEqual([failed, ok]);
  });

  it('shows one trace as a span tree, with inputs and outputs on request, and its assessments', () => {
    const shown = agentrack(['traces', 'show', ok], { cwd });
    expect(shown.code, shown.stderr).toBe(0);
    const out = lines(shown.stdout);
    expect(out[0]).toMatch(
      new RegExp(`^trace ${ok} health_check {2}OK {2}2 spans {2}12\\.00 ms {2}started \\S+Z$`),
    );
    expect(out[1]).toBe('health_check  AGENT  OK  1.60 ms');
    expect(out[2]).toBe('└─ read_metrics  TOOL  OK  100 µs');
    expect(shown.stdout).toMatch(
      /assessments:\n {2}NAME\s+KIND\s+VALUE\s+SOURCE\s+VALID\s+RATIONALE\n {2}correct_status\s+feedback\s+true\s+HUMAN:sre@example.com\s+yes\s+cpu 93% is critical\n/,
    );
    const io = agentrack(['traces', 'show', failed, '--io'], { cwd });
    expect(lines(io.stdout).slice(1, 5)).toEqual([
      'health_check  AGENT  OK  1.60 ms',
      '│  in:  {"host":"web-1"}',
      '│  out: "critical"',
      '└─ read_metrics  TOOL  ERROR RuntimeError: pager unreachable  100 µs',
    ]);
    const json = agentrack(['traces', 'show', ok, '--json'], { cwd });
    const trace = JSON.parse(json.stdout) as { info: TraceInfo; spans: Span[] };
    expect(trace.info.assessments?.[0]?.assessment_name).toBe('correct_status');
    expect(trace.spans.map((s) => s.start_time_unix_nano)).toEqual([String(T0), String(T0 + 400_000n)]);
  });

  it('fails with a readable message and a non-zero exit on bad input', () => {
    const missing = agentrack(['traces', 'show', 'tr-0000000000000000000000000000dead'], { cwd });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /tr-0000000000000000000000000000dead.*not found.*\(RESOURCE_DOES_NOT_EXIST\)/,
    );
    const bad = agentrack(['traces', '--filter', "trace.status == 'OK' AND"], { cwd });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/INVALID_PARAMETER_VALUE/);
    const run = agentrack(['traces', '--run', "x' OR '1'='1"], { cwd });
    expect(run).toMatchObject({ code: 2 });
    expect(run.stderr).toContain('--run');
    const both = agentrack(['traces', '--type', 'dev', '--experiment-id', devId], { cwd });
    expect(both.code).toBe(2);
    const width = agentrack(['traces', 'show', ok, '--width', 'wide'], { cwd });
    expect(width.code).toBe(2);
    expect(width.stderr).toContain('--width');
  });
});

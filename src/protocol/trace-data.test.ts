import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAgentrackError } from '../errors.js';
import { formatTraceData, otelTraceId, parseTraceData } from './trace-data.js';

/** The `traces.json` bodies MLflow 3.3.1's client uploaded in the recorded trace flows. */
function recordedUploads(): { traceId: string; text: string }[] {
  const url = new URL('../../test/fixtures/mlflow-wire/traces.jsonl', import.meta.url);
  return readFileSync(url, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { method?: string; path?: string; request?: unknown })
    .filter((e) => e.method === 'PUT' && e.path?.endsWith('/traces.json') && typeof e.request === 'string')
    .map((e) => ({ traceId: /\/traces\/(tr-[0-9a-f]+)\//.exec(e.path!)![1]!, text: e.request as string }));
}

describe('traces.json', () => {
  const uploads = recordedUploads();

  it('reads the spans MLflow 3.3 uploads: hex ids, parents, types, status, exact nanosecond times, decoded attributes', () => {
    const first = uploads[0]!;
    const spans = parseTraceData(first.text, first.traceId);
    expect(spans.map((s) => [s.name, s.span_type, s.status])).toEqual([
      ['health_check', 'AGENT', 'OK'],
      ['read_metrics', 'TOOL', 'OK'],
      ['classify', 'LLM', 'OK'],
    ]);
    const [root, tool] = spans;
    expect(root!.parent_span_id).toBeUndefined();
    expect(tool!.parent_span_id).toBe(root!.span_id);
    expect(root!.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(root!.trace_id).toBe(first.traceId);
    expect(root!.start_time_unix_nano).toBe('1796123635877083937');
    expect(root!.end_time_unix_nano).toBe('1796123635877688375');
    expect(tool!.attributes['mlflow.spanInputs']).toEqual({ host: 'web-1' });
    expect(tool!.attributes['mlflow.spanOutputs']).toEqual({ cpu: 93, memory: 61.5 });
    expect(root!.events).toBeUndefined();
  });

  it('keeps an error status, its message and the exception event', () => {
    const failed = uploads.find((u) => u.text.includes('STATUS_CODE_ERROR'))!;
    const [span] = parseTraceData(failed.text, failed.traceId);
    expect(span!.status).toBe('ERROR');
    expect(span!.status_message).toBe('RuntimeError: pager unreachable for web-1');
    expect(span!.events?.[0]?.name).toBe('exception');
    expect(span!.events?.[0]?.attributes?.['exception.type']).toBe('RuntimeError');
    expect(span!.events?.[0]?.time_unix_nano).toMatch(/^\d{19}$/);
  });

  it('writes what it reads: every recorded upload survives a round trip, and ids match the tr- id', () => {
    expect(uploads.length).toBeGreaterThan(3);
    for (const { traceId, text } of uploads) {
      const spans = parseTraceData(text, traceId);
      const written = formatTraceData(spans);
      expect(parseTraceData(written, traceId)).toEqual(spans);
      const raw = JSON.parse(text) as { spans: { trace_id: string }[] };
      const again = JSON.parse(written) as { spans: { trace_id: string; start_time_unix_nano: number }[] };
      expect(again.spans[0]!.trace_id).toBe(raw.spans[0]!.trace_id);
      expect(Buffer.from(again.spans[0]!.trace_id, 'base64').toString('hex')).toBe(otelTraceId(traceId));
      expect(written).toContain(`"start_time_unix_nano":${spans[0]!.start_time_unix_nano}`);
    }
  });

  it("reads MLflow 2's layout (0x hex ids, parent_id, start_time, status_code)", () => {
    const text = JSON.stringify({
      spans: [
        {
          name: 'root',
          context: { span_id: '0x00000000000000a1', trace_id: '0x0000000000000000000000000000abcd' },
          parent_id: null,
          start_time: 1700000000000000000,
          end_time: 1700000000500000000,
          status_code: 'OK',
          status_message: '',
          attributes: { 'mlflow.spanType': '"CHAIN"' },
          events: [],
        },
        {
          name: 'child',
          context: { span_id: '0x00000000000000b2', trace_id: '0x0000000000000000000000000000abcd' },
          parent_id: '0x00000000000000a1',
          start_time: 1700000000100000000,
          end_time: null,
          status_code: 'ERROR',
          status_message: 'boom',
          attributes: {},
          events: [
            {
              name: 'exception',
              timestamp: 1700000000200000000,
              attributes: { 'exception.message': 'boom' },
            },
          ],
        },
      ],
    });
    const [root, child] = parseTraceData(text, 'tr-0000000000000000000000000000abcd');
    expect(root).toMatchObject({ span_id: '00000000000000a1', span_type: 'CHAIN', status: 'OK' });
    expect(child).toMatchObject({
      parent_span_id: '00000000000000a1',
      status: 'ERROR',
      status_message: 'boom',
    });
    expect(child!.end_time_unix_nano).toBeUndefined();
    expect(child!.events?.[0]?.time_unix_nano).toBe('1700000000200000000');
  });

  it("keeps a span name that is not a string as its text, as MLflow's client sends them (start_trace(name=1234), name=None)", () => {
    const span = (name: string) =>
      `{"span_id": "AAAAAAAAAAE=", "name": ${name}, "start_time_unix_nano": 1, "status": {"code": "STATUS_CODE_OK"}}`;
    const names = ['1234', 'null', 'true', '1.5'].map(
      (name) => parseTraceData(`{"spans": [${span(name)}]}`, 'tr-1')[0]?.name,
    );
    expect(names).toEqual(['1234', '', 'true', '1.5']);
    const legacy = parseTraceData(
      '{"spans": [{"name": 1234, "context": {"span_id": "0x00000000000000a1", "trace_id": "0x0000000000000000000000000000abcd"}, "parent_id": null, "start_time": 1, "end_time": 2, "status_code": "OK", "status_message": "", "attributes": {}, "events": []}]}',
      'tr-1',
    );
    expect(legacy[0]?.name).toBe('1234');
    expect(() => parseTraceData(`{"spans": [${span('{"a": 1}')}]}`, 'tr-1')).toThrow(/name/);
  });

  it('refuses what is not trace data, saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      ['[]', /list 'spans'/],
      ['{"spans": [1]}', /Span 0 .* not a JSON object/],
      ['{"spans": [{"span_id": "???", "name": "a", "start_time_unix_nano": 1}]}', /span_id/],
      [
        '{"spans": [{"span_id": "AAAAAAAAAAE=", "name": "a", "start_time_unix_nano": 1.5}]}',
        /start_time_unix_nano/,
      ],
      [
        '{"spans": [{"span_id": "AAAAAAAAAAE=", "name": "a", "start_time_unix_nano": 1, "status": {"code": "MAYBE"}}]}',
        /status.code/,
      ],
    ];
    for (const [text, message] of cases) {
      let caught: unknown;
      try {
        parseTraceData(text, 'tr-1');
      } catch (error) {
        caught = error;
      }
      expect(isAgentrackError(caught, 'INVALID_PARAMETER_VALUE'), text).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('does not mistake a string that looks like a time placeholder for one', () => {
    const spans = parseTraceData(uploads[0]!.text, uploads[0]!.traceId);
    spans[0]!.events = [{ name: 'note', time_unix_nano: '1', attributes: { text: 'x:0' } }];
    spans[0]!.attributes.note = '"start_time_unix_nano": 5';
    const again = parseTraceData(formatTraceData(spans), uploads[0]!.traceId);
    expect(again).toEqual(spans);
  });
});

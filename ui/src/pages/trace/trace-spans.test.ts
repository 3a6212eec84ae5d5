import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildSpanTree, parseTraceSpans, spanDurationMs, visibleRows } from './trace-spans.js';
import { collapsedFromUrl, collapsedToUrl } from './trace-url.js';

// Beyond 2^53: a double would round the last digits.
const START = '1796123635877083937';
const END = '1796123635879083939';

const v3 = `{"spans": [
  {"trace_id": "AAAAAAAAAAAAAAAAAAAAoQ==", "span_id": "AAAAAAAAAKE=", "parent_span_id": "", "name": "root",
   "start_time_unix_nano": ${START}, "end_time_unix_nano": ${END},
   "attributes": {"mlflow.spanType": "\\"AGENT\\"", "mlflow.spanInputs": "{\\"q\\": \\"<b>hi</b>\\"}", "raw": "not json"},
   "events": [{"time_unix_nano": ${END}, "name": "exception", "attributes": {"exception.type": "ValueError"}}],
   "status": {"message": "boom", "code": "STATUS_CODE_ERROR"}},
  {"trace_id": "AAAAAAAAAAAAAAAAAAAAoQ==", "span_id": "AAAAAAAAALI=", "parent_span_id": "AAAAAAAAAKE=", "name": "child",
   "start_time_unix_nano": 1796123635878083937, "end_time_unix_nano": null, "attributes": {}, "status": {"code": "STATUS_CODE_OK"}}
]}`;

describe('parseTraceSpans', () => {
  it("reads MLflow 3's traces.json: base64 ids, exact nanoseconds, decoded attributes, events, status", () => {
    const [root, child] = parseTraceSpans(v3);
    expect(root).toMatchObject({
      spanId: '00000000000000a1',
      parentId: undefined,
      name: 'root',
      type: 'AGENT',
      status: 'ERROR',
      statusMessage: 'boom',
      startNs: BigInt(START),
      endNs: BigInt(END),
      attributes: { 'mlflow.spanInputs': { q: '<b>hi</b>' }, raw: 'not json' },
    });
    expect(root?.events).toEqual([
      { name: 'exception', timeNs: BigInt(END), attributes: { 'exception.type': 'ValueError' } },
    ]);
    expect(spanDurationMs(root!)).toBe(2.000002);
    expect(child).toMatchObject({ spanId: '00000000000000b2', parentId: '00000000000000a1', status: 'OK' });
    expect(child?.endNs).toBeUndefined();
  });

  it("reads MLflow 2's layout (0x hex ids, start_time, status_code)", () => {
    const [span] = parseTraceSpans(
      `{"spans": [{"context": {"span_id": "0xa1", "trace_id": "0x1"}, "parent_id": null, "name": 7,
        "start_time": ${START}, "end_time": ${END}, "status_code": "OK", "attributes": {}}]}`,
    );
    expect(span).toMatchObject({
      spanId: '00000000000000a1',
      name: '7',
      status: 'OK',
      startNs: BigInt(START),
    });
  });

  it('refuses a text that is not a traces.json', () => {
    expect(() => parseTraceSpans('{"rows": []}')).toThrow(/list "spans"/);
    expect(() => parseTraceSpans('<html>')).toThrow();
  });
});

describe('the span tree', () => {
  const spans = parseTraceSpans(v3);
  it('nests children under their parent, an orphan as a root, on an axis from the first start to the last end', () => {
    const orphan = { ...spans[1]!, spanId: 'ff', parentId: 'missing' };
    const tree = buildSpanTree([...spans, orphan]);
    expect(tree.roots.map((s) => s.spanId)).toEqual(['00000000000000a1', 'ff']);
    expect(tree.startNs).toBe(BigInt(START));
    expect(tree.totalNs).toBe(2_000_002);
    expect(visibleRows(tree, new Set()).map((r) => [r.span.name, r.depth, r.hasChildren])).toEqual([
      ['root', 0, true],
      ['child', 1, false],
      ['child', 0, false],
    ]);
    expect(visibleRows(tree, new Set(['00000000000000a1'])).map((r) => r.span.spanId)).toEqual([
      '00000000000000a1',
      'ff',
    ]);
  });

  it('flattens a chain deeper than the call stack would allow', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => ({
      ...spans[1]!,
      spanId: `s${i}`,
      parentId: i === 0 ? undefined : `s${i - 1}`,
    }));
    const rows = visibleRows(buildSpanTree(chain), new Set());
    expect(rows).toHaveLength(20_000);
    expect(rows.at(-1)?.depth).toBe(19_999);
  });
});

describe('ancestorsOf', () => {
  it('walks up to the root, nearest first, and stops on a parent cycle', () => {
    const base = parseTraceSpans(v3)[1]!;
    const at = (spanId: string, parentId: string | undefined) => ({ ...base, spanId, parentId });
    const tree = buildSpanTree([at('a', undefined), at('b', 'a'), at('c', 'b'), at('x', 'y'), at('y', 'x')]);
    expect(ancestorsOf(tree, 'c')).toEqual(['b', 'a']);
    expect(ancestorsOf(tree, 'a')).toEqual([]);
    expect(ancestorsOf(tree, 'missing')).toEqual([]);
    expect(ancestorsOf(tree, 'x')).toEqual(['y']);
  });
});

describe('the collapsed spans in the URL', () => {
  const base = parseTraceSpans(v3)[1]!;
  const tree = buildSpanTree([
    { ...base, spanId: 'a', parentId: undefined },
    { ...base, spanId: 'b', parentId: 'a' },
  ]);
  it('keeps only spans of the trace that have children, and writes nothing for none', () => {
    expect([...collapsedFromUrl('a, b,zz,', tree)]).toEqual(['a']);
    expect([...collapsedFromUrl(null, tree)]).toEqual([]);
    expect([...collapsedFromUrl('a', undefined)]).toEqual([]);
    expect(collapsedToUrl(new Set(['a', 'c']))).toBe('a,c');
    expect(collapsedToUrl(new Set())).toBeUndefined();
  });
});

import { SPAN_INPUTS_ATTRIBUTE, SPAN_OUTPUTS_ATTRIBUTE, type Span } from '../../entities/index.js';
import type { Paint } from './color.js';

/** Options of {@link formatSpanTree}. */
export interface SpanTreeOptions {
  /** Also print each span's inputs and outputs (compact JSON), cut at {@link SpanTreeOptions.width}. */
  io?: boolean;
  /** Longest inputs/outputs line, in characters; default 200. 0 prints them whole. */
  width?: number;
}

/**
 * The spans of a trace as a tree, one line per span in start order under its parent:
 * name, type, status (with the error message) and duration; a span whose parent is not in the
 * trace is shown as a root. Built without recursion, so a trace of any depth prints; below 32
 * levels the indentation stops growing and each line says its depth (`[40] name ...`).
 *
 * @example
 * health_check  AGENT  OK  1.60 ms
 * ├─ read_metrics  TOOL  OK  100 µs
 * └─ classify  LLM  OK  44 µs
 */
export function formatSpanTree(spans: readonly Span[], paint: Paint, options: SpanTreeOptions = {}): string {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map<string | undefined, Span[]>();
  for (const span of [...spans].sort(byStart)) {
    const parent =
      span.parent_span_id !== undefined && ids.has(span.parent_span_id) ? span.parent_span_id : undefined;
    const list = children.get(parent);
    if (list) list.push(span);
    else children.set(parent, [span]);
  }
  const width = options.width ?? 200;
  const lines: string[] = [];
  // Depth-first, iteratively: each entry is a span, its depth and the prefix its children's
  // lines carry. Past MAX_DRAWN_DEPTH the prefix stops growing and the depth is written out.
  const stack: { span: Span; depth: number; lead: string; branch: string }[] = [];
  const pushChildren = (parent: string | undefined, lead: string, depth: number) => {
    const list = children.get(parent) ?? [];
    const drawn = depth <= MAX_DRAWN_DEPTH;
    for (let i = list.length - 1; i >= 0; i--) {
      const last = i === list.length - 1;
      const span = list[i] as Span;
      const marker = drawn ? '' : `[${depth}] `;
      stack.push({
        span,
        depth,
        lead: depth === 0 ? '' : drawn ? lead + (last ? '   ' : '│  ') : lead,
        branch: depth === 0 ? '' : lead + (last ? '└─ ' : '├─ ') + marker,
      });
    }
  };
  pushChildren(undefined, '', 0);
  while (stack.length > 0) {
    const { span, depth, lead, branch } = stack.pop() as (typeof stack)[number];
    lines.push(`${branch}${spanLine(span, paint)}`);
    if (options.io) {
      const hasChildren = (children.get(span.span_id) ?? []).length > 0;
      const pad = lead + (hasChildren ? '│  ' : '   ');
      for (const [label, key] of [
        ['in: ', SPAN_INPUTS_ATTRIBUTE],
        ['out:', SPAN_OUTPUTS_ATTRIBUTE],
      ] as const) {
        if (Object.hasOwn(span.attributes, key)) {
          lines.push(
            `${pad}${paint.dim(label)} ${cut(JSON.stringify(span.attributes[key]) ?? 'null', width)}`,
          );
        }
      }
    }
    pushChildren(span.span_id, lead, depth + 1);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

/** How deep the tree is drawn; deeper spans keep the last indentation and show their depth. */
const MAX_DRAWN_DEPTH = 32;

function spanLine(span: Span, paint: Paint): string {
  const status =
    span.status === 'ERROR'
      ? paint.red(span.status_message ? `ERROR ${span.status_message}` : 'ERROR')
      : span.status === 'OK'
        ? paint.green('OK')
        : 'UNSET';
  const duration =
    span.end_time_unix_nano === undefined
      ? paint.yellow('open')
      : formatNanos(BigInt(span.end_time_unix_nano) - BigInt(span.start_time_unix_nano));
  return `${span.name}  ${paint.dim(span.span_type)}  ${status}  ${duration}`;
}

function byStart(a: Span, b: Span): number {
  const d = BigInt(a.start_time_unix_nano) - BigInt(b.start_time_unix_nano);
  if (d !== 0n) return d < 0n ? -1 : 1;
  return a.span_id < b.span_id ? -1 : a.span_id > b.span_id ? 1 : 0;
}

function cut(text: string, width: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return width > 0 && flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

/**
 * A duration in nanoseconds for reading: microseconds below 1 ms, milliseconds with two
 * decimals below 1 s, seconds with three decimals below a minute, then minutes and seconds.
 *
 * @example formatNanos(1_604_438n) // '1.60 ms'
 */
export function formatNanos(ns: bigint): string {
  if (ns < 0n) return `-${formatNanos(-ns)}`;
  const n = Number(ns);
  if (n < 1e6) return `${(n / 1e3).toFixed(0)} µs`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} ms`;
  if (n < 6e10) return `${(n / 1e9).toFixed(3)} s`;
  const seconds = Math.round(n / 1e9);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

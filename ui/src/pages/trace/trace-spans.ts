/**
 * A browser-safe reader of `traces.json` (src/protocol/trace-data.ts is the server's, which
 * needs Node's Buffer), and the span tree the trace page draws. Nanosecond times exceed a
 * double's exact range: they are read from the text as digits and kept as BigInt; only
 * offsets from the trace's start (small) become numbers.
 */

/** A span event (an `exception`, a log line). */
export interface SpanEventView {
  name: string;
  /** Epoch nanoseconds, exact. */
  timeNs: bigint;
  attributes: Record<string, unknown>;
}

/** One span, as the trace page shows it. */
export interface SpanView {
  spanId: string;
  parentId: string | undefined;
  name: string;
  type: string;
  status: 'OK' | 'ERROR' | 'UNSET';
  statusMessage: string;
  startNs: bigint;
  /** Absent while the span is open. */
  endNs: bigint | undefined;
  attributes: Record<string, unknown>;
  events: SpanEventView[];
}

/** The attribute keys MLflow keeps a span's type, inputs and outputs under. */
export const SPAN_TYPE_KEY = 'mlflow.spanType';
export const SPAN_INPUTS_KEY = 'mlflow.spanInputs';
export const SPAN_OUTPUTS_KEY = 'mlflow.spanOutputs';

const BIG_TIME = /(?<!\\)"((?:start_|end_)?time(?:_unix_nano)?|timestamp)"(\s*:\s*)(-?\d+)(?=\s*[,}\]])/g;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

function hexOfId(raw: unknown): string {
  if (typeof raw !== 'string' || raw === '') return '';
  if (/^0x[0-9a-f]+$/i.test(raw)) return raw.slice(2).toLowerCase().padStart(16, '0');
  let binary: string;
  try {
    binary = atob(raw);
  } catch {
    return raw;
  }
  let hex = '';
  for (let i = 0; i < binary.length; i++) hex += HEX_BYTES[binary.charCodeAt(i)] ?? '';
  return hex;
}

/** {@link hexOfId}, each distinct id decoded once (a trace's spans share few parents). */
function idReader(): (raw: unknown) => string {
  const known = new Map<unknown, string>();
  return (raw) => {
    let hex = known.get(raw);
    if (hex === undefined) {
      hex = hexOfId(raw);
      known.set(raw, hex);
    }
    return hex;
  };
}

function nanos(raw: unknown): bigint | undefined {
  if (typeof raw === 'string' && /^-?\d+$/.test(raw)) return BigInt(raw);
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return BigInt(raw);
  return undefined;
}

/** An attribute as MLflow writes it, a JSON text, decoded; a text that is not JSON as it is. */
function decodeAttribute(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

function decodeAttributes(raw: unknown): Record<string, unknown> {
  if (!isObject(raw)) return {};
  const decoded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) decoded[key] = decodeAttribute(value);
  return decoded;
}

function statusOf(raw: unknown): SpanView['status'] {
  const code = typeof raw === 'string' ? raw.replace(/^STATUS_CODE_/, '') : raw;
  if (code === 'OK' || code === 1) return 'OK';
  if (code === 'ERROR' || code === 2) return 'ERROR';
  return 'UNSET';
}

/** The spans of a `traces.json` text, MLflow 3's layout or MLflow 2's. Throws on a text that is not one. */
export function parseTraceSpans(text: string): SpanView[] {
  const parsed = JSON.parse(
    text.replace(
      BIG_TIME,
      (_all, key: string, colon: string, digits: string) => `"${key}"${colon}"${digits}"`,
    ),
  ) as unknown;
  if (!isObject(parsed) || !Array.isArray(parsed.spans)) {
    throw new Error('The trace data is not a JSON object with a list "spans".');
  }
  const idOf = idReader();
  return parsed.spans.filter(isObject).map((raw): SpanView => {
    const v2 = isObject(raw.context);
    const status = isObject(raw.status) ? raw.status : {};
    const type = isObject(raw.attributes) ? decodeAttribute(raw.attributes[SPAN_TYPE_KEY]) : undefined;
    const parent = idOf(v2 ? raw.parent_id : raw.parent_span_id);
    const events = Array.isArray(raw.events) ? raw.events.filter(isObject) : [];
    // A span's inputs and outputs are decoded when it is shown, not all 10,000 up front.
    let attributes: Record<string, unknown> | undefined;
    return {
      spanId: hexOfId(v2 ? (raw.context as Record<string, unknown>).span_id : raw.span_id),
      parentId: parent === '' ? undefined : parent,
      name: typeof raw.name === 'string' ? raw.name : raw.name == null ? '' : String(raw.name),
      type: typeof type === 'string' && type !== '' ? type : 'UNKNOWN',
      status: statusOf(v2 ? raw.status_code : status.code),
      statusMessage: String((v2 ? raw.status_message : status.message) ?? ''),
      startNs: nanos(v2 ? raw.start_time : raw.start_time_unix_nano) ?? 0n,
      endNs: nanos(v2 ? raw.end_time : raw.end_time_unix_nano),
      get attributes() {
        attributes ??= decodeAttributes(raw.attributes);
        return attributes;
      },
      events: events.map((event) => ({
        name: String(event.name ?? ''),
        timeNs: nanos(event.time_unix_nano ?? event.timestamp) ?? 0n,
        attributes: isObject(event.attributes) ? event.attributes : {},
      })),
    };
  });
}

/** The spans as a tree: each span's children by start time, the roots, and the trace's time axis. */
export interface SpanTree {
  byId: Map<string, SpanView>;
  children: Map<string, SpanView[]>;
  roots: SpanView[];
  /** The earliest start, in epoch nanoseconds. */
  startNs: bigint;
  /** From the earliest start to the latest end, in nanoseconds (at least 1). */
  totalNs: number;
}

const byStart = (a: SpanView, b: SpanView) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0);

/** Builds the tree; a span whose parent is not in the trace is a root. */
export function buildSpanTree(spans: readonly SpanView[]): SpanTree {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const children = new Map<string, SpanView[]>();
  const roots: SpanView[] = [];
  let start: bigint | undefined;
  let end: bigint | undefined;
  for (const span of spans) {
    if (span.parentId !== undefined && byId.has(span.parentId) && span.parentId !== span.spanId) {
      const list = children.get(span.parentId);
      if (list) list.push(span);
      else children.set(span.parentId, [span]);
    } else roots.push(span);
    if (start === undefined || span.startNs < start) start = span.startNs;
    const last = span.endNs ?? span.startNs;
    if (end === undefined || last > end) end = last;
  }
  roots.sort(byStart);
  for (const list of children.values()) list.sort(byStart);
  const startNs = start ?? 0n;
  return { byId, children, roots, startNs, totalNs: Math.max(1, Number((end ?? startNs) - startNs)) };
}

/** A row of the tree as drawn: a span at its depth. */
export interface SpanRow {
  span: SpanView;
  depth: number;
  hasChildren: boolean;
}

/** The rows in view: depth-first, children of collapsed spans left out (iterative: traces can be deep). */
export function visibleRows(tree: SpanTree, collapsed: ReadonlySet<string>): SpanRow[] {
  const rows: SpanRow[] = [];
  const seen = new Set<string>();
  const stack: { span: SpanView; depth: number }[] = tree.roots.map((span) => ({ span, depth: 0 })).reverse();
  while (stack.length > 0) {
    const { span, depth } = stack.pop() as { span: SpanView; depth: number };
    if (seen.has(span.spanId)) continue;
    seen.add(span.spanId);
    const kids = tree.children.get(span.spanId) ?? [];
    rows.push({ span, depth, hasChildren: kids.length > 0 });
    if (!collapsed.has(span.spanId))
      for (let i = kids.length - 1; i >= 0; i--) stack.push({ span: kids[i] as SpanView, depth: depth + 1 });
  }
  return rows;
}

/** The spans above `spanId`, nearest first (a parent cycle stops the walk). */
export function ancestorsOf(tree: SpanTree, spanId: string): string[] {
  const found: string[] = [];
  const seen = new Set([spanId]);
  let parent = tree.byId.get(spanId)?.parentId;
  while (parent !== undefined && tree.byId.has(parent) && !seen.has(parent)) {
    found.push(parent);
    seen.add(parent);
    parent = tree.byId.get(parent)?.parentId;
  }
  return found;
}

/** A span's duration in milliseconds; `undefined` while it is open. */
export function spanDurationMs(span: SpanView): number | undefined {
  return span.endNs === undefined ? undefined : Number(span.endNs - span.startNs) / 1e6;
}

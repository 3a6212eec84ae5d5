import {
  formatDuration,
  formatExactTime,
  formatNumber,
  formatRelativeTime,
  toNumber,
  truncate,
  type WireNumber,
} from '../lib/format.js';

/** A metric value; the full-precision value on hover. */
export function NumberValue({ value }: { value: WireNumber }) {
  const n = toNumber(value);
  return (
    <span className="num" title={Number.isFinite(n) ? String(n) : formatNumber(value)}>
      {formatNumber(value)}
    </span>
  );
}

/** A time as `3 minutes ago`, the exact time on hover (and to assistive technology). */
export function RelativeTime({ epochMs }: { epochMs: number | null | undefined }) {
  if (epochMs === null || epochMs === undefined) return <span>—</span>;
  const exact = formatExactTime(epochMs);
  return (
    <time dateTime={new Date(epochMs).toISOString()} title={exact}>
      {formatRelativeTime(epochMs)}
    </time>
  );
}

export function Duration({ ms }: { ms: number | null | undefined }) {
  return <span className="num">{formatDuration(ms)}</span>;
}

/** A long value cut to `max` characters; the whole of it on hover and selectable in a tooltip-free `title`. */
export function Truncated({ text, max = 60 }: { text: string; max?: number }) {
  if (text.length <= max) return <span>{text}</span>;
  return (
    <span className="truncated" title={text}>
      {truncate(text, max)}
    </span>
  );
}

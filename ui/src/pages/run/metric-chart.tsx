import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../../lib/format.js';

/** One point of a metric's history (`value` NaN or ±Infinity where the run logged those). */
export interface ChartPoint {
  step: number;
  value: number;
}

/** What a screen reader is told of a chart: its range, last value and how many points it shows. */
export interface ChartSummary {
  min: number | undefined;
  max: number | undefined;
  last: number | undefined;
  points: number;
}

/** Min and max of the finite values, the last value (whatever it is) and the point count. */
export function summarize(points: readonly ChartPoint[]): ChartSummary {
  let min: number | undefined;
  let max: number | undefined;
  for (const { value } of points) {
    if (!Number.isFinite(value)) continue;
    if (min === undefined || value < min) min = value;
    if (max === undefined || value > max) max = value;
  }
  return { min, max, last: points.at(-1)?.value, points: points.length };
}

function cssVar(element: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

const HEIGHT = 200;

/**
 * A metric's history as a uPlot line: sized to its container (and resized with it), drawn
 * again in the colours of the scheme when the reader's scheme changes, destroyed on unmount.
 * Non-finite values are gaps in the line. The chart is an image named `title`; its summary
 * (min, max, last, points) is text beside it.
 */
export function MetricChart({ title, points }: { title: string; points: readonly ChartPoint[] }) {
  const hostRef = useRef<HTMLDivElement>(null);
  const summary = useMemo(() => summarize(points), [points]);
  const data = useMemo<uPlot.AlignedData>(
    () => [points.map((p) => p.step), points.map((p) => (Number.isFinite(p.value) ? p.value : null))],
    [points],
  );

  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    let chart: uPlot | undefined;
    const build = () => {
      chart?.destroy();
      const fg = cssVar(host, '--fg-muted', '#57606a');
      const grid = cssVar(host, '--border', '#d0d7de');
      const accent = cssVar(host, '--accent', '#0b5cad');
      const axis: uPlot.Axis = {
        stroke: fg,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, width: 1 },
      };
      chart = new uPlot(
        {
          width: Math.max(200, host.clientWidth),
          height: HEIGHT,
          legend: { show: true, live: true },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: false } },
          axes: [
            { ...axis },
            { ...axis, size: 60, values: (_u, ticks) => ticks.map((t) => formatNumber(t)) },
          ],
          series: [
            { label: 'step', value: (_u, v) => (v === null ? '—' : formatNumber(v)) },
            {
              label: title,
              stroke: accent,
              width: 1.5,
              spanGaps: false,
              points: { show: points.length <= 50 },
              value: (_u, v) => (v === null ? '—' : formatNumber(v)),
            },
          ],
        },
        data,
        host,
      );
    };
    build();
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, host.clientWidth);
      if (chart && chart.width !== width) chart.setSize({ width, height: HEIGHT });
    });
    resize.observe(host);
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', build);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', build);
      chart?.destroy();
    };
  }, [data, title, points.length]);

  const show = (n: number | undefined) => (n === undefined ? '—' : formatNumber(n));
  return (
    <figure className="metric-chart">
      <figcaption className="metric-chart-title">{title}</figcaption>
      <div ref={hostRef} className="metric-chart-plot" role="img" aria-label={`Chart of ${title} by step`} />
      <p className="metric-chart-summary">
        min <span className="num">{show(summary.min)}</span> · max{' '}
        <span className="num">{show(summary.max)}</span> · last{' '}
        <span className="num">{show(summary.last)}</span> · {summary.points.toLocaleString('en-US')}{' '}
        {summary.points === 1 ? 'point' : 'points'}
      </p>
    </figure>
  );
}

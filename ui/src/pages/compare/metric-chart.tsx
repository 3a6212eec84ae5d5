import { useEffect, useId, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

/** One line of a {@link MetricChart}: a run's history of one metric. */
export interface ChartSeries {
  label: string;
  points: readonly { step: number; value: number }[];
}

/** Colours readable on both the light and the dark background. */
const PALETTE = ['#1f77d0', '#d0621f', '#2e9e4a', '#b03aa8', '#8c7a00', '#d03a4e', '#1a9a9a', '#6b5fd0'];

/** The series on one shared step axis, as uPlot takes them (gaps as `null`; NaN and ±Infinity cannot be drawn). */
export function alignSeries(series: readonly ChartSeries[]): uPlot.AlignedData {
  const steps = [...new Set(series.flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const columns = series.map((s) => {
    const column: (number | null)[] = steps.map(() => null);
    for (const point of s.points) {
      const at = index.get(point.step);
      if (at !== undefined && Number.isFinite(point.value)) column[at] = point.value;
    }
    return column;
  });
  return [steps, ...columns];
}

/**
 * A metric's histories overlaid, one line per run, drawn by uPlot: sized to its container (and
 * resized with it), destroyed on unmount, axes and legend in the page's colours, and a text
 * description for assistive technology.
 */
export function MetricChart({
  metric,
  series,
  height = 260,
}: {
  metric: string;
  series: readonly ChartSeries[];
  height?: number;
}) {
  const target = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const element = target.current;
    if (!element) return undefined;
    const style = getComputedStyle(element);
    const fg = style.getPropertyValue('--fg').trim() || '#1b1f24';
    const grid = style.getPropertyValue('--border').trim() || '#d0d7de';
    const axis: uPlot.Axis = { stroke: fg, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } };
    const chart = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height,
        scales: { x: { time: false } },
        axes: [
          { ...axis, label: 'step' },
          { ...axis, label: metric },
        ],
        series: [
          { label: 'step' },
          ...series.map((s, i) => ({
            label: s.label,
            stroke: PALETTE[i % PALETTE.length] as string,
            width: 2,
            spanGaps: true,
            points: { show: s.points.length < 40 },
          })),
        ],
      },
      alignSeries(series),
      element,
    );
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, element.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height });
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
    };
  }, [metric, series, height]);

  const summary = series
    .map((s) => {
      const last = s.points.at(-1);
      return last
        ? `${s.label}: ${s.points.length} points, last ${String(last.value)} at step ${last.step}`
        : `${s.label}: no history`;
    })
    .join('; ');

  return (
    <figure className="metric-chart" aria-labelledby={titleId} aria-describedby={descriptionId}>
      <figcaption id={titleId}>{metric}</figcaption>
      <div ref={target} className="metric-chart-plot" />
      <p id={descriptionId} className="visually-hidden">
        History of {metric}, one line per run. {summary}
      </p>
    </figure>
  );
}

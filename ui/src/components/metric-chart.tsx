import { useId, useLayoutEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatNumber } from '../lib/format.js';
import './metric-chart.css';

/** One point of a metric's history (`value` NaN or ±Infinity where the run logged those). */
export interface ChartPoint {
  step: number;
  value: number;
}

/** One line of a {@link MetricChart}: a run's history of the metric, sorted by step. */
export interface ChartSeries {
  label: string;
  points: readonly ChartPoint[];
}

/** What a reader is told of a line: its range, last value and how many points it shows. */
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

/**
 * The lines on one shared step axis, as uPlot takes them. A NaN or ±Infinity cannot be drawn: it
 * is `null`, a gap in its line. A step another line has and this one lacks is `undefined`, which
 * uPlot joins over, so overlaid runs logged at different steps still draw as lines.
 */
export function alignSeries(series: readonly ChartSeries[]): uPlot.AlignedData {
  const steps =
    series.length === 1
      ? (series[0]?.points.map((p) => p.step) ?? [])
      : [...new Set(series.flatMap((s) => s.points.map((p) => p.step)))].sort((a, b) => a - b);
  const index = new Map(steps.map((step, i) => [step, i]));
  const columns = series.map((s) => {
    const column: (number | null | undefined)[] = new Array<undefined>(steps.length).fill(undefined);
    for (const point of s.points) {
      const at = index.get(point.step);
      if (at !== undefined) column[at] = Number.isFinite(point.value) ? point.value : null;
    }
    return column;
  });
  return [steps, ...columns] as uPlot.AlignedData;
}

/** Default height of the plot, in pixels (the legend and the summary come below it). */
export const CHART_HEIGHT = 200;

/** Line colours after the first (which is `--accent`), readable on each scheme's background. */
const PALETTE = {
  light: ['#b35900', '#1a7f37', '#8250df', '#a40e26', '#1b7c83', '#6e5a00', '#bf3989'],
  dark: ['#f0883e', '#56d364', '#d2a8ff', '#ff7b72', '#39c5cf', '#e3b341', '#f778ba'],
};

const DARK = '(prefers-color-scheme: dark)';

function cssVar(element: HTMLElement, name: string, fallback: string): string {
  return getComputedStyle(element).getPropertyValue(name).trim() || fallback;
}

const show = (n: number | undefined) => (n === undefined ? '—' : formatNumber(n));

/** A line's summary as a sentence, for the figure's description. */
function sentence(label: string, s: ChartSummary): string {
  if (s.points === 0) return `${label}: no history.`;
  return `${label}: ${s.points} points, min ${show(s.min)}, max ${show(s.max)}, last ${show(s.last)}.`;
}

/**
 * A metric's history as uPlot lines by step: one line (a run's chart) or several overlaid, one
 * per run (the compare page). Sized to its container and resized with it, drawn before the page
 * is painted (so nothing moves when it appears), drawn again in the scheme's colours when the
 * reader's scheme changes, destroyed on unmount. NaN and ±Infinity are gaps in the line, and the
 * legend names them as such under the cursor. The figure is named `title`; its plot is an image
 * named "Chart of `title` by step", described by each line's range, last value and point count
 * (the points drawn: the server downsamples long histories). With one line that summary is also
 * shown under the chart.
 */
export function MetricChart({
  title,
  series,
  height = CHART_HEIGHT,
}: {
  title: string;
  series: readonly ChartSeries[];
  height?: number;
}) {
  const hostRef = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const data = useMemo(() => alignSeries(series), [series]);
  const summaries = useMemo(() => series.map((s) => summarize(s.points)), [series]);

  useLayoutEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    // The value logged at each drawn index (NaN and ±Infinity are `null` in `data`).
    const logged = series.map((s) => {
      const byStep = new Map(s.points.map((p) => [p.step, p.value]));
      return Array.from(data[0], (step) => byStep.get(step));
    });
    const legendValue =
      (seriesIdx: number) => (_u: uPlot, v: number | null, _s: number, i: number | null) => {
        if (typeof v === 'number') return formatNumber(v);
        const raw = i === null ? undefined : logged[seriesIdx - 1]?.[i];
        return raw === undefined ? '—' : formatNumber(raw);
      };
    let chart: uPlot | undefined;
    const scheme = window.matchMedia(DARK);
    const build = () => {
      chart?.destroy();
      const fg = cssVar(host, '--fg-muted', '#57606a');
      const grid = cssVar(host, '--border', '#d0d7de');
      const accent = cssVar(host, '--accent', '#0b5cad');
      const palette = PALETTE[scheme.matches ? 'dark' : 'light'];
      const axis: uPlot.Axis = {
        stroke: fg,
        grid: { stroke: grid, width: 1 },
        ticks: { stroke: grid, width: 1 },
      };
      chart = new uPlot(
        {
          width: Math.max(200, host.clientWidth),
          height,
          legend: { show: true, live: true },
          cursor: { drag: { x: true, y: false } },
          scales: { x: { time: false } },
          axes: [
            { ...axis, values: (_u, ticks) => ticks.map((t) => formatNumber(t)) },
            { ...axis, size: 60, values: (_u, ticks) => ticks.map((t) => formatNumber(t)) },
          ],
          series: [
            { label: 'step', value: (_u, v) => (v === null ? '—' : formatNumber(v)) },
            ...series.map<uPlot.Series>((s, i) => ({
              label: s.label,
              stroke: i === 0 ? accent : (palette[(i - 1) % palette.length] as string),
              width: 1.5,
              spanGaps: false,
              points: { show: s.points.length <= 50 },
              value: legendValue(i + 1),
            })),
          ],
        },
        data,
        host,
      );
    };
    build();
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, host.clientWidth);
      if (chart && chart.width !== width) chart.setSize({ width, height });
    });
    resize.observe(host);
    scheme.addEventListener('change', build);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', build);
      chart?.destroy();
    };
  }, [data, series, height]);

  const only = series.length === 1 ? summaries[0] : undefined;
  return (
    <figure className="metric-chart" aria-labelledby={titleId} aria-describedby={descriptionId}>
      <figcaption id={titleId} className="metric-chart-title">
        {title}
      </figcaption>
      <div ref={hostRef} className="metric-chart-plot" role="img" aria-label={`Chart of ${title} by step`} />
      <p id={descriptionId} className="visually-hidden">
        History of {title} by step{series.length > 1 ? ', one line per run' : ''}.{' '}
        {series.map((s, i) => sentence(s.label, summaries[i] as ChartSummary)).join(' ')}
      </p>
      {only ? (
        // Shown to the eye; assistive technology reads the same in the description above.
        <p className="metric-chart-summary" aria-hidden="true">
          min <span className="num">{show(only.min)}</span>
          {' · max '}
          <span className="num">{show(only.max)}</span>
          {' · last '}
          <span className="num">{show(only.last)}</span>
          {` · ${only.points.toLocaleString('en-US')} ${only.points === 1 ? 'point' : 'points'}`}
        </p>
      ) : null}
    </figure>
  );
}

import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { MetricChart, type ChartSeries } from '../../components/metric-chart.js';
import { ErrorState, Skeleton } from '../../components/states.js';
import { toNumber } from '../../lib/format.js';
import { getMetricHistory } from './run-api.js';

/** How many charts load at once without waiting to be scrolled into view. */
const EAGER_CHARTS = 4;

/** True once the element has come near the viewport (and from then on). */
function useSeen<T extends HTMLElement>(eager: boolean): [React.RefObject<T | null>, boolean] {
  const ref = useRef<T>(null);
  const [seen, setSeen] = useState(eager);
  useEffect(() => {
    if (seen || !ref.current) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setSeen(true);
      },
      { rootMargin: '200px' },
    );
    observer.observe(ref.current);
    return () => observer.disconnect();
  }, [seen]);
  return [ref, seen];
}

function ChartCard({ runId, metricKey, eager }: { runId: string; metricKey: string; eager: boolean }) {
  const [ref, seen] = useSeen<HTMLDivElement>(eager);
  const history = useQuery({
    queryKey: ['metric-history', runId, metricKey],
    queryFn: ({ signal }) => getMetricHistory(runId, metricKey, signal),
    enabled: seen,
  });
  const series = useMemo<ChartSeries[] | undefined>(
    () =>
      history.data && [
        {
          label: metricKey,
          points: history.data
            .map((m) => ({ step: Number(m.step ?? 0), value: toNumber(m.value) }))
            .sort((a, b) => a.step - b.step),
        },
      ],
    [history.data, metricKey],
  );
  return (
    <div ref={ref} className="metric-chart-card">
      {history.isError ? (
        <ErrorState error={history.error} retry={() => void history.refetch()} />
      ) : series ? (
        <MetricChart title={metricKey} series={series} />
      ) : seen ? (
        <div className="metric-chart-loading">
          <p className="metric-chart-title">{metricKey}</p>
          <Skeleton rows={1} label={`Loading the history of ${metricKey}`} />
        </div>
      ) : (
        // Not loading yet: the chart's place is kept (no jump), its history fetched once scrolled near.
        <div className="metric-chart-loading">
          <p className="metric-chart-title">{metricKey}</p>
          <p className="metric-chart-deferred">Drawn when scrolled into view</p>
        </div>
      )}
    </div>
  );
}

/** A chart per metric of the run; the first few load at once, the others when scrolled to. */
export function MetricCharts({ runId, keys }: { runId: string; keys: readonly string[] }) {
  return (
    <div className="metric-charts">
      {keys.map((key, i) => (
        <ChartCard key={key} runId={runId} metricKey={key} eager={i < EAGER_CHARTS} />
      ))}
    </div>
  );
}

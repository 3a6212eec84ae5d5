import { useQueries, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { getJson, isNotFound } from '../../api/http.js';
import { NumberValue, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { MetricChart, type ChartSeries } from '../../components/metric-chart.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import { toNumber, type WireNumber } from '../../lib/format.js';
import { listFromUrl, liveSearch } from '../../lib/url-state.js';
import { MLFLOW_API, fetchRun, type WireRun } from '../lane/run-wire.js';
import './compare.css';

/** Points per metric history: the server downsamples to about this many. */
const HISTORY_POINTS = 1000;
/** The overlaid charts are taller than a run's: several lines share them. */
const COMPARE_CHART_HEIGHT = 260;

interface HistoryPoint {
  key: string;
  value: WireNumber;
  step?: number;
  timestamp?: number;
  run_id: string;
}

interface CompareRow {
  kind: 'param' | 'metric';
  key: string;
  values: (WireNumber | undefined)[];
  differs: boolean;
}

function rowsOf(runs: readonly WireRun[]): CompareRow[] {
  const build = (kind: CompareRow['kind']) => {
    const keys = new Set<string>();
    for (const run of runs) {
      for (const entry of (kind === 'param' ? run.data?.params : run.data?.metrics) ?? [])
        keys.add(entry.key);
    }
    return [...keys]
      .sort((a, b) => a.localeCompare(b))
      .map<CompareRow>((key) => {
        const values = runs.map(
          (run) =>
            ((kind === 'param' ? run.data?.params : run.data?.metrics) ?? []).find((e) => e.key === key)
              ?.value,
        );
        const shown = values.map((v) =>
          v === undefined ? '\u0000missing' : kind === 'metric' ? String(toNumber(v)) : String(v),
        );
        return { kind, key, values, differs: new Set(shown).size > 1 };
      });
  };
  return [...build('param'), ...build('metric')];
}

function runLabel(run: WireRun): string {
  return run.info.run_name || run.info.run_id;
}

function MetricHistories({ runs, metric }: { runs: readonly WireRun[]; metric: string }) {
  const runIds = runs.map((run) => run.info.run_id);
  const history = useQuery({
    queryKey: ['history-bulk-interval', metric, runIds],
    queryFn: ({ signal }) =>
      getJson<{ metrics?: HistoryPoint[] }>(
        `${MLFLOW_API}/metrics/get-history-bulk-interval`,
        { run_ids: runIds, metric_key: metric, max_results: HISTORY_POINTS },
        signal,
      ),
  });
  const series = useMemo<ChartSeries[]>(
    () =>
      runs.map((run) => ({
        label: runLabel(run),
        points: (history.data?.metrics ?? [])
          .filter((point) => point.run_id === run.info.run_id)
          .map((point) => ({ step: point.step ?? 0, value: toNumber(point.value) }))
          .sort((a, b) => a.step - b.step),
      })),
    [runs, history.data],
  );
  if (history.isPending) return <Skeleton rows={6} label={`Loading the history of ${metric}`} />;
  if (history.isError) return <ErrorState error={history.error} retry={() => void history.refetch()} />;
  return <MetricChart title={metric} series={series} height={COMPARE_CHART_HEIGHT} />;
}

/**
 * Runs side by side (`/compare?runs=a,b,c`): every param and metric (latest value) in one
 * table, rows whose values differ marked, and chosen metrics' histories overlaid, one chart each
 * (`&metrics=accuracy,loss`).
 */
export function ComparePage() {
  const [search, setSearch] = useSearchParams();
  const runIds = useMemo(() => [...new Set(listFromUrl(search.get('runs')) ?? [])], [search]);
  const queries = useQueries({
    queries: runIds.map((runId) => ({
      queryKey: ['run', runId],
      queryFn: ({ signal }: { signal: AbortSignal }) => fetchRun(runId, signal),
    })),
  });
  const pending = queries.some((query) => query.isPending);
  const found = queries.flatMap((query) => (query.data ? [query.data] : []));
  const missing = runIds.filter((_, i) => isNotFound(queries[i]?.error));
  const failure = queries.find((query) => query.isError && !isNotFound(query.error));
  const foundKey = found.map((run) => run.info.run_id).join(',');
  // The same runs keep the same array, so the charts are not redrawn on every render.
  const runs = useMemo(() => found, [foundKey]);
  const rows = useMemo(() => rowsOf(runs), [runs]);
  const metricKeys = rows.filter((row) => row.kind === 'metric').map((row) => row.key);
  const chosenMetrics = listFromUrl(search.get('metrics')) ?? metricKeys.slice(0, 1);
  const differing = rows.filter((row) => row.differs).length;

  const toggleMetric = (key: string, on: boolean) =>
    setSearch(
      () => {
        const next = liveSearch();
        const current = (listFromUrl(next.get('metrics')) ?? metricKeys.slice(0, 1)).filter((m) => m !== key);
        next.set('metrics', (on ? [...current, key] : current).join(','));
        return next;
      },
      { replace: true },
    );

  const header = <PageHeader title="Compare runs" crumbs={<Link to="/">Agents</Link>} />;
  if (runIds.length === 0) {
    return (
      <>
        {header}
        <Empty title="No runs to compare">
          <p>Select two or more runs in a lane's run table, then choose Compare.</p>
        </Empty>
      </>
    );
  }
  if (pending) {
    return (
      <>
        {header}
        <Skeleton rows={10} label="Loading the runs" />
      </>
    );
  }
  return (
    <>
      {header}
      {missing.length > 0 ? (
        <div className="error-state compare-missing" role="alert">
          <p className="error-title">Not found</p>
          <p>
            {missing.length === 1 ? 'This run does not exist: ' : 'These runs do not exist: '}
            {missing.map((id, i) => (
              <span key={id}>
                {i > 0 ? ', ' : ''}
                <code>{id}</code>
              </span>
            ))}
          </p>
        </div>
      ) : null}
      {failure ? <ErrorState error={failure.error} retry={() => void failure.refetch()} /> : null}
      {runs.length === 0 ? null : (
        <>
          <p className="compare-summary">
            {runs.length} runs, {rows.length} params and metrics, {differing} differ.
          </p>
          <div className="compare-table-scroll">
            <table className="plain compare-table">
              <caption className="visually-hidden">Params and latest metrics of the compared runs</caption>
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Differs</th>
                  {runs.map((run) => (
                    <th scope="col" key={run.info.run_id}>
                      <Link to={`/runs/${encodeURIComponent(run.info.run_id)}`}>
                        <Truncated text={runLabel(run)} max={32} />
                      </Link>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.kind}:${row.key}`} className={row.differs ? 'differs' : undefined}>
                    <th scope="row">
                      <span className="compare-kind">{row.kind === 'param' ? 'param' : 'metric'}</span>{' '}
                      <Truncated text={row.key} max={40} />
                    </th>
                    <td>
                      {row.differs ? (
                        <span className="badge warn">differs</span>
                      ) : (
                        <span className="compare-same">same</span>
                      )}
                    </td>
                    {row.values.map((value, i) => (
                      <td key={runs[i]?.info.run_id ?? i}>
                        {value === undefined ? (
                          <span className="compare-same">—</span>
                        ) : row.kind === 'metric' ? (
                          <NumberValue value={value} />
                        ) : (
                          <Truncated text={String(value)} max={60} />
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <h2>Metric histories</h2>
          {metricKeys.length === 0 ? (
            <Empty title="These runs have no metrics" />
          ) : (
            <>
              <fieldset className="metric-chooser">
                <legend>Metrics to chart</legend>
                {metricKeys.map((key) => (
                  <label key={key}>
                    <input
                      type="checkbox"
                      checked={chosenMetrics.includes(key)}
                      onChange={(event) => toggleMetric(key, event.target.checked)}
                    />{' '}
                    <span className="mono">{key}</span>
                  </label>
                ))}
              </fieldset>
              <div className="compare-charts">
                {chosenMetrics
                  .filter((metric) => metricKeys.includes(metric))
                  .map((metric) => (
                    <MetricHistories key={metric} runs={runs} metric={metric} />
                  ))}
              </div>
            </>
          )}
        </>
      )}
    </>
  );
}

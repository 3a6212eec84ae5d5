import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { getJson, getText, isNotFound } from '../../api/http.js';
import { Duration, RelativeTime, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import { liveSearch } from '../../lib/url-state.js';
import { TraceStateBadge } from '../traces/trace-state-badge.js';
import { TRACE_NAME_TAG, TRACES_API, durationMs, epochMs, type TraceInfo } from '../traces/trace-wire.js';
import { AssessmentsTable } from './assessments-table.js';
import { KeyValueTable } from '../../components/key-value-table.js';
import { SpanDetails } from './span-details.js';
import { SpanTreeView } from './span-tree.js';
import { ancestorsOf, buildSpanTree, parseTraceSpans } from './trace-spans.js';
import { COLLAPSED_PARAM, collapsedFromUrl, withCollapsed } from './trace-url.js';
import './trace.css';

/** A trace's tags or metadata, sorted by key. */
function MapTable({ title, map }: { title: string; map: Record<string, string> | undefined }) {
  const entries = Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <KeyValueTable
        caption={`${title} of the trace`}
        className="trace-map"
        entries={entries}
        renderValue={(value) => <Truncated text={value} max={120} />}
        empty="None."
      />
    </section>
  );
}

/**
 * One trace: its info (state, request time, duration, tags, metadata), its assessments, and
 * its spans as a tree on a timeline beside the selected span's details. The selection is the
 * URL's `?span=<id>`, the spans the user collapsed its `?collapsed=<id>,<id>`.
 */
export function TracePage() {
  const { traceId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('span') ?? undefined;
  const info = useQuery({
    queryKey: ['trace', traceId],
    queryFn: ({ signal }) =>
      getJson<{ trace: { trace_info: TraceInfo } }>(
        `${TRACES_API}/${encodeURIComponent(traceId)}`,
        undefined,
        signal,
      ).then((body) => body.trace.trace_info),
  });
  const spans = useQuery({
    // Asked for beside the info, not after it: the spans are the long part of the page.
    queryKey: ['trace-spans', traceId],
    queryFn: async ({ signal }) => {
      try {
        return parseTraceSpans(
          await getText('/ajax-api/2.0/mlflow/get-trace-artifact', { request_id: traceId }, signal),
        );
      } catch (error) {
        // A known trace whose spans were never logged.
        if (isNotFound(error)) return [];
        throw error;
      }
    },
  });
  const experimentId = info.data?.trace_location.mlflow_experiment?.experiment_id;
  const experiment = useQuery({
    queryKey: ['experiment', experimentId],
    enabled: experimentId !== undefined,
    queryFn: ({ signal }) =>
      getJson<{ experiment: { name: string } }>(
        '/ajax-api/2.0/mlflow/experiments/get',
        { experiment_id: experimentId },
        signal,
      ).then((body) => body.experiment),
  });
  const tree = useMemo(() => (spans.data ? buildSpanTree(spans.data) : undefined), [spans.data]);
  const select = useCallback(
    (spanId: string) =>
      setParams(
        () => {
          const next = liveSearch();
          next.set('span', spanId);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );

  // Collapsed spans are kept in the URL (every span starts expanded, so only those differ).
  // The selected span is always in view: a link that selects a span inside a collapsed branch
  // opens its ancestors, and collapsing a branch that holds the selected span selects the
  // span collapsed, so a reload shows the tree the URL names.
  const collapsedParam = params.get(COLLAPSED_PARAM);
  const urlCollapsed = useMemo(() => collapsedFromUrl(collapsedParam, tree), [collapsedParam, tree]);
  const collapsed = useMemo(() => {
    const hiding =
      tree && selectedId ? ancestorsOf(tree, selectedId).filter((id) => urlCollapsed.has(id)) : [];
    if (hiding.length === 0) return urlCollapsed;
    const next = new Set(urlCollapsed);
    for (const id of hiding) next.delete(id);
    return next;
  }, [tree, selectedId, urlCollapsed]);
  useEffect(() => {
    if (collapsed === urlCollapsed) return;
    setParams(() => withCollapsed(liveSearch(), collapsed), { replace: true });
  }, [collapsed, urlCollapsed, setParams]);
  const toggle = useCallback(
    (spanId: string, open: boolean) =>
      setParams(
        () => {
          const search = liveSearch();
          const next = new Set(collapsedFromUrl(search.get(COLLAPSED_PARAM), tree));
          if (open) next.delete(spanId);
          else next.add(spanId);
          const current = search.get('span');
          if (!open && tree && current && ancestorsOf(tree, current).includes(spanId)) {
            search.set('span', spanId);
          }
          return withCollapsed(search, next);
        },
        { replace: true },
      ),
    [tree, setParams],
  );

  if (info.isPending) {
    return (
      <>
        <PageHeader title="Trace" />
        <Skeleton rows={3} label="Loading the trace" />
        <div className="trace-body">
          <div className="trace-loading-tree">
            <Skeleton rows={14} label="Loading the spans" />
          </div>
          <div className="trace-loading-details">
            <Skeleton rows={8} label="Loading the span details" />
          </div>
        </div>
      </>
    );
  }
  if (info.isError) {
    return (
      <>
        <PageHeader title="Trace" crumbs={<span className="mono">{traceId}</span>} />
        <ErrorState
          error={info.error}
          {...(isNotFound(info.error) ? {} : { retry: () => void info.refetch() })}
        />
      </>
    );
  }

  const trace = info.data;
  const name = trace.tags?.[TRACE_NAME_TAG];
  const selected = selectedId ? tree?.byId.get(selectedId) : undefined;
  const shown = selected ?? tree?.roots[0];

  return (
    <>
      <PageHeader
        title={name ? <Truncated text={name} max={80} /> : 'Trace'}
        crumbs={
          experimentId ? (
            <>
              <Link to={`/experiments/${encodeURIComponent(experimentId)}`}>
                {experiment.data ? (
                  <Truncated text={experiment.data.name} max={80} />
                ) : (
                  `Experiment ${experimentId}`
                )}
              </Link>
              {' / '}
              <Link to={`/experiments/${encodeURIComponent(experimentId)}/traces`}>Traces</Link>
            </>
          ) : undefined
        }
      />
      <dl className="trace-facts trace-summary">
        <dt>Trace id</dt>
        <dd className="mono">{trace.trace_id}</dd>
        <dt>State</dt>
        <dd>
          <TraceStateBadge state={trace.state} />
        </dd>
        <dt>Request time</dt>
        <dd>
          <RelativeTime epochMs={epochMs(trace.request_time)} />
        </dd>
        <dt>Duration</dt>
        <dd>
          <Duration ms={durationMs(trace.execution_duration)} />
        </dd>
        <dt>Spans</dt>
        <dd className="num">{tree ? tree.byId.size.toLocaleString('en-US') : '…'}</dd>
      </dl>

      <h2>Spans</h2>
      {spans.isPending ? (
        <div className="trace-body">
          <div className="trace-loading-tree">
            <Skeleton rows={14} label="Loading the spans" />
          </div>
          <div className="trace-loading-details">
            <Skeleton rows={8} label="Loading the span details" />
          </div>
        </div>
      ) : spans.isError ? (
        <ErrorState
          error={spans.error}
          retry={() => void spans.refetch()}
          title="The spans could not be read"
        />
      ) : tree && tree.byId.size > 0 ? (
        <div className="trace-body">
          <SpanTreeView
            tree={tree}
            selectedId={shown?.spanId}
            onSelect={select}
            collapsed={collapsed}
            onToggle={toggle}
          />
          {shown ? <SpanDetails key={shown.spanId} span={shown} /> : null}
        </div>
      ) : (
        <Empty title="No spans">
          <p>This trace has no spans recorded.</p>
        </Empty>
      )}
      {selectedId && tree && tree.byId.size > 0 && !selected ? (
        <p className="muted" role="status">
          The span <code>{selectedId}</code> is not in this trace; showing the root span.
        </p>
      ) : null}

      <AssessmentsTable assessments={trace.assessments ?? []} tree={tree} onSelectSpan={select} />
      <MapTable title="Tags" map={trace.tags} />
      <MapTable title="Metadata" map={trace.trace_metadata} />
    </>
  );
}

import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { ColumnDef, SortingState, Updater } from '@tanstack/react-table';
import { useCallback, useMemo } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { getJson, isNotFound, postJson } from '../../api/http.js';
import { DataTable } from '../../components/data-table.js';
import { Duration, RelativeTime, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import { AssessmentValue } from './assessment-value.js';
import { TraceFilterBox } from './trace-filter-box.js';
import { TraceStateBadge } from './trace-state-badge.js';
import {
  TRACE_NAME_TAG,
  TRACES_API,
  assessmentNamesOf,
  currentFeedback,
  durationMs,
  epochMs,
  tagKeysOf,
  type TraceInfo,
} from './trace-wire.js';
import './traces.css';

/** Traces per keyset page. */
const PAGE_SIZE = 100;
const TABLE_HEIGHT = 560;
const DEFAULT_ORDER = 'timestamp_ms DESC';

/** The sortable columns and the `order_by` attribute each sorts by. */
const ORDER_KEYS: Record<string, string> = {
  trace: 'request_id',
  name: 'name',
  status: 'status',
  time: 'timestamp_ms',
  duration: 'execution_time_ms',
};

/**
 * A trace id as its distinctive end (`tr-…26c7da43`): ids share their first digits
 * often. Assistive technology and the hover get the whole id.
 */
function ShortTraceId({ id }: { id: string }) {
  if (id.length <= 20) return <>{id}</>;
  return (
    <>
      <span aria-hidden="true">{`${id.slice(0, 3)}…${id.slice(-10)}`}</span>
      <span className="visually-hidden">{id}</span>
    </>
  );
}

interface SearchPage {
  traces?: TraceInfo[];
  next_page_token?: string;
}

/** `timestamp_ms DESC` as the table's sorting state (the column that sorts by it). */
function sortingOf(order: string): SortingState {
  const [key, direction] = order.trim().split(/\s+/);
  const column = Object.keys(ORDER_KEYS).find((id) => ORDER_KEYS[id] === key);
  return column ? [{ id: column, desc: (direction ?? 'ASC').toUpperCase() === 'DESC' }] : [];
}

/**
 * An experiment's traces: a keyset-paged, server-sorted table (id, name, status, request time,
 * duration, request and response previews, chosen tags, one column per feedback name), a filter
 * in the trace search language checked as it is typed. Filter, order and tag columns live in
 * the URL (`?filter=`, `?order=`, `?tags=`).
 */
export function TracesPage() {
  const { experimentId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const filter = params.get('filter') ?? '';
  const order = params.get('order') ?? DEFAULT_ORDER;
  const chosenTags = useMemo(() => (params.get('tags') ?? '').split(',').filter((t) => t !== ''), [params]);

  const setParam = useCallback(
    (name: string, value: string | undefined) =>
      setParams(
        (current) => {
          const next = new URLSearchParams(current);
          if (value === undefined || value === '') next.delete(name);
          else next.set(name, value);
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  const applyFilter = useCallback((value: string) => setParam('filter', value), [setParam]);

  const experiment = useQuery({
    queryKey: ['experiment', experimentId],
    queryFn: ({ signal }) =>
      getJson<{ experiment: { name: string } }>(
        '/ajax-api/2.0/mlflow/experiments/get',
        { experiment_id: experimentId },
        signal,
      ).then((body) => body.experiment),
  });
  const query = useInfiniteQuery({
    queryKey: ['traces', experimentId, filter, order],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) =>
      postJson<SearchPage>(
        `${TRACES_API}/search`,
        {
          locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: experimentId } }],
          ...(filter ? { filter } : {}),
          order_by: [order],
          max_results: PAGE_SIZE,
          ...(pageParam ? { page_token: pageParam } : {}),
        },
        signal,
      ),
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
  const traces = useMemo(() => query.data?.pages.flatMap((page) => page.traces ?? []) ?? [], [query.data]);
  const tagKeys = useMemo(() => tagKeysOf(traces), [traces]);
  const assessmentNames = useMemo(() => assessmentNamesOf(traces), [traces]);

  const columns = useMemo<ColumnDef<TraceInfo, unknown>[]>(
    () => [
      {
        id: 'trace',
        header: 'Trace',
        size: 150,
        accessorFn: (t) => t.trace_id,
        cell: ({ row }) => (
          <Link
            to={`/traces/${encodeURIComponent(row.original.trace_id)}`}
            className="mono"
            title={row.original.trace_id}
          >
            <ShortTraceId id={row.original.trace_id} />
          </Link>
        ),
      },
      {
        id: 'name',
        header: 'Name',
        size: 130,
        accessorFn: (t) => t.tags?.[TRACE_NAME_TAG] ?? '',
        cell: ({ row }) => <Truncated text={row.original.tags?.[TRACE_NAME_TAG] ?? '—'} max={24} />,
      },
      {
        id: 'status',
        header: 'Status',
        size: 90,
        accessorFn: (t) => t.state,
        cell: ({ row }) => <TraceStateBadge state={row.original.state} />,
      },
      {
        id: 'time',
        header: 'Request time',
        size: 130,
        accessorFn: (t) => epochMs(t.request_time) ?? 0,
        cell: ({ row }) => <RelativeTime epochMs={epochMs(row.original.request_time)} />,
      },
      {
        id: 'duration',
        header: 'Duration',
        size: 90,
        accessorFn: (t) => durationMs(t.execution_duration) ?? 0,
        cell: ({ row }) => <Duration ms={durationMs(row.original.execution_duration)} />,
      },
      {
        id: 'request',
        header: 'Request',
        size: 160,
        enableSorting: false,
        cell: ({ row }) => <Truncated text={row.original.request_preview ?? ''} max={40} />,
      },
      {
        id: 'response',
        header: 'Response',
        size: 160,
        enableSorting: false,
        cell: ({ row }) => <Truncated text={row.original.response_preview ?? ''} max={40} />,
      },
      ...chosenTags.map<ColumnDef<TraceInfo, unknown>>((key) => ({
        id: `tag:${key}`,
        header: () => <span title={`tags.${key}`}>{key}</span>,
        size: 120,
        enableSorting: false,
        cell: ({ row }) => <Truncated text={row.original.tags?.[key] ?? ''} max={20} />,
      })),
      ...assessmentNames.map<ColumnDef<TraceInfo, unknown>>((name) => ({
        id: `assessment:${name}`,
        header: () => <span title={`Feedback ${name}`}>{name}</span>,
        size: 110,
        enableSorting: false,
        cell: ({ row }) => {
          const assessment = currentFeedback(row.original, name);
          return assessment ? <AssessmentValue assessment={assessment} max={16} /> : <span>—</span>;
        },
      })),
    ],
    [chosenTags, assessmentNames],
  );

  const sorting = useMemo(() => sortingOf(order), [order]);
  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      const key = first ? ORDER_KEYS[first.id] : undefined;
      if (first && key) {
        const value = `${key} ${first.desc ? 'DESC' : 'ASC'}`;
        setParam('order', value === DEFAULT_ORDER ? undefined : value);
      }
    },
    [sorting, setParam],
  );
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const onEndReached = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const toggleTag = (key: string, on: boolean) => {
    const next = on ? [...chosenTags, key] : chosenTags.filter((k) => k !== key);
    setParam('tags', next.join(','));
  };

  let body;
  if (experiment.isError && isNotFound(experiment.error)) {
    body = <ErrorState error={experiment.error} />;
  } else if (query.isPending) {
    body = (
      <div className="traces-loading" style={{ height: TABLE_HEIGHT }}>
        <Skeleton rows={12} label="Loading traces" />
      </div>
    );
  } else if (query.isError) {
    body = <ErrorState error={query.error} retry={() => void query.refetch()} />;
  } else if (traces.length === 0) {
    body = filter ? (
      <Empty title="No traces match this filter">
        <p>
          No trace of this experiment matches <code>{filter}</code>.
        </p>
      </Empty>
    ) : (
      <Empty title="No traces yet">
        <p>Traces appear here once the agent logs them to this experiment.</p>
      </Empty>
    );
  } else {
    body = (
      <DataTable
        columns={columns}
        data={traces}
        getRowId={(t) => t.trace_id}
        caption="Traces of the experiment"
        sorting={sorting}
        onSortingChange={onSortingChange}
        onEndReached={onEndReached}
        onRowActivate={(t) => void navigate(`/traces/${encodeURIComponent(t.trace_id)}`)}
        height={TABLE_HEIGHT}
        footer={
          isFetchingNextPage
            ? 'Loading more traces…'
            : hasNextPage
              ? `${traces.length.toLocaleString('en-US')} traces loaded; scroll for more`
              : `All ${traces.length.toLocaleString('en-US')} traces`
        }
      />
    );
  }

  return (
    <div className="traces-page">
      <PageHeader
        title="Traces"
        crumbs={
          <Link to={`/experiments/${encodeURIComponent(experimentId)}`}>
            {experiment.data ? (
              <Truncated text={experiment.data.name} max={80} />
            ) : (
              `Experiment ${experimentId}`
            )}
          </Link>
        }
      />
      <div className="traces-controls">
        <TraceFilterBox value={filter} onApply={applyFilter} />
        <details className="traces-tag-columns">
          <summary>Tag columns{chosenTags.length > 0 ? ` (${chosenTags.length})` : ''}</summary>
          {tagKeys.length === 0 && chosenTags.length === 0 ? (
            <p>No tags on the loaded traces.</p>
          ) : (
            <fieldset>
              <legend className="visually-hidden">Tags shown as columns</legend>
              {[...new Set([...tagKeys, ...chosenTags])].map((key) => (
                <label key={key}>
                  <input
                    type="checkbox"
                    checked={chosenTags.includes(key)}
                    onChange={(event) => toggleTag(key, event.target.checked)}
                  />{' '}
                  {key}
                </label>
              ))}
            </fieldset>
          )}
        </details>
      </div>
      {body}
    </div>
  );
}

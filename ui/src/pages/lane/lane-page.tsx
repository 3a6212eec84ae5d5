import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { ColumnDef, SortingState, Updater } from '@tanstack/react-table';
import { useCallback, useMemo } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, isNotFound } from '../../api/http.js';
import { DataTable } from '../../components/data-table.js';
import { Duration, NumberValue, RelativeTime, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import { ColumnPicker, type ColumnKeys } from './column-picker.js';
import { FilterBox } from './filter-box.js';
import { listFromUrl, liveSearch } from '../../lib/url-state.js';
import { orderByFor, sortingFromUrl, sortingToUrl } from './lane-url.js';
import { fetchExperiment, runDuration, runValue, searchRuns, type WireRun } from './run-wire.js';
import './lane.css';

/** Runs per `runs/search` page. */
const PAGE_SIZE = 200;
/** The lifecycle's standard run tags, shown by default when the runs carry them. */
const STANDARD_TAGS = ['version', 'environment', 'model_version', 'deployment_status', 'agentrack.gate'];
/** How many metrics are shown by default. */
const DEFAULT_METRICS = 3;
const LANE_PATH = /^\/Shared\/([^/]+)\/(development|evaluation|deployment)$/;

function statusBadge(status: string | undefined) {
  const kind = status === 'FINISHED' ? 'ok' : status === 'FAILED' || status === 'KILLED' ? 'bad' : 'warn';
  return <span className={`badge ${kind}`}>{status ?? 'UNKNOWN'}</span>;
}

function columnKeys(runs: readonly WireRun[]): ColumnKeys {
  const metrics = new Set<string>();
  const params = new Set<string>();
  const tags = new Set<string>();
  for (const run of runs) {
    for (const m of run.data?.metrics ?? []) metrics.add(m.key);
    for (const p of run.data?.params ?? []) params.add(p.key);
    for (const t of run.data?.tags ?? []) if (!t.key.startsWith('mlflow.')) tags.add(t.key);
  }
  const sorted = (set: Set<string>) => [...set].sort((a, b) => a.localeCompare(b));
  return { metrics: sorted(metrics), params: sorted(params), tags: sorted(tags) };
}

function defaultColumns(keys: ColumnKeys): string[] {
  return [
    ...STANDARD_TAGS.filter((tag) => keys.tags.includes(tag)).map((tag) => `tags.${tag}`),
    ...keys.metrics.slice(0, DEFAULT_METRICS).map((key) => `metrics.${key}`),
  ];
}

function keyHeader(id: string) {
  const dot = id.indexOf('.');
  return (
    <span className="key-header" title={id}>
      <span className="key-kind">{id.slice(0, dot)}</span> <Truncated text={id.slice(dot + 1)} max={24} />
    </span>
  );
}

/**
 * One experiment's runs (a lane's, when the experiment is `/Shared/<agent>/<lane>`): a run
 * table sorted and filtered by the server, one keyset page at a time, with chosen metric,
 * param and tag columns and a selection to compare (a row's checkbox, or Space on the row).
 * Every view state is in the URL.
 */
export function LanePage() {
  const { experimentId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const filter = search.get('filter') ?? '';
  const sorting = sortingFromUrl(search.get('order'));
  const sortFirst = sorting[0];
  const orderBy = sortFirst ? orderByFor(sortFirst.id, sortFirst.desc) : undefined;
  const urlColumns = listFromUrl(search.get('cols'));
  const selected = useMemo(() => listFromUrl(search.get('sel')) ?? [], [search]);

  const update = useCallback(
    (changes: Record<string, string | undefined>) =>
      setSearch(
        () => {
          const next = liveSearch();
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined) next.delete(key);
            else next.set(key, value);
          }
          return next;
        },
        { replace: true },
      ),
    [setSearch],
  );

  const experiment = useQuery({
    queryKey: ['experiment', experimentId],
    queryFn: ({ signal }) => fetchExperiment(experimentId, signal),
  });

  const runs = useInfiniteQuery({
    queryKey: ['runs', experimentId, filter, orderBy],
    queryFn: ({ pageParam, signal }) =>
      searchRuns(
        { experimentId, filter, orderBy, maxResults: PAGE_SIZE, pageToken: pageParam || undefined },
        signal,
      ),
    initialPageParam: '',
    getNextPageParam: (page) => page.next_page_token || undefined,
    enabled: experiment.isSuccess,
  });

  const loaded = useMemo(() => runs.data?.pages.flatMap((page) => page.runs ?? []) ?? [], [runs.data]);
  const keys = useMemo(() => columnKeys(loaded), [loaded]);
  const firstPageKeys = useMemo(() => columnKeys(runs.data?.pages[0]?.runs ?? []), [runs.data]);
  const chosen = urlColumns ?? defaultColumns(firstPageKeys);

  const toggleSelected = useCallback(
    (runId: string, on?: boolean) =>
      setSearch(
        () => {
          const next = liveSearch();
          const before = listFromUrl(next.get('sel')) ?? [];
          const current = before.filter((id) => id !== runId);
          const chosenIds = (on ?? !before.includes(runId)) ? [...current, runId] : current;
          if (chosenIds.length > 0) next.set('sel', chosenIds.join(','));
          else next.delete('sel');
          return next;
        },
        { replace: true },
      ),
    [setSearch],
  );
  const defaults = defaultColumns(firstPageKeys).join(',');
  const toggleColumn = useCallback(
    (id: string, on: boolean) =>
      setSearch(
        () => {
          const next = liveSearch();
          const current = (listFromUrl(next.get('cols')) ?? listFromUrl(defaults) ?? []).filter(
            (column) => column !== id,
          );
          next.set('cols', (on ? [...current, id] : current).join(','));
          return next;
        },
        { replace: true },
      ),
    [setSearch, defaults],
  );

  const columns = useMemo<ColumnDef<WireRun, unknown>[]>(() => {
    const fixed: ColumnDef<WireRun, unknown>[] = [
      {
        id: 'select',
        header: () => <span className="visually-hidden">Select to compare</span>,
        enableSorting: false,
        size: 40,
        cell: ({ row }) => {
          const run = row.original;
          const name = run.info.run_name || run.info.run_id;
          return (
            <input
              type="checkbox"
              aria-label={`Select ${name}`}
              checked={selected.includes(run.info.run_id)}
              onChange={(event) => toggleSelected(run.info.run_id, event.target.checked)}
            />
          );
        },
      },
      {
        id: 'name',
        accessorFn: (run) => run.info.run_name,
        header: 'Run',
        size: 260,
        cell: ({ row }) => (
          <Link to={`/runs/${encodeURIComponent(row.original.info.run_id)}`} tabIndex={-1}>
            <Truncated text={row.original.info.run_name || row.original.info.run_id} max={40} />
          </Link>
        ),
      },
      {
        id: 'status',
        accessorFn: (run) => run.info.status,
        header: 'Status',
        size: 110,
        cell: ({ row }) => statusBadge(row.original.info.status),
      },
      {
        id: 'start',
        accessorFn: (run) => run.info.start_time,
        header: 'Started',
        size: 140,
        cell: ({ row }) => <RelativeTime epochMs={row.original.info.start_time} />,
      },
      {
        id: 'duration',
        accessorFn: runDuration,
        header: 'Duration',
        size: 110,
        cell: ({ row }) => <Duration ms={runDuration(row.original)} />,
      },
    ];
    const chosenColumns = chosen.map<ColumnDef<WireRun, unknown>>((id) => ({
      id,
      accessorFn: (run) => runValue(run, id),
      sortDescFirst: false,
      header: () => keyHeader(id),
      size: 150,
      cell: ({ row }) => {
        const value = runValue(row.original, id);
        if (value === undefined) return <span className="lane-muted">—</span>;
        return id.startsWith('metrics.') ? (
          <NumberValue value={value} />
        ) : (
          <Truncated text={String(value)} max={40} />
        );
      },
    }));
    return [...fixed, ...chosenColumns];
  }, [chosen, selected, toggleSelected]);

  const onSortingChange = useCallback(
    (updater: Updater<SortingState>) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      update({ order: sortingToUrl(next) });
    },
    [sorting, update],
  );

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = runs;
  const onEndReached = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const name = experiment.data?.name;
  const lane = name ? LANE_PATH.exec(name) : null;
  const compareHref = `/compare?runs=${selected.map(encodeURIComponent).join(',')}`;

  if (experiment.isError) {
    return (
      <>
        <PageHeader title={isNotFound(experiment.error) ? 'Experiment not found' : 'Experiment'} />
        <ErrorState error={experiment.error} retry={() => void experiment.refetch()} />
      </>
    );
  }

  return (
    <>
      <PageHeader
        title={lane ? `${lane[1]} · ${lane[2]}` : (name ?? <span className="title-skeleton">Loading…</span>)}
        crumbs={
          <>
            <Link to="/">Agents</Link>
            {lane ? <span> › {lane[1]}</span> : null}
          </>
        }
        actions={
          <>
            <Link to={`/experiments/${encodeURIComponent(experimentId)}/traces`}>Traces</Link>
            {selected.length >= 2 ? (
              <Link className="button-link" to={compareHref}>
                Compare ({selected.length})
              </Link>
            ) : (
              <span className="button-link disabled" role="link" aria-disabled="true">
                Compare ({selected.length})
              </span>
            )}
          </>
        }
      />
      <dl className="lane-facts">
        <div>
          <dt>Path</dt>
          <dd className="mono">{name ?? '…'}</dd>
        </div>
        <div>
          <dt>Experiment ID</dt>
          <dd className="mono">{experimentId}</dd>
        </div>
        {lane ? (
          <>
            <div>
              <dt>Agent</dt>
              <dd>{lane[1]}</dd>
            </div>
            <div>
              <dt>Lane</dt>
              <dd>{lane[2]}</dd>
            </div>
          </>
        ) : null}
      </dl>
      <div className="lane-toolbar">
        <FilterBox value={filter} onApply={(next) => update({ filter: next || undefined })} />
        <ColumnPicker keys={keys} chosen={chosen} onToggle={toggleColumn} />
      </div>
      {runs.isError ? (
        <ErrorState
          error={runs.error}
          title={
            runs.error instanceof ApiError && runs.error.status === 400
              ? 'The server refused this search'
              : undefined
          }
          retry={() => void runs.refetch()}
        />
      ) : runs.isPending ? (
        <div className="table-skeleton">
          <Skeleton rows={12} label="Loading runs" />
        </div>
      ) : loaded.length === 0 ? (
        <Empty title={filter ? 'No runs match this filter' : 'No runs in this experiment yet'}>
          {filter ? <p>Change or clear the filter above.</p> : <p>Runs logged to it appear here.</p>}
        </Empty>
      ) : (
        <DataTable
          columns={columns}
          data={loaded}
          getRowId={(run) => run.info.run_id}
          caption={`Runs of ${name ?? experimentId}`}
          sorting={sorting}
          onSortingChange={onSortingChange}
          onEndReached={onEndReached}
          onRowActivate={(run) => void navigate(`/runs/${encodeURIComponent(run.info.run_id)}`)}
          onRowToggle={(run) => toggleSelected(run.info.run_id)}
          footer={
            <span role="status">
              {loaded.length.toLocaleString('en-US')} runs loaded
              {isFetchingNextPage ? ', loading more…' : hasNextPage ? ', more to load' : ', all loaded'}
            </span>
          }
        />
      )}
    </>
  );
}

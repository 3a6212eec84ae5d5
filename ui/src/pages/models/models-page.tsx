import { useInfiniteQuery } from '@tanstack/react-query';
import type { ColumnDef, SortingState } from '@tanstack/react-table';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { parseRegisteredModelFilter } from '../../../../src/query/index.js';
import { getJson } from '../../api/http.js';
import { DataTable } from '../../components/data-table.js';
import { RelativeTime, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import { MLFLOW_API, productionOf, type RegisteredModelJson } from './registry.js';
import './models.css';

const PAGE_SIZE = 100;
const SORTABLE = new Set(['name', 'last_updated_timestamp']);

interface SearchPage {
  registered_models?: RegisteredModelJson[];
  next_page_token?: string;
}

/** The parse error of a registry filter as typed, or `undefined` when it parses. */
function filterError(text: string): string | undefined {
  if (text.trim() === '') return undefined;
  try {
    parseRegisteredModelFilter(text);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The sort in the URL (`?sort=name&dir=asc`), newest update first by default. */
function sortingOf(params: URLSearchParams): SortingState {
  const id = params.get('sort');
  return [
    {
      id: id !== null && SORTABLE.has(id) ? id : 'last_updated_timestamp',
      desc: (params.get('dir') ?? (id === 'name' ? 'asc' : 'desc')) === 'desc',
    },
  ];
}

const columns: ColumnDef<RegisteredModelJson, unknown>[] = [
  {
    id: 'name',
    accessorFn: (m) => m.name,
    header: 'Name',
    size: 240,
    cell: ({ row }) => (
      <Link to={`/models/${encodeURIComponent(row.original.name)}`}>
        <Truncated text={row.original.name} max={40} />
      </Link>
    ),
  },
  {
    id: 'latest',
    header: 'Latest versions',
    enableSorting: false,
    size: 130,
    cell: ({ row }) => {
      const versions = [...new Set((row.original.latest_versions ?? []).map((v) => v.version))];
      return versions.length === 0 ? '—' : versions.map((v) => `v${v}`).join(', ');
    },
  },
  {
    id: 'aliases',
    header: 'Aliases',
    enableSorting: false,
    size: 220,
    cell: ({ row }) => {
      const aliases = row.original.aliases ?? [];
      if (aliases.length === 0) return '—';
      return (
        <span className="alias-list">
          {aliases.map((a) => (
            <span key={a.alias} className="badge" title={`${a.alias} points to version ${a.version}`}>
              <Truncated text={a.alias} max={20} /> → v{a.version}
            </span>
          ))}
        </span>
      );
    },
  },
  {
    id: 'production',
    header: 'In production',
    enableSorting: false,
    size: 120,
    cell: ({ row }) => {
      const production = productionOf(row.original);
      return production ? <span className="badge ok">v{production.version}</span> : '—';
    },
  },
  {
    id: 'last_updated_timestamp',
    accessorFn: (m) => m.last_updated_timestamp,
    header: 'Last updated',
    size: 130,
    cell: ({ row }) => <RelativeTime epochMs={row.original.last_updated_timestamp} />,
  },
  {
    id: 'description',
    header: 'Description',
    enableSorting: false,
    size: 320,
    cell: ({ row }) =>
      row.original.description ? <Truncated text={row.original.description} max={60} /> : '—',
  },
];

/** The registered models: name filter, server-side sort, keyset pages; every choice in the URL. */
export function ModelsPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const filter = params.get('filter') ?? '';
  const [draft, setDraft] = useState(filter);
  const [prevFilter, setPrevFilter] = useState(filter);
  if (prevFilter !== filter) {
    // Back and forward change the URL: the field follows it.
    setPrevFilter(filter);
    setDraft(filter);
  }
  const draftError = filterError(draft);
  const sorting = useMemo(() => sortingOf(params), [params]);
  const [sort] = sorting as [SortingState[number]];
  const orderBy = `${sort.id} ${sort.desc ? 'DESC' : 'ASC'}`;

  const query = useInfiniteQuery({
    queryKey: ['registered-models', filter, orderBy],
    queryFn: ({ pageParam, signal }) =>
      getJson<SearchPage>(
        `${MLFLOW_API}/registered-models/search`,
        {
          max_results: PAGE_SIZE,
          order_by: [orderBy],
          filter: filter || undefined,
          page_token: pageParam || undefined,
        },
        signal,
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.next_page_token || undefined,
  });
  const models = useMemo(
    () => query.data?.pages.flatMap((p) => p.registered_models ?? []) ?? [],
    [query.data],
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draftError) return;
    const next = new URLSearchParams(params);
    if (draft.trim() === '') next.delete('filter');
    else next.set('filter', draft.trim());
    setParams(next);
  };

  const onSortingChange = (updater: SortingState | ((old: SortingState) => SortingState)) => {
    const [nextSort] = typeof updater === 'function' ? updater(sorting) : updater;
    if (!nextSort) return;
    const next = new URLSearchParams(params);
    next.set('sort', nextSort.id);
    next.set('dir', nextSort.desc ? 'desc' : 'asc');
    setParams(next);
  };

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const onEndReached = useMemo(
    () => () => {
      if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
    },
    [hasNextPage, isFetchingNextPage, fetchNextPage],
  );

  return (
    <>
      <PageHeader title="Models" />
      <form className="model-filter" role="search" onSubmit={submit}>
        <label htmlFor="model-filter">Filter</label>
        <input
          id="model-filter"
          type="search"
          className="mono"
          value={draft}
          placeholder="name LIKE '%agent%'"
          spellCheck={false}
          aria-invalid={draftError ? true : undefined}
          aria-describedby="model-filter-help"
          onChange={(event) => setDraft(event.target.value)}
        />
        <button type="submit" disabled={draftError !== undefined}>
          Apply
        </button>
        <p id="model-filter-help" className={draftError ? 'filter-error' : 'filter-help'} aria-live="polite">
          {draftError ?? "The registry's filter language: name LIKE '%agent%', tags.team = 'sre'."}
        </p>
      </form>
      {query.isPending ? (
        <Skeleton rows={8} label="Loading the registered models" />
      ) : query.isError ? (
        <ErrorState
          error={query.error}
          retry={() => void query.refetch()}
          {...(filter ? { title: 'The filter was refused' } : {})}
        />
      ) : models.length === 0 ? (
        <Empty title={filter ? 'No registered model matches the filter' : 'No registered models yet'}>
          {filter ? (
            <p>Change or clear the filter.</p>
          ) : (
            <p>
              An evaluation with <code>register</code> (or <code>agentrack run eval --register</code>)
              registers the model it evaluated when its gate passes.
            </p>
          )}
        </Empty>
      ) : (
        <DataTable
          columns={columns}
          data={models}
          getRowId={(m) => m.name}
          caption="Registered models"
          sorting={sorting}
          onSortingChange={onSortingChange}
          onEndReached={onEndReached}
          onRowActivate={(m) => void navigate(`/models/${encodeURIComponent(m.name)}`)}
          height={Math.min(560, 40 + models.length * 32)}
          footer={
            isFetchingNextPage
              ? 'Loading more…'
              : hasNextPage
                ? `${models.length} models so far`
                : `${models.length} ${models.length === 1 ? 'model' : 'models'}`
          }
        />
      )}
    </>
  );
}

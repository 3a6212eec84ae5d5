import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { Duration, RelativeTime } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { ErrorState, Skeleton } from '../../components/states.js';
import { liveSearch } from '../../lib/url-state.js';
import { ArtifactPreview } from './artifact-preview.js';
import { ArtifactTree } from './artifact-tree.js';
import { OPEN_PARAM, openFromUrl, toggleFolder, withAncestors, writeOpen } from './artifact-url.js';
import { readGate } from './gate.js';
import { GateVerdict } from './gate-verdict.js';
import { MetricCharts } from './metric-charts.js';
import { getExperiment, getRun, millis, type WireRun } from './run-api.js';
import { RunData } from './run-data.js';
import { RunLineage } from './run-lineage.js';
import { RunTraces } from './run-traces.js';
import './run.css';

const STATUS_TONES: Record<string, string> = {
  FINISHED: 'ok',
  FAILED: 'bad',
  KILLED: 'bad',
  RUNNING: 'warn',
  SCHEDULED: 'warn',
};

function CopyId({ id }: { id: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | undefined>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(id);
      setCopied('yes');
    } catch {
      setCopied('no');
    }
  };
  return (
    <span className="copy-id">
      <code>{id}</code>{' '}
      <button type="button" onClick={() => void copy()} aria-label="Copy the run id">
        Copy
      </button>
      <span role="status" className="muted">
        {copied === 'yes' ? ' Copied' : copied === 'no' ? ' Select the id to copy it' : ''}
      </span>
    </span>
  );
}

function RunHeader({ run }: { run: WireRun }) {
  const { info } = run;
  const experiment = useQuery({
    queryKey: ['experiment', info.experiment_id],
    queryFn: ({ signal }) => getExperiment(info.experiment_id, signal),
  });
  const start = millis(info.start_time);
  const end = millis(info.end_time);
  const lane = experiment.data?.name ?? `experiment ${info.experiment_id}`;
  return (
    <>
      <PageHeader
        crumbs={<Link to={`/experiments/${encodeURIComponent(info.experiment_id)}`}>{lane}</Link>}
        title={
          <>
            {info.run_name || info.run_id}{' '}
            <span className={`badge ${STATUS_TONES[info.status] ?? 'warn'}`}>{info.status}</span>
          </>
        }
      />
      <dl className="facts run-facts">
        <dt>Experiment</dt>
        <dd>
          <Link to={`/experiments/${encodeURIComponent(info.experiment_id)}`}>{lane}</Link>
        </dd>
        <dt>Started</dt>
        <dd>
          <RelativeTime epochMs={start} />
        </dd>
        <dt>Duration</dt>
        <dd>{start === undefined ? '—' : end === undefined ? 'running' : <Duration ms={end - start} />}</dd>
        <dt>Run id</dt>
        <dd>
          <CopyId id={info.run_id} />
        </dd>
      </dl>
    </>
  );
}

function RunSkeleton() {
  return (
    <div className="run-skeleton" aria-busy="true">
      <PageHeader title={<span className="skeleton-title">Loading the run</span>} />
      <Skeleton rows={4} label="Loading the run" />
      <div className="run-grid">
        <Skeleton rows={6} label="Loading the metrics" />
        <Skeleton rows={6} label="Loading the parameters" />
      </div>
    </div>
  );
}

/**
 * A run: its header, gate verdict, lineage, data, metric charts, artifacts and traces. The
 * artifact previewed is the URL's `?artifact=<path>`, the open folders its `?open=<folder>`.
 */
export function RunPage() {
  const { runId = '' } = useParams();
  const [search, setSearch] = useSearchParams();
  const selected = search.get('artifact') ?? undefined;
  const run = useQuery({ queryKey: ['run', runId], queryFn: ({ signal }) => getRun(runId, signal) });

  // The open folders are the URL's `?open=` (repeated). A link that names none (one made
  // before the tree kept its folders, or by hand) opens the previewed file's folders.
  const namesFolders = search.has(OPEN_PARAM);
  const urlOpen = useMemo(() => openFromUrl(search), [search]);
  const expanded = useMemo(
    () => (namesFolders || selected === undefined ? urlOpen : withAncestors(urlOpen, selected)),
    [namesFolders, selected, urlOpen],
  );
  const writeFolders = useCallback(
    (open: ReadonlySet<string>) => setSearch(() => writeOpen(liveSearch(), open), { replace: true }),
    [setSearch],
  );
  useEffect(() => {
    if (expanded !== urlOpen) writeFolders(expanded);
  }, [expanded, urlOpen, writeFolders]);
  const expand = (path: string, open: boolean) =>
    writeFolders(toggleFolder(openFromUrl(liveSearch()), path, open));

  if (run.isPending) return <RunSkeleton />;
  if (run.isError) {
    return (
      <>
        <PageHeader title="Run" />
        <ErrorState error={run.error} retry={() => void run.refetch()} />
      </>
    );
  }
  const data = run.data;
  const tags = data.data.tags ?? [];
  const metrics = data.data.metrics ?? [];
  const verdict = readGate(tags);
  const selectArtifact = (path: string) =>
    setSearch(
      () => {
        const next = liveSearch();
        next.set('artifact', path);
        return next;
      },
      { replace: true },
    );

  return (
    <div className="run-page">
      <RunHeader run={data} />
      {verdict ? <GateVerdict verdict={verdict} /> : null}
      <RunLineage run={data} />
      <RunData params={data.data.params ?? []} tags={tags} metrics={metrics} />
      {metrics.length > 0 ? (
        <section aria-labelledby="run-charts">
          <h2 id="run-charts">Metric history</h2>
          <MetricCharts runId={runId} keys={metrics.map((m) => m.key).sort()} />
        </section>
      ) : null}
      <section aria-labelledby="run-artifacts">
        <h2 id="run-artifacts">Artifacts</h2>
        <div className="artifacts">
          <ArtifactTree
            runId={runId}
            selected={selected}
            onSelect={(file) => selectArtifact(file.path)}
            expanded={expanded}
            onExpand={expand}
          />
          <div className="artifact-pane">
            {selected ? (
              <ArtifactPreview key={selected} runId={runId} path={selected} />
            ) : (
              <p className="muted">Choose a file to preview it.</p>
            )}
          </div>
        </div>
      </section>
      <RunTraces experimentId={data.info.experiment_id} runId={runId} />
    </div>
  );
}

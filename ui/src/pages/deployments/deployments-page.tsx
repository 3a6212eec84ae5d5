import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { formatExactTime } from '../../lib/format.js';
import { RelativeTime, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import {
  deploymentEvents,
  fetchAgentDeployments,
  productionPeriods,
  type DeploymentEvent,
  type DeploymentJson,
  type ProductionPeriod,
} from './deployments-api.js';
import './deployments.css';

const EVENT_LABELS: Record<DeploymentEvent['kind'], { text: string; tone: string }> = {
  deployed: { text: 'Deployed', tone: 'ok' },
  redeployed: { text: 'Set to success', tone: 'ok' },
  failed: { text: 'Failed', tone: 'bad' },
  rolled_back: { text: 'Rolled back', tone: 'warn' },
};

function runLink(runId: string, name: string) {
  return (
    <Link to={`/runs/${encodeURIComponent(runId)}`} title={runId}>
      <Truncated text={name} max={40} />
    </Link>
  );
}

function versionLabel(d: DeploymentJson): string {
  return d.modelVersion !== undefined ? `v${d.modelVersion}` : 'no version';
}

/**
 * The bands of the periods in production along a time axis from the first deployment to now:
 * each band as wide as its period, but never narrower than a target one can point at (a
 * period of minutes among months stays visible), gaps with nothing in production left empty.
 */
function Timeline({
  periods,
  from,
  to,
  productionRunId,
}: {
  periods: ProductionPeriod[];
  from: number;
  to: number;
  productionRunId: string | undefined;
}) {
  const items: { key: string; grow: number; period?: ProductionPeriod }[] = [];
  let cursor = from;
  for (const p of periods) {
    if (p.start > cursor) items.push({ key: `gap:${cursor}`, grow: p.start - cursor });
    const end = p.end ?? to;
    items.push({ key: `${p.deployment.runId}:${p.start}`, grow: Math.max(1, end - p.start), period: p });
    cursor = end;
  }
  return (
    <div className="timeline">
      <ol className="timeline-bands" aria-label="Periods in production, oldest first">
        {items.map(({ key, grow, period }) => {
          if (!period) return <li key={key} className="gap" aria-hidden="true" style={{ flexGrow: grow }} />;
          const current = period.end === undefined && period.deployment.runId === productionRunId;
          const label =
            `${versionLabel(period.deployment)} in production from ${formatExactTime(period.start)} ` +
            (period.end === undefined ? 'until now' : `to ${formatExactTime(period.end)}`) +
            ` (deployment ${period.deployment.runName})`;
          return (
            <li key={key} className={current ? 'band current' : 'band'} style={{ flexGrow: grow }}>
              <Link
                to={`/runs/${encodeURIComponent(period.deployment.runId)}`}
                aria-label={label}
                title={label}
              >
                {versionLabel(period.deployment)}
              </Link>
            </li>
          );
        })}
      </ol>
      <div className="timeline-axis" aria-hidden="true">
        <span>{formatExactTime(from)}</span>
        <span>now</span>
      </div>
    </div>
  );
}

/** One agent's deployments: which model version was in production when, and every status change. */
export function DeploymentsPage() {
  const { agent = '' } = useParams();
  const query = useQuery({
    queryKey: ['agent-deployments', agent],
    queryFn: ({ signal }) => fetchAgentDeployments(agent, signal),
  });
  const crumbs = (
    <>
      <Link to="/">Agents</Link> <span aria-hidden="true">/</span> <Truncated text={agent} max={40} />
    </>
  );
  const header = <PageHeader title="Deployments" crumbs={crumbs} />;
  if (query.isPending) {
    return (
      <>
        {header}
        <div className="timeline-skeleton" aria-hidden="true" />
        <Skeleton rows={6} label="Loading the deployments" />
      </>
    );
  }
  if (query.isError) {
    return (
      <>
        {header}
        <ErrorState error={query.error} retry={() => void query.refetch()} />
      </>
    );
  }
  const { deployments, productionRunId } = query.data;
  if (deployments.length === 0) {
    return (
      <>
        {header}
        <Empty title="No deployments yet">
          <p>
            <code>agentrack deploy --model-version N</code> (or <code>agent.deploy</code>) records one,
            promoted from a passing evaluation run.
          </p>
        </Empty>
      </>
    );
  }
  const periods = productionPeriods(deployments);
  const events = deploymentEvents(deployments);
  const production = deployments.find((d) => d.runId === productionRunId);
  const now = Date.now();
  const from = Math.min(...events.map((e) => e.at), ...deployments.map((d) => d.run.info.start_time));
  const to = Math.max(now, ...events.map((e) => e.at));

  return (
    <>
      {header}
      <p className="production-now">
        In production now:{' '}
        {production ? (
          <>
            <span className="badge ok production">{versionLabel(production)}</span> deployed by{' '}
            {runLink(production.runId, production.runName)}
          </>
        ) : (
          <strong>nothing</strong>
        )}
      </p>
      <section aria-labelledby="timeline-title">
        <h2 id="timeline-title">In production over time</h2>
        {periods.length === 0 ? (
          <p className="muted">No deployment has been in production.</p>
        ) : (
          <Timeline periods={periods} from={from} to={to} productionRunId={productionRunId} />
        )}
      </section>
      <section aria-labelledby="events-title">
        <h2 id="events-title">Events</h2>
        <table className="plain events-table">
          <caption className="visually-hidden">Deployments and status changes, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Model version</th>
              <th scope="col">Deployment run</th>
              <th scope="col">From evaluation run</th>
              <th scope="col">Note</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => {
              const label = EVENT_LABELS[e.kind];
              const d = e.deployment;
              const current = d.runId === productionRunId;
              return (
                <tr key={e.key} className={current ? 'current' : undefined}>
                  <td>
                    <RelativeTime epochMs={e.at} />
                  </td>
                  <td>
                    <span className={`badge ${label.tone}`}>{label.text}</span>
                    {e.initial ? null : <span className="muted"> (status change)</span>}
                  </td>
                  <td>
                    {versionLabel(d)}
                    {current ? <span className="visually-hidden"> (in production now)</span> : null}
                  </td>
                  <td>{runLink(d.runId, d.runName)}</td>
                  <td>
                    {d.sourceRunId ? (
                      runLink(d.sourceRunId, d.sourceRunName ?? d.sourceRunId)
                    ) : d.forced ? (
                      <span className="badge warn">forced</span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{e.note ? <Truncated text={e.note} max={80} /> : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}

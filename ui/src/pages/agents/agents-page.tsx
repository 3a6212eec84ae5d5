import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { RelativeTime, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState } from '../../components/states.js';
import { formatNumber } from '../../lib/format.js';
import {
  auditQueryKey,
  fetchAgents,
  fetchAudit,
  LANES,
  problemTotal,
  type AgentOverview,
  type Lane,
  type LaneOverview,
} from './agents-api.js';
import './agents.css';

const LANE_TITLES: Record<Lane, string> = {
  development: 'Development',
  evaluation: 'Evaluation',
  deployment: 'Deployment',
};

/** Every agent with its three lanes side by side; each agent's audit status arrives on its own. */
export function AgentsPage() {
  const agents = useQuery({
    queryKey: ['agentrack', 'agents'],
    queryFn: ({ signal }) => fetchAgents(signal),
  });
  return (
    <>
      <PageHeader title="Agents" />
      {agents.isPending ? (
        <AgentsSkeleton />
      ) : agents.isError ? (
        <ErrorState error={agents.error} retry={() => void agents.refetch()} />
      ) : agents.data.length === 0 ? (
        <Empty title="No agents yet">
          <p>
            An agent appears here once its experiments exist. Create one with <code>agentrack init</code> and
            a first run (<code>agentrack run dev</code>), or try <code>npm run quickstart</code> for a sample
            agent.
          </p>
        </Empty>
      ) : (
        <ul className="agent-list" aria-label="Agents">
          {agents.data.map((agent) => (
            <li key={agent.agent}>
              <AgentCard agent={agent} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function AgentCard({ agent }: { agent: AgentOverview }) {
  const headingId = `agent-${agent.agent}`;
  const base = `/agents/${encodeURIComponent(agent.agent)}`;
  return (
    <article className="agent-card" aria-labelledby={headingId}>
      <div className="agent-card-header">
        <h2 id={headingId}>
          <Truncated text={agent.agent} max={60} />
        </h2>
        <div className="agent-links">
          <Link to={`${base}/deployments`}>Deployments</Link>
          <Link to={`${base}/audit`}>Audit</Link>
          <AuditStatus agent={agent.agent} />
        </div>
      </div>
      <div className="lanes">
        {LANES.map((lane) => (
          <LaneCard key={lane} agent={agent} lane={lane} />
        ))}
      </div>
    </article>
  );
}

/** The audit's verdict for one agent, fetched after the page has painted so that it never delays it. */
function AuditStatus({ agent }: { agent: string }) {
  const report = useQuery({
    queryKey: auditQueryKey(agent),
    queryFn: ({ signal }) => fetchAudit(agent, signal),
  });
  let status;
  if (report.isPending) status = <span className="audit-status muted">checking…</span>;
  else if (report.isError)
    status = (
      <span className="badge warn" title={report.error.message}>
        audit failed
      </span>
    );
  else if (report.data.ok) status = <span className="badge ok">audit passed</span>;
  else {
    const n = problemTotal(report.data);
    status = <span className="badge bad">{`${formatNumber(n)} problem${n === 1 ? '' : 's'}`}</span>;
  }
  return (
    <span className="audit-status" aria-live="polite" aria-label={`Audit status of ${agent}`} role="status">
      {status}
    </span>
  );
}

function LaneCard({ agent, lane }: { agent: AgentOverview; lane: Lane }) {
  const overview = agent.lanes[lane];
  const headingId = `lane-${agent.agent}-${lane}`;
  return (
    <section className="lane" aria-labelledby={headingId}>
      <h3 id={headingId}>
        {overview ? (
          <Link to={`/experiments/${encodeURIComponent(overview.experimentId)}`}>
            {LANE_TITLES[lane]}
            <span className="visually-hidden"> lane of {agent.agent}</span>
          </Link>
        ) : (
          LANE_TITLES[lane]
        )}
      </h3>
      {overview ? (
        <LaneBody agent={agent} lane={lane} overview={overview} />
      ) : (
        <p className="muted">No {lane} experiment yet.</p>
      )}
    </section>
  );
}

function LaneBody({ agent, lane, overview }: { agent: AgentOverview; lane: Lane; overview: LaneOverview }) {
  const count = overview.runCount;
  return (
    <>
      <p className="lane-path mono">
        <Truncated text={overview.path} max={48} />
      </p>
      <dl className="lane-facts">
        <dt>Runs</dt>
        <dd className="num">{count === null ? 'not counted' : formatNumber(count)}</dd>
        <dt>Last run</dt>
        <dd>
          {overview.lastRun ? (
            <>
              <Link to={`/runs/${encodeURIComponent(overview.lastRun.runId)}`}>
                <Truncated text={overview.lastRun.runName || overview.lastRun.runId} max={32} />
              </Link>{' '}
              <span className="muted">
                <RelativeTime epochMs={overview.lastRun.startTime} /> ·{' '}
                {overview.lastRun.status.toLowerCase()}
              </span>
            </>
          ) : (
            <span className="muted">none yet</span>
          )}
        </dd>
        {lane === 'evaluation' ? <Verdict agent={agent} /> : null}
        {lane === 'deployment' ? <Production agent={agent} /> : null}
      </dl>
      {lane !== 'deployment' ? (
        <p>
          <Link to={`/experiments/${encodeURIComponent(overview.experimentId)}/traces`}>
            Traces
            <span className="visually-hidden">
              {' '}
              of the {lane} lane of {agent.agent}
            </span>
          </Link>
        </p>
      ) : null}
    </>
  );
}

function Verdict({ agent }: { agent: AgentOverview }) {
  const latest = agent.latestEvaluation;
  return (
    <>
      <dt>Latest verdict</dt>
      <dd>
        {latest === null ? (
          <span className="muted">no evaluation yet</span>
        ) : (
          <>
            <span
              className={`badge ${latest.gate === 'passed' ? 'ok' : latest.gate === 'failed' ? 'bad' : 'warn'}`}
              title={`Gate of ${latest.runName}`}
            >
              {latest.gate === 'passed' ? 'passed' : latest.gate === 'failed' ? 'failed' : 'no gate'}
            </span>{' '}
            <span className="muted">
              {latest.deploymentCandidate ? 'deployment candidate' : 'not a candidate'}
            </span>
          </>
        )}
      </dd>
    </>
  );
}

function Production({ agent }: { agent: AgentOverview }) {
  const production = agent.production;
  const version = production?.modelVersion ?? '?';
  return (
    <>
      <dt>In production</dt>
      <dd>
        {production === null ? (
          <span className="muted">nothing in production</span>
        ) : (
          <>
            {production.registeredModel ? (
              <Link to={`/models/${encodeURIComponent(production.registeredModel)}`}>
                <Truncated text={`${production.registeredModel} v${version}`} max={40} />
              </Link>
            ) : (
              <span>version {version}</span>
            )}{' '}
            <span className="muted">
              since <RelativeTime epochMs={production.since} />
            </span>
          </>
        )}
      </dd>
    </>
  );
}

/** The page's shape while the agents load: two agents of three lanes, so nothing jumps when they arrive. */
function AgentsSkeleton() {
  return (
    <div role="status" aria-label="Loading the agents">
      {[0, 1].map((i) => (
        <div key={i} className="agent-card" aria-hidden="true">
          <div className="skeleton-row skeleton-title" />
          <div className="lanes">
            {LANES.map((lane) => (
              <div key={lane} className="lane">
                <div className="skeleton-row" />
                <div className="skeleton-row" />
                <div className="skeleton-row" />
              </div>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}

import { useQuery } from '@tanstack/react-query';
import { Link, useParams, useSearchParams } from 'react-router';
import { Duration, Truncated } from '../../components/format.js';
import { PageHeader } from '../../components/layout.js';
import { ErrorState, Skeleton } from '../../components/states.js';
import { formatNumber } from '../../lib/format.js';
import {
  auditQueryKey,
  fetchAudit,
  problemTotal,
  type AuditItem,
  type AuditProblem,
} from '../agents/agents-api.js';
import './audit.css';

/**
 * One agent's lifecycle audit, item by item: what each check verifies, whether it passed, and
 * the offending runs linked to their pages. `?failing=1` shows the failing checks only.
 */
export function AuditPage() {
  const agent = useParams().agent ?? '';
  const [search, setSearch] = useSearchParams();
  const failingOnly = search.get('failing') === '1';
  const report = useQuery({
    queryKey: auditQueryKey(agent),
    queryFn: ({ signal }) => fetchAudit(agent, signal),
  });
  const crumbs = (
    <>
      <Link to="/">Agents</Link> / <Truncated text={agent} max={60} />
    </>
  );
  const title = (
    <>
      Audit of <Truncated text={agent} max={60} />
    </>
  );
  if (report.isPending) {
    return (
      <>
        <PageHeader title={title} crumbs={crumbs} />
        <Skeleton rows={8} label="Running the audit" />
      </>
    );
  }
  if (report.isError) {
    return (
      <>
        <PageHeader title={title} crumbs={crumbs} />
        <ErrorState error={report.error} retry={() => void report.refetch()} />
      </>
    );
  }
  const data = report.data;
  const failing = data.items.filter((item) => item.status === 'fail');
  const shown = failingOnly ? failing : data.items;
  const problems = problemTotal(data);
  return (
    <>
      <PageHeader
        title={title}
        crumbs={crumbs}
        actions={<Link to={`/agents/${encodeURIComponent(agent)}/deployments`}>Deployments</Link>}
      />
      <p className="audit-summary" role="status">
        {data.ok ? (
          <span className="badge ok">passed</span>
        ) : (
          <span className="badge bad">{`${formatNumber(problems)} problem${problems === 1 ? '' : 's'}`}</span>
        )}{' '}
        {data.ok
          ? `All ${data.items.length} checks passed`
          : `${failing.length} of ${data.items.length} checks failed`}
        , {formatNumber(data.runsAudited)} run{data.runsAudited === 1 ? '' : 's'} audited in{' '}
        <Duration ms={data.durationMs} />.
      </p>
      <label className="audit-filter">
        <input
          type="checkbox"
          checked={failingOnly}
          onChange={(event) => {
            const next = new URLSearchParams(search);
            if (event.target.checked) next.set('failing', '1');
            else next.delete('failing');
            setSearch(next, { replace: true });
          }}
        />{' '}
        Failing checks only
      </label>
      <ol className="audit-items" aria-label="Checklist">
        {shown.map((item) => (
          <li key={item.id}>
            <Item item={item} />
          </li>
        ))}
      </ol>
    </>
  );
}

function Item({ item }: { item: AuditItem }) {
  const headingId = `audit-${item.id}`;
  const unit = item.checked === 1 ? item.unit.replace(/s$/, '') : item.unit;
  const hidden = item.problemCount - item.problems.length;
  return (
    <section className={`audit-item ${item.status}`} aria-labelledby={headingId}>
      <h2 id={headingId}>
        <span className={`badge ${item.status === 'pass' ? 'ok' : 'bad'}`}>
          {item.status === 'pass' ? 'pass' : 'fail'}
        </span>{' '}
        {item.title}
      </h2>
      <p className="audit-counts">
        {item.status === 'pass'
          ? `${formatNumber(item.checked)} ${unit} checked, no problem.`
          : `${formatNumber(item.failed)} of ${formatNumber(item.checked)} ${unit} failed` +
            (item.problemCount !== item.failed ? `, ${formatNumber(item.problemCount)} problems.` : '.')}{' '}
        <code className="audit-id">{item.id}</code>
      </p>
      {item.problems.length > 0 ? (
        <table className="plain audit-problems">
          <caption className="visually-hidden">Problems found by “{item.title}”</caption>
          <thead>
            <tr>
              <th scope="col">Run or experiment</th>
              <th scope="col">Problem</th>
              <th scope="col">Fix</th>
            </tr>
          </thead>
          <tbody>
            {item.problems.map((problem, i) => (
              <tr key={i}>
                <td>
                  <Where problem={problem} />
                </td>
                <td>
                  <Truncated text={problem.message} max={160} />
                </td>
                <td className="audit-fix">
                  <Truncated text={problem.fix} max={160} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {hidden > 0 ? (
        <p className="muted">{`… and ${formatNumber(hidden)} more problem${hidden === 1 ? '' : 's'}.`}</p>
      ) : null}
    </section>
  );
}

function Where({ problem }: { problem: AuditProblem }) {
  const experiment =
    problem.experimentPath === undefined ? null : problem.experimentId ? (
      <Link to={`/experiments/${encodeURIComponent(problem.experimentId)}`}>
        <Truncated text={problem.experimentPath} max={48} />
      </Link>
    ) : (
      <Truncated text={problem.experimentPath} max={48} />
    );
  if (problem.runId === undefined) return experiment ?? <span className="muted">—</span>;
  return (
    <>
      <Link to={`/runs/${encodeURIComponent(problem.runId)}`}>
        <Truncated text={problem.runName || problem.runId} max={40} />
      </Link>
      {experiment ? (
        <>
          <br />
          <span className="muted">in {experiment}</span>
        </>
      ) : null}
    </>
  );
}

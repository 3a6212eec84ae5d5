import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { Duration, RelativeTime, Truncated } from '../../components/format.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import { TraceStateBadge } from '../traces/trace-state-badge.js';
import { durationMs, epochMs } from '../traces/trace-wire.js';
import { searchRunTraces } from './run-api.js';

/** The traces linked to the run (`attribute.run_id`), newest first, each linked to its page. */
export function RunTraces({ experimentId, runId }: { experimentId: string; runId: string }) {
  const traces = useQuery({
    queryKey: ['run-traces', experimentId, runId],
    queryFn: ({ signal }) => searchRunTraces(experimentId, runId, signal),
  });
  return (
    <section aria-labelledby="run-traces">
      <h2 id="run-traces">Traces</h2>
      {traces.isPending ? (
        <Skeleton rows={3} label="Loading the traces" />
      ) : traces.isError ? (
        <ErrorState error={traces.error} retry={() => void traces.refetch()} />
      ) : traces.data.length === 0 ? (
        <Empty title="No traces linked to this run" />
      ) : (
        <table className="plain">
          <caption className="visually-hidden">Traces of the run</caption>
          <thead>
            <tr>
              <th scope="col">Trace</th>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Request</th>
              <th scope="col">Started</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {traces.data.map((t) => (
              <tr key={t.trace_id}>
                <td>
                  <Link to={`/traces/${encodeURIComponent(t.trace_id)}`}>
                    <code>{t.trace_id}</code>
                  </Link>
                </td>
                <td>{t.tags?.['mlflow.traceName'] ?? '—'}</td>
                <td>
                  <TraceStateBadge state={t.state ?? 'STATE_UNSPECIFIED'} />
                </td>
                <td>
                  <Truncated text={t.request_preview ?? ''} max={60} />
                </td>
                <td>
                  <RelativeTime epochMs={epochMs(t.request_time)} />
                </td>
                <td>
                  <Duration ms={durationMs(t.execution_duration)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

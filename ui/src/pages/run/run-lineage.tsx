import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { RelativeTime } from '../../components/format.js';
import { ErrorState, Skeleton } from '../../components/states.js';
import {
  millis,
  searchLaneExperiments,
  searchRunModelVersions,
  searchRunsByTag,
  tagOf,
  type WireRun,
} from './run-api.js';

/** The lineage tags of the lifecycle (src/lifecycle/conventions.ts `TAGS`). */
const LINEAGE = {
  agentName: 'agent_name',
  runType: 'run_type',
  sourceRunId: 'agentrack.source_run_id',
  sourceRunName: 'agentrack.source_run_name',
} as const;

/** Where the run came from and what was made of it: deployments promoted from an evaluation, the evaluation a deployment promoted, registered versions. */
export function RunLineage({ run }: { run: WireRun }) {
  const runId = run.info.run_id;
  const runType = tagOf(run, LINEAGE.runType);
  const agent = tagOf(run, LINEAGE.agentName);
  const sourceRunId = tagOf(run, LINEAGE.sourceRunId);
  const sourceRunName = tagOf(run, LINEAGE.sourceRunName);

  const deployments = useQuery({
    queryKey: ['run-deployments', runId, agent],
    enabled: runType === 'evaluation' && agent !== undefined,
    queryFn: async ({ signal }) => {
      const lanes = await searchLaneExperiments(agent ?? '', 'deployment', signal);
      return searchRunsByTag(
        lanes.map((e) => e.experiment_id),
        LINEAGE.sourceRunId,
        runId,
        signal,
      );
    },
  });
  const versions = useQuery({
    queryKey: ['run-model-versions', runId],
    queryFn: ({ signal }) => searchRunModelVersions(runId, signal),
  });

  return (
    <section aria-labelledby="run-lineage" className="run-lineage">
      <h2 id="run-lineage">Lineage</h2>
      <dl className="facts">
        {sourceRunId !== undefined ? (
          <>
            <dt>Promoted from</dt>
            <dd>
              <Link to={`/runs/${encodeURIComponent(sourceRunId)}`}>{sourceRunName ?? sourceRunId}</Link>
            </dd>
          </>
        ) : null}
        {runType === 'evaluation' ? (
          <>
            <dt>Deployments</dt>
            <dd>
              {deployments.isPending ? (
                <Skeleton rows={1} label="Loading the deployments" />
              ) : deployments.isError ? (
                <ErrorState error={deployments.error} retry={() => void deployments.refetch()} />
              ) : deployments.data.length === 0 ? (
                'None made from this run'
              ) : (
                <ul className="inline-list">
                  {deployments.data.map((d) => (
                    <li key={d.info.run_id}>
                      <Link to={`/runs/${encodeURIComponent(d.info.run_id)}`}>
                        {d.info.run_name ?? d.info.run_id}
                      </Link>{' '}
                      <span className="muted">
                        {tagOf(d, 'deployment_status') ?? d.info.status},{' '}
                        <RelativeTime epochMs={millis(d.info.start_time)} />
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </dd>
          </>
        ) : null}
        <dt>Model versions</dt>
        <dd>
          {versions.isPending ? (
            <Skeleton rows={1} label="Loading the model versions" />
          ) : versions.isError ? (
            <ErrorState error={versions.error} retry={() => void versions.refetch()} />
          ) : versions.data.length === 0 ? (
            'None registered from this run'
          ) : (
            <ul className="inline-list">
              {versions.data.map((v) => (
                <li key={`${v.name}/${v.version}`}>
                  <Link to={`/models/${encodeURIComponent(v.name)}`}>
                    {v.name} version {v.version}
                  </Link>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </section>
  );
}

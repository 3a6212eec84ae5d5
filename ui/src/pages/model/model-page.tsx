import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { getJson, postJson } from '../../api/http.js';
import { RelativeTime, Truncated } from '../../components/format.js';
import { KeyValueTable } from '../../components/key-value-table.js';
import { PageHeader } from '../../components/layout.js';
import { Empty, ErrorState, Skeleton } from '../../components/states.js';
import { fetchAgentDeployments, type DeploymentJson } from '../deployments/deployments-api.js';
import {
  MLFLOW_API,
  productionOf,
  quoted,
  REGISTRY_TAGS,
  tagValue,
  type ModelVersionJson,
  type RegisteredModelJson,
} from '../models/registry.js';
import '../models/models.css';
import './model.css';

interface RunJson {
  info: { run_id: string; run_name: string; experiment_id: string };
  data: { tags?: { key: string; value: string }[] };
}

/** What the versions' evaluation runs say: their names, and the agent whose deployments deploy them. */
interface Lineage {
  runNames: Map<string, string>;
  agent?: string;
  deployments: DeploymentJson[];
}

/** The versions of a registered model, newest first (every page of them). */
async function fetchVersions(name: string, signal: AbortSignal): Promise<ModelVersionJson[]> {
  const versions: ModelVersionJson[] = [];
  let token: string | undefined;
  do {
    const page = await getJson<{ model_versions?: ModelVersionJson[]; next_page_token?: string }>(
      `${MLFLOW_API}/model-versions/search`,
      {
        filter: `name = ${quoted(name)}`,
        order_by: ['version_number DESC'],
        max_results: 1000,
        page_token: token,
      },
      signal,
    );
    versions.push(...(page.model_versions ?? []));
    token = page.next_page_token || undefined;
  } while (token);
  return versions;
}

/**
 * The evaluation runs the versions came from (their names, one search of their experiment) and
 * the deployments of the agent that ran them (agentrack's deployments endpoint).
 */
async function fetchLineage(versions: readonly ModelVersionJson[], signal: AbortSignal): Promise<Lineage> {
  const runNames = new Map<string, string>();
  const first = versions.map((v) => tagValue(v.tags, REGISTRY_TAGS.evaluationRunId)).find((id) => id);
  if (first === undefined) return { runNames, deployments: [] };
  const { run } = await getJson<{ run: RunJson }>(`${MLFLOW_API}/runs/get`, { run_id: first }, signal);
  const runs = await postJson<{ runs?: RunJson[] }>(
    `${MLFLOW_API}/runs/search`,
    { experiment_ids: [run.info.experiment_id], max_results: 1000 },
    signal,
  );
  for (const r of [run, ...(runs.runs ?? [])]) runNames.set(r.info.run_id, r.info.run_name);
  const agent = tagValue(run.data.tags, 'agent_name');
  if (agent === undefined) return { runNames, deployments: [] };
  const history = await fetchAgentDeployments(agent, signal);
  for (const d of history.deployments) runNames.set(d.runId, d.runName);
  return { runNames, agent, deployments: history.deployments };
}

function RunLink({ runId, names }: { runId: string; names: Map<string, string> }) {
  return (
    <Link to={`/runs/${encodeURIComponent(runId)}`} title={runId}>
      <Truncated text={names.get(runId) ?? runId} max={32} />
    </Link>
  );
}

function statusBadge(status: string) {
  const tone = status === 'READY' ? 'ok' : status === 'FAILED_REGISTRATION' ? 'bad' : 'warn';
  return <span className={`badge ${tone}`}>{status}</span>;
}

const DEPLOYMENT_TONE: Record<string, string> = { success: 'ok', failed: 'bad', rolled_back: 'warn' };

/** One registered model: description, tags, aliases, and each version's lineage. */
export function ModelPage() {
  const { name = '' } = useParams();
  const model = useQuery({
    queryKey: ['registered-model', name],
    queryFn: ({ signal }) =>
      getJson<{ registered_model: RegisteredModelJson }>(
        `${MLFLOW_API}/registered-models/get`,
        { name },
        signal,
      ).then((r) => r.registered_model),
  });
  const versions = useQuery({
    queryKey: ['model-versions', name],
    queryFn: ({ signal }) => fetchVersions(name, signal),
    enabled: model.isSuccess,
  });
  const lineage = useQuery({
    queryKey: ['model-lineage', name, versions.data?.map((v) => v.version).join(',')],
    queryFn: ({ signal }) => fetchLineage(versions.data ?? [], signal),
    enabled: versions.isSuccess,
  });

  const crumbs = (
    <>
      <Link to="/models">Models</Link> <span aria-hidden="true">/</span>
    </>
  );
  if (model.isError) {
    return (
      <>
        <PageHeader title={name} crumbs={crumbs} />
        <ErrorState error={model.error} retry={() => void model.refetch()} />
      </>
    );
  }
  const data = model.data;
  const production = data ? productionOf(data) : undefined;
  const names = lineage.data?.runNames ?? new Map<string, string>();
  const deploymentsOf = (version: string) =>
    (lineage.data?.deployments ?? []).filter((d) => d.modelVersion === version);

  return (
    <>
      <PageHeader
        title={<Truncated text={name} max={80} />}
        crumbs={crumbs}
        actions={
          lineage.data?.agent ? (
            <Link to={`/agents/${encodeURIComponent(lineage.data.agent)}/deployments`}>
              Deployments of {lineage.data.agent}
            </Link>
          ) : null
        }
      />
      {!data ? (
        <Skeleton rows={10} label="Loading the model" />
      ) : (
        <>
          <section className="model-summary" aria-label="Summary">
            <dl>
              <dt>In production</dt>
              <dd>
                {production ? (
                  <span className="badge ok production">
                    version {production.version}
                    {production.alias ? ` (${production.alias})` : ''}
                  </span>
                ) : (
                  'no version'
                )}
              </dd>
              <dt>Description</dt>
              <dd>{data.description ? <Truncated text={data.description} max={200} /> : '—'}</dd>
              <dt>Aliases</dt>
              <dd>
                {(data.aliases ?? []).length === 0 ? (
                  '—'
                ) : (
                  <span className="alias-list">
                    {(data.aliases ?? []).map((a) => (
                      <span key={a.alias} className="badge">
                        <Truncated text={a.alias} max={24} /> → v{a.version}
                      </span>
                    ))}
                  </span>
                )}
              </dd>
              <dt>Last updated</dt>
              <dd>
                <RelativeTime epochMs={data.last_updated_timestamp} />
              </dd>
            </dl>
          </section>
          <section aria-labelledby="model-tags">
            <h2 id="model-tags">Tags</h2>
            <KeyValueTable
              caption="Tags of the registered model"
              className="tags-table"
              valueClassName="mono"
              entries={(data.tags ?? []).map((t) => [t.key, t.value] as const)}
              renderValue={(value) => <Truncated text={value} max={100} />}
              empty="No tags."
            />
          </section>
        </>
      )}
      <section aria-labelledby="model-versions">
        <h2 id="model-versions">Versions</h2>
        {versions.isError ? (
          <ErrorState error={versions.error} retry={() => void versions.refetch()} />
        ) : !versions.data ? (
          <Skeleton rows={4} label="Loading the versions" />
        ) : versions.data.length === 0 ? (
          <Empty title="No versions yet" />
        ) : (
          <>
            {lineage.isError ? (
              <ErrorState
                title="The versions' runs could not be read"
                error={lineage.error}
                retry={() => void lineage.refetch()}
              />
            ) : null}
            <table className="plain versions-table">
              <caption className="visually-hidden">Versions of {name}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Status</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Created</th>
                  <th scope="col">Source run</th>
                  <th scope="col">Evaluation run</th>
                  <th scope="col">Deployment runs</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.map((v) => {
                  const evaluation = tagValue(v.tags, REGISTRY_TAGS.evaluationRunId);
                  const inProduction = production?.version === v.version;
                  const deployments = deploymentsOf(v.version);
                  // A search's versions carry no aliases: the registered model says which point where.
                  const aliases = [
                    ...new Set([
                      ...(v.aliases ?? []),
                      ...(data?.aliases ?? []).filter((a) => a.version === v.version).map((a) => a.alias),
                    ]),
                  ];
                  return (
                    <tr key={v.version} className={inProduction ? 'in-production' : undefined}>
                      <th scope="row">
                        v{v.version}
                        {inProduction ? <span className="badge ok production">in production</span> : null}
                      </th>
                      <td>
                        {statusBadge(v.status)}
                        {v.status_message ? <Truncated text={v.status_message} max={40} /> : null}
                      </td>
                      <td>
                        {aliases.length === 0 ? (
                          '—'
                        ) : (
                          <span className="alias-list">
                            {aliases.map((a) => (
                              <span key={a} className="badge">
                                <Truncated text={a} max={24} />
                              </span>
                            ))}
                          </span>
                        )}
                      </td>
                      <td>
                        <RelativeTime epochMs={v.creation_timestamp} />
                      </td>
                      <td>{v.run_id ? <RunLink runId={v.run_id} names={names} /> : '—'}</td>
                      <td>{evaluation ? <RunLink runId={evaluation} names={names} /> : '—'}</td>
                      <td>
                        {lineage.isPending ? (
                          <span className="muted">…</span>
                        ) : deployments.length === 0 ? (
                          '—'
                        ) : (
                          <ul className="deployment-runs" aria-label={`Deployments of version ${v.version}`}>
                            {deployments.map((d) => (
                              <li key={d.runId}>
                                <RunLink runId={d.runId} names={names} />{' '}
                                {d.status ? (
                                  <span className={`badge ${DEPLOYMENT_TONE[d.status] ?? ''}`}>
                                    {d.status.replace('_', ' ')}
                                  </span>
                                ) : null}
                              </li>
                            ))}
                          </ul>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}

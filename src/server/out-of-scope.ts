/**
 * MLflow's API areas agentrack does not serve, by the first segment of the path below
 * `/api/<version>/mlflow/` (from `service.proto`, `webhooks.proto`, the extra routes of
 * MLflow's Flask app, and Databricks' own registry endpoints). Routes the app serves win over
 * these; the tracking API's own artifact endpoints (`artifacts/list`, `/get-artifact`,
 * `upload-artifact`), MLflow 3's logged models (`logged-models/...`, `runs/outputs`), traces
 * and assessments (`traces/...`, `get-trace-artifact`) and the model registry (`registered-models/...`, `model-versions/...`, `/model-versions/get-artifact`)
 * are no areas outside it.
 */
const AREAS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    // Databricks' own registry endpoints (`databricks/registered-models/get`, with permissions).
    databricks: 'Databricks-only model registry',
    webhooks: 'webhooks',
    // Databricks' traces of inference tables; MLflow's traces themselves are served.
    'unified-traces': 'online tracing',
    'get-online-trace-details': 'online tracing',
    datasets: 'evaluation datasets',
    scorers: 'scorers',
    issues: 'issues',
    'label-schemas': 'label schemas',
    'review-queues': 'review queues',
    'prompt-optimization': 'prompt optimization',
    gateway: 'AI gateway',
    'gateway-proxy': 'AI gateway',
    workspaces: 'workspaces',
  }),
);

/** Endpoints of the experiments, runs and metrics resources that belong to an area outside the scope. */
const ENDPOINTS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    'runs/log-model': 'legacy model logging',
    'runs/create-promptlab-run': 'prompt lab',
  }),
);

const API_PATH = /^\/(?:ajax-)?api\/[0-9]+\.[0-9]+\/mlflow\/(.*)$/;
const ROOT_ROUTES: ReadonlyMap<string, string> = new Map([['/graphql', 'GraphQL']]);

/** The paths outside the API prefixes that MLflow serves an out-of-scope area at. */
export const OUT_OF_SCOPE_ROOT_PATHS: readonly string[] = [...ROOT_ROUTES.keys()];

/**
 * The MLflow API area a path belongs to when MLflow serves it and agentrack does not
 * (webhooks, GraphQL, ...), for a 501 that names it; `undefined` otherwise.
 *
 * @example outOfScopeArea('/api/2.0/mlflow/webhooks') // 'webhooks'
 */
export function outOfScopeArea(path: string): string | undefined {
  const root = ROOT_ROUTES.get(path);
  if (root) return root;
  const match = API_PATH.exec(path);
  if (!match) return undefined;
  const [, rest = ''] = match;
  return ENDPOINTS.get(rest.replace(/\/+$/, '')) ?? AREAS.get(rest.split('/')[0] ?? '');
}

import { describe, expect, it } from 'vitest';
import { outOfScopeArea } from './out-of-scope.js';

describe('outOfScopeArea', () => {
  it.each([
    ['/api/2.0/mlflow/databricks/registered-models/get', 'Databricks-only model registry'],
    ['/api/2.0/mlflow/unified-traces', 'online tracing'],
    ['/api/2.0/mlflow/runs/log-model', 'legacy model logging'],
    ['/ajax-api/2.0/mlflow/runs/create-promptlab-run', 'prompt lab'],
    ['/ajax-api/2.0/mlflow/gateway-proxy', 'AI gateway'],
    ['/graphql', 'GraphQL'],
    ['/api/2.0/mlflow/datasets/search', 'evaluation datasets'],
    ['/api/2.0/mlflow/gateway/endpoints/list', 'AI gateway'],
    ['/api/2.0/mlflow/webhooks', 'webhooks'],
    ['/api/2.0/mlflow/scorers/list', 'scorers'],
  ])('%s is MLflow’s %s API', (path, area) => {
    expect(outOfScopeArea(path)).toBe(area);
  });

  it.each([
    ['/api/2.0/mlflow/experiments/create'],
    ['/api/2.0/mlflow/experiments/nope'],
    ['/api/2.0/mlflow/nope'],
    ['/api/2.0/mlflow/constructor'],
    ['/api/2.0/mlflow/runs/toString'],
    // Served by the tracking API now; MLflow serves the first two to its UI alone (404 here).
    ['/ajax-api/2.0/mlflow/metrics/get-history-bulk'],
    ['/api/2.0/mlflow/metrics/get-history-bulk'],
    ['/api/2.0/mlflow/metrics/get-history-bulk-interval'],
    ['/api/2.0/mlflow/experiments/search-datasets'],
    // MLflow 3's logged models, served by the tracking API.
    ['/api/2.0/mlflow/logged-models'],
    ['/api/2.0/mlflow/logged-models/m-1'],
    ['/api/2.0/mlflow/logged-models/m-1/tags/k'],
    ['/api/2.0/mlflow/runs/outputs'],
    // MLflow's traces and assessments, served by the traces API.
    ['/api/3.0/mlflow/traces/search'],
    ['/api/2.0/mlflow/traces/tr-123/tags'],
    ['/api/3.0/mlflow/traces/tr-123/assessments'],
    ['/ajax-api/2.0/mlflow/get-trace-artifact'],
    // The tracking API's own artifact endpoints, served by the run artifacts API.
    ['/api/2.0/mlflow/artifacts/list'],
    ['/ajax-api/2.0/mlflow/artifacts/list'],
    ['/get-artifact'],
    ['/ajax-api/2.0/mlflow/upload-artifact'],
    // MLflow serves its UI's upload under /ajax-api/ alone.
    ['/api/2.0/mlflow/upload-artifact'],
    // MLflow serves its UI's download at the root alone.
    ['/ajax-api/2.0/mlflow/get-artifact'],
    // The model registry, served by the model registry API.
    ['/api/2.0/mlflow/registered-models/create'],
    ['/ajax-api/2.0/mlflow/model-versions/search'],
    ['/api/2.0/mlflow/registered-models/alias'],
    ['/model-versions/get-artifact'],
    // MLflow's artifact service, served by the artifacts API.
    ['/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts/model.pkl'],
    ['/ajax-api/2.0/mlflow-artifacts/mpu/create/1/abc/artifacts'],
    ['/graphql/x'],
    ['/'],
    ['/static-files/main.js'],
  ])('%s is not an MLflow area outside the scope', (path) => {
    expect(outOfScopeArea(path)).toBeUndefined();
  });
});

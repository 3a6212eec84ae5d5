/**
 * Exchanges between MLflow 3.3's Python client (or curl) and MLflow 3.3's tracking server,
 * recorded through a logging proxy: what the REST store must send, and what it must read.
 */

/** One recorded request and its answer. */
export interface WireExchange {
  method: 'GET' | 'POST';
  path: string;
  /** GET parameters, in the order sent. */
  query: Record<string, string>;
  /** The JSON body sent (`null` for a GET). */
  request: unknown;
  status: number;
  response: unknown;
}

/** The recordings the REST store's tests replay, by operation. */
export const WIRE = {
  createExperiment: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/create',
    query: {},
    request: { name: '/Shared/health_monitor_agent/development' },
    status: 200,
    response: { experiment_id: '1' },
  },
  createExperimentWithTags: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/create',
    query: {},
    request: { name: '/Shared/wire/demo', tags: [{ key: 'team', value: 'core' }] },
    status: 200,
    response: { experiment_id: '1' },
  },
  createExperimentDuplicate: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/create',
    query: {},
    request: { name: '/Shared/health_monitor_agent/development' },
    status: 400,
    response: {
      error_code: 'RESOURCE_ALREADY_EXISTS',
      message:
        "Experiment(name=/Shared/health_monitor_agent/development) already exists. Error: (raised as a result of Query-invoked autoflush; consider using a session.no_autoflush block if this flush is occurring prematurely)\n(sqlite3.IntegrityError) UNIQUE constraint failed: experiments.name\n[SQL: INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?)]\n[parameters: ('/Shared/health_monitor_agent/development', '', 'active', 1795710154344, 1795710154344)]\n(Background on this error at: https://sqlalche.me/e/20/gkpj)",
    },
  },
  getExperiment: {
    method: 'GET',
    path: '/api/2.0/mlflow/experiments/get',
    query: { experiment_id: '1' },
    request: null,
    status: 200,
    response: {
      experiment: {
        experiment_id: '1',
        name: '/Shared/wire/demo',
        artifact_location: 'mlflow-artifacts:/1',
        lifecycle_stage: 'active',
        last_update_time: 1795710184158,
        creation_time: 1795710184158,
        tags: [{ key: 'team', value: 'core' }],
      },
    },
  },
  getExperimentMissing: {
    method: 'GET',
    path: '/api/2.0/mlflow/experiments/get',
    query: { experiment_id: '999' },
    request: null,
    status: 404,
    response: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'No Experiment with id=999 exists' },
  },
  getExperimentByName: {
    method: 'GET',
    path: '/api/2.0/mlflow/experiments/get-by-name',
    query: { experiment_name: '/Shared/health_monitor_agent/development' },
    request: null,
    status: 200,
    response: {
      experiment: {
        experiment_id: '1',
        name: '/Shared/health_monitor_agent/development',
        artifact_location: 'mlflow-artifacts:/1',
        lifecycle_stage: 'active',
        last_update_time: 1795710153790,
        creation_time: 1795710153790,
      },
    },
  },
  getExperimentByNameMissing: {
    method: 'GET',
    path: '/api/2.0/mlflow/experiments/get-by-name',
    query: { experiment_name: '/Shared/nope/none' },
    request: null,
    status: 404,
    response: {
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: "Could not find experiment with name '/Shared/nope/none'",
    },
  },
  searchExperiments: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/search',
    query: {},
    request: {
      max_results: 1000,
      filter: "name LIKE '/Shared/health_monitor_agent/%'",
      view_type: 'ACTIVE_ONLY',
    },
    status: 200,
    response: {
      experiments: [
        {
          experiment_id: '3',
          name: '/Shared/health_monitor_agent/deployment',
          artifact_location: 'mlflow-artifacts:/3',
          lifecycle_stage: 'active',
          last_update_time: 1795710154328,
          creation_time: 1795710154328,
        },
        {
          experiment_id: '2',
          name: '/Shared/health_monitor_agent/evaluation',
          artifact_location: 'mlflow-artifacts:/2',
          lifecycle_stage: 'active',
          last_update_time: 1795710153804,
          creation_time: 1795710153804,
        },
        {
          experiment_id: '1',
          name: '/Shared/health_monitor_agent/development',
          artifact_location: 'mlflow-artifacts:/1',
          lifecycle_stage: 'active',
          last_update_time: 1795710153790,
          creation_time: 1795710153790,
        },
      ],
    },
  },
  renameExperiment: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/update',
    query: {},
    request: { experiment_id: '1', new_name: '/Shared/wire/renamed' },
    status: 200,
    response: {},
  },
  setExperimentTag: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/set-experiment-tag',
    query: {},
    request: { experiment_id: '1', key: 'owner', value: 'core' },
    status: 200,
    response: {},
  },
  deleteExperiment: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/delete',
    query: {},
    request: { experiment_id: '1' },
    status: 200,
    response: {},
  },
  restoreExperiment: {
    method: 'POST',
    path: '/api/2.0/mlflow/experiments/restore',
    query: {},
    request: { experiment_id: '1' },
    status: 200,
    response: {},
  },
  createRun: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/create',
    query: {},
    request: {
      experiment_id: '1',
      user_id: 'root',
      run_name: 'dev_20261126_162234',
      start_time: 1795710154418,
      tags: [
        { key: 'mlflow.user', value: 'root' },
        { key: 'mlflow.source.name', value: 'workflow.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'mlflow.runName', value: 'dev_20261126_162234' },
      ],
    },
    status: 200,
    response: {
      run: {
        info: {
          run_uuid: 'e9fa1f669b634869af492f6f50e21005',
          experiment_id: '1',
          run_name: 'dev_20261126_162234',
          user_id: 'root',
          status: 'RUNNING',
          start_time: 1795710154418,
          artifact_uri: 'mlflow-artifacts:/1/e9fa1f669b634869af492f6f50e21005/artifacts',
          lifecycle_stage: 'active',
          run_id: 'e9fa1f669b634869af492f6f50e21005',
        },
        data: {
          tags: [
            { key: 'mlflow.user', value: 'root' },
            { key: 'mlflow.source.name', value: 'workflow.py' },
            { key: 'mlflow.source.type', value: 'LOCAL' },
            { key: 'mlflow.runName', value: 'dev_20261126_162234' },
          ],
        },
        inputs: {},
      },
    },
  },
  setTag: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/set-tag',
    query: {},
    request: {
      run_uuid: 'e9fa1f669b634869af492f6f50e21005',
      key: 'run_type',
      value: 'development',
      run_id: 'e9fa1f669b634869af492f6f50e21005',
    },
    status: 200,
    response: {},
  },
  logParam: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/log-parameter',
    query: {},
    request: {
      run_uuid: 'e9fa1f669b634869af492f6f50e21005',
      key: 'prompt_template',
      value: 'v3',
      run_id: 'e9fa1f669b634869af492f6f50e21005',
    },
    status: 200,
    response: {},
  },
  getRun: {
    method: 'GET',
    path: '/api/2.0/mlflow/runs/get',
    query: { run_uuid: 'e9fa1f669b634869af492f6f50e21005', run_id: 'e9fa1f669b634869af492f6f50e21005' },
    request: null,
    status: 200,
    response: {
      run: {
        info: {
          run_uuid: 'e9fa1f669b634869af492f6f50e21005',
          experiment_id: '1',
          run_name: 'dev_20261126_162234',
          user_id: 'root',
          status: 'RUNNING',
          start_time: 1795710154418,
          artifact_uri: 'mlflow-artifacts:/1/e9fa1f669b634869af492f6f50e21005/artifacts',
          lifecycle_stage: 'active',
          run_id: 'e9fa1f669b634869af492f6f50e21005',
        },
        data: {
          params: [{ key: 'prompt_template', value: 'v3' }],
          tags: [
            { key: 'mlflow.user', value: 'root' },
            { key: 'mlflow.source.name', value: 'workflow.py' },
            { key: 'mlflow.source.type', value: 'LOCAL' },
            { key: 'mlflow.runName', value: 'dev_20261126_162234' },
            { key: 'run_type', value: 'development' },
            { key: 'agent_name', value: 'health_monitor_agent' },
            { key: 'environment', value: 'dev' },
            { key: 'version', value: '1.0.0' },
          ],
        },
        inputs: {},
        outputs: {},
      },
    },
  },
  getRunWithNaN: {
    method: 'GET',
    path: '/api/2.0/mlflow/runs/get',
    query: { run_id: 'c30f96a69a074dea8448dae18c519f2a' },
    request: null,
    status: 200,
    response: {
      run: {
        info: {
          run_uuid: 'c30f96a69a074dea8448dae18c519f2a',
          experiment_id: '1',
          run_name: 'dev_20261126_101500',
          user_id: '',
          status: 'RUNNING',
          start_time: 1700000000000,
          artifact_uri: 'mlflow-artifacts:/1/c30f96a69a074dea8448dae18c519f2a/artifacts',
          lifecycle_stage: 'active',
          run_id: 'c30f96a69a074dea8448dae18c519f2a',
        },
        data: {
          metrics: [
            { key: 'loss', value: 'NaN', timestamp: 1700000000002, step: 1 },
            { key: 'acc', value: 0.9, timestamp: 1700000000003, step: 0 },
          ],
          params: [{ key: 'lr', value: '0.01' }],
          tags: [
            { key: 'run_type', value: 'development' },
            { key: 'mlflow.runName', value: 'dev_20261126_101500' },
            { key: 'environment', value: 'dev' },
          ],
        },
        inputs: {},
        outputs: {},
      },
    },
  },
  getRunMissing: {
    method: 'GET',
    path: '/api/2.0/mlflow/runs/get',
    query: { run_id: '00000000000000000000000000000000' },
    request: null,
    status: 404,
    response: {
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Run with id=00000000000000000000000000000000 not found',
    },
  },
  logMetric: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/log-metric',
    query: {},
    request: {
      run_uuid: 'e9fa1f669b634869af492f6f50e21005',
      key: 'latency_ms',
      value: 120.5,
      timestamp: 1795710155073,
      step: 0,
      run_id: 'e9fa1f669b634869af492f6f50e21005',
    },
    status: 200,
    response: {},
  },
  updateRun: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/update',
    query: {},
    request: {
      run_uuid: 'e9fa1f669b634869af492f6f50e21005',
      status: 'FINISHED',
      end_time: 1795710155789,
      run_id: 'e9fa1f669b634869af492f6f50e21005',
    },
    status: 200,
    response: {
      run_info: {
        run_uuid: 'e9fa1f669b634869af492f6f50e21005',
        experiment_id: '1',
        run_name: 'dev_20261126_162234',
        user_id: 'root',
        status: 'FINISHED',
        start_time: 1795710154418,
        end_time: 1795710155789,
        artifact_uri: 'mlflow-artifacts:/1/e9fa1f669b634869af492f6f50e21005/artifacts',
        lifecycle_stage: 'active',
        run_id: 'e9fa1f669b634869af492f6f50e21005',
      },
    },
  },
  logBatch: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/log-batch',
    query: {},
    request: {
      run_id: '01555ffe66c141c3844b80c9a9944cd8',
      metrics: [
        {
          key: 'accuracy',
          value: 0.81,
          timestamp: 1795710156986,
          step: 0,
          run_id: '01555ffe66c141c3844b80c9a9944cd8',
        },
        {
          key: 'relevance',
          value: 0.7,
          timestamp: 1795710156986,
          step: 0,
          run_id: '01555ffe66c141c3844b80c9a9944cd8',
        },
      ],
    },
    status: 200,
    response: {},
  },
  logBatchChangedParam: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/log-batch',
    query: {},
    request: { run_id: 'c30f96a69a074dea8448dae18c519f2a', params: [{ key: 'lr', value: '0.02' }] },
    status: 400,
    response: {
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        "Changing param values is not allowed. Params were already logged='[{'key': 'lr', 'old_value': '0.01', 'new_value': '0.02'}]' for run ID='c30f96a69a074dea8448dae18c519f2a'.",
    },
  },
  deleteRun: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/delete',
    query: {},
    request: { run_id: 'c30f96a69a074dea8448dae18c519f2a' },
    status: 200,
    response: {},
  },
  restoreRun: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/restore',
    query: {},
    request: { run_id: 'c30f96a69a074dea8448dae18c519f2a' },
    status: 200,
    response: {},
  },
  searchRuns: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/search',
    query: {},
    request: {
      experiment_ids: ['2'],
      run_view_type: 'ACTIVE_ONLY',
      filter: "tags.run_type = 'evaluation'",
      max_results: 1,
      order_by: ['start_time DESC'],
    },
    status: 200,
    response: {
      runs: [
        {
          info: {
            run_uuid: '13525cd6e8ff43d08711da66ad73422c',
            experiment_id: '2',
            run_name: 'eval_pre_deploy_20261126_162238',
            user_id: 'root',
            status: 'FINISHED',
            start_time: 1795710158189,
            end_time: 1795710158277,
            artifact_uri: 'mlflow-artifacts:/2/13525cd6e8ff43d08711da66ad73422c/artifacts',
            lifecycle_stage: 'active',
            run_id: '13525cd6e8ff43d08711da66ad73422c',
          },
          data: {
            metrics: [
              { key: 'accuracy', value: 0.93, timestamp: 1795710158236, step: 0 },
              { key: 'relevance', value: 0.7, timestamp: 1795710158236, step: 0 },
            ],
            tags: [
              { key: 'mlflow.user', value: 'root' },
              { key: 'mlflow.source.name', value: 'workflow.py' },
              { key: 'mlflow.source.type', value: 'LOCAL' },
              { key: 'mlflow.runName', value: 'eval_pre_deploy_20261126_162238' },
              { key: 'run_type', value: 'evaluation' },
              { key: 'agent_name', value: 'health_monitor_agent' },
              { key: 'deployment_candidate', value: 'true' },
            ],
          },
          inputs: {},
        },
      ],
      next_page_token: 'eyJvZmZzZXQiOiAxfQ==',
    },
  },
  searchRunsEmpty: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/search',
    query: {},
    request: {
      experiment_ids: ['3'],
      run_view_type: 'ACTIVE_ONLY',
      filter: "tags.model_version = '9'",
      max_results: 10000,
    },
    status: 200,
    response: {},
  },
  searchRunsBadFilter: {
    method: 'POST',
    path: '/api/2.0/mlflow/runs/search',
    query: {},
    request: {
      experiment_ids: ['2'],
      run_view_type: 'ACTIVE_ONLY',
      filter: 'tags.run_type = evaluation',
      max_results: 10000,
    },
    status: 400,
    response: {
      error_code: 'INVALID_PARAMETER_VALUE',
      message:
        'Parameter value is either not quoted or unidentified quote types used for string value evaluation. Use either single or double quotes.',
    },
  },
  getMetricHistory: {
    method: 'GET',
    path: '/api/2.0/mlflow/metrics/get-history',
    query: {
      run_uuid: 'e9fa1f669b634869af492f6f50e21005',
      metric_key: 'latency_ms',
      run_id: 'e9fa1f669b634869af492f6f50e21005',
      max_results: '25000',
    },
    request: null,
    status: 200,
    response: {
      metrics: [
        { key: 'latency_ms', value: 120.5, timestamp: 1795710155073, step: 0 },
        { key: 'latency_ms', value: 98.25, timestamp: 1795710155114, step: 1 },
      ],
    },
  },
  getMetricHistoryWithNaN: {
    method: 'GET',
    path: '/api/2.0/mlflow/metrics/get-history',
    query: { run_id: 'c30f96a69a074dea8448dae18c519f2a', metric_key: 'loss', max_results: '25000' },
    request: null,
    status: 200,
    response: {
      metrics: [
        { key: 'loss', value: 0.5, timestamp: 1700000000001, step: 0 },
        { key: 'loss', value: 'NaN', timestamp: 1700000000002, step: 1 },
      ],
    },
  },
} satisfies Record<string, WireExchange>;

import { describe, expect, it } from 'vitest';
import {
  deploymentEvents,
  productionPeriods,
  type DeploymentJson,
  type StatusChangeJson,
} from './deployments-api.js';

function deployment(
  runId: string,
  version: string,
  start: number,
  history: StatusChangeJson[],
): DeploymentJson {
  return {
    runId,
    runName: `deploy_${runId}`,
    run: { info: { run_id: runId, start_time: start, experiment_id: '3' } },
    modelVersion: version,
    status: history.at(-1)?.status,
    history,
    forced: false,
  };
}

describe('productionPeriods', () => {
  it('leaves a gap while nothing is in production, and a failed first deployment never in production', () => {
    const failed = deployment('a', '1', 0, [{ status: 'failed', at: 5 }]);
    const first = deployment('b', '2', 10, [
      { status: 'success', at: 12 },
      { status: 'rolled_back', at: 20 },
    ]);
    const second = deployment('c', '3', 30, [{ status: 'success', at: 31 }]);
    const periods = productionPeriods([second, first, failed]);
    expect(periods.map((p) => [p.deployment.runId, p.start, p.end])).toEqual([
      ['b', 12, 20],
      ['c', 31, undefined],
    ]);
  });

  it('gives production back to the earlier deployment when a later one is rolled back', () => {
    const first = deployment('a', '1', 0, [{ status: 'success', at: 1 }]);
    const second = deployment('b', '2', 10, [
      { status: 'success', at: 11 },
      { status: 'rolled_back', at: 15 },
    ]);
    expect(productionPeriods([second, first]).map((p) => [p.deployment.runId, p.start, p.end])).toEqual([
      ['a', 1, 11],
      ['b', 11, 15],
      ['a', 15, undefined],
    ]);
  });
});

describe('deploymentEvents', () => {
  it('names each change, oldest first: the deployment, then its later status changes', () => {
    const first = deployment('a', '1', 0, [
      { status: 'success', at: 1 },
      { status: 'failed', at: 8, note: 'errors' },
      { status: 'success', at: 9 },
    ]);
    const second = deployment('b', '2', 3, [
      { status: 'success', at: 4 },
      { status: 'rolled_back', at: 6 },
    ]);
    expect(
      deploymentEvents([second, first]).map((e) => [e.deployment.runId, e.kind, e.initial, e.at]),
    ).toEqual([
      ['a', 'deployed', true, 1],
      ['b', 'deployed', true, 4],
      ['b', 'rolled_back', false, 6],
      ['a', 'failed', false, 8],
      ['a', 'redeployed', false, 9],
    ]);
  });
});

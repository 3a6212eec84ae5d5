import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrackingClient } from '../../src/client/tracking-client.js';
import type { ModelVersion } from '../../src/entities/index.js';
import { tempDir } from '../../src/testing/temp-dir.js';
import {
  agentrack,
  child,
  lines,
  startAgentrack,
  within,
  writeAgentConfig,
  type RunningCli,
} from './helpers.js';

const MODEL = 'rest_model';
const LISTENING = /agentrack server listening on (http:\/\/\S+)/;

// The whole bound lifecycle over REST: the CLI and the library talk to `agentrack server`,
// a child process serving a SQLite file on a loopback port.
describe('deployments bound to the registry, over REST against agentrack server', () => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningCli;
  let url: string;
  let cwd: string;
  let client: TrackingClient;
  const startedId = (stderr: string) => /\(([0-9a-f]{32})\) started/.exec(stderr)?.[1] as string;
  const versionTags = (v: ModelVersion) => Object.fromEntries((v.tags ?? []).map((t) => [t.key, t.value]));
  const deploymentRuns = async () => {
    const experiment = await client.getExperimentByName('/Shared/rest_agent/deployment');
    return experiment
      ? (await client.searchRuns({ experimentIds: [experiment.experiment_id] })).items.map(
          (r) => r.info.run_id,
        )
      : [];
  };

  beforeAll(async () => {
    dir = tempDir('agentrack-registry-rest-');
    server = startAgentrack(
      [
        'server',
        '--port',
        '0',
        '--log-level',
        'silent',
        '--backend-store-uri',
        `sqlite:///${join(dir.path, 'served.db')}`,
      ],
      { cwd: dir.path },
    );
    await within(server.waitForStderr('listening on'), 30_000, 'the server to listen');
    url = LISTENING.exec(server.stderr())?.[1] as string;
    cwd = writeAgentConfig(dir.path, 'project', {
      agent: 'rest_agent',
      trackingUri: url,
      thresholds: ['accuracy >= 0.9'],
      registeredModel: MODEL,
    });
    client = await TrackingClient.open(url, { env: {}, maxRetries: 0 });
  });
  afterAll(async () => {
    await client.close();
    server.kill('SIGTERM');
    await within(server.done, 30_000, 'the server to stop');
    dir.remove();
  });

  it('registers from evaluations, refuses unknown versions, deploys, rolls back, lists and audits', async () => {
    const dev = agentrack(['run', 'dev', '--', 'node', child], { cwd });
    expect(dev.code, dev.stderr).toBe(0);
    const modelUri = `runs:/${startedId(dev.stderr)}/model`;
    const evaluations: string[] = [];
    for (const accuracy of ['0.93', '0.96']) {
      const evaluated = agentrack(
        ['run', 'eval', '--register', modelUri, '--', 'node', child, 'metric', `accuracy=${accuracy}`],
        { cwd },
      );
      expect(evaluated.code, evaluated.stderr).toBe(0);
      evaluations.push(startedId(evaluated.stderr));
    }
    expect(versionTags(await client.registry.getModelVersion(MODEL, 2))).toEqual({
      'agentrack.evaluation_run_id': evaluations[1],
    });

    const marker = join(dir.path, 'rollout-ran');
    const refused = agentrack(
      ['run', 'deploy', '--model-version', '3', '--', 'node', child, 'pidfile', marker],
      {
        cwd,
      },
    );
    expect(refused).toMatchObject({
      code: 1,
      stderr: `error: Refusing to deploy: the registered model '${MODEL}' has no version 3 (its newest version is 2). (RESOURCE_DOES_NOT_EXIST)\n`,
    });
    expect(existsSync(marker)).toBe(false);
    expect(await deploymentRuns()).toEqual([]);

    const deployed: string[] = [];
    for (const version of ['1', '2']) {
      const result = agentrack(['run', 'deploy', '--model-version', version, '--', 'node', child], { cwd });
      expect(result.code, result.stderr).toBe(0);
      deployed.push(startedId(result.stderr));
    }
    const production = await client.registry.getModelVersionByAlias(MODEL, 'production');
    expect(production.version).toBe('2');
    expect(versionTags(production)).toEqual({
      'agentrack.evaluation_run_id': evaluations[1],
      'agentrack.deployment_run_id': deployed[1],
    });

    const rollback = agentrack(['deployments', 'set-status', deployed[1] as string, 'rolled_back'], { cwd });
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(lines(rollback.stdout).at(-1)).toBe("note: alias 'production' moved back to version 1");
    expect((await client.registry.getModelVersionByAlias(MODEL, 'production')).version).toBe('1');

    const listed = agentrack(['models', '--json'], { cwd });
    expect(listed.code, listed.stderr).toBe(0);
    const json = JSON.parse(listed.stdout) as { production_version: string; model_versions: ModelVersion[] };
    expect(json.production_version).toBe('1');
    expect(
      json.model_versions.map((v) => [v.version, v.aliases, versionTags(v)['agentrack.deployment_run_id']]),
    ).toEqual([
      ['2', [], deployed[1]],
      ['1', ['production'], deployed[0]],
    ]);

    expect(agentrack(['audit'], { cwd }).code).toBe(0);
    await client.registry.setRegisteredModelAlias(MODEL, 'production', 2);
    const audited = agentrack(['audit', '--fix'], { cwd });
    expect(audited.code).toBe(1);
    expect(audited.stdout).toContain('✗ FAIL  production-alias');
    expect((await client.registry.getModelVersionByAlias(MODEL, 'production')).version).toBe('2');
  });
});

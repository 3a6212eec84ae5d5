import { mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOGGED_ARTIFACTS_TAG, type Run } from '../entities/index.js';
import { tempDir } from '../testing/temp-dir.js';
import type { ContractBackend } from './tracking-client.contract.js';
import { expectError } from './tracking-client.contract.js';
import type { TrackingClient } from './tracking-client.js';

// What MLflow 3.3.1's client wrote for the same calls (the recorded exchanges of
// /work/shared/mlflow-wire/artifacts.jsonl, lines 34, 40, 46, 102 and 104).
const AGENT_DICT = {
  agent: 'health_monitor_agent',
  thresholds: { cpu: 90, memory: 85 },
  tools: ['search_metrics', 'page'],
};
const AGENT_JSON =
  '{\n  "agent": "health_monitor_agent",\n  "thresholds": {\n    "cpu": 90,\n    "memory": 85\n  },\n  "tools": [\n    "search_metrics",\n    "page"\n  ]\n}';
const AGENT_YAML =
  'agent: health_monitor_agent\nthresholds:\n  cpu: 90\n  memory: 85\ntools:\n- search_metrics\n- page\n';
const RELEASE_NOTES = 'Release notes: CPU ≥ 90% → critical; memory ≥ 85% → warning.\n';
const EVAL_TABLE = {
  question: ['is web-1 healthy?', 'is db-1 healthy?'],
  answer: ['critical', 'ok'],
  score: [0.93, 0.81],
};
const EVAL_TABLE_JSON =
  '{"columns":["question","answer","score"],"data":[["is web-1 healthy?","critical",0.93],["is db-1 healthy?","ok",0.81]]}';
const EVAL_TABLE_TAG = '[{"path": "eval_results/table.json", "type": "table"}]';

function tagOf(run: Run, key: string): string | undefined {
  return run.data.tags?.find((t) => t.key === key)?.value;
}

/** Every file below `root`, as `relative path → content`. */
function treeOf(root: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const rel = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) Object.assign(out, treeOf(root, rel));
    else out[rel] = readFileSync(join(root, rel), 'latin1');
  }
  return out;
}

/**
 * The artifact calls of the TrackingClient contract (run artifacts, MLflow's `log_*`,
 * `list_artifacts`, `download_artifacts`, tables), over a backend whose runs' artifacts the
 * client can reach. Every backend must pass it unchanged.
 */
export function describeRunArtifactsContract(
  backendName: string,
  open: () => Promise<ContractBackend>,
  options: { skip?: boolean } = {},
): void {
  describe.skipIf(options.skip === true)(`TrackingClient artifacts contract: ${backendName}`, () => {
    let backend: ContractBackend;
    let client: TrackingClient;
    let local: ReturnType<typeof tempDir>;
    let experimentId: string;
    let runId: string;

    beforeEach(async () => {
      backend = await open();
      client = backend.client;
      local = tempDir('agentrack-artifacts-contract-');
      experimentId = await client.createExperiment('/Shared/agent/artifacts');
      runId = (await client.createRun(experimentId, { runName: 'dev_20261126_101500' })).info.run_id;
    });
    afterEach(async () => {
      await backend.cleanup();
      local.remove();
    });

    /** Writes `files` (path → content) below a new local folder and returns it. */
    function localTree(name: string, files: Record<string, string | Buffer>): string {
      const root = join(local.path, name);
      mkdirSync(root, { recursive: true });
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(join(root, path, '..'), { recursive: true });
        writeFileSync(join(root, path), content);
      }
      return root;
    }

    it('logs a file at the root and in a folder, and lists them as MLflow does', async () => {
      const dir = localTree('in', { 'agent_config.txt': 'model: gpt-4o-mini\n' });
      const file = join(dir, 'agent_config.txt');
      expect(await client.logArtifact(runId, file)).toEqual({
        path: 'agent_config.txt',
        is_dir: false,
        file_size: 19,
      });
      expect(await client.logArtifact(runId, file, 'configs')).toEqual({
        path: 'configs/agent_config.txt',
        is_dir: false,
        file_size: 19,
      });
      expect(await client.listArtifacts(runId)).toEqual([
        { path: 'agent_config.txt', is_dir: false, file_size: 19 },
        { path: 'configs', is_dir: true },
      ]);
      expect(await client.listArtifacts(runId, 'configs')).toEqual([
        { path: 'configs/agent_config.txt', is_dir: false, file_size: 19 },
      ]);
      // A file, or a folder the run does not have, lists as empty.
      expect(await client.listArtifacts(runId, 'agent_config.txt')).toEqual([]);
      expect(await client.listArtifacts(runId, 'nowhere')).toEqual([]);
    });

    it('logs a folder tree with its nesting, a few files at once, and downloads it back byte for byte', async () => {
      const big = Buffer.alloc(3 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 251;
      const files = {
        'system.txt': 'You are a monitoring agent.\n',
        'tools/search.json': '{"name": "search_metrics"}',
        'tools/nested/deep.md': '# deep\n',
        'tools/nested/empty.txt': '',
        'weights.bin': big,
      };
      const dir = localTree('prompts', files);
      mkdirSync(join(dir, 'empty-folder'));
      symlinkSync(join(dir, 'system.txt'), join(dir, 'linked.txt'));
      symlinkSync(join(dir, 'tools'), join(dir, 'linked-folder'));
      const uploaded = await client.logArtifacts(runId, dir, 'prompts');
      expect(uploaded.map((f) => f.path)).toEqual([
        'prompts/linked.txt',
        'prompts/system.txt',
        'prompts/tools/nested/deep.md',
        'prompts/tools/nested/empty.txt',
        'prompts/tools/search.json',
        'prompts/weights.bin',
      ]);
      expect(await client.listArtifacts(runId, 'prompts/tools')).toEqual([
        { path: 'prompts/tools/nested', is_dir: true },
        { path: 'prompts/tools/search.json', is_dir: false, file_size: 26 },
      ]);
      const out = join(local.path, 'out');
      mkdirSync(out);
      const downloaded = await client.downloadArtifacts(runId, 'prompts', out);
      expect(downloaded).toBe(join(out, 'prompts'));
      const expected = Object.fromEntries(
        Object.entries({ ...files, 'linked.txt': files['system.txt'] }).map(([k, v]) => [
          k,
          Buffer.from(v).toString('latin1'),
        ]),
      );
      expect(treeOf(downloaded)).toEqual(expected);
    });

    it('downloads a file to <dst>/<path>, the whole root, and into a new folder without a destination', async () => {
      await client.logText(runId, RELEASE_NOTES, 'notes/release.md');
      await client.logText(runId, 'a', 'top.txt');
      const dst = join(local.path, 'dst');
      mkdirSync(dst);
      const file = await client.downloadArtifacts(runId, 'notes/release.md', dst);
      expect(file).toBe(join(dst, 'notes', 'release.md'));
      expect(readFileSync(file, 'utf8')).toBe(RELEASE_NOTES);
      const all = await client.downloadArtifacts(runId, undefined, dst);
      expect(all).toBe(dst);
      expect(treeOf(all)).toEqual({
        'notes/release.md': Buffer.from(RELEASE_NOTES).toString('latin1'),
        'top.txt': 'a',
      });
      const fresh = await client.downloadArtifacts(runId, 'top.txt');
      expect(readFileSync(fresh, 'utf8')).toBe('a');
      expect(fresh).toMatch(/[/\\]top\.txt$/);
    });

    it('writes log_text, log_dict (JSON and YAML) as MLflow writes them', async () => {
      expect(await client.logText(runId, RELEASE_NOTES, 'notes/release.md')).toEqual({
        path: 'notes/release.md',
        is_dir: false,
        file_size: Buffer.byteLength(RELEASE_NOTES),
      });
      await client.logDict(runId, AGENT_DICT, 'config/agent.json');
      await client.logDict(runId, AGENT_DICT, 'config/agent.yaml');
      await client.logDict(runId, AGENT_DICT, 'config/agent');
      const out = await client.downloadArtifacts(runId, '', join(local.path));
      expect(readFileSync(join(out, 'notes/release.md'), 'utf8')).toBe(RELEASE_NOTES);
      expect(readFileSync(join(out, 'config/agent.json'), 'utf8')).toBe(AGENT_JSON);
      expect(readFileSync(join(out, 'config/agent.yaml'), 'utf8')).toBe(AGENT_YAML);
      // Without .json, .yaml or .yml: JSON, as MLflow.
      expect(readFileSync(join(out, 'config/agent'), 'utf8')).toBe(AGENT_JSON);
    });

    it('logs a table as MLflow does, appends to it, and lists it once in mlflow.loggedArtifacts', async () => {
      expect(await client.logTable(runId, EVAL_TABLE, 'eval_results/table.json')).toEqual({
        path: 'eval_results/table.json',
        is_dir: false,
        file_size: 119,
      });
      const path = await client.downloadArtifacts(runId, 'eval_results/table.json', local.path);
      expect(readFileSync(path, 'utf8')).toBe(EVAL_TABLE_JSON);
      expect(tagOf(await client.getRun(runId), LOGGED_ARTIFACTS_TAG)).toBe(EVAL_TABLE_TAG);

      // Rows, appended; a new column joins, missing cells are null; a score column with a gap is floats.
      await client.logTable(
        runId,
        [{ question: 'is cache-1 healthy?/now', score: 1, latency: 12 }],
        'eval_results/table.json',
      );
      const appended = await client.downloadArtifacts(runId, 'eval_results/table.json', local.path);
      expect(readFileSync(appended, 'utf8')).toBe(
        '{"columns":["question","answer","score","latency"],"data":[' +
          '["is web-1 healthy?","critical",0.93,null],["is db-1 healthy?","ok",0.81,null],' +
          '["is cache-1 healthy?\\/now",null,1.0,12.0]]}',
      );
      expect(tagOf(await client.getRun(runId), LOGGED_ARTIFACTS_TAG)).toBe(EVAL_TABLE_TAG);

      // A second table joins the entries already there, whoever wrote them.
      await client.setTag(runId, LOGGED_ARTIFACTS_TAG, '[{"path": "plots/roc.png", "type": "image"}]');
      await client.logTable(runId, { verdict: 'pass' }, 'gate.json');
      expect(tagOf(await client.getRun(runId), LOGGED_ARTIFACTS_TAG)).toBe(
        '[{"path": "plots/roc.png", "type": "image"}, {"path": "gate.json", "type": "table"}]',
      );
      const gate = await client.downloadArtifacts(runId, 'gate.json', local.path);
      expect(readFileSync(gate, 'utf8')).toBe('{"columns":["verdict"],"data":[["pass"]]}');
    });

    it('loads a table back across runs, as mlflow.load_table does, with extra columns from each run', async () => {
      await client.logTable(runId, EVAL_TABLE, 'eval_results/table.json');
      const second = (
        await client.createRun(experimentId, { runName: 'dev_20261126_101600', startTime: Date.now() + 1000 })
      ).info.run_id;
      await client.logParam(second, 'model', 'gpt-4o');
      await client.logTable(second, { question: ['q3'], score: [0.5] }, 'eval_results/table.json');
      const other = (await client.createRun(experimentId)).info.run_id;
      await client.logTable(other, { x: [1] }, 'other.json');

      expect(await client.loadTable(experimentId, 'eval_results/table.json', { runIds: [runId] })).toEqual({
        columns: ['question', 'answer', 'score'],
        data: [
          ['is web-1 healthy?', 'critical', 0.93],
          ['is db-1 healthy?', 'ok', 0.81],
        ],
      });
      expect(
        await client.loadTable(experimentId, 'eval_results/table.json', {
          extraColumns: ['run_id', 'params.model'],
        }),
      ).toEqual({
        columns: ['question', 'score', 'run_id', 'params.model', 'answer'],
        data: [
          ['q3', 0.5, second, 'gpt-4o', null],
          ['is web-1 healthy?', 0.93, runId, null, 'critical'],
          ['is db-1 healthy?', 0.81, runId, null, 'ok'],
        ],
      });
      await expectError(
        client.loadTable(experimentId, 'missing.json'),
        'RESOURCE_DOES_NOT_EXIST',
        'No runs found with the corresponding table artifact.',
      );
    });

    it('refuses bad input with typed errors, and an unknown run as MLflow does', async () => {
      const dir = localTree('bad', { 'a.txt': 'a' });
      await expectError(
        client.logArtifact(runId, join(dir, 'missing.txt')),
        'INVALID_PARAMETER_VALUE',
        'No such file',
      );
      await expectError(client.logArtifact(runId, dir), 'INVALID_PARAMETER_VALUE', 'is a folder');
      await expectError(
        client.logArtifacts(runId, join(dir, 'a.txt')),
        'INVALID_PARAMETER_VALUE',
        'not a folder',
      );
      await expectError(
        client.logArtifacts(runId, join(dir, 'nope')),
        'INVALID_PARAMETER_VALUE',
        'No such file',
      );
      for (const unsafe of ['../escape', '/etc', 'a/../../b', '%2E%2E/x']) {
        await expectError(
          client.logArtifact(runId, join(dir, 'a.txt'), unsafe),
          'INVALID_PARAMETER_VALUE',
          'Invalid path',
        );
        await expectError(
          client.logText(runId, 'x', `${unsafe}/f.txt`),
          'INVALID_PARAMETER_VALUE',
          'Invalid path',
        );
        await expectError(client.listArtifacts(runId, unsafe), 'INVALID_PARAMETER_VALUE', 'Invalid path');
        await expectError(
          client.downloadArtifacts(runId, unsafe, dir),
          'INVALID_PARAMETER_VALUE',
          'Invalid path',
        );
      }
      const unknown = 'f'.repeat(32);
      await expectError(
        client.logArtifact(unknown, join(dir, 'a.txt')),
        'RESOURCE_DOES_NOT_EXIST',
        'not found',
      );
      await expectError(client.listArtifacts(unknown), 'RESOURCE_DOES_NOT_EXIST', 'not found');
      await expectError(client.downloadArtifacts(unknown), 'RESOURCE_DOES_NOT_EXIST', 'not found');
      await expectError(
        client.downloadArtifacts(runId, 'notes/missing.md', dir),
        'RESOURCE_DOES_NOT_EXIST',
        'not found',
      );
      await expectError(
        client.downloadArtifacts(runId, '', join(dir, 'no-such-folder')),
        'RESOURCE_DOES_NOT_EXIST',
        'does not exist',
      );
      await expectError(
        client.downloadArtifacts(runId, '', join(dir, 'a.txt')),
        'INVALID_PARAMETER_VALUE',
        'must be a folder',
      );
      await expectError(
        client.logTable(runId, EVAL_TABLE, 'table.csv'),
        'INVALID_PARAMETER_VALUE',
        "'.json'",
      );
      await expectError(
        client.logTable(runId, EVAL_TABLE, 'a:b.json'),
        'INVALID_PARAMETER_VALUE',
        'forbidden character: :',
      );
      await expectError(
        client.logTable(runId, { a: [1, 2], b: [1] }, 't.json'),
        'INVALID_PARAMETER_VALUE',
        'same length (a: 2, b: 1)',
      );
      // Nothing was written by the refused calls.
      expect(await client.listArtifacts(runId)).toEqual([]);
    });

    it('writes into an experiment artifact location of its own (file:), opened directly', async () => {
      const root = join(local.path, 'location');
      const own = await client.createExperiment('/Shared/agent/own-location', {
        artifactLocation: `file://${root}`,
      });
      const run = await client.createRun(own);
      expect(run.info.artifact_uri).toBe(`file://${root}/${run.info.run_id}/artifacts`);
      await client.logText(run.info.run_id, 'on disk', 'notes/where.txt');
      const onDisk = join(root, run.info.run_id, 'artifacts', 'notes', 'where.txt');
      expect(readFileSync(onDisk, 'utf8')).toBe('on disk');
      expect(statSync(onDisk).isFile()).toBe(true);
      expect(await client.listArtifacts(run.info.run_id, 'notes')).toEqual([
        { path: 'notes/where.txt', is_dir: false, file_size: 7 },
      ]);
    });
  });
}

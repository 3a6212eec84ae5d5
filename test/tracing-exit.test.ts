import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrackingClient } from '../src/client/tracking-client.js';
import { tempDir } from '../src/testing/temp-dir.js';
import { linkAgentrack } from './package-link.js';

/** An agent that traces a call and then simply ends: no flush, no close. */
const AGENT = `
import { TrackingClient } from 'agentrack';
import { configureTracing, traced } from 'agentrack/tracing';

const client = await TrackingClient.open(process.env.TRACKING_URI);
const experimentId = await client.createExperiment('exit');
configureTracing({ client, experimentId });
const double = traced('double', async (n) => n * 2, { spanType: 'TOOL' });
console.log(JSON.stringify({ experimentId, value: await double(21) }));
`;

function run(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('agentrack/tracing in a process that exits', () => {
  it('writes the pending traces before the process exits (beforeExit), without a flush', async () => {
    const dir = tempDir();
    try {
      linkAgentrack(dir.path);
      const script = join(dir.path, 'agent.mjs');
      writeFileSync(script, AGENT);
      const uri = `sqlite:///${join(dir.path, 'agent.db')}`;
      const result = await run(script, { TRACKING_URI: uri });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const { experimentId, value } = JSON.parse(result.stdout) as { experimentId: string; value: number };
      expect(value).toBe(42);

      const client = await TrackingClient.open(uri);
      try {
        const page = await client.traces.searchTraces({ experimentIds: [experimentId] });
        expect(page.items.map((info) => [info.tags?.['mlflow.traceName'], info.response_preview])).toEqual([
          ['double', '42'],
        ]);
        const trace = await client.traces.getTrace(page.items[0]?.trace_id ?? '');
        expect(trace.spans.map((span) => span.span_type)).toEqual(['TOOL']);
      } finally {
        await client.close();
      }
    } finally {
      dir.remove();
    }
  });
});

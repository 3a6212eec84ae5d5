/**
 * Writers that keep a tracking server busy over HTTP, as MLflow's client and an OpenTelemetry
 * exporter would, recording every write in a {@link Ledger}: they create runs, log batches to
 * them, upload artifact files through the artifact service, and send traces over OTLP, until a
 * request fails (the server was killed).
 */
import { randomBytes } from 'node:crypto';
import { batchOf, sha256, type Ledger } from './ledger.js';

/** An answer that is an error: the server was up and refused or failed a write, which a test reports. */
export class RefusedWrite extends Error {}

async function call(url: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (!response.ok) throw new RefusedWrite(`${init.method} ${url}: ${response.status} ${text}`);
  return text === '' ? {} : JSON.parse(text);
}

const post = (url: string, body: unknown) =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** Creates an experiment on the server and answers its id. */
export async function createExperiment(base: string, name: string): Promise<string> {
  const answer = (await post(`${base}/api/2.0/mlflow/experiments/create`, { name })) as {
    experiment_id: string;
  };
  return answer.experiment_id;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** An OTLP/JSON request of one trace: a root and `children` spans under it. */
function otlpTrace(children: number): { traceId: string; body: unknown; spans: number } {
  const traceId = hex(16);
  const root = hex(8);
  const start = BigInt(Date.now()) * 1_000_000n;
  const span = (spanId: string, name: string, i: number, parent?: string) => ({
    traceId,
    spanId,
    ...(parent ? { parentSpanId: parent } : {}),
    name,
    kind: 1,
    startTimeUnixNano: String(start + BigInt(i) * 1000n),
    endTimeUnixNano: String(start + 5_000_000n),
    attributes: [{ key: 'mlflow.spanInputs', value: { stringValue: JSON.stringify({ i }) } }],
    status: { code: 1 },
  });
  const spans = [
    span(root, 'agent', 0),
    ...Array.from({ length: children }, (_, i) => span(hex(8), `step${i}`, i + 1, root)),
  ];
  return {
    traceId: `tr-${traceId}`,
    spans: spans.length,
    body: {
      resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 'crash' }, spans }] }],
    },
  };
}

/**
 * One writer: runs, batches, files and traces in `experimentId` until a request fails; answers
 * how many requests it sent. `writer` keeps its batch numbers and file names apart from the
 * others'.
 */
export async function writeUntilFailure(
  base: string,
  experimentId: string,
  ledger: Ledger,
  writer: number,
): Promise<number> {
  let sent = 0;
  let b = writer * 1_000_000;
  try {
    for (;;) {
      sent++;
      ledger.runCreatesInFlight++;
      const created = (await post(`${base}/api/2.0/mlflow/runs/create`, {
        experiment_id: experimentId,
        start_time: Date.now(),
      })) as { run: { info: { run_id: string } } };
      ledger.runCreatesInFlight--;
      const runId = created.run.info.run_id;
      ledger.runs.set(runId, { acked: true });
      for (let i = 0; i < 2; i++) {
        b++;
        const key = `${runId}/${b}`;
        const write = { acked: false, runId, b };
        ledger.batches.set(key, write);
        sent++;
        await post(`${base}/api/2.0/mlflow/runs/log-batch`, { run_id: runId, ...batchOf(b) });
        write.acked = true;
      }
      // Files from 1 KiB to 1 MiB, so that kills land in the middle of uploads too.
      const bytes = randomBytes(1024 * 2 ** Math.floor(Math.random() * 11));
      const path = `${experimentId}/${runId}/artifacts/blob-${b}.bin`;
      const file = { acked: false, sha256: sha256(bytes), size: bytes.length };
      ledger.files.set(path, file);
      sent++;
      await call(`${base}/api/2.0/mlflow-artifacts/artifacts/${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
      });
      file.acked = true;
      const trace = otlpTrace(1 + Math.floor(Math.random() * 8));
      const traced = { acked: false, spans: trace.spans };
      ledger.traces.set(trace.traceId, traced);
      sent++;
      await call(`${base}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-mlflow-experiment-id': experimentId },
        body: JSON.stringify(trace.body),
      });
      traced.acked = true;
    }
  } catch (error) {
    // A connection refused or cut is the kill; an answer that is an error is not.
    if (error instanceof RefusedWrite) ledger.errors.push(error.message);
    return sent;
  }
}

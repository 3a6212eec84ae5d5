/**
 * The floor of trace ingest over HTTP on this machine: a bare `node:http` server (no framework,
 * no parsing, no storage) answering the two requests MLflow's exporter sends per trace, the
 * `POST /api/3.0/mlflow/traces` with the trace's artifact location and the `PUT` of
 * `traces.json` with `{}`, after reading each body to its end. Run as a child process by
 * bench/traces/run.ts: it prints `listening on http://127.0.0.1:<port>` on stderr.
 */
import { createServer } from 'node:http';

const TRACE_ID = /"trace_id":"(tr-[0-9a-f]+)"/;
const EXPERIMENT_ID = /"experiment_id":"([0-9]+)"/;

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let body = '{}';
    if (request.method === 'POST') {
      const text = Buffer.concat(chunks).toString('utf8');
      const traceId = TRACE_ID.exec(text)?.[1] ?? 'tr-0';
      const experimentId = EXPERIMENT_ID.exec(text)?.[1] ?? '0';
      body = JSON.stringify({
        trace: {
          trace_info: {
            trace_id: traceId,
            tags: {
              'mlflow.artifactLocation': `mlflow-artifacts:/${experimentId}/traces/${traceId}/artifacts`,
            },
          },
        },
      });
    }
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stderr.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

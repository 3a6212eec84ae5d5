// An evaluation job for `agentrack run eval --threshold 'accuracy >= 0.9' -- node examples/cli/evaluate.mjs`:
// agentrack applies the gate to the metrics it logs when it exits.
import { TrackingClient } from 'agentrack';

const client = await TrackingClient.open(); // AGENTRACK_TRACKING_URI
await client.logBatch(process.env.MLFLOW_RUN_ID, {
  metrics: [
    { key: 'accuracy', value: 0.93 },
    { key: 'latency_p95_ms', value: 640 },
  ],
});
await client.close();
console.log('evaluated: accuracy 0.93, latency_p95_ms 640');

// A development job for `agentrack run dev -- node examples/cli/train.mjs`: it logs into the run
// agentrack started, found through the environment agentrack run sets.
import { TrackingClient } from 'agentrack';

const client = await TrackingClient.open(); // AGENTRACK_TRACKING_URI
const runId = process.env.MLFLOW_RUN_ID;
await client.logParam(runId, 'prompt_template', 'v3');
for (let step = 0; step < 3; step++) {
  await client.logMetric(runId, 'accuracy', 0.8 + step * 0.05, { step });
}
await client.close();
console.log('trained: accuracy 0.9 after 3 steps');

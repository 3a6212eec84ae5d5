import type { CreateRunOptions, TrackingClient } from '../client/tracking-client.js';
import type { Run } from '../entities/index.js';
import { AgentrackError } from '../errors.js';
import { parseRunName, withSuffix } from './naming.js';

/** How many rounds of renaming a run may take before giving up (each round resolves a collision). */
const MAX_ROUNDS = 200;

/** The ids of the runs named exactly `name` in the experiment, deleted runs included (an indexed lookup). */
async function holdersOf(client: TrackingClient, experimentId: string, name: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of client.iterateRuns({
    experimentIds: [experimentId],
    filter: `attributes.run_name = '${name}'`,
    runViewType: 'ALL',
    maxResults: 100,
  })) {
    ids.push(run.info.run_id);
  }
  return ids;
}

/** The first of `base`, `base_2`, `base_3`, ... that no run of the experiment holds. */
async function firstFree(client: TrackingClient, experimentId: string, base: string): Promise<string> {
  for (let n = 1; ; n++) {
    const name = withSuffix(base, n);
    if ((await holdersOf(client, experimentId, name)).length === 0) return name;
  }
}

/** How long the holder with the smallest id waits, in all, for the others to move away before it moves itself. */
const KEEPER_PATIENCE_MS = 1500;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Creates a run named `base`, or `base_2`, `base_3`, ... when the name is taken in the
 * experiment, also when other processes start runs with the same name at the same moment.
 *
 * It works over any backend, with no lock. The run is created under the first free name,
 * then the name is checked, and the run settles only when it is the name's sole holder.
 * That rule alone rules out duplicates: of two runs that settled on one name, the later
 * to arrive would have seen the earlier at its check. On a collision, every holder but the
 * one with the smallest run id moves at once to the next free name; that one waits for
 * them to leave, and moves too if they do not (a holder that checked before the others
 * arrived has settled and will not move).
 * `base` must be a convention name without suffix, e.g. `dev_20261126_101500`.
 */
export async function createUniquelyNamedRun(
  client: TrackingClient,
  experimentId: string,
  base: string,
  options: Omit<CreateRunOptions, 'runName'> = {},
): Promise<Run> {
  const parsed = parseRunName(base);
  if (parsed === undefined || parsed.base !== base) {
    throw new AgentrackError(
      'INVALID_PARAMETER_VALUE',
      `Invalid run name base '${base}': not a convention name.`,
    );
  }
  let run = await client.createRun(experimentId, {
    ...options,
    runName: await firstFree(client, experimentId, base),
  });
  let renamed = false;
  let waited = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const holders = await holdersOf(client, experimentId, run.info.run_name);
    if (holders.length <= 1) return renamed ? client.getRun(run.info.run_id) : run;
    const keeper = [...holders].sort()[0];
    if (keeper === run.info.run_id && waited < KEEPER_PATIENCE_MS) {
      const pause = 10 + Math.floor(Math.random() * 40);
      waited += pause;
      await sleep(pause);
      continue;
    }
    const info = await client.updateRun(run.info.run_id, {
      name: await firstFree(client, experimentId, base),
    });
    run = { ...run, info };
    renamed = true;
    waited = 0;
  }
  throw new AgentrackError(
    'ABORTED',
    `Could not settle a unique run name for '${base}' after ${MAX_ROUNDS} rounds of concurrent renames.`,
  );
}

import type { TrackingClient } from '../client/tracking-client.js';
import type { Experiment } from '../entities/index.js';
import { AgentrackError, isAgentrackError } from '../errors.js';
import type { AgentConfig } from './agent-config.js';
import { RUN_TYPES, TAGS, type RunType } from './conventions.js';

/** What {@link ensureExperiments} did for one experiment. */
export type EnsureOutcome = 'created' | 'existed' | 'restored';

/** One line of the {@link ensureExperiments} report. */
export interface EnsuredExperiment {
  runType: RunType;
  path: string;
  experimentId: string;
  outcome: EnsureOutcome;
}

/** How many times a create/restore race is retried before giving up. */
const MAX_ATTEMPTS = 5;

/**
 * Makes sure the agent's three experiments exist and are active, creating or restoring
 * them, and that each carries the tags `agent_name` and `run_type`. Idempotent, and safe
 * when several processes call it at once: a lost creation race is read back, never
 * duplicated, and no caller sees an error for it.
 */
export async function ensureExperiments(
  client: TrackingClient,
  config: AgentConfig,
): Promise<EnsuredExperiment[]> {
  const report: EnsuredExperiment[] = [];
  for (const runType of RUN_TYPES) {
    const path = config.experiments[runType];
    const { experiment, outcome } = await ensureOne(client, path);
    await ensureTags(client, experiment, { [TAGS.agentName]: config.agent, [TAGS.runType]: runType });
    report.push({ runType, path, experimentId: experiment.experiment_id, outcome });
  }
  return report;
}

async function ensureOne(
  client: TrackingClient,
  path: string,
): Promise<{ experiment: Experiment; outcome: EnsureOutcome }> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const existing = await client.getExperimentByName(path);
    if (existing?.lifecycle_stage === 'active') return { experiment: existing, outcome: 'existed' };
    try {
      if (existing) {
        await client.restoreExperiment(existing.experiment_id);
        return { experiment: await client.getExperiment(existing.experiment_id), outcome: 'restored' };
      }
      const id = await client.createExperiment(path);
      return { experiment: await client.getExperiment(id), outcome: 'created' };
    } catch (error) {
      // Another process created or restored it between our read and our write: read again.
      if (
        isAgentrackError(error, 'RESOURCE_ALREADY_EXISTS') ||
        isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')
      ) {
        continue;
      }
      throw error;
    }
  }
  throw new AgentrackError(
    'ABORTED',
    `Could not create or restore the experiment '${path}': it kept changing under concurrent writers.`,
  );
}

async function ensureTags(
  client: TrackingClient,
  experiment: Experiment,
  tags: Record<string, string>,
): Promise<void> {
  const current = new Map((experiment.tags ?? []).map((t) => [t.key, t.value]));
  for (const [key, value] of Object.entries(tags)) {
    if (current.get(key) !== value) await client.setExperimentTag(experiment.experiment_id, key, value);
  }
}

import { createHash } from 'node:crypto';
import type { HealthStatus, MetricsSnapshot } from './agent.js';

/** One labelled evaluation case: a snapshot and the verdict the on-call runbook gives it. */
export interface LabelledCase {
  id: string;
  snapshot: MetricsSnapshot;
  label: HealthStatus;
}

/** The name the evaluation set is recorded under. */
export const DATASET_NAME = 'health-snapshots-v1';

const SERVICES = [
  'checkout',
  'search',
  'auth',
  'payments',
  'inventory',
  'notifications',
  'recommendations',
  'gateway',
] as const;

/** Incident profiles: ranges the snapshot's signals are drawn from. */
const PROFILES = {
  nominal: { latency: [80, 600], errors: [0, 0.01], saturation: [0.2, 0.7] },
  errorSpike: { latency: [150, 700], errors: [0.03, 0.25], saturation: [0.3, 0.8] },
  slow: { latency: [850, 1600], errors: [0, 0.02], saturation: [0.4, 0.8] },
  hot: { latency: [200, 800], errors: [0, 0.02], saturation: [0.86, 0.99] },
  outage: { latency: [300, 9000], errors: [0.2, 1], saturation: [0.1, 1] },
} as const satisfies Record<string, Record<'latency' | 'errors' | 'saturation', readonly [number, number]>>;

/**
 * The on-call runbook, which labels the set: down when half the requests fail or time out,
 * degraded when errors pass 5%, p95 latency 1200 ms or saturation 90%.
 */
export function runbookVerdict(snapshot: MetricsSnapshot): HealthStatus {
  if (snapshot.errorRate >= 0.5 || snapshot.latencyP95Ms >= 5000) return 'down';
  if (snapshot.errorRate >= 0.05 || snapshot.latencyP95Ms >= 1200 || snapshot.saturation >= 0.9) {
    return 'degraded';
  }
  return 'healthy';
}

/** The 40 evaluation cases: every service under every profile, drawn from a fixed seed. */
export const DATASET: readonly LabelledCase[] = buildDataset(20251126);

/** The development subset: every other case, 20 in all. */
export const DEV_SUBSET: readonly LabelledCase[] = DATASET.filter((_, index) => index % 2 === 0);

/** A short content hash of a set of cases, so that a run records exactly what it was scored on. */
export function datasetDigest(cases: readonly LabelledCase[]): string {
  return createHash('sha256').update(JSON.stringify(cases)).digest('hex').slice(0, 12);
}

function buildDataset(seed: number): LabelledCase[] {
  const random = mulberry32(seed);
  const draw = ([low, high]: readonly [number, number]) => low + (high - low) * random();
  const cases: LabelledCase[] = [];
  for (const [profile, ranges] of Object.entries(PROFILES)) {
    for (const service of SERVICES) {
      const snapshot: MetricsSnapshot = {
        service,
        latencyP95Ms: Math.round(draw(ranges.latency)),
        errorRate: Number(draw(ranges.errors).toFixed(4)),
        saturation: Number(draw(ranges.saturation).toFixed(2)),
      };
      cases.push({ id: `${profile}-${service}`, snapshot, label: runbookVerdict(snapshot) });
    }
  }
  return cases;
}

/** A small seeded generator: the same seed gives the same cases on every machine. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

import { assess, simulatedLatencyMs, type PromptTemplate } from './agent.js';
import type { LabelledCase } from './dataset.js';

/** How the agent did on a set of cases. */
export interface Scores {
  cases: number;
  correct: number;
  /** Share of cases whose verdict matches the label. */
  accuracy: number;
  /** 95th percentile (nearest rank) of the simulated answer latency, in milliseconds. */
  latencyP95Ms: number;
  /** Share of `down` cases the agent called `down`: a missed outage is the costly mistake. */
  downRecall: number;
}

/** Runs the agent over cases with a prompt template and scores it. */
export function evaluate(cases: readonly LabelledCase[], promptTemplate: PromptTemplate): Scores {
  let correct = 0;
  let down = 0;
  let downFound = 0;
  const latencies: number[] = [];
  for (const { snapshot, label } of cases) {
    const assessment = assess(snapshot, promptTemplate);
    if (assessment.status === label) correct++;
    if (label === 'down') {
      down++;
      if (assessment.status === 'down') downFound++;
    }
    latencies.push(simulatedLatencyMs(promptTemplate, assessment));
  }
  return {
    cases: cases.length,
    correct,
    accuracy: cases.length === 0 ? 0 : round(correct / cases.length),
    latencyP95Ms: percentile(latencies, 0.95),
    downRecall: down === 0 ? 1 : round(downFound / down),
  };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length, Math.ceil(p * sorted.length)) - 1] ?? 0;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

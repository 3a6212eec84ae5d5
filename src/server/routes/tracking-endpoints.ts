import type { Endpoint } from '../endpoint.js';
import { EXPERIMENT_ENDPOINTS } from './experiments.js';
import { METRIC_ENDPOINTS } from './metrics.js';
import { RUN_ENDPOINTS } from './runs.js';

/** Every MLflow tracking endpoint the server implements: experiments, runs and metrics. */
export const TRACKING_ENDPOINTS: readonly Endpoint[] = [
  ...EXPERIMENT_ENDPOINTS,
  ...RUN_ENDPOINTS,
  ...METRIC_ENDPOINTS,
];

/**
 * Small builders of the model registry's entities for tests.
 */
import type { ModelVersion, RegisteredModel } from '../../entities/index.js';

function tagList(tags: Record<string, string> | undefined): { key: string; value: string }[] {
  return Object.entries(tags ?? {}).map(([key, value]) => ({ key, value }));
}

/** What a test registered model needs; everything else gets a plain default. */
export interface RegisteredModelSpec {
  name: string;
  created?: number;
  updated?: number;
  tags?: Record<string, string>;
}

/** A registered model in MLflow's wire shape. */
export function makeRegisteredModel(spec: RegisteredModelSpec): RegisteredModel {
  const tags = tagList(spec.tags);
  return {
    name: spec.name,
    creation_timestamp: spec.created ?? 0,
    last_updated_timestamp: spec.updated ?? spec.created ?? 0,
    ...(tags.length > 0 ? { tags } : {}),
  };
}

/** What a test model version needs; everything else gets a plain default. */
export interface ModelVersionSpec {
  name: string;
  version: number;
  created?: number;
  updated?: number;
  source?: string;
  /** Absent: the version has no run (a NULL `run_id` in SQL). */
  runId?: string;
  tags?: Record<string, string>;
}

/**
 * A model version in MLflow's wire shape. Without a run id, `run_id` is left out, as MLflow's
 * wire leaves it out (the entity type has no room for that, hence the cast).
 */
export function makeModelVersion(spec: ModelVersionSpec): ModelVersion {
  const tags = tagList(spec.tags);
  return {
    name: spec.name,
    version: String(spec.version),
    creation_timestamp: spec.created ?? 0,
    last_updated_timestamp: spec.updated ?? spec.created ?? 0,
    current_stage: 'None',
    description: '',
    source: spec.source ?? `models:/m-${spec.name}-${spec.version}`,
    ...(spec.runId === undefined ? {} : { run_id: spec.runId }),
    status: 'READY',
    run_link: '',
    ...(tags.length > 0 ? { tags } : {}),
  } as ModelVersion;
}

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

/** One statement of {@link registryInserts}. */
export interface InsertStatement {
  sql: string;
  params: unknown[];
}

/**
 * The INSERT statements that store `models` and `versions` in the registry tables of
 * `src/store/sql/schema.ts` (`?` placeholders), with explicit `model_seq` / `version_seq`
 * values so that they run in any order. Every version's registered model must be in `models`.
 */
export function registryInserts(
  models: readonly RegisteredModel[],
  versions: readonly ModelVersion[],
): InsertStatement[] {
  const statements: InsertStatement[] = [];
  const seqOf = new Map<string, number>();
  models.forEach((model, i) => {
    const seq = i + 1;
    seqOf.set(model.name, seq);
    const last = Math.max(0, ...versions.filter((v) => v.name === model.name).map((v) => Number(v.version)));
    statements.push({
      sql: `INSERT INTO registered_models (model_seq, name, creation_timestamp, last_updated_timestamp, description, user_id, last_version)
            VALUES (?, ?, ?, ?, ?, ?, ?)`,
      params: [seq, model.name, model.creation_timestamp, model.last_updated_timestamp, null, null, last],
    });
    for (const tag of model.tags ?? []) {
      statements.push({
        sql: 'INSERT INTO registered_model_tags (model_seq, key, value) VALUES (?, ?, ?)',
        params: [seq, tag.key, tag.value],
      });
    }
  });
  versions.forEach((version, i) => {
    const seq = i + 1;
    const modelSeq = seqOf.get(version.name);
    if (modelSeq === undefined) throw new Error(`no registered model ${version.name}`);
    statements.push({
      sql: `INSERT INTO model_versions (version_seq, model_seq, version, creation_timestamp, last_updated_timestamp,
              current_stage, source, storage_location, run_id, status)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [
        seq,
        modelSeq,
        Number(version.version),
        version.creation_timestamp,
        version.last_updated_timestamp,
        version.current_stage,
        version.source,
        version.source,
        (version.run_id as string | undefined) ?? null,
        version.status,
      ],
    });
    for (const tag of version.tags ?? []) {
      statements.push({
        sql: 'INSERT INTO model_version_tags (version_seq, key, value) VALUES (?, ?, ?)',
        params: [seq, tag.key, tag.value],
      });
    }
  });
  return statements;
}

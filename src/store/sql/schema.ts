/**
 * The tracking schema, as an ordered list of migrations shared by every SQL backend.
 *
 * Design notes (why, not what):
 * - `runs.run_seq` is an internal integer surrogate key. Child tables reference it instead
 *   of the 32-character `run_uuid`, which keeps the 10-tags-per-run tables small and their
 *   joins integer-only. `run_seq` never leaves the store.
 * - `tags`, `params`, `latest_metrics` and `metrics` are clustered on `(run_seq, key, ...)`
 *   (WITHOUT ROWID on SQLite), so reading one run's data is a range scan.
 * - The experiment "Default" (id 0) is created by the first migration, as MLflow does.
 * - NaN cannot be stored in a SQLite REAL (it becomes NULL), so metric rows keep MLflow's
 *   `is_nan` flag with `value = 0`; ±Infinity are stored as themselves.
 * - `latest_metrics` holds MLflow's "latest" value per (run, key): the greatest
 *   (step, timestamp, value), maintained on write.
 * - Run inputs follow MLflow's `datasets` / `inputs` / `input_tags`, keyed by integers: a
 *   dataset is unique per (experiment, name, digest) and shared by the runs of its
 *   experiment that used it; `inputs` links a run to a dataset once, and `input_seq` keeps
 *   the order a run's inputs were logged in. `inputs_dataset` finds the uses of a dataset,
 *   for the datasets an experiment's runs used.
 * - The model registry keys registered models by an integer `model_seq`, so a rename changes
 *   one row and versions, tags and aliases follow. `last_version` is the highest version the
 *   model ever had: versions are never reused, though a deleted version's row is removed.
 *   A version's `version` is its number within the model; aliases point at numbers.
 * - Logged models (MLflow 3) are keyed by an integer `model_seq` beside their public
 *   `model_id` (`m-<32 hex>`), as runs are; their tags, params and metrics hang off it. A
 *   model's `status` is kept by the name MLflow's client shows (`PENDING`, `READY`, `FAILED`),
 *   which filters compare. `model_type` and `source_run_id` are `''` when not given, as
 *   MLflow's server stores them. A model metric belongs to the run it was logged in
 *   (`run_seq`) and to a dataset (`''` for none); `metric_seq` keeps the order values were
 *   logged in, and an identical value logged again is stored once. `run_logged_models` links
 *   runs to the models they used (`input`) and produced (`output`, at a step).
 * - Traces (MLflow 3) are keyed by an integer `trace_seq` beside their public `trace_id`
 *   (`tr-<32 hex>`). `request_time` and `execution_time_ms` are epoch milliseconds (MLflow's
 *   wire sends RFC 3339 times and duration strings; the store converts). Tags and metadata are
 *   key/value tables, as MLflow's `trace_tags` and `trace_request_metadata`. Spans are rows
 *   (`trace_spans`), clustered by trace, with hex ids, nanosecond times (BIGINT: they exceed a
 *   double's exact range), the span type and status as columns for searches, and attributes
 *   and events as JSON text. An assessment keeps its feedback or expectation as the JSON of
 *   that object (`kind` says which), so every value MLflow allows round-trips; `overrides`
 *   names the assessment it replaced. `trace_run_links` holds the links `link-to-run` makes
 *   (a trace's `mlflow.sourceRun` metadata is the other way a trace belongs to a run).
 *   `trace_data` keeps the `traces.json` a client uploaded for a trace, byte for byte, so the
 *   server answers its download without a file per trace in the artifact store.
 */

/** One schema migration: a version number and the statements that apply it. */
export interface Migration {
  version: number;
  description: string;
  /** Statements per dialect; each is executed in order inside one transaction. */
  statements: { sqlite: readonly string[]; postgres: readonly string[] };
  /**
   * True when a database without this migration can still be read by this agentrack (it only
   * adds indexes, or a table that only a writer reads), so that read-only opens need not wait
   * for a writer to upgrade the file.
   */
  readCompatible?: boolean;
}

/** What differs between the dialects' DDL; everything else is written once below. */
interface DialectTypes {
  /** An auto-numbered integer primary key. */
  serial: string;
  /** A 64-bit integer referencing one. */
  ref: string;
  double: string;
  /** Suffix of tables clustered on their primary key. */
  clustered: string;
  /** Current time in epoch milliseconds. */
  nowMs: string;
  /** Bytes, kept as they were written. */
  blob: string;
  /** Text that compares and sorts by code point, as SQLite's default BINARY collation does. */
  text: string;
}

const SQLITE: DialectTypes = {
  serial: 'INTEGER PRIMARY KEY',
  ref: 'INTEGER',
  double: 'REAL',
  clustered: ' WITHOUT ROWID',
  nowMs: "CAST(unixepoch('subsec') * 1000 AS INTEGER)",
  blob: 'BLOB',
  text: 'TEXT',
};

const POSTGRES: DialectTypes = {
  serial: 'BIGSERIAL PRIMARY KEY',
  ref: 'BIGINT',
  double: 'DOUBLE PRECISION',
  // PostgreSQL has no clustered tables; its primary-key indexes serve the same lookups.
  clustered: '',
  nowMs: '(extract(epoch FROM clock_timestamp()) * 1000)::BIGINT',
  blob: 'BYTEA',
  // Whatever the database's default collation (an ICU or libc locale sorts "B" before "a" or
  // not, and ignores punctuation at first): keys, names and values order as on SQLite, as the
  // in-memory evaluator orders them, and the indexes serve `=`, ranges and LIKE prefixes.
  text: 'TEXT COLLATE "C"',
};

const LIFECYCLE = `lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted'))`;

function keyValueTable(name: string, owner: string, t: DialectTypes): string {
  return `CREATE TABLE ${name} (
    ${owner} ${t.ref} NOT NULL,
    key ${t.text} NOT NULL,
    value ${t.text} NOT NULL,
    PRIMARY KEY (${owner}, key)
  )${t.clustered}`;
}

function version1(t: DialectTypes): string[] {
  return [
    `CREATE TABLE experiments (
      experiment_id ${t.serial},
      name ${t.text} NOT NULL,
      artifact_location ${t.text} NOT NULL DEFAULT '',
      ${LIFECYCLE},
      creation_time BIGINT NOT NULL,
      last_update_time BIGINT NOT NULL
    )`,
    `CREATE UNIQUE INDEX experiments_name ON experiments (name)`,
    `CREATE INDEX experiments_creation ON experiments (creation_time DESC, experiment_id)`,
    keyValueTable('experiment_tags', 'experiment_id', t),
    `CREATE TABLE runs (
      run_seq ${t.serial},
      run_uuid ${t.text} NOT NULL,
      experiment_id ${t.ref} NOT NULL REFERENCES experiments (experiment_id),
      name ${t.text} NOT NULL DEFAULT '',
      user_id ${t.text} NOT NULL DEFAULT '',
      status ${t.text} NOT NULL,
      start_time BIGINT NOT NULL,
      end_time BIGINT,
      ${LIFECYCLE},
      artifact_uri ${t.text} NOT NULL DEFAULT '',
      deleted_time BIGINT
    )`,
    `CREATE UNIQUE INDEX runs_uuid ON runs (run_uuid)`,
    `CREATE INDEX runs_latest ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid)`,
    keyValueTable('tags', 'run_seq', t),
    `CREATE INDEX tags_key_value ON tags (key, value, run_seq)`,
    keyValueTable('params', 'run_seq', t),
    `CREATE TABLE metrics (
      run_seq ${t.ref} NOT NULL,
      key ${t.text} NOT NULL,
      timestamp BIGINT NOT NULL,
      step BIGINT NOT NULL,
      value ${t.double} NOT NULL,
      is_nan SMALLINT NOT NULL,
      PRIMARY KEY (run_seq, key, timestamp, step, value, is_nan)
    )${t.clustered}`,
    `CREATE TABLE latest_metrics (
      run_seq ${t.ref} NOT NULL,
      key ${t.text} NOT NULL,
      value ${t.double} NOT NULL,
      timestamp BIGINT NOT NULL,
      step BIGINT NOT NULL,
      is_nan SMALLINT NOT NULL,
      PRIMARY KEY (run_seq, key)
    )${t.clustered}`,
    `CREATE INDEX latest_metrics_key_value ON latest_metrics (key, is_nan, value)`,
    `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
      VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', ${t.nowMs}, ${t.nowMs})`,
  ];
}

function version3(t: DialectTypes): string[] {
  return [
    `CREATE TABLE datasets (
      dataset_seq ${t.serial},
      experiment_id ${t.ref} NOT NULL REFERENCES experiments (experiment_id),
      name ${t.text} NOT NULL,
      digest ${t.text} NOT NULL,
      dataset_source_type ${t.text} NOT NULL,
      dataset_source ${t.text} NOT NULL,
      dataset_schema ${t.text},
      dataset_profile ${t.text}
    )`,
    `CREATE UNIQUE INDEX datasets_identity ON datasets (experiment_id, name, digest)`,
    `CREATE TABLE inputs (
      input_seq ${t.serial},
      run_seq ${t.ref} NOT NULL REFERENCES runs (run_seq),
      dataset_seq ${t.ref} NOT NULL REFERENCES datasets (dataset_seq)
    )`,
    `CREATE UNIQUE INDEX inputs_run_dataset ON inputs (run_seq, dataset_seq)`,
    `CREATE TABLE input_tags (
      input_seq ${t.ref} NOT NULL,
      name ${t.text} NOT NULL,
      value ${t.text} NOT NULL,
      PRIMARY KEY (input_seq, name)
    )${t.clustered}`,
  ];
}

function version5(t: DialectTypes): string[] {
  return [
    `CREATE TABLE registered_models (
      model_seq ${t.serial},
      name ${t.text} NOT NULL,
      creation_timestamp BIGINT NOT NULL,
      last_updated_timestamp BIGINT NOT NULL,
      description ${t.text},
      user_id ${t.text},
      last_version BIGINT NOT NULL DEFAULT 0
    )`,
    `CREATE UNIQUE INDEX registered_models_name ON registered_models (name)`,
    keyValueTable('registered_model_tags', 'model_seq', t),
    `CREATE TABLE model_versions (
      version_seq ${t.serial},
      model_seq ${t.ref} NOT NULL REFERENCES registered_models (model_seq),
      version BIGINT NOT NULL,
      creation_timestamp BIGINT NOT NULL,
      last_updated_timestamp BIGINT NOT NULL,
      description ${t.text},
      user_id ${t.text},
      current_stage ${t.text} NOT NULL DEFAULT 'None',
      source ${t.text} NOT NULL,
      storage_location ${t.text} NOT NULL,
      run_id ${t.text},
      run_link ${t.text},
      status ${t.text} NOT NULL DEFAULT 'READY',
      status_message ${t.text},
      model_id ${t.text}
    )`,
    `CREATE UNIQUE INDEX model_versions_number ON model_versions (model_seq, version)`,
    keyValueTable('model_version_tags', 'version_seq', t),
    `CREATE TABLE registered_model_aliases (
      model_seq ${t.ref} NOT NULL,
      alias ${t.text} NOT NULL,
      version BIGINT NOT NULL,
      PRIMARY KEY (model_seq, alias)
    )${t.clustered}`,
  ];
}

function version7(t: DialectTypes): string[] {
  return [
    `CREATE TABLE logged_models (
      model_seq ${t.serial},
      model_id ${t.text} NOT NULL,
      experiment_id ${t.ref} NOT NULL REFERENCES experiments (experiment_id),
      name ${t.text} NOT NULL,
      artifact_location ${t.text} NOT NULL,
      creation_timestamp BIGINT NOT NULL,
      last_updated_timestamp BIGINT NOT NULL,
      status ${t.text} NOT NULL DEFAULT 'PENDING' CHECK (status IN ('UNSPECIFIED', 'PENDING', 'READY', 'FAILED')),
      ${LIFECYCLE},
      model_type ${t.text} NOT NULL DEFAULT '',
      source_run_id ${t.text} NOT NULL DEFAULT '',
      status_message ${t.text}
    )`,
    `CREATE UNIQUE INDEX logged_models_id ON logged_models (model_id)`,
    keyValueTable('logged_model_tags', 'model_seq', t),
    keyValueTable('logged_model_params', 'model_seq', t),
    `CREATE TABLE logged_model_metrics (
      metric_seq ${t.serial},
      model_seq ${t.ref} NOT NULL REFERENCES logged_models (model_seq),
      run_seq ${t.ref} NOT NULL REFERENCES runs (run_seq),
      key ${t.text} NOT NULL,
      value ${t.double} NOT NULL,
      is_nan SMALLINT NOT NULL,
      timestamp BIGINT NOT NULL,
      step BIGINT NOT NULL,
      dataset_name ${t.text} NOT NULL DEFAULT '',
      dataset_digest ${t.text} NOT NULL DEFAULT ''
    )`,
    `CREATE UNIQUE INDEX logged_model_metrics_identity ON logged_model_metrics
      (model_seq, key, timestamp, step, run_seq, value, is_nan, dataset_name, dataset_digest)`,
    `CREATE TABLE run_logged_models (
      run_seq ${t.ref} NOT NULL REFERENCES runs (run_seq),
      direction ${t.text} NOT NULL CHECK (direction IN ('input', 'output')),
      model_seq ${t.ref} NOT NULL REFERENCES logged_models (model_seq),
      step BIGINT NOT NULL DEFAULT 0,
      PRIMARY KEY (run_seq, direction, model_seq)
    )${t.clustered}`,
  ];
}

function version8(postgres: boolean): string[] {
  const binary = postgres ? ' COLLATE "C"' : '';
  return [
    `CREATE INDEX logged_models_latest ON logged_models (experiment_id, lifecycle_stage, creation_timestamp DESC, model_id)`,
    `CREATE INDEX logged_models_name ON logged_models (experiment_id, name${binary})`,
    `CREATE INDEX logged_models_source_run ON logged_models (source_run_id)`,
    `CREATE INDEX logged_model_tags_key_value ON logged_model_tags (key, value, model_seq)`,
    `CREATE INDEX logged_model_metrics_run ON logged_model_metrics (run_seq)`,
    `CREATE INDEX run_logged_models_model ON run_logged_models (model_seq)`,
  ];
}

function version9(t: DialectTypes): string[] {
  return [
    `CREATE TABLE trace_info (
      trace_seq ${t.serial},
      trace_id ${t.text} NOT NULL,
      experiment_id ${t.ref} NOT NULL REFERENCES experiments (experiment_id),
      request_time BIGINT NOT NULL,
      execution_time_ms BIGINT,
      state ${t.text} NOT NULL CHECK (state IN ('STATE_UNSPECIFIED', 'OK', 'ERROR', 'IN_PROGRESS')),
      client_request_id ${t.text},
      request_preview ${t.text},
      response_preview ${t.text}
    )`,
    `CREATE UNIQUE INDEX trace_info_id ON trace_info (trace_id)`,
    keyValueTable('trace_tags', 'trace_seq', t),
    keyValueTable('trace_metadata', 'trace_seq', t),
    `CREATE TABLE trace_spans (
      trace_seq ${t.ref} NOT NULL REFERENCES trace_info (trace_seq),
      span_id ${t.text} NOT NULL,
      parent_span_id ${t.text},
      name ${t.text} NOT NULL,
      span_type ${t.text} NOT NULL,
      status ${t.text} NOT NULL CHECK (status IN ('UNSET', 'OK', 'ERROR')),
      status_message ${t.text},
      start_time_ns BIGINT NOT NULL,
      end_time_ns BIGINT,
      attributes ${t.text} NOT NULL,
      events ${t.text},
      PRIMARY KEY (trace_seq, span_id)
    )${t.clustered}`,
    `CREATE TABLE assessments (
      assessment_seq ${t.serial},
      assessment_id ${t.text} NOT NULL,
      trace_seq ${t.ref} NOT NULL REFERENCES trace_info (trace_seq),
      name ${t.text} NOT NULL,
      kind ${t.text} NOT NULL CHECK (kind IN ('feedback', 'expectation')),
      payload ${t.text} NOT NULL,
      rationale ${t.text},
      source_type ${t.text} NOT NULL,
      source_id ${t.text},
      span_id ${t.text},
      metadata ${t.text},
      overrides ${t.text},
      valid SMALLINT NOT NULL DEFAULT 1,
      run_id ${t.text},
      create_time BIGINT NOT NULL,
      last_update_time BIGINT NOT NULL
    )`,
    `CREATE UNIQUE INDEX assessments_id ON assessments (assessment_id)`,
    `CREATE TABLE trace_run_links (
      trace_seq ${t.ref} NOT NULL REFERENCES trace_info (trace_seq),
      run_id ${t.text} NOT NULL,
      PRIMARY KEY (trace_seq, run_id)
    )${t.clustered}`,
  ];
}

function version10(postgres: boolean): string[] {
  const binary = postgres ? ' COLLATE "C"' : '';
  return [
    `CREATE INDEX trace_info_latest ON trace_info (experiment_id, request_time DESC, trace_id)`,
    `CREATE INDEX trace_info_state ON trace_info (experiment_id, state, request_time DESC, trace_id)`,
    `CREATE INDEX trace_tags_key_value ON trace_tags (key, value, trace_seq)`,
    `CREATE INDEX trace_metadata_key_value ON trace_metadata (key, value, trace_seq)`,
    `CREATE INDEX trace_spans_name ON trace_spans (name${binary}, trace_seq)`,
    `CREATE INDEX trace_spans_type ON trace_spans (span_type, trace_seq)`,
    `CREATE INDEX assessments_trace ON assessments (trace_seq, create_time)`,
    `CREATE INDEX trace_run_links_run ON trace_run_links (run_id, trace_seq)`,
  ];
}

function version11(t: DialectTypes, postgres: boolean): string[] {
  // A rowid table on SQLite (trace_seq is its rowid): large rows belong there, not in a clustered one.
  const key = postgres ? `${t.ref} PRIMARY KEY` : 'INTEGER PRIMARY KEY';
  return [
    `CREATE TABLE trace_data (
      trace_seq ${key} REFERENCES trace_info (trace_seq),
      content ${t.blob} NOT NULL,
      content_type ${t.text}
    )`,
  ];
}

/** Every migration, in order. Append only: never edit a released migration. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'experiments, runs, tags, params, metrics, latest metrics',
    statements: { sqlite: version1(SQLITE), postgres: version1(POSTGRES) },
  },
  {
    version: 2,
    description: 'index runs by name within an experiment (run-name claims, run_name filters)',
    readCompatible: true,
    statements: {
      sqlite: [`CREATE INDEX runs_name ON runs (experiment_id, name)`],
      postgres: [`CREATE INDEX runs_name ON runs (experiment_id, name COLLATE "C")`],
    },
  },
  {
    version: 3,
    description: 'run inputs: datasets, the runs that used them, input tags',
    statements: { sqlite: version3(SQLITE), postgres: version3(POSTGRES) },
  },
  {
    version: 4,
    description: 'index run inputs by dataset (the datasets an experiment used, search-datasets)',
    readCompatible: true,
    statements: {
      sqlite: [`CREATE INDEX inputs_dataset ON inputs (dataset_seq, input_seq)`],
      postgres: [`CREATE INDEX inputs_dataset ON inputs (dataset_seq, input_seq)`],
    },
  },
  {
    version: 5,
    description: 'the model registry: registered models, versions, their tags, aliases',
    statements: { sqlite: version5(SQLITE), postgres: version5(POSTGRES) },
  },
  {
    version: 6,
    description:
      "index model versions by run, by logged model and by tag (run_id filters, a model's versions, prompts)",
    readCompatible: true,
    statements: {
      sqlite: [
        `CREATE INDEX model_versions_run ON model_versions (run_id)`,
        `CREATE INDEX model_versions_model_id ON model_versions (model_id)`,
        `CREATE INDEX model_version_tags_key_value ON model_version_tags (key, value, version_seq)`,
      ],
      postgres: [
        `CREATE INDEX model_versions_run ON model_versions (run_id)`,
        `CREATE INDEX model_versions_model_id ON model_versions (model_id)`,
        `CREATE INDEX model_version_tags_key_value ON model_version_tags (key, value, version_seq)`,
      ],
    },
  },
  {
    version: 7,
    description:
      'logged models (MLflow 3): models, their tags, params and metrics, the runs that used and produced them',
    statements: { sqlite: version7(SQLITE), postgres: version7(POSTGRES) },
  },
  {
    version: 8,
    description:
      "index logged models for searches (newest first, by name, by source run), tags by value, metrics by run, a model's runs",
    readCompatible: true,
    statements: { sqlite: version8(false), postgres: version8(true) },
  },
  {
    version: 9,
    description: 'traces (MLflow 3): trace infos, their tags and metadata, spans, assessments, run links',
    statements: { sqlite: version9(SQLITE), postgres: version9(POSTGRES) },
  },
  {
    version: 10,
    description:
      "index traces for searches (newest first, by state, tags and metadata by value, spans by name and type), a trace's assessments, a run's traces",
    readCompatible: true,
    statements: { sqlite: version10(false), postgres: version10(true) },
  },
  {
    version: 11,
    description: "a trace's traces.json as it was uploaded, kept beside its span rows",
    // Only a server reads trace_data, and a server opens its store for writing: migrated first.
    readCompatible: true,
    statements: { sqlite: version11(SQLITE, false), postgres: version11(POSTGRES, true) },
  },
];

/**
 * The oldest schema version this agentrack can read without upgrading it: the newest one
 * whose migration is not read-compatible (it changes more than indexes and writer-only tables).
 */
export const OLDEST_READABLE_VERSION = Math.max(
  0,
  ...MIGRATIONS.filter((migration) => migration.readCompatible !== true).map((m) => m.version),
);

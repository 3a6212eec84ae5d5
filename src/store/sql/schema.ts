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
 */

/** One schema migration: a version number and the statements that apply it. */
export interface Migration {
  version: number;
  description: string;
  /** Statements per dialect; each is executed in order inside one transaction. */
  statements: { sqlite: readonly string[]; postgres: readonly string[] };
}

const common = {
  experiments: (id: string) => `CREATE TABLE experiments (
    experiment_id ${id},
    name TEXT NOT NULL,
    artifact_location TEXT NOT NULL DEFAULT '',
    lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
    creation_time BIGINT NOT NULL,
    last_update_time BIGINT NOT NULL
  )`,
};

/** Every migration, in order. Append only: never edit a released migration. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'experiments, runs, tags, params, metrics, latest metrics',
    statements: {
      sqlite: [
        common.experiments('INTEGER PRIMARY KEY'),
        `CREATE UNIQUE INDEX experiments_name ON experiments (name)`,
        `CREATE INDEX experiments_creation ON experiments (creation_time DESC, experiment_id)`,
        `CREATE TABLE experiment_tags (
          experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (experiment_id, key)
        ) WITHOUT ROWID`,
        `CREATE TABLE runs (
          run_seq INTEGER PRIMARY KEY,
          run_uuid TEXT NOT NULL,
          experiment_id INTEGER NOT NULL REFERENCES experiments (experiment_id),
          name TEXT NOT NULL DEFAULT '',
          user_id TEXT NOT NULL DEFAULT '',
          status TEXT NOT NULL,
          start_time BIGINT NOT NULL,
          end_time BIGINT,
          lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
          artifact_uri TEXT NOT NULL DEFAULT '',
          deleted_time BIGINT
        )`,
        `CREATE UNIQUE INDEX runs_uuid ON runs (run_uuid)`,
        `CREATE INDEX runs_latest ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid)`,
        `CREATE TABLE tags (
          run_seq INTEGER NOT NULL,
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (run_seq, key)
        ) WITHOUT ROWID`,
        `CREATE INDEX tags_key_value ON tags (key, value)`,
        `CREATE TABLE params (
          run_seq INTEGER NOT NULL,
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (run_seq, key)
        ) WITHOUT ROWID`,
        `CREATE TABLE metrics (
          run_seq INTEGER NOT NULL,
          key TEXT NOT NULL,
          step BIGINT NOT NULL,
          timestamp BIGINT NOT NULL,
          value REAL NOT NULL,
          is_nan INTEGER NOT NULL,
          PRIMARY KEY (run_seq, key, timestamp, step, value, is_nan)
        ) WITHOUT ROWID`,
        `CREATE TABLE latest_metrics (
          run_seq INTEGER NOT NULL,
          key TEXT NOT NULL,
          value REAL NOT NULL,
          timestamp BIGINT NOT NULL,
          step BIGINT NOT NULL,
          is_nan INTEGER NOT NULL,
          PRIMARY KEY (run_seq, key)
        ) WITHOUT ROWID`,
        `CREATE INDEX latest_metrics_key_value ON latest_metrics (key, is_nan, value)`,
        `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
          VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active',
                  CAST(unixepoch('subsec') * 1000 AS INTEGER), CAST(unixepoch('subsec') * 1000 AS INTEGER))`,
      ],
      postgres: [
        common.experiments('BIGSERIAL PRIMARY KEY'),
        `CREATE UNIQUE INDEX experiments_name ON experiments (name)`,
        `CREATE INDEX experiments_creation ON experiments (creation_time DESC, experiment_id)`,
        `CREATE TABLE experiment_tags (
          experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (experiment_id, key)
        )`,
        `CREATE TABLE runs (
          run_seq BIGSERIAL PRIMARY KEY,
          run_uuid TEXT NOT NULL,
          experiment_id BIGINT NOT NULL REFERENCES experiments (experiment_id),
          name TEXT NOT NULL DEFAULT '',
          user_id TEXT NOT NULL DEFAULT '',
          status TEXT NOT NULL,
          start_time BIGINT NOT NULL,
          end_time BIGINT,
          lifecycle_stage TEXT NOT NULL DEFAULT 'active' CHECK (lifecycle_stage IN ('active', 'deleted')),
          artifact_uri TEXT NOT NULL DEFAULT '',
          deleted_time BIGINT
        )`,
        `CREATE UNIQUE INDEX runs_uuid ON runs (run_uuid)`,
        `CREATE INDEX runs_latest ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid)`,
        `CREATE TABLE tags (
          run_seq BIGINT NOT NULL,
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (run_seq, key)
        )`,
        `CREATE INDEX tags_key_value ON tags (key, value, run_seq)`,
        `CREATE TABLE params (
          run_seq BIGINT NOT NULL,
          key TEXT NOT NULL,
          value TEXT NOT NULL,
          PRIMARY KEY (run_seq, key)
        )`,
        `CREATE TABLE metrics (
          run_seq BIGINT NOT NULL,
          key TEXT NOT NULL,
          step BIGINT NOT NULL,
          timestamp BIGINT NOT NULL,
          value DOUBLE PRECISION NOT NULL,
          is_nan SMALLINT NOT NULL,
          PRIMARY KEY (run_seq, key, timestamp, step, value, is_nan)
        )`,
        `CREATE TABLE latest_metrics (
          run_seq BIGINT NOT NULL,
          key TEXT NOT NULL,
          value DOUBLE PRECISION NOT NULL,
          timestamp BIGINT NOT NULL,
          step BIGINT NOT NULL,
          is_nan SMALLINT NOT NULL,
          PRIMARY KEY (run_seq, key)
        )`,
        `CREATE INDEX latest_metrics_key_value ON latest_metrics (key, is_nan, value)`,
        `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
          VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active',
                  (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT)`,
      ],
    },
  },
];

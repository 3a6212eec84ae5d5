import Database from 'better-sqlite3';

/** The alembic revision at the head of MLflow 3.3.x's migrations (model registry webhooks). */
export const MLFLOW_3_3_REVISION = '1a0cddfcaa16';

/**
 * MLflow 3.3's layout of the tracking tables agentrack looks at, as `mlflow server` creates them
 * through SQLAlchemy and alembic (column names, types and keys as in MLflow's `dbmodels`).
 */
const MLFLOW_TABLES = [
  `CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`,
  `CREATE TABLE experiments (
    experiment_id INTEGER NOT NULL, name VARCHAR(256) NOT NULL, artifact_location VARCHAR(256),
    lifecycle_stage VARCHAR(32), creation_time BIGINT, last_update_time BIGINT,
    CONSTRAINT experiment_pk PRIMARY KEY (experiment_id), UNIQUE (name),
    CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')))`,
  `CREATE TABLE experiment_tags (
    key VARCHAR(250) NOT NULL, value VARCHAR(5000), experiment_id INTEGER NOT NULL,
    CONSTRAINT experiment_tag_pk PRIMARY KEY (key, experiment_id),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id))`,
  `CREATE TABLE runs (
    run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20), source_name VARCHAR(500),
    entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT,
    end_time BIGINT, source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200),
    experiment_id INTEGER, deleted_time BIGINT,
    CONSTRAINT run_pk PRIMARY KEY (run_uuid),
    FOREIGN KEY (experiment_id) REFERENCES experiments (experiment_id),
    CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
    CONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')),
    CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')))`,
  `CREATE TABLE tags (
    key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT tag_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
  `CREATE TABLE params (
    key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT param_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid))`,
  `CREATE TABLE metrics (
    key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
    run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
    CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan),
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid), CHECK (is_nan IN (0, 1)))`,
  `CREATE TABLE latest_metrics (
    key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL,
    is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT latest_metric_pk PRIMARY KEY (key, run_uuid),
    FOREIGN KEY (run_uuid) REFERENCES runs (run_uuid), CHECK (is_nan IN (0, 1)))`,
];

/**
 * Writes a SQLite file the way `mlflow server --backend-store-uri sqlite:///...` leaves it:
 * MLflow's tracking tables, the alembic revision of MLflow 3.3, the Default experiment and
 * one run, in SQLite's default rollback-journal mode.
 */
export function createMlflowDatabase(path: string, revision: string = MLFLOW_3_3_REVISION): void {
  const db = new Database(path);
  try {
    db.exec(MLFLOW_TABLES.join(';\n'));
    db.prepare('INSERT INTO alembic_version (version_num) VALUES (?)').run(revision);
    db.prepare(
      `INSERT INTO experiments VALUES (0, 'Default', 'mlflow-artifacts:/0', 'active', 1755600000000, 1755600000000)`,
    ).run();
    db.prepare(
      `INSERT INTO runs VALUES ('0f1e2d3c4b5a69788796a5b4c3d2e1f0', 'brave-owl-42', 'UNKNOWN', '', '', 'me',
        'FINISHED', 1755600001000, 1755600002000, '', 'active', 'mlflow-artifacts:/0/0f1e/artifacts', 0, NULL)`,
    ).run();
    db.prepare(
      `INSERT INTO metrics VALUES ('accuracy', 0.93, 1755600001500, '0f1e2d3c4b5a69788796a5b4c3d2e1f0', 0, 0)`,
    ).run();
  } finally {
    db.close();
  }
}

import { appendToArtifactUri } from '../../artifacts/artifact-locations.js';
import type {
  ModelVersion,
  ModelVersionStage,
  ModelVersionTag,
  RegisteredModel,
  RegisteredModelAlias,
  RegisteredModelTag,
} from '../../entities/index.js';
import { AgentrackError, invalidParameter, notFound } from '../../errors.js';
import {
  compareText,
  compileModelVersionSearch,
  compileRegisteredModelSearch,
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  type CompiledSearch,
  type SqlDialect,
} from '../../query/index.js';
import {
  validateModelAliasName,
  validateModelVersion,
  validateModelVersionStage,
  validateModelVersionTag,
  validateRegisteredModelName,
  validateRegisteredModelTag,
  validateRegistryTagKey,
  validateOptionalText,
  validateSearchModelVersionsMaxResults,
  validateSearchRegisteredModelsMaxResults,
  validateStageTransition,
} from '../../validation/model-registry.js';
import {
  isInsideFolder,
  localArtifactPath,
  refuseLocalSource,
  validateModelVersionSource,
  type ModelVersionSource,
} from '../../validation/model-version-source.js';
import type {
  CreateModelVersionInput,
  CreateRegisteredModelInput,
  ModelRegistryStore,
  SearchRegistryInput,
} from '../model-registry-store.js';
import { decodePageToken, encodePageToken, queryFingerprint } from '../page-token.js';
import type { Page } from '../tracking-store.js';
import {
  MODEL_COLUMNS,
  VERSION_COLUMNS,
  modelVersionNotFound,
  registeredModelExists,
  registeredModelNotFound,
  toModelVersion,
  toRegisteredModel,
  type ModelVersionRow,
  type RegisteredModelRow,
} from './registry-rows.js';
import { chunks, push } from './rows.js';
import { orTaken } from './unique-violation.js';
import { driverSql } from './driver-sql.js';
import type { SqlDriver, SqlExecutor, SqlRow } from './sql-driver.js';
import { withDatabaseErrors } from './with-database-errors.js';

/** Where a logged model's files are, and the run that logged it. */
export interface LoggedModelLocation {
  artifactUri: string;
  sourceRunId?: string;
}

/** How the registry finds logged models (they belong to the tracking store). */
export interface LoggedModelLocator {
  /** The logged model's artifact location, or undefined when there is no such model. */
  artifactLocation(modelId: string): Promise<LoggedModelLocation | undefined>;
  /**
   * Records a new version made from the logged model in its `mlflow.modelVersions` tag, in the
   * registry's transaction (as MLflow's server does on `model-versions/create`); a model that
   * does not exist (or no longer) is left alone.
   */
  recordModelVersion?(tx: SqlExecutor, modelId: string, name: string, version: number): Promise<void>;
}

/** Options of {@link SqlModelRegistryStore}. */
export interface SqlRegistryStoreOptions {
  /** The clock, in epoch milliseconds; the tracking store's, so both agree. */
  now?: () => number;
  /**
   * Resolves `models:/<model_id>` sources. Without it no logged model is known, so such a
   * source is refused as naming a model that does not exist.
   */
  loggedModels?: LoggedModelLocator;
}

/** Tags with a repeated key keep the last value, as MLflow builds them from a dict. */
function lastValuePerKey<T extends { key: string }>(tags: readonly T[]): T[] {
  return [...new Map(tags.map((t) => [t.key, t])).values()];
}

/** The tag that marks a registered model or version as a prompt, whose source MLflow does not check. */
const PROMPT_TAG = 'mlflow.prompt.is_prompt';

/**
 * MLflow's model registry over SQL, with the rules of MLflow 3.3's SQL registry store on the
 * tables of migration 5, on the tracking store's driver, dialect and clock.
 *
 * - Every write is one transaction; versions are numbered from the model's `last_version`,
 *   so concurrent creates get distinct numbers and a deleted version's number is never reused.
 * - `last_updated_timestamp` changes where MLflow changes it: a model's on create, rename,
 *   update, version create, version delete and stage transition (not on tags, aliases or a
 *   version's description); a version's on create, update, transition, rename of its model,
 *   and when a transition archives it.
 * - A version's files: `models:/<model_id>` is the logged model's artifact location (and its
 *   source run becomes the version's `run_id` unless one is given), `runs:/<run_id>/<path>`
 *   the run's artifact URI joined with the path, `models:/<name>/<version>` that version's
 *   files, anything else the source as given.
 * - Versions carry `aliases` where MLflow's server returns them (get, get by alias, create,
 *   update, transition, latest versions), not in searches nor in a model's `latest_versions`.
 */
export class SqlModelRegistryStore implements ModelRegistryStore {
  readonly #driver: SqlDriver;
  readonly #dialect: SqlDialect;
  readonly #now: () => number;
  readonly #loggedModels: LoggedModelLocator | undefined;
  readonly #driverSql: (text: string) => string;

  constructor(driver: SqlDriver, dialect: SqlDialect, options: SqlRegistryStoreOptions = {}) {
    this.#driver = withDatabaseErrors(driver);
    this.#driverSql = driverSql(driver.dialect);
    this.#dialect = dialect;
    this.#now = options.now ?? Date.now;
    this.#loggedModels = options.loggedModels;
  }

  /** SQL written with `?` placeholders, in the driver's own placeholder syntax. */
  #sql(text: string): string {
    return this.#driverSql(text);
  }

  // ---------------------------------------------------------------- registered models

  async createRegisteredModel(input: CreateRegisteredModelInput): Promise<RegisteredModel> {
    const name = validateRegisteredModelName(input.name);
    const tags = lastValuePerKey((input.tags ?? []).map((t) => validateRegisteredModelTag(t)));
    const description = validateOptionalText(input.description, 'description');
    const created = this.#driver.transaction(async (tx) => {
      if (await this.#findModel(tx, name)) throw registeredModelExists(name);
      const now = this.#now();
      const row = await tx.get<RegisteredModelRow>(
        this.#sql(
          `INSERT INTO registered_models (name, creation_timestamp, last_updated_timestamp, description, last_version)
           VALUES (?, ?, ?, ?, 0)
           RETURNING model_seq, name, creation_timestamp, last_updated_timestamp, description, user_id, last_version`,
        ),
        [name, now, now, description ?? null],
      );
      if (!row) throw new AgentrackError('INTERNAL_ERROR', 'Creating the registered model returned no row.');
      await this.#upsertModelTags(tx, row.model_seq, tags);
      return toRegisteredModel(row, { tags: sortByKey(tags) });
    });
    return orTaken(created, () => registeredModelExists(name));
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const checked = validateRegisteredModelName(name);
    return this.#driver.read(async (tx) => {
      const row = await this.#modelRow(tx, checked);
      return (await this.#modelsWithData(tx, [row]))[0] as RegisteredModel;
    });
  }

  async renameRegisteredModel(name: string, newName: string): Promise<RegisteredModel> {
    const to = validateRegisteredModelName(newName, 'new_name');
    const from = validateRegisteredModelName(name);
    const renamed = this.#driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, from);
      if (to !== from && (await this.#findModel(tx, to))) throw registeredModelExists(to);
      const now = this.#now();
      await tx.run(
        this.#sql(`UPDATE registered_models SET name = ?, last_updated_timestamp = ? WHERE model_seq = ?`),
        [to, now, row.model_seq],
      );
      await tx.run(this.#sql(`UPDATE model_versions SET last_updated_timestamp = ? WHERE model_seq = ?`), [
        now,
        row.model_seq,
      ]);
      const model = { ...row, name: to, last_updated_timestamp: now };
      return (await this.#modelsWithData(tx, [model]))[0] as RegisteredModel;
    });
    return orTaken(renamed, () => registeredModelExists(to));
  }

  async updateRegisteredModel(name: string, description: string): Promise<RegisteredModel> {
    const checked = validateRegisteredModelName(name);
    const text = validateOptionalText(description, 'description');
    return this.#driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, checked);
      const now = this.#now();
      await tx.run(
        this.#sql(
          `UPDATE registered_models SET description = ?, last_updated_timestamp = ? WHERE model_seq = ?`,
        ),
        [text ?? null, now, row.model_seq],
      );
      const updated = { ...row, description: text ?? null, last_updated_timestamp: now };
      return (await this.#modelsWithData(tx, [updated]))[0] as RegisteredModel;
    });
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    const checked = validateRegisteredModelName(name);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, checked);
      await tx.run(
        this.#sql(
          `DELETE FROM model_version_tags WHERE version_seq IN (SELECT version_seq FROM model_versions WHERE model_seq = ?)`,
        ),
        [row.model_seq],
      );
      for (const table of [
        'registered_model_aliases',
        'model_versions',
        'registered_model_tags',
        'registered_models',
      ]) {
        await tx.run(this.#sql(`DELETE FROM ${table} WHERE model_seq = ?`), [row.model_seq]);
      }
    });
  }

  /**
   * Registered models matching MLflow's filter, by name unless `orderBy` says otherwise, at
   * most 100 a page by default (1000 at most), with keyset page tokens.
   */
  async searchRegisteredModels(input: SearchRegistryInput = {}): Promise<Page<RegisteredModel>> {
    const maxResults = validateSearchRegisteredModelsMaxResults(input.maxResults);
    const filter = parseRegisteredModelFilter(input.filter);
    const orderBy = parseRegisteredModelOrderBy(input.orderBy);
    const fingerprint = queryFingerprint(['registered-models', input.filter ?? '', input.orderBy ?? []]);
    const after = decodePageToken(input.pageToken, fingerprint);
    const compiled = compileRegisteredModelSearch(this.#dialect, {
      filter,
      orderBy,
      ...(after ? { after } : {}),
      limit: maxResults + 1,
    });
    return this.#page(compiled, maxResults, fingerprint, (tx, rows: RegisteredModelRow[]) =>
      this.#modelsWithData(tx, rows),
    );
  }

  async setRegisteredModelTag(name: string, tag: RegisteredModelTag): Promise<void> {
    const checked = validateRegisteredModelName(name);
    const valid = validateRegisteredModelTag(tag);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, checked);
      await this.#upsertModelTags(tx, row.model_seq, [valid]);
    });
  }

  async deleteRegisteredModelTag(name: string, key: string): Promise<void> {
    const checked = validateRegisteredModelName(name);
    const tagKey = validateRegistryTagKey(key);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, checked);
      // As MLflow: deleting a tag the model does not have changes nothing.
      await tx.run(this.#sql(`DELETE FROM registered_model_tags WHERE model_seq = ? AND key = ?`), [
        row.model_seq,
        tagKey,
      ]);
    });
  }

  async getLatestVersions(name: string, stages?: readonly string[]): Promise<ModelVersion[]> {
    const checked = validateRegisteredModelName(name);
    return this.#driver.read(async (tx) => {
      const row = await this.#modelRow(tx, checked);
      // As MLflow: the model is looked up before the stages are read.
      const wanted =
        stages === undefined || stages.length === 0
          ? undefined
          : new Set<ModelVersionStage>(stages.map((s) => validateModelVersionStage(s)));
      const latest = (await this.#latestVersionRows(tx, [row.model_seq])).filter(
        (v) => wanted === undefined || wanted.has(v.current_stage),
      );
      return this.#versionsWithData(tx, latest, { aliases: true });
    });
  }

  // ---------------------------------------------------------------- model versions

  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const name = validateRegisteredModelName(input.name);
    const tags = lastValuePerKey((input.tags ?? []).map((t) => validateModelVersionTag(t)));
    const runId = validateOptionalText(input.runId, 'run_id') || undefined;
    const runLink = validateOptionalText(input.runLink, 'run_link');
    const description = validateOptionalText(input.description, 'description');
    const givenModelId = validateOptionalText(input.modelId, 'model_id') || undefined;
    const source = input.source;
    const parsed = validateModelVersionSource(source, {
      checkPaths: !tags.some((t) => t.key === PROMPT_TAG),
    });
    // Logged models are looked up before the transaction: their store may share this driver.
    let loggedModel: LoggedModelLocation | undefined;
    if (parsed.kind === 'logged-model') {
      loggedModel = await this.#loggedModel(parsed.modelId, (detail) =>
        notFound(
          `Unable to fetch model from model URI source artifact location '${source}'. Error: ${detail}`,
        ),
      );
    } else if (parsed.kind === 'local' && givenModelId) {
      loggedModel = await this.#loggedModel(givenModelId, notFound);
    }
    const modelId = givenModelId ?? (parsed.kind === 'logged-model' ? parsed.modelId : undefined);
    const versionRunId = runId ?? (parsed.kind === 'logged-model' ? loggedModel?.sourceRunId : undefined);
    return this.#driver.transaction(async (tx) => {
      const model = await this.#modelRow(tx, name);
      const storageLocation = await this.#storageLocation(tx, source, parsed, runId, loggedModel);
      const now = this.#now();
      const bumped = await tx.get<{ last_version: number | string }>(
        this.#sql(
          `UPDATE registered_models SET last_version = last_version + 1, last_updated_timestamp = ?
           WHERE model_seq = ? RETURNING last_version`,
        ),
        [now, model.model_seq],
      );
      if (!bumped) throw new AgentrackError('INTERNAL_ERROR', 'Numbering the model version returned no row.');
      const row: ModelVersionRow = {
        version_seq: 0,
        model_seq: model.model_seq,
        name,
        version: Number(bumped.last_version),
        creation_timestamp: now,
        last_updated_timestamp: now,
        description: description ?? null,
        user_id: null,
        current_stage: 'None',
        source,
        storage_location: storageLocation,
        run_id: versionRunId ?? null,
        run_link: runLink ?? null,
        status: 'READY',
        status_message: null,
        model_id: modelId ?? null,
      };
      const inserted = await tx.get<{ version_seq: number | string }>(
        this.#sql(
          `INSERT INTO model_versions (model_seq, version, creation_timestamp, last_updated_timestamp, description,
             current_stage, source, storage_location, run_id, run_link, status, model_id)
           VALUES (?, ?, ?, ?, ?, 'None', ?, ?, ?, ?, 'READY', ?) RETURNING version_seq`,
        ),
        [
          row.model_seq,
          row.version,
          now,
          now,
          row.description,
          source,
          storageLocation,
          row.run_id,
          row.run_link,
          row.model_id,
        ],
      );
      if (!inserted)
        throw new AgentrackError('INTERNAL_ERROR', 'Creating the model version returned no row.');
      await this.#upsertVersionTags(tx, inserted.version_seq, tags);
      if (modelId !== undefined && !tags.some((t) => t.key === PROMPT_TAG)) {
        await this.#loggedModels?.recordModelVersion?.(tx, modelId, name, Number(row.version));
      }
      // A new number was never used, so no alias points at it yet.
      return toModelVersion({ ...row, version_seq: inserted.version_seq }, { tags: sortByKey(tags) });
    });
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const [checked, number] = [validateRegisteredModelName(name), validateModelVersion(version)];
    return this.#driver.read(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      return (await this.#versionsWithData(tx, [row], { aliases: true }))[0] as ModelVersion;
    });
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<ModelVersion> {
    const [checked, number] = [validateRegisteredModelName(name), validateModelVersion(version)];
    const text = validateOptionalText(description, 'description');
    return this.#driver.transaction(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      const now = this.#now();
      await tx.run(
        this.#sql(
          `UPDATE model_versions SET description = ?, last_updated_timestamp = ? WHERE version_seq = ?`,
        ),
        [text ?? null, now, row.version_seq],
      );
      const updated = { ...row, description: text ?? null, last_updated_timestamp: now };
      return (await this.#versionsWithData(tx, [updated], { aliases: true }))[0] as ModelVersion;
    });
  }

  async deleteModelVersion(name: string, version: string): Promise<void> {
    const [checked, number] = [validateRegisteredModelName(name), validateModelVersion(version)];
    await this.#driver.transaction(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      await tx.run(this.#sql(`DELETE FROM registered_model_aliases WHERE model_seq = ? AND version = ?`), [
        row.model_seq,
        Number(row.version),
      ]);
      await tx.run(this.#sql(`DELETE FROM model_version_tags WHERE version_seq = ?`), [row.version_seq]);
      await tx.run(this.#sql(`DELETE FROM model_versions WHERE version_seq = ?`), [row.version_seq]);
      await tx.run(this.#sql(`UPDATE registered_models SET last_updated_timestamp = ? WHERE model_seq = ?`), [
        this.#now(),
        row.model_seq,
      ]);
    });
  }

  /**
   * Model versions matching MLflow's filter, newest change first unless `orderBy` says
   * otherwise, at most 1000 a page by default (200,000 at most), with keyset page tokens.
   * As MLflow answers searches, versions carry their tags but not their aliases.
   */
  async searchModelVersions(input: SearchRegistryInput = {}): Promise<Page<ModelVersion>> {
    const maxResults = validateSearchModelVersionsMaxResults(input.maxResults);
    const filter = parseModelVersionFilter(input.filter);
    const orderBy = parseModelVersionOrderBy(input.orderBy);
    const fingerprint = queryFingerprint(['model-versions', input.filter ?? '', input.orderBy ?? []]);
    const after = decodePageToken(input.pageToken, fingerprint);
    const compiled = compileModelVersionSearch(this.#dialect, {
      filter,
      orderBy,
      ...(after ? { after } : {}),
      limit: maxResults + 1,
    });
    return this.#page(compiled, maxResults, fingerprint, (tx, rows: ModelVersionRow[]) =>
      this.#versionsWithData(tx, rows, { aliases: false }),
    );
  }

  async setModelVersionTag(name: string, version: string, tag: ModelVersionTag): Promise<void> {
    const [checked, number] = [validateRegisteredModelName(name), validateModelVersion(version)];
    const valid = validateModelVersionTag(tag);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      await this.#upsertVersionTags(tx, row.version_seq, [valid]);
    });
  }

  async deleteModelVersionTag(name: string, version: string, key: string): Promise<void> {
    const [checked, number] = [validateRegisteredModelName(name), validateModelVersion(version)];
    const tagKey = validateRegistryTagKey(key);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      await tx.run(this.#sql(`DELETE FROM model_version_tags WHERE version_seq = ? AND key = ?`), [
        row.version_seq,
        tagKey,
      ]);
    });
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelVersionStage | string,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    const canonical = validateStageTransition(stage, archiveExistingVersions);
    const [checked, number] = [validateRegisteredModelName(name), validateModelVersion(version)];
    return this.#driver.transaction(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      const now = this.#now();
      if (archiveExistingVersions) {
        await tx.run(
          this.#sql(
            `UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ?
             WHERE model_seq = ? AND version <> ? AND current_stage = ?`,
          ),
          [now, row.model_seq, Number(row.version), canonical],
        );
      }
      await tx.run(
        this.#sql(
          `UPDATE model_versions SET current_stage = ?, last_updated_timestamp = ? WHERE version_seq = ?`,
        ),
        [canonical, now, row.version_seq],
      );
      await tx.run(this.#sql(`UPDATE registered_models SET last_updated_timestamp = ? WHERE model_seq = ?`), [
        now,
        row.model_seq,
      ]);
      const moved = { ...row, current_stage: canonical, last_updated_timestamp: now };
      return (await this.#versionsWithData(tx, [moved], { aliases: true }))[0] as ModelVersion;
    });
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const [checked, number] = [validateRegisteredModelName(name), validateModelVersion(version)];
    return this.#driver.read(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      return row.storage_location || row.source;
    });
  }

  // ---------------------------------------------------------------- aliases

  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    const checked = validateRegisteredModelName(name);
    const aliasName = validateModelAliasName(alias);
    const number = validateModelVersion(version);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#versionRow(tx, checked, number, version);
      await tx.run(
        this.#sql(
          `INSERT INTO registered_model_aliases (model_seq, alias, version) VALUES (?, ?, ?)
           ON CONFLICT (model_seq, alias) DO UPDATE SET version = excluded.version`,
        ),
        [row.model_seq, aliasName, Number(row.version)],
      );
    });
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    const checked = validateRegisteredModelName(name);
    const aliasName = validateModelAliasName(alias);
    await this.#driver.transaction(async (tx) => {
      const row = await this.#modelRow(tx, checked);
      // As MLflow: deleting an alias the model does not have changes nothing.
      await tx.run(this.#sql(`DELETE FROM registered_model_aliases WHERE model_seq = ? AND alias = ?`), [
        row.model_seq,
        aliasName,
      ]);
    });
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const checked = validateRegisteredModelName(name);
    const aliasName = validateModelAliasName(alias);
    return this.#driver.read(async (tx) => {
      const target = await tx.get<{ version: number | string }>(
        this.#sql(
          `SELECT a.version FROM registered_model_aliases AS a JOIN registered_models AS m ON m.model_seq = a.model_seq
           WHERE m.name = ? AND a.alias = ?`,
        ),
        [checked, aliasName],
      );
      if (!target) throw invalidParameter(`Registered model alias ${aliasName} not found.`);
      const row = await this.#versionRow(tx, checked, Number(target.version), String(target.version));
      return (await this.#versionsWithData(tx, [row], { aliases: true }))[0] as ModelVersion;
    });
  }

  /** Releases nothing: the driver belongs to the tracking store that opened it. */
  async close(): Promise<void> {}

  // ---------------------------------------------------------------- helpers

  /**
   * Runs a compiled search that asks for one row more than a page: the extra row only says
   * whether a next page exists, so a token is never handed out for an empty page.
   */
  #page<R extends SqlRow, T>(
    compiled: CompiledSearch,
    maxResults: number,
    fingerprint: string,
    load: (tx: SqlExecutor, rows: R[]) => Promise<T[]>,
  ): Promise<Page<T>> {
    return this.#driver.read(async (tx) => {
      const rows = await tx.all<R>(compiled.sql, compiled.params);
      const pageRows = rows.slice(0, maxResults);
      const items = await load(tx, pageRows);
      const last = pageRows.at(-1);
      return rows.length > maxResults && last
        ? { items, nextPageToken: encodePageToken(fingerprint, compiled.sortKeyOf(last)) }
        : { items };
    });
  }

  async #findModel(tx: SqlExecutor, name: string): Promise<RegisteredModelRow | undefined> {
    return tx.get<RegisteredModelRow>(
      this.#sql(`SELECT ${MODEL_COLUMNS} FROM registered_models AS m WHERE m.name = ?`),
      [name],
    );
  }

  async #modelRow(tx: SqlExecutor, name: string): Promise<RegisteredModelRow> {
    const row = await this.#findModel(tx, name);
    if (!row) throw registeredModelNotFound(name);
    return row;
  }

  /** The version `number` of the model `name`; `given` is the version as the caller wrote it, for messages. */
  async #versionRow(tx: SqlExecutor, name: string, number: number, given: string): Promise<ModelVersionRow> {
    const row = await tx.get<ModelVersionRow>(
      this.#sql(
        `SELECT ${VERSION_COLUMNS} FROM model_versions AS v JOIN registered_models AS m ON m.model_seq = v.model_seq
         WHERE m.name = ? AND v.version = ?`,
      ),
      [name, number],
    );
    if (!row) throw modelVersionNotFound(name, String(given));
    return row;
  }

  /** The logged model `modelId`; `missing` makes the error for one that does not exist. */
  async #loggedModel(
    modelId: string,
    missing: (detail: string) => AgentrackError,
  ): Promise<LoggedModelLocation> {
    const found = await this.#loggedModels?.artifactLocation(modelId);
    if (!found) throw missing(`Logged model with ID '${modelId}' not found.`);
    return found;
  }

  async #runArtifactUri(tx: SqlExecutor, runId: string): Promise<string> {
    const run = await tx.get<{ artifact_uri: string }>(
      this.#sql(`SELECT artifact_uri FROM runs WHERE run_uuid = ?`),
      [runId],
    );
    if (!run) throw notFound(`Run with id=${runId} not found`);
    return run.artifact_uri;
  }

  /**
   * Where the files of a new version from `source` are (its `storage_location`). A local
   * source must lie in the artifact folder of the logged model (when one is given) or else
   * of the run given with it, as MLflow's server requires.
   */
  async #storageLocation(
    tx: SqlExecutor,
    source: string,
    parsed: ModelVersionSource,
    runId: string | undefined,
    loggedModel: LoggedModelLocation | undefined,
  ): Promise<string> {
    switch (parsed.kind) {
      case 'logged-model':
        return (loggedModel as LoggedModelLocation).artifactUri;
      case 'run': {
        const root = await this.#runArtifactUri(tx, parsed.runId);
        return parsed.artifactPath === '' ? root : appendToArtifactUri(root, parsed.artifactPath);
      }
      case 'model-version': {
        const row = await this.#versionRow(tx, parsed.name, parsed.version, String(parsed.version));
        return row.storage_location || row.source;
      }
      case 'local': {
        const by = loggedModel ? 'model_id' : 'run_id';
        const folder = loggedModel
          ? loggedModel.artifactUri
          : runId
            ? await this.#runArtifactUri(tx, runId)
            : undefined;
        const local = folder === undefined ? undefined : localArtifactPath(folder);
        if (local === undefined || !isInsideFolder(parsed.path, local)) refuseLocalSource(parsed.path, by);
        return source;
      }
      case 'uri':
        return source;
    }
  }

  async #upsertModelTags(
    tx: SqlExecutor,
    modelSeq: number | string,
    tags: readonly RegisteredModelTag[],
  ): Promise<void> {
    if (tags.length === 0) return;
    await tx.runMany(
      this.#sql(
        `INSERT INTO registered_model_tags (model_seq, key, value) VALUES (?, ?, ?)
         ON CONFLICT (model_seq, key) DO UPDATE SET value = excluded.value`,
      ),
      tags.map((t) => [modelSeq, t.key, t.value]),
    );
  }

  async #upsertVersionTags(
    tx: SqlExecutor,
    versionSeq: number | string,
    tags: readonly ModelVersionTag[],
  ): Promise<void> {
    if (tags.length === 0) return;
    await tx.runMany(
      this.#sql(
        `INSERT INTO model_version_tags (version_seq, key, value) VALUES (?, ?, ?)
         ON CONFLICT (version_seq, key) DO UPDATE SET value = excluded.value`,
      ),
      tags.map((t) => [versionSeq, t.key, t.value]),
    );
  }

  /**
   * The newest version in each stage of each model, ordered by model, then by stage in the
   * order MLflow lists them: a stage comes where its oldest version stands among the model's.
   */
  async #latestVersionRows(
    tx: SqlExecutor,
    modelSeqs: readonly (number | string)[],
  ): Promise<ModelVersionRow[]> {
    const out: ModelVersionRow[] = [];
    for (const seqs of chunks(modelSeqs)) {
      const list = seqs.map(() => '?').join(', ');
      out.push(
        ...(await tx.all<ModelVersionRow>(
          // The models' list twice: PostgreSQL's planner does not carry an IN list across a
          // join, and without it reads every registered model to join a page of them.
          this.#sql(
            `SELECT ${VERSION_COLUMNS}
             FROM (SELECT model_seq, current_stage, MAX(version) AS newest, MIN(version) AS oldest
                   FROM model_versions WHERE model_seq IN (${list})
                   GROUP BY model_seq, current_stage) AS s
             JOIN model_versions AS v ON v.model_seq = s.model_seq AND v.version = s.newest
             JOIN registered_models AS m ON m.model_seq = v.model_seq
             WHERE m.model_seq IN (${list})
             ORDER BY v.model_seq, s.oldest`,
          ),
          [...seqs, ...seqs],
        )),
      );
    }
    return out;
  }

  /** Versions with their tags and, where `aliases` is set, the aliases pointing at them. */
  async #versionsWithData(
    tx: SqlExecutor,
    rows: readonly ModelVersionRow[],
    options: { aliases: boolean },
  ): Promise<ModelVersion[]> {
    const tags = new Map<string, ModelVersionTag[]>();
    const aliases = new Map<string, string[]>();
    for (const seqs of chunks(rows.map((r) => r.version_seq))) {
      for (const t of await tx.all<{ version_seq: number | string; key: string; value: string }>(
        this.#sql(
          `SELECT version_seq, key, value FROM model_version_tags
           WHERE version_seq IN (${seqs.map(() => '?').join(', ')}) ORDER BY version_seq, key`,
        ),
        seqs,
      )) {
        push(tags, String(t.version_seq), { key: t.key, value: t.value });
      }
    }
    if (options.aliases) {
      for (const seqs of chunks([...new Set(rows.map((r) => String(r.model_seq)))])) {
        for (const a of await tx.all<{ model_seq: number | string; alias: string; version: number | string }>(
          this.#sql(
            `SELECT model_seq, alias, version FROM registered_model_aliases
             WHERE model_seq IN (${seqs.map(() => '?').join(', ')}) ORDER BY model_seq, alias`,
          ),
          seqs.map(Number),
        )) {
          push(aliases, `${a.model_seq}:${a.version}`, a.alias);
        }
      }
    }
    return rows.map((row) =>
      toModelVersion(row, {
        tags: tags.get(String(row.version_seq)) ?? [],
        aliases: options.aliases ? (aliases.get(`${row.model_seq}:${row.version}`) ?? []) : [],
      }),
    );
  }

  /** Registered models with their newest version per stage, tags and aliases. */
  async #modelsWithData(tx: SqlExecutor, rows: readonly RegisteredModelRow[]): Promise<RegisteredModel[]> {
    const seqs = rows.map((r) => r.model_seq);
    const latest = new Map<string, ModelVersion[]>();
    const latestRows = await this.#latestVersionRows(tx, seqs);
    const versions = await this.#versionsWithData(tx, latestRows, { aliases: false });
    latestRows.forEach((row, i) => push(latest, String(row.model_seq), versions[i] as ModelVersion));
    const tags = new Map<string, RegisteredModelTag[]>();
    const aliases = new Map<string, RegisteredModelAlias[]>();
    for (const part of chunks(seqs)) {
      const list = part.map(() => '?').join(', ');
      for (const t of await tx.all<{ model_seq: number | string; key: string; value: string }>(
        this.#sql(
          `SELECT model_seq, key, value FROM registered_model_tags WHERE model_seq IN (${list}) ORDER BY model_seq, key`,
        ),
        part,
      )) {
        push(tags, String(t.model_seq), { key: t.key, value: t.value });
      }
      for (const a of await tx.all<{ model_seq: number | string; alias: string; version: number | string }>(
        this.#sql(
          `SELECT model_seq, alias, version FROM registered_model_aliases WHERE model_seq IN (${list}) ORDER BY model_seq, alias`,
        ),
        part,
      )) {
        push(aliases, String(a.model_seq), { alias: a.alias, version: String(a.version) });
      }
    }
    return rows.map((row) => {
      const seq = String(row.model_seq);
      return toRegisteredModel(row, {
        latestVersions: latest.get(seq) ?? [],
        tags: tags.get(seq) ?? [],
        aliases: aliases.get(seq) ?? [],
      });
    });
  }
}

function sortByKey<T extends { key: string }>(tags: readonly T[]): T[] {
  return [...tags].sort((a, b) => compareText(a.key, b.key));
}

import type { RegistryClient } from '../client/registry-client.js';
import type { ModelVersion, Run } from '../entities/index.js';
import { AgentrackError, invalidParameter, isAgentrackError, type ErrorCode } from '../errors.js';
import { MAX_REGISTRY_TAG_VALUE_LENGTH } from '../validation/index.js';
import { validateModelVersionSource } from '../validation/model-version-source.js';
import type { AgentConfig } from './agent-config.js';
import { REGISTRY_TAGS, type DeploymentStatus } from './conventions.js';
import {
  deploymentHistory,
  deploymentRecord,
  inProduction,
  type DeploymentRecord,
  type LifecycleContext,
  type StatusChange,
} from './queries.js';

/** What moved the production alias, as recorded in its history. */
export type ProductionEvent = 'deployed' | 'rolled_back' | 'failed';

/**
 * One move of the production alias, as kept (oldest first) in the registered model's
 * `agentrack.production_history` tag.
 */
export interface ProductionChange {
  /** The version the alias points at after the move; `null` when the alias was removed. */
  version: string | null;
  /** The version it pointed at before; `null` when there was no alias. */
  previous_version: string | null;
  /** Epoch milliseconds. */
  at: number;
  /** The deployment run whose status moved the alias. */
  deployment_run_id: string;
  /**
   * `deployed` when a deployment succeeded, `rolled_back` / `failed` when the deployment in
   * production was rolled back or found failed and the alias went back.
   */
  event: ProductionEvent;
}

/** What a status change did to the production alias. */
export interface AliasOutcome {
  alias: string;
  /** The version the alias pointed at before; `null` when there was no alias. */
  from: string | null;
  /** The version it points at now; `null` when there is no alias. */
  to: string | null;
  /** False when the change left the alias alone (not the deployment in production, or already there). */
  moved: boolean;
}

/** What an evaluation with `register` did: the version it registered, or why it registered nothing. */
export interface RegistrationOutcome {
  registeredModel: string;
  modelUri: string;
  /** The new version, when the gate passed. */
  version?: ModelVersion;
  /** Why nothing was registered, when nothing was. */
  skipped?: string;
}

/** The registry, the registered model and its production alias, when deployments are bound to one. */
interface Binding {
  registry: RegistryClient;
  name: string;
  alias: string;
}

function bindingOf(ctx: LifecycleContext): Binding | undefined {
  const name = ctx.config.registeredModel;
  if (name === undefined) return undefined;
  return { registry: ctx.client.registry, name, alias: ctx.config.productionAlias };
}

function refusal(code: ErrorCode, reason: string): AgentrackError {
  return new AgentrackError(code, `Refusing to deploy: ${reason}.`);
}

/**
 * The registered version a deployment of `modelVersion` deploys, checked before anything is
 * written: the registered model and the version must exist and the version be READY, else a
 * refusal saying which. `undefined` when no registered model is configured (nothing checked).
 */
export async function deployableVersion(
  ctx: LifecycleContext,
  modelVersion: string,
): Promise<ModelVersion | undefined> {
  const binding = bindingOf(ctx);
  if (binding === undefined) return undefined;
  const { registry, name } = binding;
  let version: ModelVersion;
  try {
    version = await registry.getModelVersion(name, modelVersion);
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) {
      throw refusal(
        'INVALID_PARAMETER_VALUE',
        `'${modelVersion}' is not a version number of the registered model '${name}' (${error.message})`,
      );
    }
    if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
    throw await missingVersion(registry, name, modelVersion);
  }
  if (version.status !== 'READY') {
    const why = version.status_message ? `: ${version.status_message}` : '';
    throw refusal(
      'INVALID_STATE',
      `version ${version.version} of the registered model '${name}' is ${version.status}${why}, not READY`,
    );
  }
  return version;
}

/** Whether the model or only the version is missing, with the newest version as a hint. */
async function missingVersion(
  registry: RegistryClient,
  name: string,
  modelVersion: string,
): Promise<AgentrackError> {
  try {
    const model = await registry.getRegisteredModel(name);
    const newest = Math.max(0, ...(model.latest_versions ?? []).map((v) => Number(v.version)));
    const hint = newest > 0 ? ` (its newest version is ${newest})` : ' (it has no versions)';
    return refusal(
      'RESOURCE_DOES_NOT_EXIST',
      `the registered model '${name}' has no version ${modelVersion}${hint}`,
    );
  } catch (error) {
    if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
    return refusal(
      'RESOURCE_DOES_NOT_EXIST',
      `the registered model '${name}' (registeredModel in the configuration) does not exist in the model registry`,
    );
  }
}

/**
 * Checks, before an evaluation run starts, that it can register `modelUri` when its gate
 * passes: a registered model must be configured and the URI be a source MLflow's registry
 * takes (`runs:/<run_id>/<path>`, `models:/<model_id>`, `models:/<name>/<version>` or an
 * artifact URI such as `s3://...` or `mlflow-artifacts:/...`).
 */
export function checkRegistration(config: AgentConfig, modelUri: unknown): string {
  if (config.registeredModel === undefined) {
    throw invalidParameter(
      'Registering a model from an evaluation needs a registered model: set registeredModel in the configuration (agentrack.config.json).',
    );
  }
  if (typeof modelUri !== 'string' || modelUri.trim() === '') {
    throw invalidParameter('register.modelUri must be the URI of the model the evaluation evaluates.');
  }
  const source = validateModelVersionSource(modelUri);
  if (source.kind === 'local') {
    throw invalidParameter(
      `Cannot register the local path '${modelUri}' from an evaluation: give runs:/<run_id>/<path>, models:/<model_id> or an artifact URI.`,
    );
  }
  return modelUri;
}

/**
 * Checks that the configured registered model can be read (it may not exist yet): the error of
 * a registry that cannot be reached or is not supported, before anything is written.
 */
export async function readableRegistry(ctx: LifecycleContext): Promise<void> {
  const binding = bindingOf(ctx);
  if (binding === undefined) return;
  await binding.registry.getRegisteredModel(binding.name).catch((error: unknown) => {
    if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
  });
}

/**
 * Registers `modelUri` as a new version of the configured registered model (created when
 * missing), tagged with the evaluation run that passed its gate.
 */
export async function registerEvaluatedModel(
  ctx: LifecycleContext,
  evaluationRunId: string,
  modelUri: string,
): Promise<ModelVersion> {
  const binding = bindingOf(ctx);
  if (binding === undefined) throw new AgentrackError('INTERNAL_ERROR', 'No registered model is configured.');
  const { registry, name } = binding;
  try {
    await registry.getRegisteredModel(name);
  } catch (error) {
    if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
    // Another process may create it at the same moment: that one is as good.
    await registry.createRegisteredModel(name).catch((failure: unknown) => {
      if (!isAgentrackError(failure, 'RESOURCE_ALREADY_EXISTS')) throw failure;
    });
  }
  const source = validateModelVersionSource(modelUri);
  return registry.createModelVersion(name, modelUri, {
    ...(source.kind === 'run' ? { runId: source.runId } : {}),
    tags: { [REGISTRY_TAGS.evaluationRunId]: evaluationRunId },
  });
}

/**
 * Tags the version of a successful deployment with the deployment run and the evaluation run
 * it was promoted from (when there is one). Nothing when no registered model is configured.
 */
export async function tagDeployedVersion(ctx: LifecycleContext, record: DeploymentRecord): Promise<void> {
  const binding = bindingOf(ctx);
  if (binding === undefined || record.modelVersion === undefined) return;
  const { registry, name } = binding;
  await registry.setModelVersionTag(name, record.modelVersion, REGISTRY_TAGS.deploymentRunId, record.runId);
  if (record.sourceRunId !== undefined) {
    await registry.setModelVersionTag(
      name,
      record.modelVersion,
      REGISTRY_TAGS.evaluationRunId,
      record.sourceRunId,
    );
  }
}

async function aliasTarget({ registry, name, alias }: Binding): Promise<string | null> {
  const model = await registry.getRegisteredModel(name);
  return model.aliases?.find((a) => a.alias === alias)?.version ?? null;
}

/** Options of {@link followProduction}. */
export interface FollowProductionOptions {
  /** The deployment whose status changes. */
  runId: string;
  event: ProductionEvent;
  /** Whether that deployment was the one in production before the change. */
  wasInProduction: boolean;
  /** The deployment in production after the change, or `null`. */
  after: DeploymentRecord | null;
}

/**
 * Makes the production alias follow the deployment in production after a deployment's status
 * changed: only when that deployment was in production before or is after (so changing any
 * other deployment leaves the alias alone), the alias moves to the version of the deployment
 * in production after, or is removed when none is. Every move is appended to the registered
 * model's `agentrack.production_history`. `undefined` when no registered model is configured.
 */
export async function followProduction(
  ctx: LifecycleContext,
  options: FollowProductionOptions,
): Promise<AliasOutcome | undefined> {
  const binding = bindingOf(ctx);
  if (binding === undefined) return undefined;
  const { registry, name, alias } = binding;
  const from = await aliasTarget(binding);
  const concerned = options.wasInProduction || options.after?.runId === options.runId;
  const to = concerned ? (options.after?.modelVersion ?? null) : from;
  if (to === from) return { alias, from, to, moved: false };
  try {
    if (to === null) await registry.deleteRegisteredModelAlias(name, alias);
    else await registry.setRegisteredModelAlias(name, alias, to);
  } catch (error) {
    if (!isAgentrackError(error)) throw error;
    const target = to === null ? 'remove it' : `move it to version ${to}`;
    throw new AgentrackError(
      error.code,
      `Cannot ${target} (alias '${alias}' of the registered model '${name}'): ${error.message}`,
      { cause: error },
    );
  }
  await appendProductionHistory(binding, {
    version: to,
    previous_version: from,
    at: ctx.now(),
    deployment_run_id: options.runId,
    event: options.event,
  });
  return { alias, from, to, moved: true };
}

/**
 * The registry's side of a deployment's status change, done before the change is written so
 * that repeating a change that failed half-way completes it: a change to `success` needs the
 * version to exist and be READY and tags it with the deployment; then the production alias
 * follows the deployment in production after the change ({@link followProduction}). Resolves
 * to the note for the status history; `undefined` when no registered model is configured.
 */
export async function bindStatusChange(
  ctx: LifecycleContext,
  run: Run,
  change: StatusChange,
): Promise<string | undefined> {
  if (bindingOf(ctx) === undefined) return undefined;
  const record = deploymentRecord(run);
  if (change.status === 'success') {
    await deployableVersion(ctx, record.modelVersion ?? '');
    await tagDeployedVersion(ctx, record);
  }
  const records = await deploymentHistory(ctx);
  const time = Math.max(ctx.now(), change.at);
  const before = inProduction(records, time);
  const after = inProduction(
    records.map((r) =>
      r.runId === record.runId ? { ...r, status: change.status, history: [...r.history, change] } : r,
    ),
    time,
  );
  const standing: ProductionStanding = {
    status: change.status,
    wasInProduction: before?.runId === record.runId,
    isInProduction: after?.runId === record.runId,
  };
  const outcome = await followProduction(ctx, {
    runId: record.runId,
    event: productionEvent(change.status),
    wasInProduction: standing.wasInProduction,
    after,
  });
  return outcome === undefined ? undefined : aliasNote(outcome, standing);
}

/** The production event of a deployment status change. */
export function productionEvent(status: DeploymentStatus): ProductionEvent {
  return status === 'success' ? 'deployed' : status;
}

/** The registered model's production history, oldest first; an unreadable tag reads as empty. */
export function parseProductionHistory(raw: string | undefined): ProductionChange[] {
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed)
      ? parsed.filter(
          (e): e is ProductionChange =>
            typeof e === 'object' && e !== null && typeof (e as ProductionChange).at === 'number',
        )
      : [];
  } catch {
    return [];
  }
}

/**
 * Appends a move to the history tag. A registered model's tag holds at most 5000 characters,
 * so the oldest moves give way; the deployment runs' status histories keep every change.
 */
async function appendProductionHistory({ registry, name }: Binding, change: ProductionChange): Promise<void> {
  const model = await registry.getRegisteredModel(name);
  const raw = model.tags?.find((t) => t.key === REGISTRY_TAGS.productionHistory)?.value;
  const history = [...parseProductionHistory(raw), change];
  let text = JSON.stringify(history);
  while (text.length > MAX_REGISTRY_TAG_VALUE_LENGTH && history.length > 1) {
    history.shift();
    text = JSON.stringify(history);
  }
  await registry.setRegisteredModelTag(name, REGISTRY_TAGS.productionHistory, text);
}

/** Where a deployment stood before and after its status change. */
export interface ProductionStanding {
  status: DeploymentStatus;
  wasInProduction: boolean;
  isInProduction: boolean;
}

/**
 * The note a status change leaves in the deployment's status history about the alias: where
 * it went, or why it stayed.
 */
export function aliasNote(outcome: AliasOutcome, standing: ProductionStanding): string | undefined {
  const { alias, from, to, moved } = outcome;
  if (standing.status === 'success') {
    if (!standing.isInProduction) return `a later deployment is in production: alias '${alias}' unchanged`;
    return moved ? `alias '${alias}' moved to version ${to ?? '-'}` : undefined;
  }
  if (!standing.wasInProduction) {
    const on = from === null ? 'unset' : `on version ${from}`;
    return `not the deployment in production: alias '${alias}' unchanged (${on})`;
  }
  if (to === null) return `alias '${alias}' removed: no earlier deployment is in production`;
  return moved
    ? `alias '${alias}' moved back to version ${to}`
    : `alias '${alias}' stays on version ${to}, the version of the earlier deployment now in production`;
}

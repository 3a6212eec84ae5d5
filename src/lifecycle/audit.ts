import type { TrackingClient } from '../client/tracking-client.js';
import type { Experiment, RegisteredModel, Run } from '../entities/index.js';
import { invalidParameter, isAgentrackError } from '../errors.js';
import type { AgentConfig } from './agent-config.js';
import {
  DEPLOYMENT_STATUSES,
  RUN_NAME_PREFIXES,
  RUN_TYPES,
  STANDARD_TAGS,
  TAGS,
  type RunType,
} from './conventions.js';
import { formatRunName, runNameMatches } from './naming.js';
import { deploymentRecord, statusAt, type DeploymentRecord } from './queries.js';

/** The checks of an audit, in the order they are reported. */
export const AUDIT_ITEM_IDS = [
  'experiments-exist',
  'shared-prefix',
  'run-names',
  'standard-tags',
  'distinct-run-types',
  'deployment-model-versions',
  'registry-model-versions',
  'production-alias',
] as const;
/** One of {@link AUDIT_ITEM_IDS}. */
export type AuditItemId = (typeof AUDIT_ITEM_IDS)[number];

/** What each check verifies, as shown in reports. */
export const AUDIT_ITEM_TITLES: Readonly<Record<AuditItemId, string>> = {
  'experiments-exist': 'The three experiments exist and are active',
  'shared-prefix': 'Experiment paths are under /Shared/',
  'run-names': 'Run names follow the naming convention',
  'standard-tags': 'Runs carry the standard tags',
  'distinct-run-types': "Each run's run_type matches its experiment",
  'deployment-model-versions': 'Deployment runs record model_version and deployment_status',
  'registry-model-versions': "Deployment runs' model versions exist in the model registry",
  'production-alias': 'The production alias points at the version in production',
};

/** The checks of the model registry, made only when the configuration names a registered model. */
export const REGISTRY_AUDIT_ITEM_IDS: readonly AuditItemId[] = [
  'registry-model-versions',
  'production-alias',
];

/** One violation found by an audit, and how to repair it. */
export interface AuditProblem {
  experimentId?: string;
  experimentPath?: string;
  runId?: string;
  runName?: string;
  /** The tag the problem is about, when it is about one. */
  tag?: string;
  message: string;
  /** What to do about it, e.g. `set tag run_type=evaluation`. */
  fix: string;
}

/** The result of one check. */
export interface AuditItem {
  id: AuditItemId;
  title: string;
  status: 'pass' | 'fail';
  /** What was checked: the configured experiments, the runs the check applies to, or the registered model. */
  unit: 'experiments' | 'runs' | 'registered models';
  /** How many experiments or runs were checked (exact). */
  checked: number;
  /** How many of them have no problem (exact). */
  passed: number;
  /** How many of them have at least one problem (exact). */
  failed: number;
  /** How many problems were found in all (exact; a run can have several). */
  problemCount: number;
  /** The first problems found, at most `maxProblemsPerItem` of them. */
  problems: AuditProblem[];
}

/** A tag `fix` added (or, in a dry run, would add) to a run. */
export interface AuditChange {
  runId: string;
  runName: string;
  experimentPath: string;
  key: string;
  value: string;
  /** False in a dry run: the change was reported, not written. */
  applied: boolean;
}

/** The outcome of {@link audit}. */
export interface AuditReport {
  /** True when every item passes. */
  ok: boolean;
  items: AuditItem[];
  changes: AuditChange[];
  /** Active runs audited, over the three experiments. */
  runsAudited: number;
  durationMs: number;
}

/** Progress of an audit, reported after each page of runs. */
export interface AuditProgress {
  experimentPath: string;
  /** Runs of this experiment audited so far. */
  runsAudited: number;
  /** Runs of all experiments audited so far. */
  totalSoFar: number;
}

/** Options of {@link audit}. */
export interface AuditOptions {
  /**
   * Adds the tags that can be inferred from the experiment a run lives in: a missing `run_type`,
   * `environment` or `agent_name`. Existing values are never overwritten.
   */
  fix?: boolean;
  /** Reports the changes `fix` would make without writing them (implies planning the fix). */
  dryRun?: boolean;
  /** Example problems kept per item; counts stay exact. Default 50. */
  maxProblemsPerItem?: number;
  onProgress?: (progress: AuditProgress) => void;
  /** The clock (epoch milliseconds) that says which deployment is in production now; default `Date.now`. */
  now?: () => number;
  /** Stops the audit before its next page of runs, rejecting with the signal's reason. */
  signal?: AbortSignal;
}

const PAGE_SIZE = 1000;
const DEFAULT_MAX_PROBLEMS = 50;

/** A problem of one run, before the run's identity is attached. */
type Finding = Pick<AuditProblem, 'tag' | 'message' | 'fix'>;

interface AuditedExperiment {
  runType: RunType;
  path: string;
  experiment?: Experiment;
}

/**
 * Checks an agent's tracking against the conventions, over any backend: the experiments, then every
 * active run of each, page by page, so memory stays bounded however many runs there are.
 *
 * @example
 * const report = await audit(client, config, { onProgress: (p) => console.error(p.totalSoFar) });
 * console.log(formatAuditReport(report, { color: process.stdout.isTTY }));
 */
export async function audit(
  client: TrackingClient,
  config: AgentConfig,
  options: AuditOptions = {},
): Promise<AuditReport> {
  const started = performance.now();
  const maxProblems = options.maxProblemsPerItem ?? DEFAULT_MAX_PROBLEMS;
  if (!Number.isInteger(maxProblems) || maxProblems < 0) {
    throw invalidParameter(`maxProblemsPerItem must be a non-negative integer, got ${String(maxProblems)}.`);
  }
  const planFix = options.fix === true || options.dryRun === true;
  const write = options.fix === true && options.dryRun !== true;
  const now = (options.now ?? Date.now)();
  const registry = config.registeredModel === undefined ? undefined : new RegistryCheck(client, config);
  const itemIds = AUDIT_ITEM_IDS.filter(
    (id) => registry !== undefined || !REGISTRY_AUDIT_ITEM_IDS.includes(id),
  );
  const tallies = new Map(itemIds.map((id) => [id, new Tally(id, maxProblems)] as const));
  const tally = (id: AuditItemId) => tallies.get(id) as Tally;
  let inProduction: DeploymentRecord | undefined;
  let deploymentPath = config.experiments.deployment;

  const experiments: AuditedExperiment[] = [];
  for (const runType of RUN_TYPES) {
    const path = config.experiments[runType];
    const found = await client.getExperimentByName(path);
    const base = { experimentPath: path, ...(found ? { experimentId: found.experiment_id } : {}) };
    if (!found) {
      tally('experiments-exist').record([
        {
          ...base,
          message: `the ${runType} experiment ${path} does not exist`,
          fix: `create experiment ${path} (Agent.ensureExperiments() creates all three)`,
        },
      ]);
    } else if (found.lifecycle_stage !== 'active') {
      tally('experiments-exist').record([
        {
          ...base,
          message: `the ${runType} experiment ${path} (id ${found.experiment_id}) is deleted`,
          fix: `restore it (with its runs): TrackingClient.restoreExperiment('${found.experiment_id}')`,
        },
      ]);
    } else {
      tally('experiments-exist').record([]);
    }
    tally('shared-prefix').record(
      path.startsWith('/Shared/')
        ? []
        : [
            {
              ...base,
              message: `the ${runType} experiment path ${path} is not under /Shared/`,
              fix: `set experiments.${runType} (or basePath) in the configuration to a path under /Shared/`,
            },
          ],
    );
    experiments.push({
      runType,
      path,
      ...(found?.lifecycle_stage === 'active' ? { experiment: found } : {}),
    });
  }

  const changes: AuditChange[] = [];
  let total = 0;
  for (const { runType, path, experiment } of experiments) {
    // A missing or deleted experiment has no active runs to audit; item 1 already reports it.
    if (!experiment) continue;
    let inExperiment = 0;
    for await (const page of client.searchRunsPages({
      experimentIds: [experiment.experiment_id],
      runViewType: 'ACTIVE_ONLY',
      maxResults: PAGE_SIZE,
    })) {
      options.signal?.throwIfAborted();
      for (const run of page.items) {
        const tags = new Map((run.data.tags ?? []).map((t) => [t.key, t.value]));
        const identity = {
          experimentId: experiment.experiment_id,
          experimentPath: path,
          runId: run.info.run_id,
          runName: run.info.run_name,
        };
        if (planFix) {
          const added = inferableTags(tags, runType, config);
          if (added.length > 0) {
            if (write) {
              await client.logBatch(run.info.run_id, { tags: added });
              for (const t of added) tags.set(t.key, t.value);
            }
            for (const t of added) {
              changes.push({
                runId: run.info.run_id,
                runName: run.info.run_name,
                experimentPath: path,
                key: t.key,
                value: t.value,
                applied: write,
              });
            }
          }
        }
        const withIdentity = (findings: Finding[]) => findings.map((f) => ({ ...identity, ...f }));
        tally('run-names').record(withIdentity(runNameFindings(run, runType, config)));
        tally('standard-tags').record(withIdentity(standardTagFindings(tags, runType, config)));
        tally('distinct-run-types').record(withIdentity(runTypeFindings(tags, runType, config)));
        if (runType === 'deployment') {
          tally('deployment-model-versions').record(withIdentity(deploymentFindings(tags)));
          const modelVersion = tags.get(TAGS.modelVersion)?.trim();
          if (registry !== undefined && modelVersion) {
            tally('registry-model-versions').record(
              withIdentity(await registry.versionFindings(modelVersion)),
            );
          }
          const record = deploymentRecord(run);
          if (
            run.info.start_time <= now &&
            statusAt(record, now) === 'success' &&
            (inProduction === undefined || run.info.start_time > inProduction.run.info.start_time)
          ) {
            inProduction = record;
            deploymentPath = path;
          }
        }
      }
      inExperiment += page.items.length;
      total += page.items.length;
      options.onProgress?.({ experimentPath: path, runsAudited: inExperiment, totalSoFar: total });
    }
  }

  if (registry !== undefined) {
    tally('production-alias').record(
      (await registry.aliasFindings(inProduction)).map((f) => ({
        experimentPath: deploymentPath,
        ...(inProduction ? { runId: inProduction.runId, runName: inProduction.runName } : {}),
        ...f,
      })),
    );
  }

  const items = itemIds.map((id) => tally(id).item());
  return {
    ok: items.every((i) => i.status === 'pass'),
    items,
    changes,
    runsAudited: total,
    durationMs: Math.round(performance.now() - started),
  };
}

/** Counts for one item, keeping only the first problems as examples. */
class Tally {
  readonly #id: AuditItemId;
  readonly #max: number;
  #checked = 0;
  #failed = 0;
  #problemCount = 0;
  readonly #problems: AuditProblem[] = [];

  constructor(id: AuditItemId, max: number) {
    this.#id = id;
    this.#max = max;
  }

  /** Records one checked experiment or run and its problems (none when it passes). */
  record(problems: readonly AuditProblem[]): void {
    this.#checked += 1;
    if (problems.length === 0) return;
    this.#failed += 1;
    this.#problemCount += problems.length;
    for (const p of problems) {
      if (this.#problems.length >= this.#max) break;
      this.#problems.push(p);
    }
  }

  item(): AuditItem {
    const id = this.#id;
    return {
      id,
      title: AUDIT_ITEM_TITLES[id],
      status: this.#failed === 0 ? 'pass' : 'fail',
      unit:
        id === 'experiments-exist' || id === 'shared-prefix'
          ? 'experiments'
          : id === 'production-alias'
            ? 'registered models'
            : 'runs',
      checked: this.#checked,
      passed: this.#checked - this.#failed,
      failed: this.#failed,
      problemCount: this.#problemCount,
      problems: [...this.#problems],
    };
  }
}

/**
 * The registry's side of the audit: whether deployed versions exist, and where the production
 * alias points. It only reads: the fixes it suggests are for a person (or `deployments
 * set-status`) to make, so `fix` never moves an alias.
 */
class RegistryCheck {
  readonly #client: TrackingClient;
  readonly #name: string;
  readonly #alias: string;
  /** Findings per model version, so each version is looked up once however many runs deployed it. */
  readonly #versions = new Map<string, Finding[]>();
  #model: Promise<RegisteredModel | undefined> | undefined;

  constructor(client: TrackingClient, config: AgentConfig) {
    this.#client = client;
    this.#name = config.registeredModel as string;
    this.#alias = config.productionAlias;
  }

  /** The registered model, or `undefined` when it does not exist. */
  #registeredModel(): Promise<RegisteredModel | undefined> {
    this.#model ??= this.#client.registry.getRegisteredModel(this.#name).catch((error: unknown) => {
      if (isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      throw error;
    });
    return this.#model;
  }

  async versionFindings(modelVersion: string): Promise<Finding[]> {
    const known = this.#versions.get(modelVersion);
    if (known !== undefined) return known;
    const findings = await this.#lookUp(modelVersion);
    this.#versions.set(modelVersion, findings);
    return findings;
  }

  async #lookUp(modelVersion: string): Promise<Finding[]> {
    const name = this.#name;
    const problem = (message: string, fix: string): Finding[] => [{ tag: TAGS.modelVersion, message, fix }];
    if ((await this.#registeredModel()) === undefined) {
      return problem(
        `model_version ${modelVersion}: the registered model '${name}' does not exist in the model registry`,
        `register the model as '${name}' (e.g. agentrack run eval --register MODEL_URI), or correct registeredModel in the configuration`,
      );
    }
    try {
      await this.#client.registry.getModelVersion(name, modelVersion);
      return [];
    } catch (error) {
      if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) {
        return problem(
          `model_version '${modelVersion}' is not a version number of the registered model '${name}'`,
          `set tag model_version=<the number of the version of '${name}' that was deployed>`,
        );
      }
      if (!isAgentrackError(error, 'RESOURCE_DOES_NOT_EXIST')) throw error;
      return problem(
        `model_version ${modelVersion} does not exist in the registered model '${name}'`,
        `register the deployed model as a version of '${name}', or set tag model_version=<the version that was deployed>`,
      );
    }
  }

  /** Whether the production alias points at the version of the deployment in production. */
  async aliasFindings(current: DeploymentRecord | undefined): Promise<Finding[]> {
    const [name, alias] = [this.#name, this.#alias];
    const model = await this.#registeredModel();
    const expected = current?.modelVersion?.trim() || undefined;
    const pointsAt = model === undefined ? undefined : model.aliases?.find((a) => a.alias === alias)?.version;
    if (pointsAt === expected) return [];
    if (current === undefined) {
      return [
        {
          message: `alias '${alias}' of '${name}' points at version ${pointsAt ?? '?'}, but no deployment is in production`,
          fix: `record the deployment of version ${pointsAt ?? '?'}, or remove the alias (RegistryClient.deleteRegisteredModelAlias('${name}', '${alias}'))`,
        },
      ];
    }
    const wrong =
      model === undefined
        ? `the registered model '${name}' does not exist`
        : pointsAt === undefined
          ? `alias '${alias}' of '${name}' is not set`
          : `alias '${alias}' of '${name}' points at version ${pointsAt}`;
    return [
      {
        tag: TAGS.modelVersion,
        message: `this deployment of version ${expected ?? '?'} is in production, but ${wrong}`,
        fix:
          model === undefined
            ? `register the deployed model as '${name}', then run agentrack deployments set-status ${current.runId} success`
            : `agentrack deployments set-status ${current.runId} success (moves the alias to version ${expected ?? '?'}), or roll the deployment back`,
      },
    ];
  }
}

/**
 * The tags `fix` may add: only absent ones whose value follows from the experiment. The environment
 * is not inferred when the run's own run_type disagrees with its experiment, since then either may be wrong.
 */
function inferableTags(
  tags: ReadonlyMap<string, string>,
  runType: RunType,
  config: AgentConfig,
): Array<{ key: string; value: string }> {
  const added: Array<{ key: string; value: string }> = [];
  if (!tags.has(TAGS.agentName)) added.push({ key: TAGS.agentName, value: config.agent });
  const declared = tags.get(TAGS.runType);
  if (declared === undefined) added.push({ key: TAGS.runType, value: runType });
  if (!tags.has(TAGS.environment) && (declared === undefined || declared === runType)) {
    added.push({ key: TAGS.environment, value: config.environments[runType] });
  }
  return added;
}

function namePattern(runType: RunType): string {
  return `${RUN_NAME_PREFIXES[runType]}_YYYYMMDD_HHMMSS`;
}

function runNameFindings(run: Run, runType: RunType, config: AgentConfig): Finding[] {
  const name = run.info.run_name;
  if (runNameMatches(runType, name)) return [];
  let example = '';
  try {
    example = `, e.g. ${formatRunName(runType, new Date(run.info.start_time), config.timeZone)} (its start time)`;
  } catch {
    // A start time outside four-digit years has no conventional name to suggest.
  }
  return [
    {
      message: `run name '${name}' does not follow ${namePattern(runType)} (optionally with a _N suffix)`,
      fix: `rename the run to follow ${namePattern(runType)}${example}`,
    },
  ];
}

function isRunType(value: string): value is RunType {
  return (RUN_TYPES as readonly string[]).includes(value);
}

/** A finding when tag `key` is not exactly `expected`. */
function expectTag(tags: ReadonlyMap<string, string>, key: string, expected: string): Finding[] {
  const actual = tags.get(key);
  if (actual === expected) return [];
  return [
    {
      tag: key,
      message:
        actual === undefined ? `missing tag ${key}` : `tag ${key} is '${actual}', expected '${expected}'`,
      fix: `set tag ${key}=${expected}`,
    },
  ];
}

/**
 * The standard tags, checked against the experiment the run lives in. A run_type that is valid
 * but names another experiment is left to the distinct-run-types item, so each violation fails one item.
 */
function standardTagFindings(
  tags: ReadonlyMap<string, string>,
  runType: RunType,
  config: AgentConfig,
): Finding[] {
  const out = expectTag(tags, TAGS.agentName, config.agent);
  const declared = tags.get(TAGS.runType);
  if (declared === undefined) {
    out.push({
      tag: TAGS.runType,
      message: `missing tag ${TAGS.runType}`,
      fix: `set tag run_type=${runType}`,
    });
  } else if (!isRunType(declared)) {
    out.push({
      tag: TAGS.runType,
      message: `tag ${TAGS.runType} is '${declared}', not one of ${RUN_TYPES.join(', ')}`,
      fix: `set tag run_type=${runType}`,
    });
  }
  out.push(...expectTag(tags, TAGS.environment, config.environments[runType]));
  const version = tags.get(TAGS.version);
  if (version === undefined || version.trim() === '') {
    out.push({
      tag: TAGS.version,
      message: version === undefined ? `missing tag ${TAGS.version}` : `tag ${TAGS.version} is empty`,
      fix: `set tag version=<the agent version that produced the run> (configured now: ${config.version})`,
    });
  }
  const standard: readonly string[] = STANDARD_TAGS;
  for (const [key, value] of Object.entries(config.tags)) {
    if (!standard.includes(key)) out.push(...expectTag(tags, key, value));
  }
  if (runType === 'evaluation') {
    const candidate = tags.get(TAGS.deploymentCandidate);
    if (candidate !== 'true' && candidate !== 'false') {
      out.push({
        tag: TAGS.deploymentCandidate,
        message:
          candidate === undefined
            ? `missing tag ${TAGS.deploymentCandidate}`
            : `tag ${TAGS.deploymentCandidate} is '${candidate}', expected 'true' or 'false'`,
        fix: `set tag deployment_candidate=true or deployment_candidate=false`,
      });
    }
  }
  return out;
}

function runTypeFindings(
  tags: ReadonlyMap<string, string>,
  runType: RunType,
  config: AgentConfig,
): Finding[] {
  const declared = tags.get(TAGS.runType);
  if (declared === undefined || !isRunType(declared) || declared === runType) return [];
  return [
    {
      tag: TAGS.runType,
      message: `run_type is '${declared}' but the run is in the ${runType} experiment`,
      fix: `set tag run_type=${runType} if it is a ${runType} run; ${declared} runs belong in ${config.experiments[declared]}`,
    },
  ];
}

function deploymentFindings(tags: ReadonlyMap<string, string>): Finding[] {
  const out: Finding[] = [];
  const modelVersion = tags.get(TAGS.modelVersion);
  if (modelVersion === undefined || modelVersion.trim() === '') {
    out.push({
      tag: TAGS.modelVersion,
      message:
        modelVersion === undefined ? `missing tag ${TAGS.modelVersion}` : `tag ${TAGS.modelVersion} is empty`,
      fix: `set tag model_version=<the model version deployed>`,
    });
  }
  const status = tags.get(TAGS.deploymentStatus);
  if (status === undefined || !(DEPLOYMENT_STATUSES as readonly string[]).includes(status)) {
    out.push({
      tag: TAGS.deploymentStatus,
      message:
        status === undefined
          ? `missing tag ${TAGS.deploymentStatus}`
          : `tag ${TAGS.deploymentStatus} is '${status}', not one of ${DEPLOYMENT_STATUSES.join(', ')}`,
      fix: `set tag deployment_status=${DEPLOYMENT_STATUSES.join('|')}`,
    });
  }
  return out;
}

/** Options of {@link formatAuditReport}. */
export interface FormatAuditReportOptions {
  /** Use ANSI colors (for a terminal). */
  color?: boolean;
}

const ANSI = { green: 32, red: 31, yellow: 33, dim: 2, bold: 1 } as const;

/**
 * Renders a report as aligned text: one line per item with ✓ or ✗, its problems indented with the
 * fix of each, the changes made (or planned, in a dry run), then a summary line.
 */
export function formatAuditReport(report: AuditReport, options: FormatAuditReportOptions = {}): string {
  const paint = (code: keyof typeof ANSI, text: string) =>
    options.color ? `\u001b[${ANSI[code]}m${text}\u001b[0m` : text;
  const idWidth = Math.max(...report.items.map((i) => i.id.length));
  const titleWidth = Math.max(...report.items.map((i) => i.title.length));
  const lines: string[] = [];
  for (const item of report.items) {
    const mark = item.status === 'pass' ? paint('green', '✓ PASS') : paint('red', '✗ FAIL');
    const counts =
      item.status === 'pass'
        ? `${item.checked} ${unit(item)} checked`
        : `${item.failed} of ${item.checked} ${unit(item)} failed` +
          (item.problemCount !== item.failed ? `, ${item.problemCount} problems` : '');
    lines.push(`${mark}  ${item.id.padEnd(idWidth)}  ${item.title.padEnd(titleWidth)}  ${counts}`);
    for (const p of item.problems) {
      lines.push(`      - ${where(p)}${p.message}`);
      lines.push(`        ${paint('dim', `fix: ${p.fix}`)}`);
    }
    const hidden = item.problemCount - item.problems.length;
    if (hidden > 0) lines.push(`      ... and ${hidden} more problem${hidden === 1 ? '' : 's'}`);
  }
  if (report.changes.length > 0) {
    const applied = report.changes.filter((c) => c.applied).length;
    lines.push('');
    lines.push(
      applied === report.changes.length
        ? `Changes (${applied}):`
        : `Changes (${report.changes.length}, dry run: nothing written):`,
    );
    for (const c of report.changes) {
      const line = `  + tag ${c.key}=${c.value} on run ${c.runName} (${c.runId})${c.applied ? '' : ' (dry run)'}`;
      lines.push(paint('yellow', line));
    }
  }
  const failing = report.items.filter((i) => i.status === 'fail');
  const problems = failing.reduce((n, i) => n + i.problemCount, 0);
  const runs = `${report.runsAudited} run${report.runsAudited === 1 ? '' : 's'} audited in ${report.durationMs} ms`;
  lines.push('');
  lines.push(
    report.ok
      ? paint('bold', paint('green', `PASS: all ${report.items.length} checks passed, ${runs}`))
      : paint(
          'bold',
          paint(
            'red',
            `FAIL: ${failing.length} of ${report.items.length} checks failed (${problems} problem${problems === 1 ? '' : 's'}), ${runs}`,
          ),
        ),
  );
  return `${lines.join('\n')}\n`;
}

function where(p: AuditProblem): string {
  if (p.runId !== undefined) return `run ${p.runName ?? ''} (${p.runId}) in ${p.experimentPath ?? '?'}: `;
  return '';
}

/** `runs` / `experiments`, singular for one. */
function unit(item: AuditItem): string {
  return item.checked === 1 ? item.unit.replace(/s$/, '') : item.unit;
}

import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { AgentrackError, invalidParameter, isAgentrackError, notFound } from '../errors.js';
import { canonicalTrackingUri, resolveTrackingTarget } from '../store/tracking-uri.js';
import { MAX_TAG_VALUE_LENGTH, validateModelAliasName, validateTagKey } from '../validation/index.js';
import {
  TIME_ZONES,
  type AgentConfig,
  type AgentConfigInput,
  type Threshold,
  type TimeZone,
} from './agent-config.js';
import {
  DEFAULT_ENVIRONMENTS,
  DEFAULT_LANES,
  RUN_TYPE_ALIASES,
  RUN_TYPES,
  STANDARD_TAGS,
  TYPE_TAGS,
  type RunType,
} from './conventions.js';
import { parseJsonc } from './jsonc.js';
import { normalizeExperimentPath } from './paths.js';
import { normalizeThresholds } from './thresholds.js';

/** The name of the configuration file, looked for in the working folder and its parents. */
export const CONFIG_FILE_NAME = 'agentrack.config.json';

/** The options a configuration may hold, in the order they are checked and documented. */
export const CONFIG_KEYS = [
  'agent',
  'basePath',
  'experiments',
  'version',
  'environments',
  'timeZone',
  'tags',
  'thresholds',
  'trackingUri',
  'registeredModel',
  'productionAlias',
] as const satisfies ReadonlyArray<keyof AgentConfigInput>;

/** What an agent name may hold, so that `/Shared/<agent>` is a clean path. */
export const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Longest agent name (MLflow's key length, which keeps the experiment paths well within theirs). */
export const MAX_AGENT_NAME_LENGTH = 250;

/** The version every run is tagged with when the configuration names none. */
export const DEFAULT_VERSION = '0.0.0';

/** The alias of the registered model's version in production when the configuration names none. */
export const DEFAULT_PRODUCTION_ALIAS = 'production';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Where the search for {@link CONFIG_FILE_NAME} starts; default the process's working folder. */
  cwd?: string;
  /** Options that take precedence over the file's (`experiments`, `environments`, `tags` key by key). */
  overrides?: Partial<AgentConfigInput>;
  /** A configuration file to read instead of searching for one (relative to `cwd`). */
  path?: string;
  /** The environment the tracking URI is read from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The text of the file at `path`, when it is not written yet (`agentrack init` checks it first). */
  text?: string;
  /**
   * What the caller's user can do when no file is found and `overrides` names no agent,
   * e.g. ``run `agentrack init` to create one, or give --agent <name>``; by default it points
   * to `agentrack init` and `overrides.agent`.
   */
  missingHint?: string;
}

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
  /** The file the input was read from: named in error messages and kept as `configPath`. */
  configPath?: string;
}

/** Where a field's value came from, for error messages: the file's label unless an override set it. */
interface Origin {
  file?: string;
  overridden?: (key: string, subKey?: string) => boolean;
}

const MERGED_PER_KEY = ['experiments', 'environments', 'tags'] as const;
const RESERVED_TAG_PREFIXES = ['agentrack.', 'mlflow.'] as const;
const DEFAULT_MISSING_CONFIG_HINT =
  'run `agentrack init` to create one, or name the agent in `overrides.agent`';

/**
 * Checks a configuration, fills in every default and returns it deeply frozen. Every error is
 * INVALID_PARAMETER_VALUE and names the field (and the file, given as `configPath`).
 *
 * @example resolveConfig({ agent: 'support-bot' }).experiments.evaluation // '/Shared/support-bot/evaluation'
 */
export function resolveConfig(input: AgentConfigInput, options: ResolveConfigOptions = {}): AgentConfig {
  return validate(input, { file: options.configPath }, options.configPath);
}

/**
 * Loads the configuration: the file at `path`, else the nearest {@link CONFIG_FILE_NAME} in
 * `cwd` or a parent folder, with `overrides` merged over it. Without a file, `overrides` must
 * name the agent.
 *
 * @example const config = await loadConfig({ overrides: { version: '1.4.0' } });
 */
export async function loadConfig(options: LoadConfigOptions = {}): Promise<AgentConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const overrides = options.overrides ?? {};
  let file: string | undefined;
  let label: string | undefined;
  if (options.path !== undefined) {
    file = resolve(cwd, options.path);
    label = options.path;
  } else {
    file = findConfigFile(cwd);
    label = file === undefined ? undefined : relative(cwd, file) || file;
  }
  if (file === undefined || label === undefined) {
    if (overrides.agent === undefined) {
      throw invalidParameter(
        `no ${CONFIG_FILE_NAME} found in ${cwd} or any folder above it; ${options.missingHint ?? DEFAULT_MISSING_CONFIG_HINT}`,
      );
    }
    return validate(overrides, {});
  }
  const data = parseJsonc(options.text ?? (await readConfigText(file, label)), label);
  if (!isPlainObject(data)) {
    throw invalidParameter(`${label}: the configuration must be a JSON object, not ${describe(data)}`);
  }
  const { merged, overridden } = mergeOverrides(data, overrides);
  if (!overridden('trackingUri')) {
    const trackingUri = trackingUriFor(merged.trackingUri, dirname(file), {
      env: options.env ?? process.env,
      cwd,
      label,
    });
    if (trackingUri === undefined) delete merged.trackingUri;
    else merged.trackingUri = trackingUri;
  }
  return validate(merged, { file: label, overridden }, file);
}

/**
 * The tracking URI of a project with a config file, when no override names one, by
 * {@link resolveTrackingTarget}'s precedence: `AGENTRACK_TRACKING_URI` (so a command started by
 * `agentrack run` logs where its parent does), else the file's `trackingUri`, else
 * `MLFLOW_TRACKING_URI`, else `agentrack.db` next to the config file. Relative SQLite paths in
 * the file are taken from its folder, so running from a subfolder never starts a second
 * database. The result names the same store from any folder ({@link canonicalTrackingUri}).
 * A value that is not a non-empty string is left for the validation to refuse.
 */
function trackingUriFor(
  fromFile: unknown,
  folder: string,
  options: { env: NodeJS.ProcessEnv; cwd: string; label: string },
): unknown {
  if (fromFile !== undefined && (typeof fromFile !== 'string' || fromFile.trim() === '')) return fromFile;
  try {
    const { env, cwd } = options;
    return canonicalTrackingUri(
      resolveTrackingTarget({ configUri: fromFile, configFolder: folder, env, cwd }),
    );
  } catch (error) {
    if (isAgentrackError(error, 'INVALID_PARAMETER_VALUE') && typeof fromFile === 'string') {
      throw invalidParameter(`${options.label}: trackingUri: ${error.message}`);
    }
    throw error;
  }
}

/** The nearest {@link CONFIG_FILE_NAME} in `cwd` or one of its parent folders, as an absolute path. */
export function findConfigFile(cwd: string): string | undefined {
  let folder = resolve(cwd);
  for (;;) {
    const candidate = join(folder, CONFIG_FILE_NAME);
    if (statSync(candidate, { throwIfNoEntry: false })?.isFile() === true) return candidate;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/**
 * The commented configuration `agentrack init` writes for `agent`: every option with what it
 * does and its default. It resolves to exactly the defaults.
 */
export function exampleConfigText(agent: string, trackingUri?: string): string {
  const name = checkAgent(agent, {});
  const base = `/Shared/${name}`;
  const quoted = JSON.stringify(name);
  return `// agentrack configuration of the agent ${quoted}, written by \`agentrack init\`.
// JSON with comments and trailing commas. Every option but "agent" is optional:
// remove it to get its default.
{
  // The agent's name: letters, digits, _ . - (starting with a letter or digit).
  // It names the agent's experiments and is the agent_name tag of every run.
  "agent": ${quoted},

  // The folder of the agent's three experiments. Default: /Shared/<agent>.
  // A leading /Workspace is dropped: /Workspace/Shared/x is /Shared/x.
  "basePath": ${JSON.stringify(base)},

  // The experiment of each run type, as full paths; give only those you want elsewhere.
  // Default: <basePath>/development, <basePath>/evaluation, <basePath>/deployment.
  // "experiments": {
  //   "development": ${JSON.stringify(`${base}/development`)},
  //   "evaluation": ${JSON.stringify(`${base}/evaluation`)},
  //   "deployment": ${JSON.stringify(`${base}/deployment`)},
  // },

  // The agent's version, recorded as the version tag of every run. Default: ${DEFAULT_VERSION}.
  "version": ${JSON.stringify(DEFAULT_VERSION)},

  // The environment tag of each run type. Default: ${RUN_TYPES.map((t) => DEFAULT_ENVIRONMENTS[t]).join(', ')}.
  "environments": {
${RUN_TYPES.map((t) => `    ${JSON.stringify(t)}: ${JSON.stringify(DEFAULT_ENVIRONMENTS[t])},`).join('\n')}
  },

  // The time zone of the timestamp in run names (dev_YYYYMMDD_HHMMSS): "UTC" or "local".
  // Default: UTC, so that names sort in the order the runs started and agree between
  // machines and CI runners in different time zones. "local" uses this machine's zone.
  "timeZone": "UTC",

  // Extra tags every run carries and the audit requires, e.g. "team": "support". Default: none.
  // Keys must not start with agentrack. or mlflow., nor be one of agentrack's own tags:
  // ${[...STANDARD_TAGS, ...RUN_TYPES.flatMap((t) => TYPE_TAGS[t])].join(', ')}.
  "tags": {},

  // The evaluation gate: an evaluation run is a deployment candidate only when its latest
  // metrics pass every threshold, written "<metric> <comparator> <number>" with >, >=, <, <=
  // or ==, e.g. "accuracy >= 0.9" or "latency_p95_ms <= 800". A missing or NaN metric fails.
  // Default: none, and without thresholds no evaluation run becomes a candidate.
  "thresholds": [],

  // Where runs are recorded. $AGENTRACK_TRACKING_URI takes precedence over this option;
  // without either: $MLFLOW_TRACKING_URI, else agentrack.db next to this file.
  // A relative sqlite:/// path is taken from this file's folder.
  ${trackingUri === undefined ? '// "trackingUri": "sqlite:///agentrack.db",' : `"trackingUri": ${JSON.stringify(trackingUri)},`}

  // The registered model, in the tracking store's model registry, whose versions the agent
  // deploys. With one, a deployment's model version must exist there and be READY; a
  // successful deployment moves the production alias to it and a rollback moves it back;
  // \`agentrack run eval --register MODEL_URI\` registers what a passing evaluation evaluated;
  // \`agentrack models\` lists the versions. Default: none, and model_version is recorded as given.
  // "registeredModel": ${quoted},

  // The alias of the registered model that names the version in production: letters, digits,
  // _ and -, neither "latest" nor v<digits>. Default: ${DEFAULT_PRODUCTION_ALIAS}.
  // "productionAlias": ${JSON.stringify(DEFAULT_PRODUCTION_ALIAS)},
}
`;
}

function validate(input: unknown, origin: Origin, configPath?: string): AgentConfig {
  const whole = origin.file === undefined ? '' : `${origin.file}: `;
  if (!isPlainObject(input)) {
    throw invalidParameter(`${whole}the configuration must be an object, not ${describe(input)}`);
  }
  for (const key of Object.keys(input)) {
    if (input[key] !== undefined && !(CONFIG_KEYS as readonly string[]).includes(key)) {
      fail(
        origin,
        [key],
        `unknown option${suggestion(key, CONFIG_KEYS)} (allowed: ${CONFIG_KEYS.join(', ')})`,
      );
    }
  }
  const agent = checkAgent(input.agent, origin);
  const basePath =
    input.basePath === undefined ? `/Shared/${agent}` : checkPath(input.basePath, origin, ['basePath']);
  const experiments = perRunType(input.experiments, origin, 'experiments', (value, type) =>
    checkPath(value, origin, ['experiments', type]),
  );
  const resolvedExperiments = Object.fromEntries(
    RUN_TYPES.map((type) => [type, experiments[type] ?? `${basePath}/${DEFAULT_LANES[type]}`]),
  ) as Record<RunType, string>;
  RUN_TYPES.forEach((type, i) => {
    const other = RUN_TYPES.slice(0, i).find(
      (earlier) => resolvedExperiments[earlier] === resolvedExperiments[type],
    );
    if (other !== undefined) {
      throw invalidParameter(
        `${whole}experiments: ${other} and ${type} both use '${resolvedExperiments[type]}'; ` +
          'each run type needs its own experiment',
      );
    }
  });
  const version =
    input.version === undefined ? DEFAULT_VERSION : checkText(input.version, origin, ['version']);
  const environments = perRunType(input.environments, origin, 'environments', (value, type) =>
    checkText(value, origin, ['environments', type]),
  );
  const config: AgentConfig = {
    agent,
    basePath,
    experiments: Object.freeze(resolvedExperiments),
    version,
    environments: Object.freeze(
      Object.fromEntries(
        RUN_TYPES.map((type) => [type, environments[type] ?? DEFAULT_ENVIRONMENTS[type]]),
      ) as Record<RunType, string>,
    ),
    timeZone: checkTimeZone(input.timeZone, origin),
    tags: Object.freeze(checkTags(input.tags, origin)),
    thresholds: Object.freeze(
      (input.thresholds === undefined
        ? []
        : within(origin, ['thresholds'], () =>
            normalizeThresholds(input.thresholds as ReadonlyArray<string | Threshold>, 'thresholds'),
          )
      ).map((t) => Object.freeze(t)),
    ),
    ...(input.trackingUri === undefined
      ? {}
      : { trackingUri: checkText(input.trackingUri, origin, ['trackingUri']) }),
    ...(input.registeredModel === undefined
      ? {}
      : { registeredModel: checkText(input.registeredModel, origin, ['registeredModel']) }),
    productionAlias: checkAlias(input.productionAlias, origin),
    ...(configPath === undefined ? {} : { configPath }),
  };
  return Object.freeze(config);
}

function checkAgent(value: unknown, origin: Origin): string {
  if (value === undefined || value === '') {
    fail(origin, ['agent'], 'missing; name the agent (letters, digits, _ . -)');
  }
  const agent = checkString(value, origin, ['agent']);
  if (!AGENT_NAME_PATTERN.test(agent)) {
    fail(
      origin,
      ['agent'],
      `${JSON.stringify(agent)} is not a valid agent name: use letters, digits, _ . - and start with a letter or digit`,
    );
  }
  if (agent.length > MAX_AGENT_NAME_LENGTH) {
    fail(origin, ['agent'], `longer than ${MAX_AGENT_NAME_LENGTH} characters`);
  }
  return agent;
}

/** An alias name as MLflow's registry accepts it, the field named in front of MLflow's message. */
function checkAlias(value: unknown, origin: Origin): string {
  if (value === undefined) return DEFAULT_PRODUCTION_ALIAS;
  const alias = checkString(value, origin, ['productionAlias']);
  try {
    return validateModelAliasName(alias);
  } catch (error) {
    if (!isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) throw error;
    fail(origin, ['productionAlias'], error.message);
  }
}

function checkTimeZone(value: unknown, origin: Origin): TimeZone {
  if (value === undefined) return 'UTC';
  const zone = TIME_ZONES.find((z) => z === value);
  if (zone === undefined) {
    const shown = typeof value === 'string' ? `'${value}'` : describe(value);
    fail(
      origin,
      ['timeZone'],
      `${shown} is not a time zone run names can use (use ${TIME_ZONES.join(' or ')})`,
    );
  }
  return zone;
}

function checkTags(value: unknown, origin: Origin): Record<string, string> {
  if (value === undefined) return {};
  if (!isPlainObject(value))
    fail(origin, ['tags'], `must be an object of key-value strings, not ${describe(value)}`);
  const reserved = new Map<string, string>(STANDARD_TAGS.map((key) => [key, 'every run']));
  for (const type of RUN_TYPES) for (const key of TYPE_TAGS[type]) reserved.set(key, `${type} runs`);
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of Object.entries(value)) {
    if (tagValue === undefined) continue;
    const field = ['tags', key];
    within(origin, field, () => validateTagKey(key));
    const setOn = reserved.get(key);
    if (setOn !== undefined)
      fail(origin, field, `'${key}' is a tag agentrack sets on ${setOn}; choose another key`);
    const prefix = RESERVED_TAG_PREFIXES.find((p) => key.startsWith(p));
    if (prefix !== undefined)
      fail(origin, field, `keys starting with '${prefix}' are reserved; choose another key`);
    const text = checkString(tagValue, origin, field);
    if ([...text].length > MAX_TAG_VALUE_LENGTH) {
      fail(origin, field, `value longer than ${MAX_TAG_VALUE_LENGTH} characters`);
    }
    tags[key] = text;
  }
  return tags;
}

/** Checks an object keyed by run type (`experiments`, `environments`) and maps its values. */
function perRunType(
  value: unknown,
  origin: Origin,
  key: string,
  check: (value: unknown, type: RunType) => string,
): Partial<Record<RunType, string>> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    fail(
      origin,
      [key],
      `must be an object keyed by run type (${RUN_TYPES.join(', ')}), not ${describe(value)}`,
    );
  }
  const result: Partial<Record<RunType, string>> = {};
  for (const [name, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const type = RUN_TYPES.find((t) => t === name);
    if (type === undefined) {
      const alias = RUN_TYPE_ALIASES[name];
      const hint = alias !== undefined ? `; did you mean '${alias}'?` : suggestion(name, RUN_TYPES);
      fail(origin, [key, name], `unknown run type${hint} (allowed: ${RUN_TYPES.join(', ')})`);
    }
    result[type] = check(item, type);
  }
  return result;
}

function checkPath(value: unknown, origin: Origin, field: readonly string[]): string {
  const path = checkString(value, origin, field);
  return within(origin, field, () => normalizeExperimentPath(path, fieldPath(field)));
}

function checkString(value: unknown, origin: Origin, field: readonly string[]): string {
  if (typeof value !== 'string') fail(origin, field, `must be a string, not ${describe(value)}`);
  return value;
}

/** A string that is neither blank nor longer than a tag value may be (it is recorded as one). */
function checkText(value: unknown, origin: Origin, field: readonly string[]): string {
  const text = checkString(value, origin, field);
  if (text.trim() === '') fail(origin, field, 'must not be empty');
  if ([...text].length > MAX_TAG_VALUE_LENGTH)
    fail(origin, field, `longer than ${MAX_TAG_VALUE_LENGTH} characters`);
  return text;
}

/** The prefix naming where `field` came from: the file, unless an override set it. */
function source(origin: Origin, field: readonly string[]): string {
  if (origin.file === undefined) return '';
  const [key = '', subKey] = field;
  return origin.overridden?.(key, subKey) === true ? '' : `${origin.file}: `;
}

function fieldPath(field: readonly string[]): string {
  const [first = '', ...rest] = field;
  return rest.reduce(
    (path, key) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`),
    first,
  );
}

function fail(origin: Origin, field: readonly string[], problem: string): never {
  throw invalidParameter(`${source(origin, field)}${fieldPath(field)}: ${problem}`);
}

/** Runs a check whose messages name the field themselves, adding the file's name in front. */
function within<T>(origin: Origin, field: readonly string[], check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (!isAgentrackError(error, 'INVALID_PARAMETER_VALUE')) throw error;
    const named = field[0] === 'tags' ? `${fieldPath(field)}: ${error.message}` : error.message;
    throw new AgentrackError(error.code, `${source(origin, field)}${named}`, { cause: error });
  }
}

function mergeOverrides(
  data: Record<string, unknown>,
  overrides: Partial<AgentConfigInput>,
): { merged: Record<string, unknown>; overridden: (key: string, subKey?: string) => boolean } {
  const merged: Record<string, unknown> = { ...data };
  const whole = new Set<string>();
  const perKey = new Map<string, Set<string>>();
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = merged[key];
    if (
      (MERGED_PER_KEY as readonly string[]).includes(key) &&
      isPlainObject(current) &&
      isPlainObject(value)
    ) {
      const keys = new Set<string>();
      const combined: Record<string, unknown> = { ...current };
      for (const [subKey, subValue] of Object.entries(value)) {
        if (subValue === undefined) continue;
        combined[subKey] = subValue;
        keys.add(subKey);
      }
      merged[key] = combined;
      perKey.set(key, keys);
    } else {
      merged[key] = value;
      whole.add(key);
    }
  }
  return {
    merged,
    overridden: (key, subKey) =>
      whole.has(key) || (subKey !== undefined && perKey.get(key)?.has(subKey) === true),
  };
}

async function readConfigText(file: string, label: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw notFound(`configuration file '${label}' does not exist`);
    if (code === 'EISDIR') throw invalidParameter(`configuration file '${label}' is a folder, not a file`);
    throw error;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** `; did you mean 'x'?` when `name` is a likely typo of one of `choices`. */
function suggestion(name: string, choices: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const choice of choices) {
    const distance = name.toLowerCase() === choice.toLowerCase() ? 0 : editDistance(name, choice);
    if (distance < bestDistance) [best, bestDistance] = [choice, distance];
  }
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(name.length / 4))
    ? `; did you mean '${best}'?`
    : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

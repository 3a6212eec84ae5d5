/**
 * Internals shared by the filter and order_by parsers: the per-search vocabulary
 * ("profile"), error reporting with positions, and identifier parsing.
 */
import { invalidParameter } from '../errors.js';
import {
  DATASET_KEYS,
  EXPERIMENT_ENTITY_ALIASES,
  EXPERIMENT_FILTER_ATTRIBUTES,
  EXPERIMENT_ORDER_BY_ATTRIBUTES,
  LIST_COMPARATORS,
  MODEL_VERSION_FILTER_ATTRIBUTES,
  MODEL_VERSION_NUMERIC_ATTRIBUTES,
  MODEL_VERSION_ORDER_BY_ATTRIBUTES,
  NUMBER_COMPARATORS,
  REGISTERED_MODEL_FILTER_ATTRIBUTES,
  REGISTERED_MODEL_ORDER_BY_ALIASES,
  REGISTERED_MODEL_ORDER_BY_ATTRIBUTES,
  RUN_ATTRIBUTES,
  RUN_ENTITY_ALIASES,
  RUN_FILTER_ATTRIBUTE_ALIASES,
  RUN_ORDER_BY_ATTRIBUTES,
  RUN_ORDER_BY_ATTRIBUTE_ALIASES,
  STRING_COMPARATORS,
  type AttributeKind,
  type Comparator,
  type Entity,
} from './ast.js';
import type { Scanner, Token } from './scanner.js';

/** Messages that MLflow words differently from one search to another. */
export interface ProfileMessages {
  /** `comparator` is not one of `allowed`, the comparators the identifier takes. */
  readonly invalidComparator: (id: Identifier, comparator: string, allowed: readonly Comparator[]) => string;
  /** The identifier was compared with a list (IN / NOT IN), which it does not take. */
  readonly listNotAccepted: (id: Identifier) => string;
  /** A numeric identifier was compared with `token`, which is not a number. */
  readonly expectedNumber: (id: Identifier, token: Token) => string;
  /** A string identifier was compared with `token`, which is neither a quoted string nor a word. */
  readonly expectedString: (id: Identifier, token: Token) => string;
}

/** What one search (runs, experiments, registered models, model versions) accepts. */
export interface Profile {
  readonly entityAliases: Readonly<Record<string, Entity>>;
  /** MLflow's message for an unknown entity prefix. */
  readonly invalidEntityMessage: (name: string) => string;
  readonly filterAttributes: Readonly<Record<string, AttributeKind>>;
  readonly filterAliases: Readonly<Record<string, string>>;
  readonly orderByAttributes: Readonly<Record<string, AttributeKind>>;
  readonly orderByAliases: Readonly<Record<string, string>>;
  /** Entity prefixes order_by accepts, when they differ from the filter's. */
  readonly orderByEntityAliases?: Readonly<Record<string, Entity>>;
  /**
   * The one message for any order_by identifier that is not accepted (unknown entity or
   * attribute), given the identifier as written; without it the filter's messages are used.
   */
  readonly unknownOrderByKey?: (text: string) => string;
  /** Whether order_by takes attributes only (other entities are refused). */
  readonly orderByAttributesOnly: boolean;
  /** Comparators allowed for an entity (and, for attributes, the attribute's kind and name). */
  readonly comparators: (entity: Entity, kind: AttributeKind, key: string) => readonly Comparator[];
  /** Whether `entity.key` may be compared with a list (IN / NOT IN). */
  readonly acceptsList: (entity: Entity, key: string) => boolean;
  /**
   * Whether a filter must spell entity prefixes and attribute names without quotes: MLflow's
   * registry searches check them as written, so `` `name` `` is an unknown attribute there.
   */
  readonly bareFilterNames?: boolean;
  /**
   * MLflow's message when `key` is not a key of `entity` (for entities with a fixed set of
   * keys, as a trace's `span.name`, `span.type`, `span.status`), else `undefined`.
   */
  readonly invalidKeyMessage?: (entity: Entity, key: string) => string | undefined;
  /** Whether a numeric attribute also takes a quoted number (`version_number = '3'`). */
  readonly quotedNumbers?: boolean;
  readonly messages: ProfileMessages;
}

const STRING_OR_LIST: readonly Comparator[] = [...STRING_COMPARATORS, ...LIST_COMPARATORS];

function pythonList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}

function gotValue(token: Token): string {
  return token.kind === 'eof' ? '(none)' : token.text;
}

function entityLabel(id: Identifier): string {
  if (id.entity === 'attribute') return `${id.kind === 'number' ? 'numeric' : 'string'} attribute`;
  return id.entity;
}

const TAG_STRING_EXPECTED = "Expected a quoted string value for tag (e.g. 'my-value')";
const ONLY_RUN_ID_LISTS =
  "Only the 'run_id' attribute supports comparison with a list of quoted string values.";

/** The messages of MLflow's run search (`SearchUtils`), shared by the experiment search. */
const RUN_MESSAGES: ProfileMessages = {
  invalidComparator: (id, comparator, allowed) =>
    `Invalid comparator '${comparator}' not one of [${allowed.map((c) => `'${c}'`).join(', ')}] ` +
    `for ${entityLabel(id)} '${id.key}'`,
  listNotAccepted: () => ONLY_RUN_ID_LISTS,
  expectedNumber: (id, token) =>
    id.entity === 'metric'
      ? `Expected numeric value type for metric. Found ${token.text}`
      : `Expected numeric value type for numeric attribute: ${id.key}. Found ${token.text}`,
  expectedString: (id, token) => {
    switch (id.entity) {
      case 'param':
        return `Expected a quoted string value for parameter (e.g. 'my-value'). Got value ${gotValue(token)}`;
      case 'tag':
        return `${TAG_STRING_EXPECTED}. Got value ${gotValue(token)}`;
      case 'dataset':
        return `Expected a quoted string value for dataset attributes. Got value ${gotValue(token)}`;
      default:
        return `Expected a quoted string value for attributes. Got value ${gotValue(token)}`;
    }
  },
};

/** MLflow's message for an unquoted word where a string value belongs. */
export function unquotedValueMessage(token: Token): string {
  return (
    `Parameter value is either not quoted or unidentified quote types used for string value ${token.text}. ` +
    'Use either single or double quotes.'
  );
}

/** Runs: MLflow's `SearchUtils`. */
export const RUN_PROFILE: Profile = {
  entityAliases: RUN_ENTITY_ALIASES,
  invalidEntityMessage: (name) =>
    `Invalid entity type '${name}'. Valid values are ${pythonList(['metric', 'parameter', 'tag', 'attribute', 'dataset'])}`,
  filterAttributes: RUN_ATTRIBUTES,
  filterAliases: RUN_FILTER_ATTRIBUTE_ALIASES,
  orderByAttributes: RUN_ORDER_BY_ATTRIBUTES,
  orderByAliases: RUN_ORDER_BY_ATTRIBUTE_ALIASES,
  orderByAttributesOnly: false,
  comparators: (entity, kind) => {
    switch (entity) {
      case 'metric':
        return NUMBER_COMPARATORS;
      case 'param':
      case 'tag':
        return STRING_COMPARATORS;
      case 'attribute':
        return kind === 'number' ? NUMBER_COMPARATORS : STRING_OR_LIST;
      case 'dataset':
        return STRING_OR_LIST;
      default:
        // Trace-only entities: never resolved by this profile's aliases.
        return [];
    }
  },
  acceptsList: (entity, key) => entity === 'dataset' || (entity === 'attribute' && key === 'run_id'),
  messages: RUN_MESSAGES,
};

/** Experiments: MLflow's `SearchExperimentsUtils`. */
export const EXPERIMENT_PROFILE: Profile = {
  entityAliases: EXPERIMENT_ENTITY_ALIASES,
  invalidEntityMessage: (name) =>
    `Invalid entity type '${name}'. Valid entity types are ('attribute', 'tag', 'tags')`,
  filterAttributes: EXPERIMENT_FILTER_ATTRIBUTES,
  filterAliases: {},
  orderByAttributes: EXPERIMENT_ORDER_BY_ATTRIBUTES,
  orderByAliases: {},
  orderByAttributesOnly: true,
  comparators: (entity, kind) =>
    entity === 'attribute' && kind === 'number' ? NUMBER_COMPARATORS : STRING_COMPARATORS,
  acceptsList: () => false,
  messages: RUN_MESSAGES,
};

const INVALID_REGISTRY_ENTITY = (name: string) =>
  `Invalid entity type '${name}'. Valid entity types are ('attribute', 'tag', 'tags')`;
const REGISTRY_STRING_EXPECTED =
  'Expected a quoted string value or a list of quoted string values for attributes';

/**
 * Registered models: MLflow's `SearchModelUtils` for filters, and its SQL store's rules
 * (`search_registered_models`) for comparators and order_by.
 */
export const REGISTERED_MODEL_PROFILE: Profile = {
  entityAliases: EXPERIMENT_ENTITY_ALIASES,
  invalidEntityMessage: INVALID_REGISTRY_ENTITY,
  filterAttributes: REGISTERED_MODEL_FILTER_ATTRIBUTES,
  filterAliases: {},
  orderByAttributes: REGISTERED_MODEL_ORDER_BY_ATTRIBUTES,
  orderByAliases: REGISTERED_MODEL_ORDER_BY_ALIASES,
  orderByEntityAliases: {},
  unknownOrderByKey: (text) =>
    `Invalid order by key '${text}' specified. Valid keys are '${pythonList(['name', 'timestamp'])}'`,
  orderByAttributesOnly: true,
  // Lists get past the comparator check so that they are refused with MLflow's message.
  comparators: (entity) => (entity === 'tag' ? STRING_COMPARATORS : STRING_OR_LIST),
  acceptsList: () => false,
  bareFilterNames: true,
  messages: {
    invalidComparator: (id, comparator) =>
      `Invalid comparator for ${id.entity === 'tag' ? 'tag' : 'attribute'}: ${comparator}`,
    listNotAccepted: () => ONLY_RUN_ID_LISTS,
    expectedNumber: RUN_MESSAGES.expectedNumber,
    expectedString: (id, token) =>
      `${id.entity === 'tag' ? TAG_STRING_EXPECTED : REGISTRY_STRING_EXPECTED}. Got value ${gotValue(token)}`,
  },
};

/**
 * Model versions: MLflow's `SearchModelVersionUtils` for filters, and its SQL store's rules
 * (`search_model_versions`) for comparators (`IN` for `run_id` only, no `NOT IN`) and order_by.
 */
export const MODEL_VERSION_PROFILE: Profile = {
  entityAliases: EXPERIMENT_ENTITY_ALIASES,
  invalidEntityMessage: INVALID_REGISTRY_ENTITY,
  filterAttributes: MODEL_VERSION_FILTER_ATTRIBUTES,
  filterAliases: {},
  orderByAttributes: MODEL_VERSION_ORDER_BY_ATTRIBUTES,
  orderByAliases: {},
  orderByAttributesOnly: true,
  comparators: (entity, kind, key) => {
    if (entity === 'tag') return STRING_COMPARATORS;
    if (kind === 'number') return [...NUMBER_COMPARATORS, ...LIST_COMPARATORS];
    return key === 'run_id' ? [...STRING_COMPARATORS, 'IN'] : STRING_OR_LIST;
  },
  acceptsList: (entity, key) => entity === 'attribute' && key === 'run_id',
  bareFilterNames: true,
  quotedNumbers: true,
  messages: {
    invalidComparator: (id, comparator) => {
      if (id.entity === 'tag') return `Invalid comparator for tag: ${comparator}`;
      return id.kind === 'number'
        ? `Invalid comparator for attribute ${id.key}: ${comparator}`
        : `Invalid comparator for attribute: ${comparator}`;
    },
    listNotAccepted: () => ONLY_RUN_ID_LISTS,
    expectedNumber: (id, token) => {
      if (token.kind === 'word') return unquotedValueMessage(token);
      if (token.kind === 'quoted') {
        return `Expected numeric value type for numeric attribute: ${id.key}. Found ${token.text}`;
      }
      return `${REGISTRY_STRING_EXPECTED}. Got value ${gotValue(token)}`;
    },
    expectedString: (id, token) => {
      if (id.entity === 'tag') return `${TAG_STRING_EXPECTED}. Got value ${gotValue(token)}`;
      if (token.kind === 'number') {
        return (
          `Only the '${pythonList(MODEL_VERSION_NUMERIC_ATTRIBUTES)}' attributes support comparison ` +
          'with numeric values.'
        );
      }
      return `${REGISTRY_STRING_EXPECTED}. Got value ${gotValue(token)}`;
    },
  },
};

/** Turns a message and a source offset into the error every parser throws. */
export interface ErrorSink {
  fail(message: string, position: number): never;
}

/** Errors for a filter string: `... (at position 17)`. */
export function filterErrors(): ErrorSink {
  return {
    fail(message, position) {
      throw invalidParameter(`${message} (at position ${position})`);
    },
  };
}

/** Errors for the `index`-th order_by entry: `... (at position 4 of order_by[1])`. */
export function orderByErrors(index: number): ErrorSink {
  return {
    fail(message, position) {
      throw invalidParameter(`${message} (at position ${position} of order_by[${index}])`);
    },
  };
}

/** How a token is shown in messages. */
export function describeToken(token: Token): string {
  return token.kind === 'eof' ? 'the end of the input' : `'${token.text}'`;
}

/** A resolved identifier: entity, canonical key, and the attribute's kind. */
export interface Identifier {
  readonly entity: Entity;
  readonly key: string;
  readonly kind: AttributeKind;
  readonly start: number;
  readonly end: number;
}

function checkTerminated(token: Token, errors: ErrorSink): void {
  if (token.unterminated === true) {
    errors.fail(`Unterminated string: missing closing ${token.quote ?? ''} for ${token.text}`, token.start);
  }
}

/**
 * Parses `entity.key`, `entity.\`quoted key\``, or a bare attribute name, and resolves it
 * against the profile's entities and attribute names (`use` picks filter or order_by names).
 */
export function parseIdentifier(
  scanner: Scanner,
  profile: Profile,
  use: 'filter' | 'order_by',
  errors: ErrorSink,
): Identifier {
  const first = scanner.scan();
  let entityName: string | undefined;
  let key: string;
  let end = first.end;
  // As written, for the messages of profiles that check names before unquoting them.
  let entityText = first.text;
  let keyText = first.text;
  let entityQuoted = false;
  let keyQuoted = false;

  const quotedKeyAfterDot = (): string => {
    scanner.scan();
    const keyToken = scanner.scan();
    if (keyToken.kind !== 'quoted' && keyToken.kind !== 'word') {
      errors.fail(`Expected a key after '.', found ${describeToken(keyToken)}`, keyToken.start);
    }
    checkTerminated(keyToken, errors);
    end = keyToken.end;
    keyText = keyToken.text;
    keyQuoted = keyToken.kind === 'quoted';
    return String(keyToken.value);
  };

  if (first.kind === 'word') {
    const dot = first.text.indexOf('.');
    if (dot >= 0) {
      entityName = first.text.slice(0, dot);
      key = first.text.slice(dot + 1);
      entityText = entityName;
      keyText = key;
    } else if (scanner.peek().kind === 'dot') {
      entityName = first.text;
      key = quotedKeyAfterDot();
    } else {
      key = first.text;
    }
  } else if (first.kind === 'quoted' && (first.quote === '`' || first.quote === '"')) {
    checkTerminated(first, errors);
    if (first.quote === '`' && scanner.peek().kind === 'dot') {
      entityName = String(first.value);
      entityQuoted = true;
      key = quotedKeyAfterDot();
    } else {
      key = String(first.value);
      keyQuoted = true;
    }
  } else {
    if (first.kind === 'quoted') checkTerminated(first, errors);
    const message =
      use === 'filter'
        ? `Invalid comparison clause. Expected 'Identifier' found ${describeToken(first)}`
        : `Invalid order_by clause: expected an identifier, found ${describeToken(first)}`;
    return errors.fail(message, first.start);
  }

  const bare = use === 'filter' && profile.bareFilterNames === true;
  const unknownOrderByKey = use === 'order_by' ? profile.unknownOrderByKey : undefined;
  const written = entityName === undefined ? keyText : `${entityText}.${keyText}`;

  let entity: Entity = 'attribute';
  if (entityName !== undefined) {
    const aliases = (use === 'order_by' ? profile.orderByEntityAliases : undefined) ?? profile.entityAliases;
    const resolved =
      Object.hasOwn(aliases, entityName) && !(bare && entityQuoted) ? aliases[entityName] : undefined;
    if (resolved === undefined) {
      errors.fail(
        unknownOrderByKey?.(written) ?? profile.invalidEntityMessage(bare ? entityText : entityName),
        first.start,
      );
    }
    entity = resolved;
  }

  let kind: AttributeKind = entity === 'metric' ? 'number' : 'string';
  if (entity === 'attribute') {
    const attributes = use === 'filter' ? profile.filterAttributes : profile.orderByAttributes;
    const aliases = use === 'filter' ? profile.filterAliases : profile.orderByAliases;
    const canonical = Object.hasOwn(aliases, key) ? (aliases[key] as string) : key;
    const attributeKind =
      Object.hasOwn(attributes, canonical) && !(bare && keyQuoted) ? attributes[canonical] : undefined;
    if (attributeKind === undefined) {
      const valid = [...Object.keys(attributes), ...Object.keys(aliases)].sort();
      errors.fail(
        unknownOrderByKey?.(written) ??
          `Invalid attribute key '${bare ? keyText : key}' specified. Valid keys are '${pythonList(valid)}'`,
        first.start,
      );
    }
    key = canonical;
    kind = attributeKind;
  } else if (entity === 'dataset' && !(DATASET_KEYS as readonly string[]).includes(key)) {
    errors.fail(
      `Invalid dataset key '${key}' specified. Valid keys are '${pythonList(DATASET_KEYS)}'`,
      first.start,
    );
  } else {
    const refusal = profile.invalidKeyMessage?.(entity, key);
    if (refusal !== undefined) errors.fail(refusal, first.start);
  }
  return { entity, key, kind, start: first.start, end };
}

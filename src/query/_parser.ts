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
  NUMBER_COMPARATORS,
  RUN_ATTRIBUTES,
  RUN_ENTITY_ALIASES,
  RUN_FILTER_ATTRIBUTE_ALIASES,
  RUN_ORDER_BY_ATTRIBUTE_ALIASES,
  STRING_COMPARATORS,
  type AttributeKind,
  type Comparator,
  type Entity,
} from './ast.js';
import type { Scanner, Token } from './scanner.js';

/** What one search (runs or experiments) accepts. */
export interface Profile {
  readonly entityAliases: Readonly<Record<string, Entity>>;
  /** MLflow's message for an unknown entity prefix. */
  readonly invalidEntityMessage: (name: string) => string;
  readonly filterAttributes: Readonly<Record<string, AttributeKind>>;
  readonly filterAliases: Readonly<Record<string, string>>;
  readonly orderByAttributes: Readonly<Record<string, AttributeKind>>;
  readonly orderByAliases: Readonly<Record<string, string>>;
  /** Comparators allowed for an entity (and, for attributes, the attribute's kind). */
  readonly comparators: (entity: Entity, kind: AttributeKind) => readonly Comparator[];
  /** Whether `entity.key` may be compared with a list (IN / NOT IN). */
  readonly acceptsList: (entity: Entity, key: string) => boolean;
}

const STRING_OR_LIST: readonly Comparator[] = [...STRING_COMPARATORS, ...LIST_COMPARATORS];

function pythonList(values: readonly string[]): string {
  return `[${values.map((v) => `'${v}'`).join(', ')}]`;
}

/** Runs: MLflow's `SearchUtils`. */
export const RUN_PROFILE: Profile = {
  entityAliases: RUN_ENTITY_ALIASES,
  invalidEntityMessage: (name) =>
    `Invalid entity type '${name}'. Valid values are ${pythonList(['metric', 'parameter', 'tag', 'attribute', 'dataset'])}`,
  filterAttributes: RUN_ATTRIBUTES,
  filterAliases: RUN_FILTER_ATTRIBUTE_ALIASES,
  orderByAttributes: RUN_ATTRIBUTES,
  orderByAliases: RUN_ORDER_BY_ATTRIBUTE_ALIASES,
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
    }
  },
  acceptsList: (entity, key) => entity === 'dataset' || (entity === 'attribute' && key === 'run_id'),
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
  comparators: (entity, kind) =>
    entity === 'attribute' && kind === 'number' ? NUMBER_COMPARATORS : STRING_COMPARATORS,
  acceptsList: () => false,
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

  const quotedKeyAfterDot = (): string => {
    scanner.scan();
    const keyToken = scanner.scan();
    if (keyToken.kind !== 'quoted' && keyToken.kind !== 'word') {
      errors.fail(`Expected a key after '.', found ${describeToken(keyToken)}`, keyToken.start);
    }
    checkTerminated(keyToken, errors);
    end = keyToken.end;
    return String(keyToken.value);
  };

  if (first.kind === 'word') {
    const dot = first.text.indexOf('.');
    if (dot >= 0) {
      entityName = first.text.slice(0, dot);
      key = first.text.slice(dot + 1);
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
      key = quotedKeyAfterDot();
    } else {
      key = String(first.value);
    }
  } else {
    if (first.kind === 'quoted') checkTerminated(first, errors);
    const message =
      use === 'filter'
        ? `Invalid comparison clause. Expected 'Identifier' found ${describeToken(first)}`
        : `Invalid order_by clause: expected an identifier, found ${describeToken(first)}`;
    return errors.fail(message, first.start);
  }

  let entity: Entity = 'attribute';
  if (entityName !== undefined) {
    const resolved = profile.entityAliases[entityName];
    if (resolved === undefined) errors.fail(profile.invalidEntityMessage(entityName), first.start);
    entity = resolved;
  }

  let kind: AttributeKind = entity === 'metric' ? 'number' : 'string';
  if (entity === 'attribute') {
    const attributes = use === 'filter' ? profile.filterAttributes : profile.orderByAttributes;
    const aliases = use === 'filter' ? profile.filterAliases : profile.orderByAliases;
    const canonical = aliases[key] ?? key;
    const attributeKind = Object.hasOwn(attributes, canonical) ? attributes[canonical] : undefined;
    if (attributeKind === undefined) {
      const valid = [...Object.keys(attributes), ...Object.keys(aliases)].sort();
      errors.fail(
        `Invalid attribute key '${key}' specified. Valid keys are '${pythonList(valid)}'`,
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
  }
  return { entity, key, kind, start: first.start, end };
}

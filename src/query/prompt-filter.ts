/**
 * MLflow's prompt rule for the registry searches. Prompts are registered models (and versions)
 * tagged `mlflow.prompt.is_prompt = 'true'`, and a search leaves them out unless its filter
 * asks for them. MLflow's client appends `` tag.`mlflow.prompt.is_prompt` != 'true' `` to every
 * registered-model search, which a model without the tag must still pass, so MLflow's SQL store
 * does not apply clauses on that tag as tag clauses: it drops them all and leaves out the
 * prompts instead, unless the first of them asks for prompts (`= 'true'` or `!= 'false'`,
 * either value in any case), in which case every clause applies as usual. The rule is for this
 * tag alone; a clause on any other tag never matches a model that lacks the tag.
 */
import type { Comparison } from './ast.js';

/** The tag that marks a registered model, and each of its versions, as a prompt. */
export const PROMPT_TAG_KEY = 'mlflow.prompt.is_prompt';

/** How a registry search applies a parsed filter. */
export interface RegistryFilterPlan {
  /** The clauses to apply, each as a plain comparison. */
  readonly clauses: readonly Comparison[];
  /**
   * Whether prompts are left out: registered models tagged `mlflow.prompt.is_prompt` =
   * `'true'` (exactly), and every version of a registered model one of whose versions is.
   */
  readonly excludePrompts: boolean;
}

function isPromptClause(clause: Comparison): boolean {
  return clause.entity === 'tag' && clause.key === PROMPT_TAG_KEY;
}

/**
 * MLflow's reading of a registry filter (`_is_querying_prompt` and
 * `_update_query_to_exclude_prompts` in its SQL registry store).
 *
 * @example
 * registryFilterPlan(parseRegisteredModelFilter("name = 'a' AND tags.`mlflow.prompt.is_prompt` != 'true'"))
 * // { clauses: [name = 'a'], excludePrompts: true }
 */
export function registryFilterPlan(filter: readonly Comparison[]): RegistryFilterPlan {
  const first = filter.find(isPromptClause);
  const value = first?.type === 'string_comparison' ? first.value.toLowerCase() : undefined;
  const askingForPrompts =
    (first?.comparator === '=' && value === 'true') || (first?.comparator === '!=' && value === 'false');
  if (askingForPrompts) return { clauses: filter, excludePrompts: false };
  return { clauses: filter.filter((clause) => !isPromptClause(clause)), excludePrompts: true };
}

import type { SpanTree } from './trace-spans.js';

/** The search param that keeps the spans the user collapsed (every span starts expanded). */
export const COLLAPSED_PARAM = 'collapsed';

/**
 * `?collapsed=<id>,<id>` as the set of collapsed spans of `tree`: ids that are not in the
 * trace, or that have no children to hide, are left out (they would only lengthen the URL).
 */
export function collapsedFromUrl(value: string | null, tree: SpanTree | undefined): ReadonlySet<string> {
  const collapsed = new Set<string>();
  if (!value || !tree) return collapsed;
  for (const id of value.split(',')) {
    const spanId = id.trim();
    if (tree.children.has(spanId)) collapsed.add(spanId);
  }
  return collapsed;
}

/** The collapsed spans as `?collapsed=` (`undefined`, no parameter, when none is). */
export function collapsedToUrl(collapsed: ReadonlySet<string>): string | undefined {
  return collapsed.size === 0 ? undefined : [...collapsed].join(',');
}

/** `search` with `?collapsed=` set to `collapsed` (removed when none is). */
export function withCollapsed(search: URLSearchParams, collapsed: ReadonlySet<string>): URLSearchParams {
  const value = collapsedToUrl(collapsed);
  if (value === undefined) search.delete(COLLAPSED_PARAM);
  else search.set(COLLAPSED_PARAM, value);
  return search;
}

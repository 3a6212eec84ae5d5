/** A comma-separated URL list (`?cols=`, `?sel=`, `?collapsed=`); `null` when the parameter is absent. */
export function listFromUrl(value: string | null): string[] | null {
  if (value === null) return null;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * The address bar's search params as they are now. The router's own (and its updater's
 * `previous`) are those of the last render: two quick clicks would lose the first change.
 */
export function liveSearch(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}

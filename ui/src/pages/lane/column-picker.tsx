/** The metric, param and tag keys the loaded runs have, as column ids. */
export interface ColumnKeys {
  metrics: string[];
  params: string[];
  tags: string[];
}

const GROUPS = [
  ['metrics', 'Metrics'],
  ['params', 'Parameters'],
  ['tags', 'Tags'],
] as const;

/**
 * A disclosure listing every key present in the loaded runs, one checkbox each; checking one
 * adds its column (the URL's `cols` keeps the choice).
 */
export function ColumnPicker({
  keys,
  chosen,
  onToggle,
}: {
  keys: ColumnKeys;
  chosen: readonly string[];
  onToggle: (column: string, on: boolean) => void;
}) {
  return (
    <details className="column-picker">
      <summary>Columns ({chosen.length})</summary>
      <div className="column-picker-body">
        {GROUPS.map(([kind, title]) => (
          <fieldset key={kind}>
            <legend>{title}</legend>
            {keys[kind].length === 0 ? <p className="lane-muted">None in the loaded runs</p> : null}
            {keys[kind].map((key) => {
              const id = `${kind}.${key}`;
              return (
                <label key={id} className="column-option">
                  <input
                    type="checkbox"
                    checked={chosen.includes(id)}
                    onChange={(event) => onToggle(id, event.target.checked)}
                  />
                  <span className="mono">{key}</span>
                </label>
              );
            })}
          </fieldset>
        ))}
      </div>
    </details>
  );
}

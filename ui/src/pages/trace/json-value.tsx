import { useState } from 'react';

/** Lines shown before a value is folded behind "Show all". */
const FOLD_LINES = 24;
const FOLD_CHARS = 4000;

/** A value as text: a string as itself, anything else as pretty-printed JSON. */
export function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * A JSON value pretty-printed, as text (never as markup); a long one shows its first lines
 * and a button that shows the whole of it.
 */
export function JsonValue({ value, label }: { value: unknown; label: string }) {
  const [open, setOpen] = useState(false);
  const text = jsonText(value);
  const lines = text.split('\n');
  const long = lines.length > FOLD_LINES || text.length > FOLD_CHARS;
  const shown = long && !open ? `${lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS)}\n…` : text;
  return (
    <div className="json-value">
      <pre aria-label={label} tabIndex={0}>
        {shown}
      </pre>
      {long ? (
        <button type="button" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open
            ? 'Show less'
            : `Show all (${lines.length.toLocaleString('en-US')} lines, ${text.length.toLocaleString('en-US')} characters)`}
        </button>
      ) : null}
    </div>
  );
}

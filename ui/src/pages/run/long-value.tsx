import { useState } from 'react';
import { truncate } from '../../lib/format.js';

/**
 * A value that may be long: cut to `max` characters with the whole of it on hover, and a
 * button that shows it all in place (and hides it again).
 */
export function LongValue({ text, max = 80, label }: { text: string; max?: number; label: string }) {
  const [open, setOpen] = useState(false);
  if (text.length <= max && !text.includes('\n')) return <span className="long-value">{text}</span>;
  return (
    <span className="long-value">
      {open ? (
        <pre className="long-value-full">{text}</pre>
      ) : (
        <span className="truncated" title={text}>
          {truncate(text.split('\n')[0] ?? '', max)}
          {text.includes('\n') && (text.split('\n')[0] ?? '').length <= max ? '…' : ''}
        </span>
      )}{' '}
      <button
        type="button"
        className="link-button"
        aria-expanded={open}
        aria-label={`${open ? 'Collapse' : 'Expand'} ${label}`}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Collapse' : 'Expand'}
      </button>
    </span>
  );
}

import type { ReactNode } from 'react';
import { Truncated } from '../../components/format.js';

/**
 * A trace's or a span's map as a two-column table named `caption`: each key a row header in
 * monospace (cut, the full key on hover), its value as `value` renders it (text for a trace's
 * tags and metadata, JSON for a span's attributes); `empty` when there is none.
 */
export function KeyValueTable<T>({
  caption,
  entries,
  value,
  empty,
  className,
}: {
  caption: string;
  entries: readonly (readonly [string, T])[];
  value: (value: T, key: string) => ReactNode;
  empty: string;
  className?: string;
}) {
  if (entries.length === 0) return <p className="muted">{empty}</p>;
  return (
    <table className={className ? `plain ${className}` : 'plain'}>
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, entry]) => (
          <tr key={key}>
            <th scope="row" className="mono">
              <Truncated text={key} max={48} />
            </th>
            <td>{value(entry, key)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

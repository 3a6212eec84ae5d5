import type { ReactNode } from 'react';
import { Truncated } from './format.js';

/**
 * A map as a two-column Key/Value table named by `caption` (for assistive technology only):
 * each key a row header (by default in monospace, cut with the full key on hover), its value as
 * `renderValue` draws it. With `empty`, no entries show that line instead of an empty table.
 */
export function KeyValueTable<T>({
  caption,
  entries,
  renderValue,
  renderKey = (key) => <Truncated text={key} max={48} />,
  empty,
  className,
  keyClassName = 'mono',
  valueClassName,
}: {
  caption: string;
  entries: readonly (readonly [string, T])[];
  renderValue: (value: T, key: string) => ReactNode;
  renderKey?: (key: string) => ReactNode;
  empty?: string;
  className?: string;
  keyClassName?: string;
  valueClassName?: string;
}) {
  if (entries.length === 0 && empty !== undefined) return <p className="muted">{empty}</p>;
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
        {entries.map(([key, value]) => (
          <tr key={key}>
            <th scope="row" className={keyClassName}>
              {renderKey(key)}
            </th>
            <td className={valueClassName}>{renderValue(value, key)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import { useEffect, useId, useState } from 'react';
import { parseRunFilter } from '../../../../src/query/index.js';

/** Why a filter does not parse, and where (an offset into the text). */
export interface FilterProblem {
  message: string;
  position: number;
}

/** Runs agentrack's own run-filter parser: `undefined` when the filter is valid. */
export function checkRunFilter(text: string): FilterProblem | undefined {
  try {
    parseRunFilter(text);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /\s*\(at position (\d+)\)\s*$/.exec(message);
    return at ? { message: message.slice(0, at.index), position: Number(at[1]) } : { message, position: 0 };
  }
}

/**
 * The run filter as the reader types it: checked on every keystroke (the error under the
 * offending character), applied once it parses and the typing pauses.
 */
export function FilterBox({
  value,
  onApply,
  delayMs = 350,
}: {
  value: string;
  onApply: (filter: string) => void;
  delayMs?: number;
}) {
  const [text, setText] = useState(value);
  const errorId = useId();
  const hintId = useId();
  const problem = checkRunFilter(text);

  // A filter changed elsewhere (back button, a shared link) shows up in the box.
  useEffect(() => setText(value), [value]);

  useEffect(() => {
    if (problem || text.trim() === value.trim()) return undefined;
    const timer = setTimeout(() => onApply(text.trim()), delayMs);
    return () => clearTimeout(timer);
  }, [text, value, problem, onApply, delayMs]);

  return (
    <div className="filter-box">
      <label htmlFor={`${errorId}-input`}>Filter runs</label>
      <input
        id={`${errorId}-input`}
        type="search"
        className="mono"
        spellCheck={false}
        autoComplete="off"
        placeholder="metrics.accuracy > 0.9 and tags.version = '1.2'"
        value={text}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? errorId : hintId}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && !problem) onApply(text.trim());
        }}
      />
      {problem ? (
        <div id={errorId} className="filter-error" role="alert">
          <pre className="filter-caret" aria-hidden="true">
            <span className="filter-caret-text">{text}</span>
            {'\n'}
            <span className="filter-caret-mark" data-position={problem.position}>
              {`${' '.repeat(problem.position)}^`}
            </span>
          </pre>
          <p>
            {problem.message} (at character {problem.position + 1})
          </p>
        </div>
      ) : (
        <p id={hintId} className="filter-hint">
          MLflow's run filter: <code>metrics.</code>, <code>params.</code>, <code>tags.</code>,{' '}
          <code>attributes.</code>, joined with <code>and</code>.
        </p>
      )}
    </div>
  );
}

import { useEffect, useId, useState } from 'react';
import { parseTraceFilter } from '../../../../src/query/index.js';

/** How long typing must pause before a valid filter is applied. */
const DEBOUNCE_MS = 400;

/** A filter's parse error: the parser's message and the offset it names. */
export interface FilterProblem {
  message: string;
  position: number | undefined;
}

/** The problem of a trace filter, or `undefined` when agentrack's parser accepts it. */
export function traceFilterProblem(filter: string): FilterProblem | undefined {
  try {
    parseTraceFilter(filter);
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const match = /\(at position (\d+)\)$/.exec(message);
    return { message, position: match ? Number(match[1]) : undefined };
  }
}

/**
 * The trace filter box: checked by agentrack's own parser at each keystroke (the error shown
 * under the text with a caret at its position), applied when typing pauses or on Enter, and
 * only when it parses.
 */
export function TraceFilterBox({ value, onApply }: { value: string; onApply: (filter: string) => void }) {
  const [text, setText] = useState(value);
  const id = useId();
  // The URL changed under the box (back, a link): show what is applied, unless it is what is
  // being typed (a trailing space must survive its own filter being applied).
  useEffect(() => setText((current) => (current.trim() === value ? current : value)), [value]);
  const problem = traceFilterProblem(text);

  useEffect(() => {
    if (problem !== undefined || text.trim() === value.trim()) return;
    const timer = setTimeout(() => onApply(text.trim()), DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, value, problem, onApply]);

  return (
    <div className="trace-filter">
      <label htmlFor={`${id}-input`}>Filter</label>
      <input
        id={`${id}-input`}
        type="search"
        className="mono"
        value={text}
        spellCheck={false}
        autoComplete="off"
        placeholder="trace.status = 'ERROR' AND tags.flow = 'a' AND span.name = 'retrieve'"
        aria-invalid={problem !== undefined}
        aria-describedby={problem ? `${id}-problem` : `${id}-help`}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && problem === undefined) onApply(text.trim());
        }}
      />
      {problem ? (
        <div id={`${id}-problem`} className="trace-filter-problem" role="alert">
          <p>{problem.message}</p>
          {problem.position !== undefined ? (
            <pre className="trace-filter-caret" aria-hidden="true">
              {text}
              {'\n'}
              {' '.repeat(Math.min(problem.position, text.length))}^
            </pre>
          ) : null}
        </div>
      ) : (
        <p id={`${id}-help`} className="trace-filter-help">
          Attributes (<code>trace.status</code>, <code>execution_time_ms</code>), <code>tags.*</code>,{' '}
          <code>metadata.*</code> and <code>span.name</code>/<code>type</code>/<code>status</code>, joined by{' '}
          <code>AND</code>.
        </p>
      )}
    </div>
  );
}

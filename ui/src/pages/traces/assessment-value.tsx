import type { Assessment } from '../../../../src/entities/traces.js';
import { NumberValue, Truncated } from '../../components/format.js';

const PASSING = new Set(['pass', 'yes', 'true', 'ok', 'correct']);
const FAILING = new Set(['fail', 'no', 'false', 'incorrect']);

/**
 * An assessment's value for reading: pass/fail and yes/no (and booleans) as badges, numbers
 * formatted, an error as an error badge with its message on hover, anything else as JSON text.
 */
export function AssessmentValue({ assessment, max = 40 }: { assessment: Assessment; max?: number }) {
  const error = assessment.feedback?.error;
  if (error !== undefined) {
    const message = [error.error_code, error.error_message].filter(Boolean).join(': ') || 'Error';
    return (
      <span className="badge bad" title={message}>
        error<span className="visually-hidden">: {message}</span>
      </span>
    );
  }
  const value = assessment.feedback !== undefined ? assessment.feedback.value : assessment.expectation?.value;
  if (value === undefined || value === null) return <span>—</span>;
  if (typeof value === 'number') return <NumberValue value={value} />;
  if (typeof value === 'boolean' || typeof value === 'string') {
    const text = String(value);
    const lower = text.trim().toLowerCase();
    if (PASSING.has(lower)) return <span className="badge ok">{text}</span>;
    if (FAILING.has(lower)) return <span className="badge bad">{text}</span>;
    if (typeof value === 'string' && value === 'NaN') return <NumberValue value={value} />;
    return <Truncated text={text} max={max} />;
  }
  return <Truncated text={JSON.stringify(value)} max={max} />;
}

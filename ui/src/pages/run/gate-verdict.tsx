import { Link } from 'react-router';
import { formatNumber } from '../../lib/format.js';
import type { GateVerdict as Verdict } from './gate.js';

function observedText(observed: string): string {
  if (observed === 'missing') return 'missing';
  const n = Number(observed);
  return observed === 'NaN' || Number.isNaN(n) ? observed : formatNumber(n);
}

/** An evaluation run's gate: the verdict, each threshold against what was observed, and the traces that failed a scorer. */
export function GateVerdict({ verdict }: { verdict: Verdict }) {
  const tone = verdict.status === 'passed' ? 'ok' : verdict.status === 'failed' ? 'bad' : 'warn';
  return (
    <section aria-labelledby="run-gate" className="run-gate">
      <h2 id="run-gate">
        Gate <span className={`badge ${tone}`}>{verdict.status}</span>
      </h2>
      {verdict.lines.length === 0 && verdict.unreadable.length === 0 ? (
        <p>No thresholds applied to this run.</p>
      ) : (
        <table className="plain">
          <caption className="visually-hidden">Thresholds of the gate</caption>
          <thead>
            <tr>
              <th scope="col">Metric</th>
              <th scope="col">Observed</th>
              <th scope="col">Comparator</th>
              <th scope="col">Threshold</th>
              <th scope="col">Result</th>
            </tr>
          </thead>
          <tbody>
            {verdict.lines.map((line, i) => (
              <tr key={`${line.metric}-${i}`}>
                <th scope="row">{line.metric}</th>
                <td className="num" title={line.observed}>
                  {observedText(line.observed)}
                </td>
                <td>
                  <code>{line.comparator}</code>
                </td>
                <td className="num">{line.threshold}</td>
                <td>
                  <span className={`badge ${line.passed ? 'ok' : 'bad'}`}>
                    {line.passed ? 'pass' : 'fail'}
                  </span>
                </td>
              </tr>
            ))}
            {verdict.unreadable.map((line, i) => (
              <tr key={`unreadable-${line.metric}-${i}`}>
                <th scope="row">{line.metric}</th>
                <td colSpan={4}>{line.text}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {verdict.failedTraces.map((entry) => (
        <div key={entry.metric} className="failed-traces">
          <h3>
            Traces that failed <code>{entry.metric}</code>: {entry.failed} of {entry.scored} scored
          </h3>
          {entry.traces.length > 0 ? (
            <ul>
              {entry.traces.map((id) => (
                <li key={id}>
                  <Link to={`/traces/${encodeURIComponent(id)}`}>
                    <code>{id}</code>
                  </Link>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
    </section>
  );
}

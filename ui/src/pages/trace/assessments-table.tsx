import type { Assessment } from '../../../../src/entities/traces.js';
import { RelativeTime, Truncated } from '../../components/format.js';
import { AssessmentValue } from '../traces/assessment-value.js';
import { epochMs } from '../traces/trace-wire.js';
import type { SpanTree } from './trace-spans.js';

/** Who made an assessment: `LLM_JUDGE · judge-v2`. */
function sourceText(assessment: Assessment): string {
  const { source_type, source_id } = assessment.source;
  return [source_type.replace('SOURCE_TYPE_', ''), source_id].filter(Boolean).join(' · ');
}

/**
 * A trace's assessments: name, value (feedback or expectation), source, rationale, error,
 * whether it stands or was overridden, and the span it is about (a button selecting it).
 */
export function AssessmentsTable({
  assessments,
  tree,
  onSelectSpan,
}: {
  assessments: readonly Assessment[];
  tree: SpanTree | undefined;
  onSelectSpan: (spanId: string) => void;
}) {
  return (
    <section aria-labelledby="assessments-title">
      <h2 id="assessments-title">Assessments</h2>
      {assessments.length === 0 ? (
        <p className="muted">No assessments.</p>
      ) : (
        <div className="table-scroll">
          <table className="plain assessments">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Value</th>
                <th scope="col">Source</th>
                <th scope="col">Rationale</th>
                <th scope="col">Error</th>
                <th scope="col">Standing</th>
                <th scope="col">Span</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {assessments.map((assessment) => {
                const error = assessment.feedback?.error;
                const span = assessment.span_id ? tree?.byId.get(assessment.span_id) : undefined;
                return (
                  <tr key={assessment.assessment_id}>
                    <th scope="row">
                      <Truncated text={assessment.assessment_name} max={40} />
                    </th>
                    <td>{assessment.expectation !== undefined ? 'expectation' : 'feedback'}</td>
                    <td>
                      <AssessmentValue assessment={assessment} max={60} />
                    </td>
                    <td>{sourceText(assessment)}</td>
                    <td>{assessment.rationale ? <Truncated text={assessment.rationale} max={80} /> : '—'}</td>
                    <td>
                      {error ? (
                        <span className="assessment-error">
                          {error.error_code ? <code>{error.error_code}</code> : null}{' '}
                          <Truncated text={error.error_message ?? ''} max={80} />
                        </span>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td>
                      {assessment.valid === false ? (
                        <span className="badge warn">overridden</span>
                      ) : (
                        <span className="badge ok">valid</span>
                      )}
                      {assessment.overrides ? (
                        <span className="muted">
                          {' '}
                          overrides <Truncated text={assessment.overrides} max={12} />
                        </span>
                      ) : null}
                    </td>
                    <td>
                      {assessment.span_id === undefined ? (
                        'the trace'
                      ) : span ? (
                        <button
                          type="button"
                          className="link-button"
                          onClick={() => onSelectSpan(span.spanId)}
                        >
                          {span.name || span.spanId}
                        </button>
                      ) : (
                        <span className="mono">{assessment.span_id}</span>
                      )}
                    </td>
                    <td>
                      <RelativeTime epochMs={epochMs(assessment.last_update_time)} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

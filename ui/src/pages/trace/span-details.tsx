import { Duration, Truncated } from '../../components/format.js';
import { formatExactTime } from '../../lib/format.js';
import { JsonValue, jsonText } from './json-value.js';
import { KeyValueTable } from '../../components/key-value-table.js';
import {
  SPAN_INPUTS_KEY,
  SPAN_OUTPUTS_KEY,
  spanDurationMs,
  type SpanEventView,
  type SpanView,
} from './trace-spans.js';

/** A time in epoch nanoseconds: the exact time to the second, the nanoseconds on hover. */
function eventTime(ns: bigint) {
  const ms = Number(ns / 1_000_000n);
  return (
    <time dateTime={new Date(ms).toISOString()} title={`${ns.toString()} ns since the epoch`}>
      {formatExactTime(ms)}
    </time>
  );
}

function ExceptionEvent({ event }: { event: SpanEventView }) {
  const type = event.attributes['exception.type'];
  const message = event.attributes['exception.message'];
  const stack = event.attributes['exception.stacktrace'];
  return (
    <div className="span-exception">
      <p className="span-exception-title">Exception{type !== undefined ? `: ${jsonText(type)}` : ''}</p>
      {message !== undefined ? <p className="span-exception-message">{jsonText(message)}</p> : null}
      {stack !== undefined ? <JsonValue value={stack} label="Stack trace" /> : null}
    </div>
  );
}

/**
 * The selected span: its status (and the error that ended it), inputs and outputs
 * pretty-printed, other attributes, and its events, exceptions first and prominent.
 */
export function SpanDetails({ span }: { span: SpanView }) {
  const inputs = span.attributes[SPAN_INPUTS_KEY];
  const outputs = span.attributes[SPAN_OUTPUTS_KEY];
  const attributes = Object.entries(span.attributes).filter(
    ([key]) => key !== SPAN_INPUTS_KEY && key !== SPAN_OUTPUTS_KEY,
  );
  const exceptions = span.events.filter((event) => event.name === 'exception');
  const others = span.events.filter((event) => event.name !== 'exception');
  return (
    <section className="span-details" aria-labelledby="span-details-title">
      <h2 id="span-details-title">
        Span <Truncated text={span.name || '(unnamed)'} max={60} />
      </h2>
      <dl className="trace-facts">
        <dt>Span id</dt>
        <dd className="mono">{span.spanId}</dd>
        <dt>Type</dt>
        <dd>
          <span className="badge">{span.type}</span>
        </dd>
        <dt>Status</dt>
        <dd>
          <span className={`badge ${span.status === 'OK' ? 'ok' : span.status === 'ERROR' ? 'bad' : 'warn'}`}>
            {span.status}
          </span>
        </dd>
        <dt>Duration</dt>
        <dd>
          <Duration ms={spanDurationMs(span)} />
        </dd>
        <dt>Started</dt>
        <dd>{eventTime(span.startNs)}</dd>
      </dl>
      {span.statusMessage ? (
        <div className="span-exception" role="note" aria-label="Status message">
          <p className="span-exception-title">Status message</p>
          <p className="span-exception-message">{span.statusMessage}</p>
        </div>
      ) : null}
      {exceptions.map((event, i) => (
        <ExceptionEvent key={i} event={event} />
      ))}
      <h3>Inputs</h3>
      {inputs === undefined ? (
        <p className="muted">No inputs recorded.</p>
      ) : (
        <JsonValue value={inputs} label="Inputs" />
      )}
      <h3>Outputs</h3>
      {outputs === undefined ? (
        <p className="muted">No outputs recorded.</p>
      ) : (
        <JsonValue value={outputs} label="Outputs" />
      )}
      <h3>Attributes</h3>
      <KeyValueTable
        caption="Attributes of the span"
        className="span-attributes"
        entries={attributes}
        renderValue={(value, key) => <JsonValue value={value} label={`Attribute ${key}`} />}
        empty="No other attributes."
      />
      <h3>Events</h3>
      {span.events.length === 0 ? (
        <p className="muted">No events.</p>
      ) : (
        <ol className="span-events">
          {[...exceptions, ...others].map((event, i) => (
            <li key={i}>
              <strong>{event.name}</strong> {eventTime(event.timeNs)}
              {Object.keys(event.attributes).length > 0 ? (
                <JsonValue value={event.attributes} label={`Attributes of event ${event.name}`} />
              ) : null}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export { AgentTracer, type SpanOptions, type TraceUpdate, type TracerOptions } from './agent-tracer.js';
export {
  close,
  configureTracing,
  currentSpan,
  defaultTracer,
  flush,
  traced,
  updateCurrentTrace,
  withSpan,
} from './default-tracer.js';
export { stderrReporter, type StderrReporterOptions, type TracingErrorHandler } from './error-reporter.js';
export { LiveSpan } from './live-span.js';
export { hrTimeToNanos, spanRowOf } from './span-row.js';
export {
  TraceExporter,
  type ExpectedTrace,
  type TraceDestination,
  type TraceExporterOptions,
  type TraceWriter,
} from './trace-exporter.js';

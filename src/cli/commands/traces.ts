import type { Command } from 'commander';
import type { TrackingClient } from '../../client/tracking-client.js';
import { TRACE_NAME_TAG, TRACE_SOURCE_RUN_KEY, type TraceInfo } from '../../entities/index.js';
import { RUN_TYPES, type RunType } from '../../lifecycle/conventions.js';
import { parseProtoDuration, parseProtoTimestamp } from '../../utils/protobuf-time.js';
import { parsePositiveInteger, parseRunTypeArgument } from '../arguments.js';
import { usageError } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { Paint } from '../output/color.js';
import { formatJson } from '../output/json.js';
import { formatNanos, formatSpanTree } from '../output/span-tree.js';
import { formatTable } from '../output/table.js';
import { formatTime } from '../output/time.js';
import { laneExperiments } from './runs.js';

/** Options of `agentrack traces`. */
export interface TracesOptions {
  type?: string;
  experimentId?: string;
  run?: string;
  filter?: string;
  maxResults: string;
  json?: boolean;
}

/** Options of `agentrack traces show`. */
export interface TraceShowOptions {
  io?: boolean;
  width: string;
  json?: boolean;
}

/** Default `--max-results` of `agentrack traces`. */
export const DEFAULT_MAX_TRACES = 50;

/** A trace state, colored by how the trace ended. */
function paintState(state: string, paint: Paint): string {
  if (state === 'OK') return paint.green(state);
  if (state === 'ERROR') return paint.red(state);
  if (state === 'IN_PROGRESS') return paint.yellow(state);
  return state;
}

function durationOf(info: TraceInfo): string {
  if (info.execution_duration === undefined) return '-';
  return formatNanos(BigInt(parseProtoDuration(info.execution_duration, 'execution_duration')) * 1_000_000n);
}

/** The table of `agentrack traces`: one line per trace. */
export function formatTraces(
  infos: readonly TraceInfo[],
  lanes: ReadonlyMap<string, string>,
  paint: Paint,
): string {
  return formatTable(
    ['TRACE ID', 'LANE', 'NAME', 'STATE', 'STARTED', 'DURATION', 'RUN ID'],
    infos.map((info) => {
      const experimentId = info.trace_location.mlflow_experiment?.experiment_id ?? '';
      return [
        info.trace_id,
        lanes.get(experimentId) ?? experimentId,
        info.tags?.[TRACE_NAME_TAG] ?? '-',
        paintState(info.state, paint),
        formatTime(parseProtoTimestamp(info.request_time, 'request_time')),
        durationOf(info),
        info.trace_metadata?.[TRACE_SOURCE_RUN_KEY] ?? '-',
      ];
    }),
  );
}

/** `filter` and a run's linkage joined with AND, as MLflow's `search_traces(run_id=...)` sends them. */
function searchFilter(options: TracesOptions): string | undefined {
  const parts: string[] = [];
  if (options.run !== undefined) {
    if (!/^[0-9a-zA-Z_-]+$/.test(options.run)) throw usageError(`--run: '${options.run}' is not a run id`);
    parts.push(`attribute.run_id = '${options.run}'`);
  }
  if (options.filter !== undefined && options.filter.trim() !== '') parts.push(options.filter);
  return parts.length === 0 ? undefined : parts.join(' AND ');
}

async function listTraces(
  client: TrackingClient,
  experiments: ReadonlyMap<string, string>,
  options: TracesOptions,
  maxResults: number,
  ctx: CliContext,
  nothing: string,
): Promise<number> {
  let infos: TraceInfo[] = [];
  let more = false;
  if (experiments.size > 0) {
    const filter = searchFilter(options);
    const page = await client.traces.searchTraces({
      experimentIds: [...experiments.keys()],
      ...(filter !== undefined ? { filter } : {}),
      maxResults,
    });
    infos = page.items;
    more = Boolean(page.nextPageToken);
  }
  if (options.json) {
    ctx.io.stdout(formatJson(infos));
    return 0;
  }
  if (infos.length === 0) {
    ctx.io.stderr(`${nothing}\n`);
    return 0;
  }
  ctx.io.stdout(formatTraces(infos, experiments, ctx.out));
  if (more) ctx.io.stderr(`(the newest ${maxResults} traces; --max-results shows more)\n`);
  return 0;
}

/**
 * `agentrack traces`: the traces of the agent's lanes (or of `--experiment-id`), newest first,
 * filtered with MLflow's trace filter language, as a table or MLflow's TraceInfo JSON.
 */
export async function tracesCommand(options: TracesOptions, ctx: CliContext): Promise<number> {
  const maxResults = parsePositiveInteger(options.maxResults, '--max-results');
  if (options.experimentId !== undefined) {
    if (options.type !== undefined) throw usageError('--type and --experiment-id exclude each other');
    const id = options.experimentId;
    return ctx.withClient(
      async (client) => {
        const experiment = await client.getExperiment(id);
        return listTraces(
          client,
          new Map([[id, experiment.name]]),
          options,
          maxResults,
          ctx,
          `no traces in the experiment ${experiment.name}`,
        );
      },
      { mode: 'read' },
    );
  }
  const types: readonly RunType[] =
    options.type === undefined ? RUN_TYPES : [parseRunTypeArgument(options.type)];
  return ctx.withReadOnlyAgent(async ({ agent }) => {
    const lanes = await laneExperiments(agent, types);
    return listTraces(
      agent.client,
      lanes,
      options,
      maxResults,
      ctx,
      `no traces of the agent '${agent.config.agent}' found`,
    );
  });
}

/** `agentrack traces show`: one trace's info, assessments and span tree, or the whole trace as JSON. */
export async function traceShowCommand(
  traceId: string,
  options: TraceShowOptions,
  ctx: CliContext,
): Promise<number> {
  const width = options.width === '0' ? 0 : parsePositiveInteger(options.width, '--width');
  return ctx.withClient(
    async (client) => {
      const trace = await client.traces.getTrace(traceId);
      if (options.json) {
        ctx.io.stdout(formatJson(trace));
        return 0;
      }
      const paint = ctx.out;
      const { info } = trace;
      const run = info.trace_metadata?.[TRACE_SOURCE_RUN_KEY];
      ctx.io.stdout(
        `trace ${info.trace_id} ${info.tags?.[TRACE_NAME_TAG] ?? ''}  ${paintState(info.state, paint)}  ` +
          `${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'}  ${durationOf(info)}  ` +
          `started ${formatTime(parseProtoTimestamp(info.request_time, 'request_time'))}` +
          `${run === undefined ? '' : `  run ${run}`}\n`,
      );
      ctx.io.stdout(formatSpanTree(trace.spans, paint, { io: options.io === true, width }));
      const assessments = info.assessments ?? [];
      if (assessments.length > 0) {
        ctx.io.stdout('\nassessments:\n');
        ctx.io.stdout(
          formatTable(
            ['NAME', 'KIND', 'VALUE', 'SOURCE', 'VALID', 'RATIONALE'],
            assessments.map((a) => [
              a.assessment_name,
              a.expectation !== undefined ? 'expectation' : 'feedback',
              a.feedback?.error !== undefined
                ? paint.red(`error ${a.feedback.error.error_code ?? ''}`.trim())
                : JSON.stringify(a.feedback?.value ?? a.expectation?.value ?? null),
              `${a.source.source_type}${a.source.source_id ? `:${a.source.source_id}` : ''}`,
              a.valid === false ? paint.dim('no (overridden)') : 'yes',
              a.rationale ?? '-',
            ]),
            { indent: '  ' },
          ),
        );
      }
      return 0;
    },
    { mode: 'read' },
  );
}

const TRACES_HELP = `
The lanes' experiments come from the configuration; --experiment-id lists any experiment of the
tracking store instead. --filter takes MLflow's trace filter language (trace.status,
trace.timestamp_ms, trace.execution_time_ms, trace.name, tags.<key>, metadata.<key>), and
agentrack's span extension (span.name, span.type, span.status). --run keeps the traces of one
run (attribute.run_id, as mlflow.search_traces(run_id=...) sends).

--json prints MLflow's TraceInfo objects.

Examples:
  agentrack traces
  agentrack traces --type eval --filter "trace.status = 'ERROR'"
  agentrack traces --run 0f3c9a2e4b1d4c6e8a7b5d3f1e2c4a6b --json
  agentrack traces --experiment-id 1 --filter "span.type = 'TOOL'"
`;

const SHOW_HELP = `
Prints the trace's state, duration and run, its spans as a tree (name, type, status and the
error message, duration), and its assessments. --io adds each span's inputs and outputs as
compact JSON, cut at --width characters (0: whole). --json prints {info, spans}: MLflow's
TraceInfo with its assessments, and the spans with hex ids and nanosecond times.

Examples:
  agentrack traces show tr-2904acdc599a497f5f5494fa26c7da43
  agentrack traces show tr-2904acdc599a497f5f5494fa26c7da43 --io --width 0
`;

/** Adds `traces` and `traces show` to the program. */
export function registerTracesCommand(program: Command, ctx: CliContext): void {
  const traces = program
    .command('traces')
    .description("list the agent's traces, newest first (show: one trace's span tree)")
    .option('--type <type>', 'only the traces of the dev, eval or deploy lane')
    .option('--experiment-id <id>', 'the traces of any experiment instead of the lanes')
    .option('--run <run-id>', 'only the traces of this run')
    .option('--filter <expr>', `an MLflow trace filter, e.g. "trace.status = 'ERROR'"`)
    .option('--max-results <n>', 'how many traces at most', String(DEFAULT_MAX_TRACES))
    .option('--json', 'print MLflow TraceInfo objects as JSON')
    .addHelpText('after', TRACES_HELP)
    .action(ctx.action((options: TracesOptions) => tracesCommand(options, ctx)));
  traces
    .command('show')
    .description("print one trace's span tree, with durations, status and assessments")
    .argument('<trace-id>', 'the trace id, tr-<32 hex digits>')
    .option('--io', "also print each span's inputs and outputs")
    .option('--width <n>', 'cut inputs and outputs at this many characters (0: whole)', '200')
    .option('--json', 'print the trace (info and spans) as JSON')
    .addHelpText('after', SHOW_HELP)
    .action(
      // `traces` takes the options the two share (--json) wherever they stand: read them there too.
      ctx.action((traceId: string, _options: TraceShowOptions, command: Command) =>
        traceShowCommand(traceId, command.optsWithGlobals<TraceShowOptions>(), ctx),
      ),
    );
}

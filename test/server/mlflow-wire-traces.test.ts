/**
 * Replays `test/fixtures/mlflow-wire/traces.jsonl` (MLflow 3.3.1's Python client against
 * `mlflow server`: traced functions with nested spans, an exception inside a span, `get_trace`,
 * `search_traces` with filters on tags, status, run and model, trace tags set and deleted, a
 * trace inside a run and one under `set_active_model`, feedback and expectation assessments
 * logged, read, updated, overridden and deleted, an unknown trace id, deletion by ids and by
 * time) against agentrack's server over a real connection, in order, and compares each answer:
 * status, error code and key phrase, and the JSON with ids mapped (trace ids are the client's
 * own; run, logged model and assessment ids are the 32 hex digits this server gave) and server
 * times compared by type. Every `traces.json` downloaded must be the bytes uploaded for that
 * trace; the recording's summaries of repeated downloads (`same_as`) compare by SHA-256 with
 * the body of the line they name.
 */
import { describe, expect, it } from 'vitest';
import { send } from './artifact-harness.js';
import {
  artifactPathOf,
  canonical,
  isSummary,
  mapRunIdsInText,
  readExchanges,
  replayRequest,
  sha256,
  RECORDED_EXPERIMENTS,
  replayCases,
  useReplayServer,
  withoutModelTimes,
} from './wire-replay.js';

const REPLAY_EPOCH = 1_796_123_600_000;

const exchanges = readExchanges('traces.jsonl');

/** The 32 hex digits of a server-given id (`m-<hex>` for a model, `a-<hex>` for an assessment). */
function hexOf(id: string): string {
  return id.replace(/^[am]-/, '');
}

describe('replaying traces.jsonl (MLflow 3.3.1 client and server) over a real connection', () => {
  const ids = new Map<string, string>();
  /** SHA-256 of each artifact as this replay uploaded it, by path. */
  const uploaded = new Map<string, string>();
  /** SHA-256 of each artifact as the recording uploaded it, by path. */
  const recordedUploads = new Map<string, string>();
  const replay = useReplayServer('agentrack-wire-traces-', {
    clock: REPLAY_EPOCH,
    experiments: RECORDED_EXPERIMENTS,
  });

  it.each(replayCases(exchanges, [0, 60]))('%s', async (_label, i, exchange) => {
    replay.setClock(REPLAY_EPOCH + i);
    const request = replayRequest(exchange, ids, uploaded);
    if (exchange.method === 'PUT' && typeof exchange.request === 'string') {
      recordedUploads.set(artifactPathOf(exchange.path) as string, sha256(Buffer.from(exchange.request)));
    }
    const answer = await send(Number(replay.base.port), { method: exchange.method, ...request });
    expect(answer.status, answer.body.toString('utf8').slice(0, 300)).toBe(exchange.status);
    const recordedType = exchange.response_headers['content-type'] ?? '';

    if (recordedType.startsWith('application/json')) {
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      const actual = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      if (exchange.status !== 200) {
        const error = mapRunIdsInText(exchange.response, ids) as { error_code: string; message: string };
        expect(actual.error_code).toBe(error.error_code);
        expect(String(actual.message)).toContain(error.message.split(' Error: (')[0]);
        return;
      }
      if (exchange.path.endsWith('/runs/create')) {
        const recordedId = (exchange.response as { run: { info: { run_id: string } } }).run.info.run_id;
        const actualId = (actual.run as { info: { run_id: string } }).info.run_id;
        expect(actualId).toMatch(/^[0-9a-f]{32}$/);
        ids.set(recordedId, actualId);
      }
      if (exchange.method === 'POST' && exchange.path.endsWith('/mlflow/logged-models')) {
        const recordedId = (exchange.response as { model: { info: { model_id: string } } }).model.info
          .model_id;
        const actualId = (actual.model as { info: { model_id: string } }).info.model_id;
        expect(actualId).toMatch(/^m-[0-9a-f]{32}$/);
        ids.set(hexOf(recordedId), hexOf(actualId));
      }
      if (exchange.method === 'POST' && exchange.path.endsWith('/assessments')) {
        const recordedId = (exchange.response as { assessment: { assessment_id: string } }).assessment
          .assessment_id;
        const actualId = (actual.assessment as { assessment_id: string }).assessment_id;
        expect(actualId).toMatch(/^a-[0-9a-f]{32}$/);
        ids.set(hexOf(recordedId), hexOf(actualId));
      }
      expect(canonical(withoutModelTimes(actual))).toEqual(
        canonical(withoutModelTimes(mapRunIdsInText(exchange.response, ids))),
      );
      return;
    }

    // A download of traces.json: the bytes uploaded for that trace, typed and named as MLflow does.
    expect(String(answer.headers['content-type']).split(';')[0]).toBe(recordedType.split(';')[0]);
    expect(answer.headers['content-disposition']).toBe(exchange.response_headers['content-disposition']);
    const path = artifactPathOf(mapRunIdsInText(exchange.path, ids)) as string;
    expect(sha256(answer.body)).toBe(uploaded.get(path));
    const recorded = exchange.response;
    if (isSummary(recorded)) {
      // A repeated download: the bytes of the line it names. (Lines 24, 27 and 31 of the
      // recording give a size and hash no recorded body has, though they name line 21, whose
      // body is the upload of line 19: the line named is what counts.)
      const sameAs = (recorded as { same_as?: number }).same_as;
      expect(sameAs).toBeTypeOf('number');
      const original = exchanges[(sameAs as number) - 1]?.response;
      expect(sha256(answer.body)).toBe(sha256(Buffer.from(mapRunIdsInText(String(original), ids), 'utf8')));
      if (uploaded.get(path) === recordedUploads.get(artifactPathOf(exchange.path) as string)) {
        expect(sha256(answer.body)).toBe(sha256(Buffer.from(String(original), 'utf8')));
      }
    } else {
      expect(answer.body.toString('utf8')).toBe(mapRunIdsInText(String(recorded), ids));
    }
  });
});

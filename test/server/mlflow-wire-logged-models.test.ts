/**
 * Replays `test/fixtures/mlflow-wire/logged-models.jsonl` (a copy of the shared recording of
 * MLflow 3.3.1's Python client against `mlflow server`: `mlflow.pyfunc.log_model` in a
 * development run, `get_logged_model`, `log_metric(model_id=...)`, loading `models:/<model_id>`
 * and `runs:/<run_id>/<name>`, `search_logged_models`, tags, `initialize_logged_model` /
 * `log_model_params` / `finalize_logged_model`, `set_active_model` twice, a deletion and an
 * unknown id) against agentrack's server over a real connection, in order, and compares each
 * answer: status, error code and key phrase, and the JSON with ids mapped (run ids and model
 * ids are 32 hex digits, a model's after `m-`) and server times compared by type; downloads
 * by their bytes, type and `Content-Disposition`. The three experiments exist before the
 * replay starts, as they did before the recording. One deviation is deliberate, as in the
 * artifacts replay: a missing artifact is 404, not MLflow's 500.
 */
import { describe, expect, it } from 'vitest';
import { send } from './artifact-harness.js';
import {
  artifactPathOf,
  canonical,
  isSummary,
  mapRunIdsInText,
  readExchanges,
  sha256,
  replayRequest,
  RECORDED_EXPERIMENTS,
  replayCases,
  useReplayServer,
  withoutModelTimes,
} from './wire-replay.js';

const REPLAY_EPOCH = 1_796_123_600_000;

const exchanges = readExchanges('logged-models.jsonl');

/** The 32 hex digits of a recorded id (`m-<hex>` for a model), which the replay maps to the id agentrack gave. */
function hexOf(id: string): string {
  return id.startsWith('m-') ? id.slice(2) : id;
}

describe('replaying logged-models.jsonl (MLflow 3.3.1 client and server) over a real connection', () => {
  const ids = new Map<string, string>();
  const uploaded = new Map<string, string>();
  const replay = useReplayServer('agentrack-wire-logged-models-', {
    clock: REPLAY_EPOCH,
    experiments: RECORDED_EXPERIMENTS,
  });

  it.each(replayCases(exchanges, [15, 75]))('%s', async (_label, i, exchange) => {
    replay.setClock(REPLAY_EPOCH + i);
    const request = replayRequest(exchange, ids, uploaded);
    const answer = await send(Number(replay.base.port), { method: exchange.method, ...request });
    const recordedType = exchange.response_headers['content-type'] ?? '';

    if (exchange.status === 500 && exchange.method === 'GET' && artifactPathOf(exchange.path) !== undefined) {
      // MLflow's defect, not copied: a missing artifact is 404, and the message shows no storage path.
      expect(answer.status).toBe(404);
      const error = JSON.parse(answer.body.toString('utf8')) as { error_code: string; message: string };
      expect(error.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
      expect(error.message).not.toContain(replay.dir);
      return;
    }
    expect(answer.status).toBe(exchange.status);

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
      expect(canonical(withoutModelTimes(actual))).toEqual(
        canonical(withoutModelTimes(mapRunIdsInText(exchange.response, ids))),
      );
      return;
    }

    // A download: the same bytes, the same type, as an attachment, never sniffed.
    expect(String(answer.headers['content-type']).split(';')[0]).toBe(recordedType.split(';')[0]);
    expect(answer.headers['content-disposition']).toBe(exchange.response_headers['content-disposition']);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    const recorded = exchange.response;
    if (isSummary(recorded)) {
      expect(answer.body.length).toBe(recorded.bytes);
      const artifactPath = artifactPathOf(mapRunIdsInText(exchange.path, ids)) as string;
      expect(sha256(answer.body)).toBe(uploaded.get(artifactPath));
    } else {
      expect(answer.body.toString('utf8')).toBe(mapRunIdsInText(String(recorded), ids));
    }
  });
});

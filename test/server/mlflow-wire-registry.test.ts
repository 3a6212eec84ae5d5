import { describe, expect, it } from 'vitest';
import { send } from './artifact-harness.js';
import {
  alignTimes,
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
} from './wire-replay.js';

const REPLAY_EPOCH = 1_796_123_600_000;
// Times the server sets; the client's own (run start and end times) come back as sent.
const SERVER_TIMES = new Set([
  'creation_timestamp',
  'last_updated_timestamp',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
]);
// The phrases MLflow's clients and users key on; the recording's wording need not match otherwise.
const KEY_PHRASES = ['already exists', 'not found'];

const exchanges = readExchanges('model-registry.jsonl');

/**
 * `value` without the `model_id` of its model versions, once checked: MLflow 3.3.1 takes a
 * version's `model_id` and never returns it (a defect not copied); agentrack returns it, and it
 * must be the logged model the version's `models:/<model_id>` source names.
 */
function withoutReturnedModelIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutReturnedModelIds);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).map(([k, v]) => [k, withoutReturnedModelIds(v)] as const);
  const object = Object.fromEntries(entries) as Record<string, unknown>;
  if ('model_id' in object && 'version' in object && typeof object.source === 'string') {
    expect(object.source).toBe(`models:/${String(object.model_id)}`);
    delete object.model_id;
  }
  return object;
}

/** The names and numbers an error message is about: its words with digits or underscores. */
function subjects(message: string): string[] {
  return (message.match(/[A-Za-z0-9_.@-]+/g) ?? []).filter((word) => /[0-9_]/.test(word));
}

describe('replaying model-registry.jsonl (MLflow 3.3.1 client and server) over a real connection', () => {
  /** Recorded ids (run ids, and the 32 hex digits of model ids) to this server's. */
  const ids = new Map<string, string>();
  const times = new Map<number, number>();
  const uploaded = new Map<string, string>();
  const replay = useReplayServer('agentrack-wire-registry-', {
    clock: REPLAY_EPOCH,
    experiments: RECORDED_EXPERIMENTS,
  });

  it.each(replayCases(exchanges, [10, 70]))('%s', async (_label, i, exchange) => {
    replay.setClock(REPLAY_EPOCH + i * 10);
    const request = replayRequest(exchange, ids, uploaded);
    const answer = await send(Number(replay.base.port), { method: exchange.method, ...request });
    const recordedType = exchange.response_headers['content-type'] ?? '';
    expect(answer.status, answer.body.toString('utf8').slice(0, 500)).toBe(exchange.status);

    if (recordedType.startsWith('application/json')) {
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      const actual = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      if (exchange.status !== 200) {
        const error = mapRunIdsInText(exchange.response, ids) as { error_code: string; message: string };
        expect(actual.error_code).toBe(error.error_code);
        const message = String(actual.message);
        for (const phrase of KEY_PHRASES)
          if (error.message.includes(phrase)) expect(message).toContain(phrase);
        // The same model, version or alias named, without the recording's database noise.
        for (const subject of subjects(error.message.split(' Error: (')[0] ?? '')) {
          expect(message).toContain(subject);
        }
        return;
      }
      if (exchange.method === 'POST' && exchange.path.endsWith('/runs/create')) {
        const recordedId = (exchange.response as { run: { info: { run_id: string } } }).run.info.run_id;
        const actualId = (actual.run as { info: { run_id: string } }).info.run_id;
        expect(actualId).toMatch(/^[0-9a-f]{32}$/);
        ids.set(recordedId, actualId);
      }
      if (exchange.method === 'POST' && exchange.path.endsWith('/logged-models')) {
        const idOf = (value: unknown) =>
          (value as { model: { info: { model_id: string } } }).model.info.model_id;
        expect(idOf(actual)).toMatch(/^m-[0-9a-f]{32}$/);
        ids.set(idOf(exchange.response).slice(2), idOf(actual).slice(2));
      }
      const recorded = mapRunIdsInText(exchange.response, ids);
      const returned = withoutReturnedModelIds(actual);
      expect(canonical(alignTimes(returned, recorded, times, SERVER_TIMES))).toEqual(canonical(recorded));
      return;
    }

    // A download of a model file: the same bytes and type, as an attachment, never sniffed.
    const recorded = mapRunIdsInText(exchange.response, ids);
    expect(String(answer.headers['content-type']).split(';')[0]).toBe(recordedType.split(';')[0]);
    expect(answer.headers['content-disposition']).toBe(exchange.response_headers['content-disposition']);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    if (isSummary(recorded)) {
      expect(answer.body.length).toBe(recorded.bytes);
      expect(sha256(answer.body)).toBe(
        uploaded.get(artifactPathOf(mapRunIdsInText(exchange.path, ids)) ?? ''),
      );
    } else {
      expect(answer.body.toString('utf8')).toBe(recorded);
    }
  });
});

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
  replayCases,
  useReplayServer,
} from './wire-replay.js';

const REPLAY_EPOCH = 1_796_123_600_000;

const exchanges = readExchanges('artifacts.jsonl');

describe('replaying artifacts.jsonl (MLflow 3.3.1 client and server) over a real connection', () => {
  const ids = new Map<string, string>();
  /** SHA-256 of the bytes this replay uploaded, by artifact path, for the binary bodies the recording summarizes. */
  const uploaded = new Map<string, string>();
  const replay = useReplayServer('agentrack-wire-artifacts-', { clock: REPLAY_EPOCH });

  it.each(replayCases(exchanges, [11, 70]))('%s', async (_label, i, exchange) => {
    replay.setClock(REPLAY_EPOCH + i);
    const request = replayRequest(exchange, ids, uploaded);
    const answer = await send(Number(replay.base.port), { method: exchange.method, ...request });
    const recorded = mapRunIdsInText(exchange.response, ids);
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
        const error = recorded as { error_code: string; message: string };
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
      expect(canonical(actual)).toEqual(canonical(mapRunIdsInText(exchange.response, ids)));
      return;
    }

    // A download: the same bytes, the same type, as an attachment, never sniffed.
    expect(String(answer.headers['content-type']).split(';')[0]).toBe(recordedType.split(';')[0]);
    expect(answer.headers['content-disposition']).toBe(exchange.response_headers['content-disposition']);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    if (isSummary(recorded)) {
      expect(answer.body.length).toBe(recorded.bytes);
      const artifactPath = artifactPathOf(mapRunIdsInText(exchange.path, ids)) as string;
      expect(sha256(answer.body)).toBe(uploaded.get(artifactPath));
    } else {
      expect(answer.body.toString('utf8')).toBe(recorded);
    }
  });
});

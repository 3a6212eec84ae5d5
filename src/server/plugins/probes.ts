import { createRequire } from 'node:module';
import type { FastifyPluginAsync } from 'fastify';

const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };
const TEXT_TYPE = 'text/plain; charset=utf-8';

/** The paths of the probes, which stay reachable without credentials, as in MLflow's auth app. */
export const PROBE_PATHS: readonly string[] = Object.freeze(['/health', '/version']);

/** `GET /health` (`OK`) and `GET /version` (the package's version), as text, as MLflow serves them. Encapsulated. */
export const probes: FastifyPluginAsync = async (app) => {
  app.get('/health', async (_request, reply) => reply.type(TEXT_TYPE).send('OK'));
  app.get('/version', async (_request, reply) => reply.type(TEXT_TYPE).send(version));
};

import type { FastifyInstance } from 'fastify';

/**
 * Makes the plugin context `app` read every request body, of any content type, as text of at
 * most `bodyLimit` bytes, for its handlers to parse as MLflow does (or to ignore): nothing is
 * refused before a handler has seen the request. Encapsulated: other plugins keep their parsers.
 */
export function readBodiesAsText(app: FastifyInstance, bodyLimit?: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(
    '*',
    { parseAs: 'string', ...(bodyLimit ? { bodyLimit } : {}) },
    (_request, body, done) => done(null, body),
  );
}

import type { FastifyInstance } from 'fastify';

/**
 * Makes the plugin context `app` hand every request body on unread, as the request stream
 * itself, of any content type and size: for endpoints whose operation streams the body
 * (uploads). Encapsulated: other plugins keep their parsers.
 */
export function streamBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

import type { FastifyPluginAsync, FastifyPluginOptions } from 'fastify';

/**
 * Marks a plugin to run in the context it is registered in rather than in a context of its
 * own, as the `fastify-plugin` package does (Fastify's documented `skip-override` property):
 * for the few plugins whose hooks or request decorations must reach every route of the app.
 */
export function sharedContext<Options extends FastifyPluginOptions>(
  plugin: FastifyPluginAsync<Options>,
  name: string,
): FastifyPluginAsync<Options> {
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: name });
  return plugin;
}

import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { sendError } from '../error-reply.js';

/**
 * The paths the web UI answers (ui/src/routes.tsx): each serves its `index.html`, so a page's
 * URL survives a reload and can be shared. Fastify's `*` matches the rest of a path.
 */
export const UI_PATHS: readonly string[] = Object.freeze([
  '/',
  '/agents/*',
  '/experiments/*',
  '/runs/*',
  '/compare',
  '/traces/*',
  '/models',
  '/models/*',
]);

/** Options of {@link webUi}. */
export interface WebUiOptions {
  /** The built UI (`dist/ui`, made by `npm run build`). Default: the one beside this module. */
  root?: string | undefined;
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/**
 * What the UI's page may do: load its own scripts and styles, call its own origin, show images
 * it fetched (artifact previews as blobs); nothing inline but styles (uPlot sets style
 * attributes), no frames of it elsewhere. Content from runs (names, params, artifacts, span
 * inputs) is rendered as text by React, never as markup; this keeps a slip from running.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

/** A hashed asset's name as Vite writes them: nothing that could leave the folder. */
const ASSET_NAME = /^[A-Za-z0-9._-]+$/;

/** The built UI beside this module (`dist/server/plugins` → `dist/ui`), or from the sources (`src/...` → `dist/ui`). */
export function defaultUiRoot(): string {
  const beside = fileURLToPath(new URL('../../ui', import.meta.url));
  if (existsSync(join(beside, 'index.html'))) return beside;
  return fileURLToPath(new URL('../../../dist/ui', import.meta.url));
}

/**
 * The web UI at `/`: its `index.html` for every page's path ({@link UI_PATHS}) and its hashed
 * assets under `/assets/` (cached for a year: their names change with their content). Behind
 * the same authentication as the API (a browser asks for Basic credentials once, then sends
 * them with every call). A server built without the UI answers its paths with 404 saying so.
 * Encapsulated.
 */
export const webUi: FastifyPluginAsync<WebUiOptions> = async (app, options) => {
  const root = options.root ?? defaultUiRoot();
  const indexPath = join(root, 'index.html');
  const index = existsSync(indexPath) ? readFileSync(indexPath) : undefined;

  const page = async (_request: unknown, reply: FastifyReply) => {
    if (index === undefined) {
      return sendError(reply, 404, {
        error_code: 'ENDPOINT_NOT_FOUND',
        message: `The web UI is not built (${indexPath} is missing): run \`npm run build\`.`,
      });
    }
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .send(index);
  };
  for (const path of UI_PATHS) app.get(path, page);

  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const { name } = request.params;
    const type = MEDIA_TYPES[extname(name)];
    if (!ASSET_NAME.test(name) || name.startsWith('.') || type === undefined) {
      return sendError(reply, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `No asset '${name}'.` });
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(join(root, 'assets', name));
    } catch {
      return sendError(reply, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: `No asset '${name}'.` });
    }
    return reply
      .type(type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .header('x-content-type-options', 'nosniff')
      .send(bytes);
  });
};

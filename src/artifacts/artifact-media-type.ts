/**
 * Names MLflow serves as `text/plain`, by extension (or by the whole name, for files without
 * one such as `MLmodel`): its `get_text_extensions()`, so that its UI shows them as text.
 */
const TEXT_EXTENSIONS: ReadonlySet<string> = new Set([
  'txt',
  'log',
  'err',
  'cfg',
  'conf',
  'cnf',
  'cf',
  'ini',
  'properties',
  'prop',
  'hocon',
  'toml',
  'yaml',
  'yml',
  'xml',
  'json',
  'js',
  'py',
  'py3',
  'csv',
  'tsv',
  'md',
  'rst',
  // MLflow's MLMODEL_FILE_NAME and MLPROJECT_FILE_NAME, as they are spelled there.
  'MLmodel',
  'mlproject',
]);

/** The media types Python's `mimetypes` gives the other common extensions (lower case). */
const MEDIA_TYPES: ReadonlyMap<string, string> = new Map(
  Object.entries({
    png: 'image/png',
    jpg: 'image/jpeg',
    jpeg: 'image/jpeg',
    gif: 'image/gif',
    bmp: 'image/bmp',
    webp: 'image/webp',
    svg: 'image/svg+xml',
    tif: 'image/tiff',
    tiff: 'image/tiff',
    ico: 'image/vnd.microsoft.icon',
    html: 'text/html',
    htm: 'text/html',
    css: 'text/css',
    pdf: 'application/pdf',
    zip: 'application/zip',
    tar: 'application/x-tar',
    mp3: 'audio/mpeg',
    wav: 'audio/x-wav',
    mp4: 'video/mp4',
    webm: 'video/webm',
    mov: 'video/quicktime',
  }),
);

/** What a file of unknown kind is served as. */
export const BINARY_MEDIA_TYPE = 'application/octet-stream';

/**
 * The media type MLflow's server answers a download of the file named `path` with (its
 * `_guess_mime_type`): `text/plain` for text-like names (`.txt`, `.json`, `.yaml`, `.md`,
 * `MLmodel`, ...), the usual type of images and other common files, and
 * `application/octet-stream` for anything else (`MLproject` too: MLflow lists the project
 * file's name in lower case). The server always sends downloads as
 * attachments with `X-Content-Type-Options: nosniff`, so `text/html` or `image/svg+xml` never
 * render on its origin.
 *
 * @example artifactMediaType('1/run/artifacts/config/agent.json') // 'text/plain'
 * @example artifactMediaType('images/status_panel.png') // 'image/png'
 */
export function artifactMediaType(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  // As Python's splitext: a leading dot starts a name, not an extension.
  const extension = dot > 0 ? name.slice(dot + 1) : '';
  if (TEXT_EXTENSIONS.has(extension === '' ? name : extension)) return 'text/plain';
  return MEDIA_TYPES.get(extension.toLowerCase()) ?? BINARY_MEDIA_TYPE;
}

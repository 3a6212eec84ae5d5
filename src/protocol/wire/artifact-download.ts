import { artifactMediaType } from '../../artifacts/artifact-media-type.js';
import { artifactBaseName } from '../../artifacts/artifact-path.js';
import type { ArtifactDownload } from '../../artifacts/artifact-repository.js';
import type { StreamResponse } from '../endpoint.js';

/**
 * How every artifact download answers (the artifact service's and the web UI's
 * `/get-artifact`): the file's bytes, typed from its name as MLflow's server types them
 * (whatever the destination stored), as an attachment named after it. `pathOf` says which of
 * the endpoint's arguments is the file's path.
 */
export function artifactDownloadResponse<A>(
  pathOf: (args: A) => string,
): StreamResponse<ArtifactDownload, A> {
  return {
    kind: 'stream',
    encode: (download, args) => ({
      stream: download.body,
      contentType: artifactMediaType(pathOf(args)),
      fileName: artifactBaseName(pathOf(args)),
    }),
    decode: (body) => ({
      body: body.stream,
      ...(body.size !== undefined ? { size: body.size } : {}),
      ...(body.contentType !== undefined ? { contentType: body.contentType } : {}),
    }),
  };
}

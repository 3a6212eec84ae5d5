export {
  compareArtifactNames,
  sortArtifactInfos,
  type ArtifactDownload,
  type ArtifactInfo,
  type ArtifactRepository,
  type MultipartUploads,
  type PutArtifactOptions,
  type UploadedPart,
} from './artifact-repository.js';
export {
  artifactBaseName,
  invalidPath,
  isSafeArtifactPath,
  joinArtifactPath,
  validateArtifactPath,
  type ArtifactPathKind,
} from './artifact-path.js';
export {
  artifactUriScheme,
  openArtifactRepository,
  type OpenArtifactRepositoryOptions,
} from './artifact-registry.js';
export { LocalArtifactRepository } from './local-artifact-repository.js';
export {
  S3ArtifactRepository,
  loadS3Sdk,
  type S3ArtifactRepositoryOptions,
} from './s3-artifact-repository.js';
export {
  DEFAULT_S3_REGION,
  parseS3Uri,
  resolveS3Settings,
  type S3Location,
  type S3Settings,
} from './s3-settings.js';
export {
  LOCAL_ARTIFACT_ROOT,
  PROXIED_ARTIFACT_ROOT,
  PROXIED_ARTIFACT_SCHEME,
  appendToArtifactUri,
  defaultArtifactsDestination,
  isProxiedArtifactUri,
  proxiedArtifactPath,
  proxiedHttpArtifactPath,
  resolveArtifactRoot,
  resolveArtifactUri,
  serverArtifactRoot,
  type ServerArtifactRootOptions,
} from './artifact-locations.js';
export {
  createArtifactLocator,
  type ArtifactLocation,
  type ArtifactLocator,
  type ArtifactLocatorOptions,
} from './artifact-locator.js';
export type {
  AbortMultipartUploadInput,
  ArtifactFileInfo,
  ArtifactService,
  ArtifactUploadBody,
  CompletedPart,
  CompleteMultipartUploadInput,
  CreatedMultipartUpload,
  CreateMultipartUploadInput,
  MultipartPartInput,
  MultipartUploadCredential,
  PartUploadTarget,
} from './artifact-service.js';
export { MULTIPART_UNSUPPORTED_MESSAGE, ProxiedArtifactService } from './proxied-artifact-service.js';
export { BINARY_MEDIA_TYPE, artifactMediaType } from './artifact-media-type.js';
export { HttpArtifactRepository, type HttpArtifactRepositoryOptions } from './http-artifact-repository.js';

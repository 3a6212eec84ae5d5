export { ArtifactAccess, type ArtifactFile, type ArtifactTotals } from './artifact-access.js';
export {
  PROGRESS_KINDS,
  ProgressCounter,
  formatProgress,
  type ProgressKind,
  type ProgressSnapshot,
} from './copy-progress.js';
export { CopyState } from './copy-state.js';
export {
  copyStores,
  defaultStatePath,
  verifyStores,
  type CopyOptions,
  type CopyResult,
  type CopyStep,
} from './copy-stores.js';
export type { CopyTarget, TargetArtifacts } from './copy-target.js';
export { IdMap, MAPPED_KINDS, type MappedKind } from './id-map.js';
export { COPY_SOURCE_TAG, RestCopyTarget } from './rest-copy-target.js';
export { SqlCopyTarget } from './sql-copy-target.js';
export { RUN_PAGE_SIZE, StoreReader } from './store-reader.js';
export {
  VERIFY_KINDS,
  canonicalJson,
  compareTallies,
  tallyStore,
  type Tallies,
  type Tally,
  type TallyOptions,
  type VerifyKind,
  type VerifyRow,
} from './verify.js';

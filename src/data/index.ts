/**
 * Datasets: a seeded synthetic regression set, MNIST and CIFAR-10 from their
 * canonical files (verified by SHA-256, downloaded when missing and allowed),
 * all in one {@link Dataset} shape with a JSON provenance record.
 */
export * from './types';
export * from './checksums';
export {
  DATA_DIR_ENV,
  DEFAULT_DATA_DIR,
  gunzipIfNeeded,
  isGzip,
  readDataFile,
  type ReadDataFile,
  resolveDataDir,
  sha256Hex,
  writeFileAtomic,
} from './files';
export * from './tar';
export * from './idx';
export * from './download';
export { BYTE_TO_UNIT, type FileDatasetArgs } from './common';
export * from './regression';
export * from './mnist';
export * from './cifar10';
export * from './dataset';

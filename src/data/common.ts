/**
 * Options and helpers shared by the file-based loaders (MNIST, CIFAR-10).
 */

import * as path from 'node:path';

import { CANONICAL_BYTES, type ChecksumTable } from './checksums';
import type { DownloadArgs } from './download';
import { isFile, resolveDataDir } from './files';

/** Options every file-based loader accepts. */
export interface FileDatasetArgs extends DownloadArgs {
  /**
   * Data directory. Default: {@link resolveDataDir}() (`$OCTOLAB_DATA_DIR`,
   * else `./data`). Relative paths are resolved against the working directory.
   */
  dataDir?: string;
  /** Keep only the first N training examples (file order). Default: all. */
  limitTrain?: number | null;
  /** Keep only the first N test examples (file order). Default: all. */
  limitTest?: number | null;
  /**
   * Check every file read against the checksum table and refuse any
   * mismatch. Default `true`. With `false` the hashes are still computed and
   * recorded in the provenance, only not compared (for test fixtures and
   * deliberately modified data).
   */
  verify?: boolean;
  /**
   * Download missing files from the canonical locations (verified against the
   * checksum table before they are saved). Default `false` here; the command
   * line turns it on.
   */
  download?: boolean;
  /** Expected SHA-256 per canonical relative path. Default: the canonical release ({@link CANONICAL_SHA256}). */
  checksums?: ChecksumTable;
}

/** `x / 255` rounded to float32 for every byte value: the [0,1] normalisation. */
export const BYTE_TO_UNIT: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) t[i] = i / 255;
  return t;
})();

/** The data directory a loader uses: `args.dataDir` resolved, else {@link resolveDataDir}(). */
export function loaderDataDir(dataDir: string | undefined): string {
  return dataDir === undefined ? resolveDataDir() : resolveDataDir(dataDir);
}

/**
 * The first of `dirs` that holds any of `names`, else `dirs[0]` (the
 * canonical place, where downloads go and messages point).
 */
export function chooseDir(dirs: string[], names: string[]): string {
  for (const d of dirs) if (names.some((n) => isFile(path.join(d, n)))) return d;
  return dirs[0];
}

/** One missing file, described for the user. */
export interface MissingFile {
  /** Absolute path where the file is expected. */
  path: string;
  /** Key in the checksum table. */
  key: string;
  /** Where to get it. */
  url: string;
}

/** A multi-line description of missing files: full path, size, SHA-256 and source of each. */
export function describeMissing(files: MissingFile[], table: ChecksumTable): string {
  return files
    .map((f) => {
      const bytes = CANONICAL_BYTES[f.key];
      const sha = table[f.key];
      const facts = [bytes !== undefined ? `${bytes} bytes` : null, sha !== undefined ? `SHA-256 ${sha}` : null]
        .filter((x) => x !== null)
        .join(', ');
      return `  ${f.path}${facts !== '' ? ` (${facts})` : ''}\n    from ${f.url}`;
    })
    .join('\n');
}

/**
 * File-system helpers shared by the loaders: where the data directory is,
 * reading a file together with its SHA-256, gzip detection, atomic writes.
 */

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

import type { DataFile } from './types';

/** Environment variable naming the data directory when no flag is given. */
export const DATA_DIR_ENV = 'OCTOLAB_DATA_DIR';

/** Data directory used when neither the flag nor the environment names one (relative to the working directory). */
export const DEFAULT_DATA_DIR = './data';

/**
 * The data directory, as an absolute path: the `--data-dir` flag if given,
 * else `$OCTOLAB_DATA_DIR` if set and non-empty, else `./data`; relative
 * paths are resolved against `cwd`. Inside it the loaders look for
 * `mnist/` and `cifar-10/cifar-10-batches-bin/` (the layout of the reference
 * data folder) and also accept the files directly in the directory.
 *
 * @param flag Value of `--data-dir`, if the user gave one (empty string is an error).
 * @param env Environment to read {@link DATA_DIR_ENV} from (default `process.env`).
 * @param cwd Directory relative paths are resolved against (default `process.cwd()`).
 */
export function resolveDataDir(
  flag?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): string {
  if (flag !== undefined) {
    if (flag.trim() === '') throw new Error('--data-dir must not be empty');
    return path.resolve(cwd, flag);
  }
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(cwd, fromEnv);
  return path.resolve(cwd, DEFAULT_DATA_DIR);
}

/** Lower-case hex SHA-256 of `bytes`. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** True when `p` exists and is a regular file (symbolic links followed). */
export function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

export { PACKAGE_ROOT, portableDir } from '../io/paths';

/** `abs` relative to `dataDir` with `/` separators; `abs` itself when it lies outside `dataDir`. */
export function relativeDataPath(dataDir: string, abs: string): string {
  const rel = path.relative(dataDir, abs);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return abs;
  return rel.split(path.sep).join('/');
}

/** A file's bytes together with its provenance record. */
export interface ReadDataFile {
  /** The bytes on disk (not decompressed). */
  bytes: Buffer;
  /** Provenance entry: relative path, role, size, SHA-256. */
  file: DataFile;
  /** Absolute path that was read. */
  absolutePath: string;
}

/** Reads a whole file and hashes it. */
export async function readDataFile(dataDir: string, absolutePath: string, role: string): Promise<ReadDataFile> {
  const bytes = await fs.promises.readFile(absolutePath);
  return {
    bytes,
    absolutePath,
    file: { path: relativeDataPath(dataDir, absolutePath), role, bytes: bytes.length, sha256: sha256Hex(bytes) },
  };
}

/** True when `bytes` start with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Decompresses `bytes` when they are gzip (detected by content, not by file
 * name) and returns them unchanged otherwise. A corrupt or truncated gzip
 * stream raises an error naming `where`.
 */
export function gunzipIfNeeded(bytes: Buffer, where: string): Buffer {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (err) {
    throw new Error(`cannot decompress ${where}: ${(err as Error).message} (truncated or corrupt gzip file)`);
  }
}

/**
 * Writes `bytes` to `dest` without ever leaving a partial file under that
 * name: the data goes to `dest + '.part'`, which is then renamed. Creates the
 * parent directory.
 */
export async function writeFileAtomic(dest: string, bytes: Uint8Array): Promise<void> {
  await fs.promises.mkdir(path.dirname(dest), { recursive: true });
  const part = `${dest}.part`;
  try {
    await fs.promises.writeFile(part, bytes);
    await fs.promises.rename(part, dest);
  } catch (err) {
    await fs.promises.rm(part, { force: true });
    throw err;
  }
}

/** Checks an optional first-N limit: `undefined`/`null` or a positive integer. */
export function checkLimit(name: string, value: number | null | undefined): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** The number of examples after a limit; a limit above what is available is an error. */
export function applyLimit(name: string, limit: number | null, available: number, what: string): number {
  if (limit === null) return available;
  if (limit > available) throw new Error(`${name} ${limit} exceeds the ${available} examples available in ${what}`);
  return limit;
}

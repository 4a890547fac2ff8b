/**
 * Writes that are either complete or absent: every byte count is checked, data is
 * fsynced before a temporary file is renamed over its target, and a failure names
 * the file and leaves the previous content in place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The one system call the writers here make for data; replaceable in tests to simulate a full disk. */
export type WriteFn = (fd: number, buffer: Uint8Array, offset: number, length: number) => number;

const defaultWrite: WriteFn = (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length);

/** Options shared by the writers. */
export interface WriteOptions {
  /** The write call (default `fs.writeSync`). */
  write?: WriteFn;
}

/** A failed file operation, with the file, what was being done and the system's reason. */
export class FileError extends Error {
  /** Always `'FileError'`. */
  override name = 'FileError';
  /** The system error code (e.g. `ENOSPC`), or null. */
  readonly code: string | null;
  /** The file concerned. */
  readonly file: string;

  /** Wraps `cause` (usually a Node.js system error) for `action` on `file`. */
  constructor(action: string, file: string, cause: unknown) {
    const e = cause as NodeJS.ErrnoException;
    const code = typeof e?.code === 'string' ? e.code : null;
    super(`cannot ${action} ${file}: ${reasonOf(e)}`);
    this.code = code;
    this.file = file;
  }
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EISDIR: 'it is a directory',
  EEXIST: 'a file of that name is in the way',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'no such file or directory',
};

function reasonOf(e: NodeJS.ErrnoException | undefined): string {
  if (e === undefined || e === null) return 'unknown error';
  const code = typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && Object.prototype.hasOwnProperty.call(REASONS, code)) return `${REASONS[code]} (${code})`;
  return e.message ?? String(e);
}

/**
 * Writes all of `data` to `fd`, looping over short writes; a write that makes no
 * progress is reported as a full disk. Throws a {@link FileError} naming `file`.
 */
export function writeFully(fd: number, data: Uint8Array, file: string, write: WriteFn = defaultWrite): void {
  let off = 0;
  while (off < data.length) {
    let n: number;
    try {
      n = write(fd, data, off, data.length - off);
    } catch (err) {
      throw new FileError(`write ${data.length} bytes to`, file, err);
    }
    if (!Number.isInteger(n) || n <= 0) {
      throw new FileError(`write ${data.length} bytes to`, file, Object.assign(new Error('short write'), { code: 'ENOSPC' }));
    }
    off += n;
  }
}

/** Creates `dir` and its parents, naming the path when something is in the way. */
export function ensureDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new FileError('create directory', dir, err);
  }
  if (!fs.statSync(dir).isDirectory()) throw new FileError('use directory', dir, { code: 'ENOTDIR' });
}

/** Best-effort fsync of a directory so that a rename in it is durable. */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

let counter = 0;

/** A temporary name next to `file` (same directory, so the rename is atomic). */
export function tempPathFor(file: string): string {
  counter++;
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter}.tmp`);
}

/** Writes `data` to a new temporary file next to `file`, fsynced; returns its path. */
function writeTemp(file: string, data: string | Uint8Array, write: WriteFn): string {
  const tmp = tempPathFor(file);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number;
  try {
    fd = fs.openSync(tmp, 'wx');
  } catch (err) {
    throw new FileError('create a temporary file for', file, err);
  }
  try {
    writeFully(fd, bytes, file, write);
    try {
      fs.fsyncSync(fd);
    } catch (err) {
      throw new FileError('flush', file, err);
    }
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  return tmp;
}

/** Refuses a target that is a directory, before anything is written. */
function checkTarget(file: string): void {
  ensureDir(path.dirname(file));
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) throw new FileError('write', file, { code: 'EISDIR' });
}

/**
 * Replaces `file` with `data` atomically: a temporary file in the same directory,
 * every byte checked, fsync, rename. On failure the old file is untouched, the
 * temporary file is removed and a {@link FileError} names `file`.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteOptions = {}): void {
  writeFilesAtomic([{ file, data }], options);
}

/** One file of {@link writeFilesAtomic}. */
export interface FileContent {
  /** Target path. */
  file: string;
  /** Its whole new content. */
  data: string | Uint8Array;
}

/**
 * Replaces several files as one unit: every target is checked, then every new
 * content is written to a temporary file and fsynced, and only when all of them are
 * on disk are they renamed into place. A failure before the renames (a full disk,
 * a directory in the way, no permission) leaves every old file as it was.
 */
export function writeFilesAtomic(files: readonly FileContent[], options: WriteOptions = {}): void {
  const write = options.write ?? defaultWrite;
  const seen = new Set<string>();
  for (const f of files) {
    const abs = path.resolve(f.file);
    if (seen.has(abs)) throw new Error(`writeFilesAtomic: ${f.file} is given twice`);
    seen.add(abs);
    checkTarget(f.file);
  }
  const temps: string[] = [];
  try {
    for (const f of files) temps.push(writeTemp(f.file, f.data, write));
  } catch (err) {
    for (const t of temps) fs.rmSync(t, { force: true });
    throw err;
  }
  const dirs = new Set<string>();
  files.forEach((f, i) => {
    try {
      fs.renameSync(temps[i], f.file);
    } catch (err) {
      for (const t of temps.slice(i)) fs.rmSync(t, { force: true });
      throw new FileError('replace', f.file, err);
    }
    dirs.add(path.dirname(path.resolve(f.file)));
  });
  for (const d of dirs) syncDir(d);
}

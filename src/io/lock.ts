/**
 * Exclusive lock files: `<file>.lock`, created with O_EXCL and holding the owner's
 * pid, host and start time. A lock whose owner process on this host is gone is
 * stale and is taken over; a live owner makes the caller refuse, naming it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileError, ensureDir, writeFully } from './atomic';

/** What a lock file says about its owner. */
export interface LockOwner {
  /** Process id. */
  pid: number;
  /** Host name of the process. */
  hostname: string;
  /** What the owner does, e.g. `octolab run`. */
  purpose: string;
  /** ISO time the lock was taken. */
  since: string;
}

/** A held lock. */
export interface Lock {
  /** The lock file. */
  file: string;
  /** Removes the lock file (only if it is still ours). */
  release(): void;
}

/** Another live process holds the lock. */
export class LockHeldError extends Error {
  /** Always `'LockHeldError'`. */
  override name = 'LockHeldError';
  /** The lock file. */
  readonly lockFile: string;
  /** Its owner, as the lock file says. */
  readonly owner: LockOwner | null;

  /** Builds the message naming `target`, the lock file and its owner. */
  constructor(target: string, lockFile: string, owner: LockOwner | null) {
    const who = owner === null ? 'an unknown process' : `${owner.purpose} (pid ${owner.pid} on ${owner.hostname}, since ${owner.since})`;
    super(
      `${target} is in use by ${who}; wait for it to finish` +
        (owner !== null && owner.hostname !== os.hostname() ? `, or delete ${lockFile} if that process is gone` : ''),
    );
    this.lockFile = lockFile;
    this.owner = owner;
  }
}

/** The lock file of `target`. */
export function lockPathFor(target: string): string {
  return `${target}.lock`;
}

/** Whether a process with this id is running on this host. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lockFile: string): LockOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(lockFile, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid !== 'number' || typeof o.hostname !== 'string') return null;
    return { pid: o.pid, hostname: o.hostname, purpose: String(o.purpose ?? 'octolab'), since: String(o.since ?? '?') };
  } catch {
    return null;
  }
}

/** Whether `owner` is certainly gone: a process of this host that no longer runs. */
function isStale(owner: LockOwner | null): boolean {
  return owner !== null && owner.hostname === os.hostname() && !processAlive(owner.pid);
}

/**
 * Moves a stale lock out of the way without removing a fresh one that another process
 * created meanwhile: the file is renamed first and only deleted if it is the stale one.
 */
function breakStaleLock(lockFile: string, stale: LockOwner): void {
  const aside = `${lockFile}.stale-${process.pid}`;
  try {
    fs.renameSync(lockFile, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readOwner(aside);
  if (moved !== null && (moved.pid !== stale.pid || moved.since !== stale.since)) {
    // A new owner's lock: put it back (link fails if yet another lock appeared).
    try {
      fs.linkSync(aside, lockFile);
    } catch {
      // the newer lock stays
    }
  }
  fs.rmSync(aside, { force: true });
}

/**
 * Takes the lock of `target` for this process, or throws {@link LockHeldError} when a
 * live process holds it. A stale lock (its process on this host has exited, e.g. after
 * `kill -9`) is taken over.
 */
export function acquireLock(target: string, purpose: string): Lock {
  const lockFile = lockPathFor(target);
  ensureDir(path.dirname(path.resolve(lockFile)));
  const me: LockOwner = { pid: process.pid, hostname: os.hostname(), purpose, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(lockFile, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new FileError('create lock file', lockFile, err);
      const owner = readOwner(lockFile);
      if (owner === null) {
        // Being written by its owner right now, or damaged: look again shortly.
        const age = Date.now() - (fs.statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
        if (age > 10_000) fs.rmSync(lockFile, { force: true });
        else sleepMs(50);
        continue;
      }
      if (!isStale(owner)) throw new LockHeldError(target, lockFile, owner);
      breakStaleLock(lockFile, owner);
      continue;
    }
    try {
      writeFully(fd, Buffer.from(JSON.stringify(me)), lockFile);
      fs.fsyncSync(fd);
    } catch (err) {
      fs.closeSync(fd);
      fs.rmSync(lockFile, { force: true });
      throw err instanceof FileError ? err : new FileError('write lock file', lockFile, err);
    }
    fs.closeSync(fd);
    return {
      file: lockFile,
      release() {
        const owner = readOwner(lockFile);
        if (owner !== null && owner.pid === me.pid && owner.since === me.since) fs.rmSync(lockFile, { force: true });
      },
    };
  }
  throw new LockHeldError(target, lockFile, readOwner(lockFile));
}

/** Takes the locks of several targets (in a fixed order, so two callers cannot deadlock); all or none. */
export function acquireLocks(targets: readonly string[], purpose: string): Lock {
  const unique = [...new Set(targets.map((t) => path.resolve(t)))].sort();
  const held: Lock[] = [];
  try {
    for (const t of unique) held.push(acquireLock(t, purpose));
  } catch (err) {
    for (const l of held.reverse()) l.release();
    throw err;
  }
  return {
    file: held.map((l) => l.file).join(', '),
    release() {
      for (const l of held.reverse()) l.release();
    },
  };
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

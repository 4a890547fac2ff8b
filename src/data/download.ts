/**
 * Fetching the canonical data files when they are missing. Every download is
 * verified against the checksum table before it is written, and is written
 * as `<name>.part` then renamed, so a file under its final name is always
 * complete and canonical.
 */

import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';

import { CANONICAL_SHA256, type ChecksumTable } from './checksums';
import { sha256Hex, writeFileAtomic } from './files';
import { readTar } from './tar';

/** The part of a fetch `Response` the downloader uses. */
export interface FetchResponseLike {
  /** True for a 2xx status. */
  ok: boolean;
  /** HTTP status code. */
  status: number;
  /** HTTP status text. */
  statusText: string;
  /** The whole body. */
  arrayBuffer(): Promise<ArrayBuffer>;
}

/** A fetch function (the global `fetch` fits); injected in tests so they never touch the network. */
export type FetchLike = (url: string, init: { signal: AbortSignal }) => Promise<FetchResponseLike>;

/** Default MNIST mirrors, tried in order; each serves the canonical `*.gz` names. */
export const MNIST_MIRRORS: readonly string[] = Object.freeze([
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'http://yann.lecun.com/exdb/mnist/',
]);

/** The canonical CIFAR-10 binary release (a gzipped tar holding `cifar-10-batches-bin/*.bin`). */
export const CIFAR10_BINARY_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

/** Options for downloading missing files. */
export interface DownloadArgs {
  /** Fetch implementation. Default: the global `fetch`. */
  fetchFn?: FetchLike;
  /** Milliseconds to wait for response headers before giving up on a URL. Default 10,000. */
  connectTimeoutMs?: number;
  /** Milliseconds allowed to receive a whole body once headers arrived. Default 900,000. */
  bodyTimeoutMs?: number;
  /** MNIST base URLs tried in order (each ending in `/`). Default {@link MNIST_MIRRORS}. */
  mnistMirrors?: readonly string[];
  /** URL of the CIFAR-10 binary tarball. Default {@link CIFAR10_BINARY_URL}. */
  cifar10Url?: string;
  /** Receives one line per download step. Default: write to stderr. */
  log?: (line: string) => void;
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return `${err.message} (${code !== undefined ? `${code}: ` : ''}${cause.message})`;
  }
  return err.message;
}

function timeout<T>(ms: number, controller: AbortController, what: string): { promise: Promise<T>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<T>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${what} timed out after ${ms} ms`);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Fetches `url` into memory with a short timeout for the response headers
 * and a longer one for the body. Throws an Error naming the URL and the
 * reason (network error, HTTP status, timeout).
 */
export async function fetchBytes(url: string, args: DownloadArgs = {}): Promise<Buffer> {
  const fetchFn: FetchLike = args.fetchFn ?? (globalThis.fetch as unknown as FetchLike);
  const controller = new AbortController();
  const connect = timeout<never>(args.connectTimeoutMs ?? 10_000, controller, 'connection');
  let body: { promise: Promise<never>; cancel: () => void } | null = null;
  try {
    const res = await Promise.race([fetchFn(url, { signal: controller.signal }), connect.promise]);
    connect.cancel();
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    body = timeout<never>(args.bodyTimeoutMs ?? 900_000, controller, 'download');
    const ab = await Promise.race([res.arrayBuffer(), body.promise]);
    return Buffer.from(ab);
  } catch (err) {
    throw new Error(`${url}: ${describeError(err)}`);
  } finally {
    connect.cancel();
    if (body !== null) body.cancel();
  }
}

function logger(args: DownloadArgs): (line: string) => void {
  return args.log ?? ((line: string) => process.stderr.write(`${line}\n`));
}

/**
 * Downloads one MNIST file (`fileName`, e.g. `train-images-idx3-ubyte.gz`)
 * into `destDir`, trying each mirror in turn, and checks it against
 * `table[key]` before writing. Returns the absolute path written. Throws an
 * Error listing every URL tried and why it failed.
 */
export async function downloadMnistFile(
  destDir: string,
  fileName: string,
  key: string,
  table: ChecksumTable = CANONICAL_SHA256,
  args: DownloadArgs = {},
): Promise<string> {
  const log = logger(args);
  const expected = table[key];
  if (expected === undefined) throw new Error(`checksum table has no entry for '${key}'; refusing to download unverifiable data`);
  const failures: string[] = [];
  for (const base of args.mnistMirrors ?? MNIST_MIRRORS) {
    const url = base + fileName;
    try {
      log(`downloading ${url}`);
      const bytes = await fetchBytes(url, args);
      const got = sha256Hex(bytes);
      if (got !== expected) {
        failures.push(`${url}: SHA-256 mismatch (expected ${expected}, got ${got}); not saved`);
        continue;
      }
      const dest = path.join(destDir, fileName);
      await writeFileAtomic(dest, bytes);
      log(`saved ${dest} (${bytes.length} bytes, SHA-256 verified)`);
      return dest;
    } catch (err) {
      failures.push((err as Error).message);
    }
  }
  throw new Error(`download of ${fileName} failed: ${failures.join('; ')}`);
}

/**
 * Downloads the CIFAR-10 binary tarball, extracts the requested files
 * (`fileNames`, e.g. `test_batch.bin`, looked up under
 * `cifar-10-batches-bin/` in the archive), checks each against
 * `table['cifar-10/cifar-10-batches-bin/<name>']` and writes it into
 * `destDir`. The tarball itself is not kept. Returns the paths written.
 */
export async function downloadCifar10Files(
  destDir: string,
  fileNames: string[],
  table: ChecksumTable = CANONICAL_SHA256,
  args: DownloadArgs = {},
): Promise<string[]> {
  const log = logger(args);
  const url = args.cifar10Url ?? CIFAR10_BINARY_URL;
  for (const name of fileNames) {
    if (table[`cifar-10/cifar-10-batches-bin/${name}`] === undefined) {
      throw new Error(`checksum table has no entry for 'cifar-10/cifar-10-batches-bin/${name}'; refusing to download unverifiable data`);
    }
  }
  log(`downloading ${url}`);
  const gz = await fetchBytes(url, args);
  let tar: Buffer;
  try {
    tar = gunzipSync(gz);
  } catch (err) {
    throw new Error(`${url}: cannot decompress the downloaded archive (${(err as Error).message})`);
  }
  const entries = readTar(tar);
  // Verify everything first, write afterwards: a bad archive leaves nothing behind.
  const toWrite: { dest: string; data: Uint8Array }[] = [];
  for (const name of fileNames) {
    const entry = entries.find((e) => e.type === 'file' && (e.name === `cifar-10-batches-bin/${name}` || e.name.endsWith(`/cifar-10-batches-bin/${name}`)));
    if (entry === undefined) throw new Error(`${url}: archive has no member cifar-10-batches-bin/${name}`);
    const key = `cifar-10/cifar-10-batches-bin/${name}`;
    const got = sha256Hex(entry.data);
    if (got !== table[key]) {
      throw new Error(`${url}: extracted ${name} has SHA-256 ${got}, expected ${table[key]}; nothing saved`);
    }
    toWrite.push({ dest: path.join(destDir, name), data: entry.data });
  }
  const written: string[] = [];
  for (const w of toWrite) {
    await writeFileAtomic(w.dest, w.data);
    written.push(w.dest);
    log(`saved ${w.dest} (${w.data.length} bytes, SHA-256 verified)`);
  }
  return written;
}

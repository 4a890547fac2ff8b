/**
 * Small data files in the exact MNIST / CIFAR-10 / tar formats, written by
 * the tests into temporary directories.
 */

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';

import { sha256Hex } from '../../src/data/files';

/** A fresh temporary directory. */
export function tempDir(prefix = 'octolab-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Removes a temporary directory made by {@link tempDir}. */
export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** An IDX file: big-endian magic, dims, then the bytes. */
export function idxBytes(magic: number, dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data)]);
}

/** Contents of a small MNIST-like set. */
export interface MnistFixture {
  rows: number;
  cols: number;
  trainPixels: Uint8Array;
  trainLabels: Uint8Array;
  testPixels: Uint8Array;
  testLabels: Uint8Array;
  /** File name → bytes as written. */
  files: Record<string, Buffer>;
}

/** Deterministic pixel bytes: value depends on image, row, column. */
export function mnistPixels(n: number, rows: number, cols: number, salt: number): Uint8Array {
  const out = new Uint8Array(n * rows * cols);
  for (let i = 0; i < out.length; i++) out[i] = (i * 37 + salt * 11 + 3) & 255;
  return out;
}

/** The four MNIST files as bytes (gzipped when `gzip`), under the canonical names. */
export function mnistFixture(opts: { nTrain?: number; nTest?: number; rows?: number; cols?: number; gzip?: boolean } = {}): MnistFixture {
  const nTrain = opts.nTrain ?? 5;
  const nTest = opts.nTest ?? 3;
  const rows = opts.rows ?? 3;
  const cols = opts.cols ?? 4;
  const gzip = opts.gzip ?? true;
  const trainPixels = mnistPixels(nTrain, rows, cols, 1);
  const testPixels = mnistPixels(nTest, rows, cols, 2);
  const trainLabels = Uint8Array.from({ length: nTrain }, (_, i) => (i * 3 + 5) % 10);
  const testLabels = Uint8Array.from({ length: nTest }, (_, i) => (i * 7 + 2) % 10);
  const raw: Record<string, Buffer> = {
    'train-images-idx3-ubyte': idxBytes(0x803, [nTrain, rows, cols], trainPixels),
    'train-labels-idx1-ubyte': idxBytes(0x801, [nTrain], trainLabels),
    't10k-images-idx3-ubyte': idxBytes(0x803, [nTest, rows, cols], testPixels),
    't10k-labels-idx1-ubyte': idxBytes(0x801, [nTest], testLabels),
  };
  const files: Record<string, Buffer> = {};
  for (const [name, bytes] of Object.entries(raw)) {
    if (gzip) files[`${name}.gz`] = gzipSync(bytes);
    else files[name] = bytes;
  }
  return { rows, cols, trainPixels, trainLabels, testPixels, testLabels, files };
}

/** Writes `files` (name → bytes) into `dir`, creating it. */
export function writeFiles(dir: string, files: Record<string, Uint8Array>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), bytes);
}

/** A checksum table for fixture files: `prefix + name` → SHA-256 of the bytes. */
export function tableFor(prefix: string, files: Record<string, Uint8Array>): Record<string, string> {
  const t: Record<string, string> = {};
  for (const [name, bytes] of Object.entries(files)) t[prefix + name] = sha256Hex(bytes);
  return t;
}

/**
 * Pixel byte of CIFAR fixture record `r` of batch `batch`, channel `c`
 * (0 R, 1 G, 2 B), pixel `p` (row-major): distinct enough that a channel or
 * row/column mix-up changes the value.
 */
export function cifarPixel(batch: number, r: number, c: number, p: number): number {
  return (batch * 31 + r * 17 + c * 89 + p * 5 + ((p >> 5) * 3)) & 255;
}

/** Label of CIFAR fixture record `r` of batch `batch`. */
export function cifarLabel(batch: number, r: number): number {
  return (batch * 3 + r) % 10;
}

/** One CIFAR batch of `n` records in the binary format (label, R plane, G plane, B plane). */
export function cifarBatch(batch: number, n: number): Buffer {
  const out = Buffer.alloc(n * 3073);
  for (let r = 0; r < n; r++) {
    const o = r * 3073;
    out[o] = cifarLabel(batch, r);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[o + 1 + c * 1024 + p] = cifarPixel(batch, r, c, p);
  }
  return out;
}

/** The six CIFAR batch files (batch index 1..5 train, 6 = test), `n` records each. */
export function cifarFiles(n = 3): Record<string, Buffer> {
  const files: Record<string, Buffer> = {};
  for (let b = 1; b <= 5; b++) files[`data_batch_${b}.bin`] = cifarBatch(b, n);
  files['test_batch.bin'] = cifarBatch(6, n);
  return files;
}

/** A tar member for {@link buildTar}. */
export interface TarInput {
  name: string;
  data?: Uint8Array;
  /** `'0'` file (default), `'5'` directory. */
  typeflag?: string;
  /** ustar prefix field (for names over 100 bytes). */
  prefix?: string;
}

function octal(value: number, length: number): string {
  return value.toString(8).padStart(length - 1, '0') + '\0';
}

/** A POSIX ustar archive of `entries`, written field by field, with two zero end blocks. */
export function buildTar(entries: TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? new Uint8Array(0));
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100, 'utf8');
    h.write(octal(0o644, 8), 100, 'ascii');
    h.write(octal(0, 8), 108, 'ascii');
    h.write(octal(0, 8), 116, 'ascii');
    h.write(octal(data.length, 12), 124, 'ascii');
    h.write(octal(0, 12), 136, 'ascii');
    h.write('        ', 148, 'ascii');
    h.write(e.typeflag ?? '0', 156, 'ascii');
    h.write('ustar\0', 257, 'ascii');
    h.write('00', 263, 'ascii');
    if (e.prefix !== undefined) h.write(e.prefix, 345, 155, 'utf8');
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += h[i];
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
    parts.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** A fetch stand-in serving `routes` (URL → bytes) and failing like an offline network otherwise. */
export function fakeFetch(routes: Record<string, Uint8Array>, calls: string[] = []) {
  return async (url: string): Promise<{ ok: boolean; status: number; statusText: string; arrayBuffer(): Promise<ArrayBuffer> }> => {
    calls.push(url);
    const body = routes[url];
    if (body === undefined) throw new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) });
    return {
      ok: true,
      status: 200,
      statusText: 'OK',
      arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    };
  };
}

/** A fetch stand-in that always fails as when the network is closed. */
export function offlineFetch(calls: string[] = []) {
  return fakeFetch({}, calls);
}

/** Every file under `dir`, relative, sorted. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(dir, p).split(path.sep).join('/'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out.sort();
}

/**
 * CIFAR-10 from the canonical binary batches (`data_batch_1..5.bin`,
 * `test_batch.bin`): records of 1 label byte + 3,072 pixel bytes (the red,
 * green and blue 32×32 planes, each row-major), converted to NHWC float32.
 */

import * as fs from 'node:fs';
import * as path from 'node:path';

import { CANONICAL_SHA256, verifyChecksum } from './checksums';
import { BYTE_TO_UNIT, chooseDir, describeMissing, type FileDatasetArgs, loaderDataDir, type MissingFile } from './common';
import { CIFAR10_BINARY_URL, downloadCifar10Files } from './download';
import { applyLimit, checkLimit, DATA_DIR_ENV, isFile, portableDir, readDataFile } from './files';
import type { DataFile, Dataset, DatasetProvenance } from './types';

/** Image side length. */
export const CIFAR10_SIDE = 32;
/** Pixel bytes per record (3 planes of 32×32). */
export const CIFAR10_PIXELS = 3 * CIFAR10_SIDE * CIFAR10_SIDE;
/** Bytes per record: the label byte plus the pixels. */
export const CIFAR10_RECORD_BYTES = 1 + CIFAR10_PIXELS;
/** Records in every canonical batch file. */
export const CIFAR10_RECORDS_PER_BATCH = 10000;
/** Class names in id order (as in the canonical `batches.meta.txt`). */
export const CIFAR10_CLASS_NAMES: readonly string[] = Object.freeze([
  'airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck',
]);

/**
 * Which files form the training and the test set.
 * - `standard`: train on `data_batch_1..5` (50,000), test on `test_batch` (10,000).
 * - `train1-4/test5`: a fallback for when `test_batch.bin` is unavailable:
 *   train on `data_batch_1..4` (40,000), test on `data_batch_5` (10,000).
 *   Its accuracies are not comparable with results on the official test set;
 *   it is never chosen automatically.
 */
export type Cifar10Split = 'standard' | 'train1-4/test5';

/** Options of {@link loadCifar10}. */
export interface Cifar10Args extends FileDatasetArgs {
  /** Train/test split. Default `standard`. */
  split?: Cifar10Split;
  /** `image` (default): inputShape `[32, 32, 3]` (NHWC); `flat`: `[3072]`, the same HWC bytes as one row. */
  layout?: 'image' | 'flat';
  /**
   * Accept batch files with any whole number of records instead of exactly
   * 10,000 (small test fixtures). Default `false`: the real data is always
   * complete, and a short test set is never used silently.
   */
  allowPartialBatches?: boolean;
}

/** The batch files of a split: training files in order, then the test file. */
export function cifar10SplitFiles(split: Cifar10Split): { train: string[]; test: string } {
  if (split === 'standard') {
    return { train: [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), test: 'test_batch.bin' };
  }
  if (split === 'train1-4/test5') {
    return { train: [1, 2, 3, 4].map((i) => `data_batch_${i}.bin`), test: 'data_batch_5.bin' };
  }
  throw new Error(`CIFAR-10 split must be 'standard' or 'train1-4/test5', got '${String(split)}'`);
}

/**
 * Number of records in a batch file of `bytes` bytes; throws (naming
 * `where`) unless it is a whole number of 3,073-byte records and, unless
 * `allowPartial`, exactly 10,000 of them.
 */
export function cifar10RecordCount(bytes: number, where: string, allowPartial: boolean): number {
  if (bytes % CIFAR10_RECORD_BYTES !== 0 || bytes === 0) {
    throw new Error(`${where}: size ${bytes} bytes is not a positive multiple of the ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 record`);
  }
  const n = bytes / CIFAR10_RECORD_BYTES;
  if (!allowPartial && n !== CIFAR10_RECORDS_PER_BATCH) {
    throw new Error(
      `${where}: ${n} records (${bytes} bytes); a CIFAR-10 batch has exactly ${CIFAR10_RECORDS_PER_BATCH} records ` +
        `(${CIFAR10_RECORDS_PER_BATCH * CIFAR10_RECORD_BYTES} bytes). The file is truncated or not a CIFAR-10 batch.`,
    );
  }
  return n;
}

/**
 * Decodes the first `count` records of a batch into `x` (NHWC float32,
 * `byte / 255`) and `y` (class ids), starting at example `at`. Checks
 * every decoded label is in 0..9. The CHW → HWC step: pixel `p` of plane `c`
 * (byte `1 + c·1024 + p` of a record) goes to `x[(at + r)·3072 + 3p + c]`.
 */
export function decodeCifar10Records(
  bytes: Uint8Array,
  count: number,
  x: Float32Array,
  y: Int32Array,
  at: number,
  where: string,
): void {
  const plane = CIFAR10_SIDE * CIFAR10_SIDE;
  if (count * CIFAR10_RECORD_BYTES > bytes.length) {
    throw new Error(`${where}: asked for ${count} records, file holds ${Math.floor(bytes.length / CIFAR10_RECORD_BYTES)}`);
  }
  for (let r = 0; r < count; r++) {
    const src = r * CIFAR10_RECORD_BYTES;
    const label = bytes[src];
    if (label > 9) throw new Error(`${where}: label ${label} of record ${r} is out of range 0..9`);
    y[at + r] = label;
    const red = src + 1;
    const green = red + plane;
    const blue = green + plane;
    let dst = (at + r) * CIFAR10_PIXELS;
    for (let p = 0; p < plane; p++) {
      x[dst] = BYTE_TO_UNIT[bytes[red + p]];
      x[dst + 1] = BYTE_TO_UNIT[bytes[green + p]];
      x[dst + 2] = BYTE_TO_UNIT[bytes[blue + p]];
      dst += 3;
    }
  }
}

/** Labels of the records `count..total-1` (those a limit skips) are still range-checked. */
function checkRemainingLabels(bytes: Uint8Array, from: number, total: number, where: string): void {
  for (let r = from; r < total; r++) {
    const label = bytes[r * CIFAR10_RECORD_BYTES];
    if (label > 9) throw new Error(`${where}: label ${label} of record ${r} is out of range 0..9`);
  }
}

/**
 * Loads CIFAR-10 from the binary batches, looked for in
 * `<dataDir>/cifar-10/cifar-10-batches-bin/`, then
 * `<dataDir>/cifar-10-batches-bin/`, then directly in `<dataDir>`.
 *
 * Every batch file of the split must exist; its size must be a whole
 * number of 3,073-byte records and (unless `allowPartialBatches`) exactly
 * 10,000 records; labels must be in 0..9. Output is NHWC float32 in [0, 1]
 * (`byte / 255`), labels are Int32Array class ids. With a limit only the
 * batches needed for the first N examples are read (and listed in the
 * provenance).
 *
 * A missing `test_batch.bin` under the `standard` split is an error (after
 * an attempted download when `download` is true) whose message gives the
 * full path to put the file at and where to get it; the fallback split
 * `train1-4/test5` must be requested explicitly.
 */
export async function loadCifar10(args: Cifar10Args = {}): Promise<Dataset> {
  const split = args.split ?? 'standard';
  const files = cifar10SplitFiles(split);
  const layout = args.layout ?? 'image';
  if (layout !== 'image' && layout !== 'flat') throw new Error(`layout must be 'image' or 'flat', got '${String(layout)}'`);
  const limitTrain = checkLimit('limitTrain', args.limitTrain);
  const limitTest = checkLimit('limitTest', args.limitTest);
  const verify = args.verify ?? true;
  const allowPartial = args.allowPartialBatches ?? false;
  const table = args.checksums ?? CANONICAL_SHA256;
  const dataDir = loaderDataDir(args.dataDir);
  const canonicalNames = [...[1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`), 'test_batch.bin'];
  const searched = [path.join(dataDir, 'cifar-10', 'cifar-10-batches-bin'), path.join(dataDir, 'cifar-10-batches-bin'), dataDir];
  const dir = chooseDir(searched, canonicalNames);

  const needed = [...files.train, files.test];
  const absent = (): string[] => needed.filter((n) => !isFile(path.join(dir, n)));
  const downloaded: string[] = [];
  let downloadError: string | null = null;
  if (args.download === true && absent().length > 0) {
    try {
      downloaded.push(...(await downloadCifar10Files(dir, absent(), table, args)));
    } catch (err) {
      downloadError = (err as Error).message;
    }
  }
  const stillAbsent = absent();
  if (stillAbsent.length > 0) {
    const url = args.cifar10Url ?? CIFAR10_BINARY_URL;
    const missing: MissingFile[] = stillAbsent.map((n) => ({
      path: path.join(dir, n),
      key: `cifar-10/cifar-10-batches-bin/${n}`,
      url: `${url} (member cifar-10-batches-bin/${n})`,
    }));
    const onlyTest = split === 'standard' && stillAbsent.length === 1 && stillAbsent[0] === 'test_batch.bin';
    const why =
      args.download === true
        ? `Download failed: ${downloadError ?? 'unknown reason'}`
        : 'Downloading is off (pass download: true; the octolab command line downloads by default).';
    throw new Error(
      `CIFAR-10 ${onlyTest ? 'test set' : 'file(s)'} missing (split '${split}'). Put each canonical file at the path shown:\n` +
        `${describeMissing(missing, table)}\n${why}\n` +
        (onlyTest
          ? `Without test_batch.bin you may choose the fallback split explicitly (split 'train1-4/test5': train on data_batch_1..4, ` +
            `test on data_batch_5); its results are not comparable with the official test set.\n`
          : '') +
        `Or point --data-dir / ${DATA_DIR_ENV} at a directory holding cifar-10/cifar-10-batches-bin/ (searched: ${searched.join(', ')}).`,
    );
  }

  // Sizes first (cheap, catches truncation before anything is read).
  const counts = new Map<string, number>();
  for (const n of needed) {
    const abs = path.join(dir, n);
    counts.set(n, cifar10RecordCount(fs.statSync(abs).size, abs, allowPartial));
  }
  const nTrainAvailable = files.train.reduce((s, n) => s + (counts.get(n) as number), 0);
  const nTestAvailable = counts.get(files.test) as number;
  const nTrain = applyLimit('limitTrain', limitTrain, nTrainAvailable, `the CIFAR-10 training files (${files.train.join(', ')})`);
  const nTest = applyLimit('limitTest', limitTest, nTestAvailable, path.join(dir, files.test));

  const read: DataFile[] = [];
  const readBatch = async (name: string, role: string, x: Float32Array, y: Int32Array, at: number, want: number): Promise<void> => {
    const abs = path.join(dir, name);
    const r = await readDataFile(dataDir, abs, role);
    if (verify) verifyChecksum({ file: r.file, key: `cifar-10/cifar-10-batches-bin/${name}`, absolutePath: abs }, table);
    const total = cifar10RecordCount(r.bytes.length, abs, allowPartial);
    decodeCifar10Records(r.bytes, want, x, y, at, abs);
    checkRemainingLabels(r.bytes, want, total, abs);
    read.push(r.file);
  };

  const xTrain = new Float32Array(nTrain * CIFAR10_PIXELS);
  const yTrain = new Int32Array(nTrain);
  let at = 0;
  for (const name of files.train) {
    if (at >= nTrain) break;
    const want = Math.min(counts.get(name) as number, nTrain - at);
    await readBatch(name, 'train', xTrain, yTrain, at, want);
    at += want;
  }
  const xTest = new Float32Array(nTest * CIFAR10_PIXELS);
  const yTest = new Int32Array(nTest);
  await readBatch(files.test, 'test', xTest, yTest, 0, nTest);

  const trainNames = files.train.map((n) => n.replace('.bin', '')).join(', ');
  const provenance: DatasetProvenance = {
    dataset: 'cifar10',
    source: 'CIFAR-10 (A. Krizhevsky, Learning Multiple Layers of Features from Tiny Images, 2009), canonical binary version',
    dataDir: portableDir(dataDir),
    files: read,
    checksums: verify ? 'verified' : 'not-verified',
    downloaded,
    split,
    splitDescription:
      split === 'standard'
        ? `standard: train = ${trainNames} (${nTrainAvailable} records); test = test_batch (${nTestAvailable} records)`
        : `fallback (test_batch.bin not used): train = ${trainNames} (${nTrainAvailable} records); test = data_batch_5 ` +
          `(${nTestAvailable} records, part of the official training set); not comparable with results on the official test set`,
    nTrainAvailable,
    nTestAvailable,
    limitTrain,
    limitTest,
    layout: layout === 'image' ? 'NHWC [32,32,3] (converted from the files\' R, G, B planes)' : 'flat [3072] in HWC order (converted from the files\' R, G, B planes)',
    normalisation: 'pixel byte / 255 as float32, in [0, 1]; no per-channel mean/std standardisation',
    classNames: [...CIFAR10_CLASS_NAMES],
    generator: null,
  };
  return {
    name: 'cifar10',
    task: 'classification',
    inputShape: layout === 'image' ? [CIFAR10_SIDE, CIFAR10_SIDE, 3] : [CIFAR10_PIXELS],
    numClasses: 10,
    xTrain,
    yTrain,
    xTest,
    yTest,
    nTrain,
    nTest,
    provenance,
  };
}

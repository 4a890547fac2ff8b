/**
 * MNIST from the four canonical IDX files (gzipped or not).
 */

import * as path from 'node:path';

import { CANONICAL_SHA256, verifyChecksum } from './checksums';
import { BYTE_TO_UNIT, chooseDir, describeMissing, type FileDatasetArgs, loaderDataDir, type MissingFile } from './common';
import { downloadMnistFile, MNIST_MIRRORS } from './download';
import { applyLimit, checkLimit, DATA_DIR_ENV, gunzipIfNeeded, isFile, isGzip, portableDir, readDataFile, type ReadDataFile } from './files';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from './idx';
import type { Dataset, DatasetProvenance } from './types';

/** `flat`: one row of rows·cols values per image (`[784]`); `image`: `[rows, cols, 1]` (HWC). */
export type MnistLayout = 'flat' | 'image';

/** Options of {@link loadMnist}. */
export interface MnistArgs extends FileDatasetArgs {
  /** Shape of one example: `flat` (default, `[784]`) or `image` (`[28, 28, 1]`). The bytes are the same. */
  layout?: MnistLayout;
}

/** One of the four MNIST files. */
interface MnistFileSpec {
  role: 'train-images' | 'train-labels' | 'test-images' | 'test-labels';
  /** Canonical decompressed name; the canonical download is `<name>.gz`. */
  name: string;
  /** The other common spelling (dot before `idx`). */
  alt: string;
  magic: number;
}

/** The four files, in reading order. */
const MNIST_FILES: readonly MnistFileSpec[] = [
  { role: 'train-images', name: 'train-images-idx3-ubyte', alt: 'train-images.idx3-ubyte', magic: IDX_IMAGES_MAGIC },
  { role: 'train-labels', name: 'train-labels-idx1-ubyte', alt: 'train-labels.idx1-ubyte', magic: IDX_LABELS_MAGIC },
  { role: 'test-images', name: 't10k-images-idx3-ubyte', alt: 't10k-images.idx3-ubyte', magic: IDX_IMAGES_MAGIC },
  { role: 'test-labels', name: 't10k-labels-idx1-ubyte', alt: 't10k-labels.idx1-ubyte', magic: IDX_LABELS_MAGIC },
];

/** File names accepted for one MNIST file, in order of preference. */
export function mnistCandidateNames(canonicalName: string): string[] {
  const spec = MNIST_FILES.find((f) => f.name === canonicalName);
  if (spec === undefined) throw new Error(`unknown MNIST file '${canonicalName}'`);
  return [`${spec.name}.gz`, spec.name, `${spec.alt}.gz`, spec.alt];
}

/** Class names of MNIST, in id order. */
export const MNIST_CLASS_NAMES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

function findFile(dir: string, spec: MnistFileSpec): string | null {
  for (const n of mnistCandidateNames(spec.name)) {
    const p = path.join(dir, n);
    if (isFile(p)) return p;
  }
  return null;
}

interface ParsedImages {
  n: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
}

function parseImages(r: ReadDataFile): ParsedImages {
  const raw = gunzipIfNeeded(r.bytes, r.absolutePath);
  const idx = parseIdx(raw, IDX_IMAGES_MAGIC, r.absolutePath);
  const [n, rows, cols] = idx.dims;
  if (rows < 1 || cols < 1) throw new Error(`${r.absolutePath}: image size ${rows}×${cols} is empty`);
  return { n, rows, cols, pixels: idx.data };
}

function parseLabels(r: ReadDataFile): Uint8Array {
  const raw = gunzipIfNeeded(r.bytes, r.absolutePath);
  const labels = parseIdx(raw, IDX_LABELS_MAGIC, r.absolutePath).data;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] > 9) throw new Error(`${r.absolutePath}: label ${labels[i]} at index ${i} is out of range 0..9`);
  }
  return labels;
}

function toFloats(pixels: Uint8Array, count: number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = BYTE_TO_UNIT[pixels[i]];
  return out;
}

function toLabels(labels: Uint8Array, n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = labels[i];
  return out;
}

/**
 * Loads MNIST from the four canonical IDX files
 * (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each optionally
 * `.gz`, or with the `train-images.idx3-ubyte` spelling), looked for in
 * `<dataDir>/mnist/`, then directly in `<dataDir>`.
 *
 * Checks: magic numbers (0x00000803 images, 0x00000801 labels), that each
 * (decompressed) file is exactly as long as its header says, labels in
 * 0..9, as many labels as images, and equal image sizes in train and test.
 * Image size comes from the header (28×28 for the real data; fixtures may be
 * smaller). Pixels become `byte / 255` as float32 in [0, 1]; labels are
 * Int32Array class ids. The split is the standard 60,000 / 10,000;
 * `limitTrain` / `limitTest` keep the first N of each.
 *
 * Missing files are downloaded when `download` is true (from
 * {@link MNIST_MIRRORS}, verified before saving); otherwise, or when that
 * fails, the error lists each missing file's full path, size, SHA-256 and URL.
 */
export async function loadMnist(args: MnistArgs = {}): Promise<Dataset> {
  const layout = args.layout ?? 'flat';
  if (layout !== 'flat' && layout !== 'image') throw new Error(`layout must be 'flat' or 'image', got '${String(layout)}'`);
  const limitTrain = checkLimit('limitTrain', args.limitTrain);
  const limitTest = checkLimit('limitTest', args.limitTest);
  const verify = args.verify ?? true;
  const table = args.checksums ?? CANONICAL_SHA256;
  const dataDir = loaderDataDir(args.dataDir);
  const allNames = MNIST_FILES.flatMap((f) => mnistCandidateNames(f.name));
  const dir = chooseDir([path.join(dataDir, 'mnist'), dataDir], allNames);

  const downloaded: string[] = [];
  const downloadErrors: string[] = [];
  let found = MNIST_FILES.map((f) => findFile(dir, f));
  if (args.download === true && found.some((p) => p === null)) {
    for (let i = 0; i < MNIST_FILES.length; i++) {
      if (found[i] !== null) continue;
      const spec = MNIST_FILES[i];
      try {
        downloaded.push(await downloadMnistFile(dir, `${spec.name}.gz`, `mnist/${spec.name}.gz`, table, args));
      } catch (err) {
        downloadErrors.push((err as Error).message);
      }
    }
    found = MNIST_FILES.map((f) => findFile(dir, f));
  }
  const missing: MissingFile[] = [];
  found.forEach((p, i) => {
    if (p !== null) return;
    const spec = MNIST_FILES[i];
    const base = (args.mnistMirrors ?? MNIST_MIRRORS)[0] ?? MNIST_MIRRORS[0];
    missing.push({ path: path.join(dir, `${spec.name}.gz`), key: `mnist/${spec.name}.gz`, url: base + `${spec.name}.gz` });
  });
  if (missing.length > 0) {
    const why =
      args.download === true
        ? `Download failed: ${downloadErrors.join('; ')}`
        : 'Downloading is off (pass download: true; the octolab command line downloads by default).';
    throw new Error(
      `MNIST file(s) missing. Put each canonical file at the path shown (the .gz as distributed, or decompressed without .gz):\n` +
        `${describeMissing(missing, table)}\n${why}\n` +
        `Or point --data-dir / ${DATA_DIR_ENV} at a directory holding mnist/ (searched: ${path.join(dataDir, 'mnist')}, ${dataDir}).`,
    );
  }

  const paths = found as string[];
  const read = await Promise.all(paths.map((p, i) => readDataFile(dataDir, p, MNIST_FILES[i].role)));
  if (verify) {
    read.forEach((r, i) => {
      const key = `mnist/${MNIST_FILES[i].name}${isGzip(r.bytes) ? '.gz' : ''}`;
      verifyChecksum({ file: r.file, key, absolutePath: r.absolutePath }, table);
    });
  }

  const trainImages = parseImages(read[0]);
  const trainLabels = parseLabels(read[1]);
  const testImages = parseImages(read[2]);
  const testLabels = parseLabels(read[3]);
  if (trainImages.n !== trainLabels.length) {
    throw new Error(`MNIST training set: ${read[0].absolutePath} has ${trainImages.n} images but ${read[1].absolutePath} has ${trainLabels.length} labels`);
  }
  if (testImages.n !== testLabels.length) {
    throw new Error(`MNIST test set: ${read[2].absolutePath} has ${testImages.n} images but ${read[3].absolutePath} has ${testLabels.length} labels`);
  }
  if (trainImages.rows !== testImages.rows || trainImages.cols !== testImages.cols) {
    throw new Error(
      `MNIST image sizes differ: ${read[0].absolutePath} is ${trainImages.rows}×${trainImages.cols}, ${read[2].absolutePath} is ${testImages.rows}×${testImages.cols}`,
    );
  }
  const { rows, cols } = trainImages;
  const nTrain = applyLimit('limitTrain', limitTrain, trainImages.n, read[0].absolutePath);
  const nTest = applyLimit('limitTest', limitTest, testImages.n, read[2].absolutePath);
  const perExample = rows * cols;
  const inputShape = layout === 'flat' ? [perExample] : [rows, cols, 1];

  const provenance: DatasetProvenance = {
    dataset: 'mnist',
    source: 'MNIST database of handwritten digits (Y. LeCun, C. Cortes, C. J. C. Burges), canonical IDX files',
    dataDir: portableDir(dataDir),
    files: read.map((r) => r.file),
    checksums: verify ? 'verified' : 'not-verified',
    downloaded,
    split: 'standard',
    splitDescription: `train: ${read[0].file.path} + ${read[1].file.path} (${trainImages.n} examples); test: ${read[2].file.path} + ${read[3].file.path} (${testImages.n} examples)`,
    nTrainAvailable: trainImages.n,
    nTestAvailable: testImages.n,
    limitTrain,
    limitTest,
    layout: layout === 'flat' ? `flat [${perExample}] (row-major ${rows}×${cols})` : `image HWC [${rows},${cols},1]`,
    normalisation: 'pixel byte / 255 as float32, in [0, 1]; no mean/std standardisation',
    classNames: [...MNIST_CLASS_NAMES],
    generator: null,
  };
  return {
    name: 'mnist',
    task: 'classification',
    inputShape,
    numClasses: 10,
    xTrain: toFloats(trainImages.pixels, nTrain * perExample),
    yTrain: toLabels(trainLabels, nTrain),
    xTest: toFloats(testImages.pixels, nTest * perExample),
    yTest: toLabels(testLabels, nTest),
    nTrain,
    nTest,
    provenance,
  };
}

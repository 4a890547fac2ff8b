/**
 * The shape every dataset in octolab takes, whatever its source: plain typed
 * arrays plus a JSON-serialisable provenance record that travels into every
 * result and report.
 */

/** What the model predicts: a class id or a real-valued target. */
export type Task = 'classification' | 'regression';

/** The datasets octolab knows. */
export type DatasetName = 'regression' | 'mnist' | 'cifar10';

/** One file read from disk, identified by its SHA-256. */
export interface DataFile {
  /** Path relative to the data directory, with `/` separators (e.g. `mnist/train-images-idx3-ubyte.gz`). */
  path: string;
  /** What the file holds, e.g. `train-images`, `test-labels`, `train`, `test`. */
  role: string;
  /** Size on disk in bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 of the bytes on disk (before any decompression). */
  sha256: string;
}

/**
 * The generator behind a synthetic dataset: every parameter plus the realised
 * true weights, so the data can be regenerated and the fit judged.
 */
export interface GeneratorProvenance {
  /** Generator family, e.g. `linear-gaussian`. */
  kind: string;
  /** Data seed (independent of any training seed). */
  seed: number;
  /** Names of the seeded random streams used, in the order they are consumed. */
  streams: string[];
  /** Number of features per example. */
  nFeatures: number;
  /** Examples generated for training (before any limit). */
  nTrain: number;
  /** Examples generated for testing (before any limit). */
  nTest: number;
  /** Distribution of every feature, e.g. `N(0, 1)`. */
  featureDistribution: string;
  /** How the true weights are drawn. */
  weightDistribution: string;
  /** L2 norm of the true weight vector. */
  weightNorm: number;
  /** Standard deviation of the normal prior the true bias is drawn from. */
  biasStd: number;
  /** Standard deviation of the additive Gaussian label noise. */
  noiseStd: number;
  /** The realised true weights (float64 values). */
  trueWeights: number[];
  /** The realised true bias. */
  trueBias: number;
  /** Sample standard deviation of the training targets. */
  trainTargetStd: number;
  /** Mean of the squared training targets: the MSE of a model that always predicts 0. */
  trainZeroPredictorMse: number;
  /** The noise variance: the lowest expected test MSE any model can reach. */
  irreducibleMse: number;
}

/**
 * Where a dataset came from and what was done to it. Plain JSON: no
 * `undefined`, no typed arrays; absent things are `null` or empty lists.
 */
export interface DatasetProvenance {
  /** The dataset name. */
  dataset: DatasetName;
  /** Human-readable origin and citation. */
  source: string;
  /** Data directory the files were read from, relative to the package root (`portableDir`); `null` for synthetic data. */
  dataDir: string | null;
  /** Every file read, in reading order, with its SHA-256. A limit may leave later files unread. */
  files: DataFile[];
  /**
   * `verified` when every file read matched the checksum table (the canonical
   * release unless a table was supplied), `not-verified` when checking was
   * switched off, `not-applicable` for synthetic data.
   */
  checksums: 'verified' | 'not-verified' | 'not-applicable';
  /** Absolute paths of the files downloaded while loading (empty when none). */
  downloaded: string[];
  /** Split identifier, e.g. `standard` or `train1-4/test5`. */
  split: string;
  /** One sentence saying which files or streams form the training and the test set. */
  splitDescription: string;
  /** Training examples available before `limitTrain`. */
  nTrainAvailable: number;
  /** Test examples available before `limitTest`. */
  nTestAvailable: number;
  /** The first-N limit applied to the training set, or `null`. */
  limitTrain: number | null;
  /** The first-N limit applied to the test set, or `null`. */
  limitTest: number | null;
  /** Memory layout of one example, e.g. `flat [784]` or `NHWC [32,32,3]`. */
  layout: string;
  /** How raw values were turned into model inputs. */
  normalisation: string;
  /** Class names in id order, or `null` for regression. */
  classNames: string[] | null;
  /** Generator parameters for synthetic data, `null` for files. */
  generator: GeneratorProvenance | null;
}

/**
 * A dataset in memory. Inputs are row-major float32, one row of
 * `prod(inputShape)` values per example; targets are class ids (Int32Array)
 * for classification and float32 values for regression.
 */
export interface Dataset {
  /** Which dataset this is. */
  name: DatasetName;
  /** Classification or regression. */
  task: Task;
  /** Shape of one example: `[784]` (MNIST flat), `[28,28,1]`, `[32,32,3]` (CIFAR NHWC), `[nFeatures]`. */
  inputShape: number[];
  /** 10 for the classification sets, 1 (one output) for regression. */
  numClasses: number;
  /** Training inputs, `nTrain × prod(inputShape)` row-major. */
  xTrain: Float32Array;
  /** Training targets: class ids or real values, one per example. */
  yTrain: Float32Array | Int32Array;
  /** Test inputs, `nTest × prod(inputShape)` row-major. */
  xTest: Float32Array;
  /** Test targets. */
  yTest: Float32Array | Int32Array;
  /** Number of training examples. */
  nTrain: number;
  /** Number of test examples. */
  nTest: number;
  /** Origin, hashes, split, limits, normalisation. */
  provenance: DatasetProvenance;
}

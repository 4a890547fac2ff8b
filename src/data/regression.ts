/**
 * A synthetic linear-regression dataset, generated from a seed, at the scale
 * of the study's toy regression (MSE ≈ 382 in the first epoch, predictions
 * of magnitude 1–25).
 */

import { Rng } from '../random/rng';
import { applyLimit, checkLimit } from './files';
import type { Dataset, DatasetProvenance, GeneratorProvenance } from './types';

/**
 * Options of {@link makeRegression}. All fields are optional; the defaults
 * are {@link REGRESSION_DEFAULTS}.
 */
export interface RegressionArgs {
  /** Data seed (integer). Independent of the training seed. Default 0. */
  seed?: number;
  /** Features per example. Default 10. */
  nFeatures?: number;
  /** Training examples generated. Default 1,000. */
  nTrain?: number;
  /** Test examples generated. Default 200. */
  nTest?: number;
  /** L2 norm of the true weight vector: the standard deviation of `w·x`. Default 19. */
  weightNorm?: number;
  /** Standard deviation of the prior of the true bias. Default 2. */
  biasStd?: number;
  /** Standard deviation of the Gaussian noise added to each target. Default 4. */
  noiseStd?: number;
  /** Keep only the first N training examples. Default: all. */
  limitTrain?: number | null;
  /** Keep only the first N test examples. Default: all. */
  limitTest?: number | null;
}

/** The defaults of {@link RegressionArgs}. */
export const REGRESSION_DEFAULTS = Object.freeze({
  seed: 0,
  nFeatures: 10,
  nTrain: 1000,
  nTest: 200,
  weightNorm: 19,
  biasStd: 2,
  noiseStd: 4,
});

/** Random stream holding the true weights, then the true bias. */
export const REGRESSION_PARAMS_STREAM = 'regression-data';
/** Random stream of the training rows. */
export const REGRESSION_TRAIN_STREAM = 'regression-data/train';
/** Random stream of the test rows. */
export const REGRESSION_TEST_STREAM = 'regression-data/test';

function checkCount(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${v}`);
  return v;
}

function checkStd(name: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a finite number >= 0, got ${v}`);
  return v;
}

/** Draws `n` rows: features into `x` (float32), `w·x + b + noise` into `y`. */
function drawRows(rng: Rng, n: number, weights: number[], bias: number, noiseStd: number): { x: Float32Array; y: Float32Array } {
  const d = weights.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let t = bias;
    for (let j = 0; j < d; j++) {
      const v = Math.fround(rng.normal());
      x[i * d + j] = v;
      t += weights[j] * v;
    }
    y[i] = t + noiseStd * rng.normal();
  }
  return { x, y };
}

/**
 * Generates a linear-regression dataset `y = w·x + b + ε`:
 * - features: every `x_j ~ N(0, 1)` independently (stored as float32);
 * - true weights: a uniformly random direction (a normalised `N(0, I)`
 *   draw) scaled to length `weightNorm`, so `w·x ~ N(0, weightNorm²)` for
 *   every data seed; true bias `b ~ N(0, biasStd²)`. Both come from stream
 *   `regression-data` (weights first);
 * - noise `ε ~ N(0, noiseStd²)`, one draw per example after its features;
 * - training rows come from stream `regression-data/train`, test rows from
 *   `regression-data/test`, so changing `nTrain` never changes the test set
 *   or the weights, and a limit keeps exactly the first N rows of the full set.
 *
 * Defaults (10 features, ‖w‖ = 19, σ_b = 2, σ_ε = 4, 1,000 train / 200 test)
 * give targets with variance ≈ 19² + 4² + b² ≈ 380 (std ≈ 19.5), so a model
 * predicting 0 starts at MSE ≈ 380, the scale of the study's first-epoch loss
 * (382), while the best possible test MSE is σ_ε² = 16; targets lie mostly
 * within ±40, the scale of the study's predictions (magnitudes 1–26). Fixing
 * the norm instead of drawing each weight from `N(0, σ²)` keeps that scale
 * the same for every data seed (a per-weight prior would let it vary by a
 * factor of about 5 across seeds).
 *
 * The data seed is separate from any training seed: the data stay fixed while
 * training seeds vary. Everything (parameters, streams, realised weights and
 * target scale) is recorded in `provenance.generator`.
 */
export function makeRegression(args: RegressionArgs = {}): Dataset {
  const seed = args.seed ?? REGRESSION_DEFAULTS.seed;
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const nFeatures = checkCount('nFeatures', args.nFeatures ?? REGRESSION_DEFAULTS.nFeatures);
  const nTrainAll = checkCount('nTrain', args.nTrain ?? REGRESSION_DEFAULTS.nTrain);
  const nTestAll = checkCount('nTest', args.nTest ?? REGRESSION_DEFAULTS.nTest);
  const weightNorm = checkStd('weightNorm', args.weightNorm ?? REGRESSION_DEFAULTS.weightNorm);
  const biasStd = checkStd('biasStd', args.biasStd ?? REGRESSION_DEFAULTS.biasStd);
  const noiseStd = checkStd('noiseStd', args.noiseStd ?? REGRESSION_DEFAULTS.noiseStd);
  const limitTrain = checkLimit('limitTrain', args.limitTrain);
  const limitTest = checkLimit('limitTest', args.limitTest);
  const nTrain = applyLimit('limitTrain', limitTrain, nTrainAll, 'the generated training set (nTrain)');
  const nTest = applyLimit('limitTest', limitTest, nTestAll, 'the generated test set (nTest)');

  const params = Rng.stream(seed, REGRESSION_PARAMS_STREAM);
  const direction: number[] = [];
  for (let j = 0; j < nFeatures; j++) direction.push(params.normal());
  const length = Math.sqrt(direction.reduce((a, v) => a + v * v, 0));
  const weights = direction.map((v) => (weightNorm * v) / length);
  const bias = biasStd * params.normal();

  // Scale statistics describe the full training set, whatever the limit.
  const fullTrain = drawRows(Rng.stream(seed, REGRESSION_TRAIN_STREAM), nTrainAll, weights, bias, noiseStd);
  const test = drawRows(Rng.stream(seed, REGRESSION_TEST_STREAM), nTest, weights, bias, noiseStd);
  let mean = 0;
  let meanSq = 0;
  for (let i = 0; i < nTrainAll; i++) {
    mean += fullTrain.y[i];
    meanSq += fullTrain.y[i] * fullTrain.y[i];
  }
  mean /= nTrainAll;
  meanSq /= nTrainAll;
  const variance = nTrainAll > 1 ? ((meanSq - mean * mean) * nTrainAll) / (nTrainAll - 1) : 0;

  const generator: GeneratorProvenance = {
    kind: 'linear-gaussian: y = w·x + b + noise',
    seed,
    streams: [REGRESSION_PARAMS_STREAM, REGRESSION_TRAIN_STREAM, REGRESSION_TEST_STREAM],
    nFeatures,
    nTrain: nTrainAll,
    nTest: nTestAll,
    featureDistribution: 'N(0, 1), independent, stored as float32',
    weightDistribution: 'uniform direction (normalised N(0, I) draw) scaled to L2 norm weightNorm',
    weightNorm,
    biasStd,
    noiseStd,
    trueWeights: weights,
    trueBias: bias,
    trainTargetStd: Math.sqrt(Math.max(0, variance)),
    trainZeroPredictorMse: meanSq,
    irreducibleMse: noiseStd * noiseStd,
  };
  const provenance: DatasetProvenance = {
    dataset: 'regression',
    source: 'synthetic linear regression generated by octolab',
    dataDir: null,
    files: [],
    checksums: 'not-applicable',
    downloaded: [],
    split: 'generated',
    splitDescription: `train: ${nTrainAll} rows from stream '${REGRESSION_TRAIN_STREAM}'; test: ${nTestAll} rows from stream '${REGRESSION_TEST_STREAM}' (data seed ${seed})`,
    nTrainAvailable: nTrainAll,
    nTestAvailable: nTestAll,
    limitTrain,
    limitTest,
    layout: `flat [${nFeatures}]`,
    normalisation: 'none (features are already standard normal; targets are raw)',
    classNames: null,
    generator,
  };
  return {
    name: 'regression',
    task: 'regression',
    inputShape: [nFeatures],
    numClasses: 1,
    xTrain: nTrain === nTrainAll ? fullTrain.x : fullTrain.x.slice(0, nTrain * nFeatures),
    yTrain: nTrain === nTrainAll ? fullTrain.y : fullTrain.y.slice(0, nTrain),
    xTest: test.x,
    yTest: test.y,
    nTrain,
    nTest,
    provenance,
  };
}

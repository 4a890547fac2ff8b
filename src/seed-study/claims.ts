/**
 * The study's claims that octolab checks, as a typed list: each names the runs it
 * needs (experiment, epochs, metric, methods), what the study printed, and the claim
 * on the scale of the estimate (direction, the study's own size, an equivalence
 * margin). Derived sizes are computed from {@link SEED_FIGURES}, never retyped.
 */
import type { ClaimTest } from '../analysis/verdict';
import { SEED_FIGURES } from './figures';

/** Numeric run-level metrics a claim can be about (fields of a run row). */
export type ClaimMetric = 'testAccuracy' | 'testLoss' | 'trainLossFirst' | 'trainLossLast' | 'trainLossMean' | 'inferenceSeconds';

/** Fields common to every claim. */
interface ClaimBase {
  /** Stable identifier, e.g. `cifar10-accuracy-5`. */
  id: string;
  /** Experiment whose runs are used. */
  experiment: string;
  /** The claim in words, close to the study's. */
  statement: string;
  /** The study's sentence or printed lines the claim comes from. */
  quote: string;
}

/** A paired comparison of method A with method B on one run metric. */
export interface PairedClaimSpec extends ClaimBase {
  /** Kind tag. */
  kind: 'paired';
  /** Epochs of the runs. */
  epochs: number;
  /** Metric compared. */
  metric: ClaimMetric;
  /** Method A (the estimate is A − B, or mean log(A / B)). */
  a: string;
  /** Method B. */
  b: string;
  /** `difference`: A − B in the metric's units; `log-ratio`: mean of log(A / B), shown as a % change. */
  scale: 'difference' | 'log-ratio';
  /** What the study printed for A and B on this metric (fractions for accuracy), or null. */
  seed: { a: number; b: number } | null;
  /** The claim on the estimate's scale. */
  test: ClaimTest;
}

/** The change of the paired gap A − B between two epoch settings (long − short). */
export interface GapChangeClaimSpec extends ClaimBase {
  /** Kind tag. */
  kind: 'gap-change';
  /** Epochs of the shorter setting. */
  epochsShort: number;
  /** Epochs of the longer setting. */
  epochsLong: number;
  /** Metric of the gap. */
  metric: ClaimMetric;
  /** Method A. */
  a: string;
  /** Method B. */
  b: string;
  /** The study's gaps A − B at the short and the long setting (fractions for accuracy). */
  seed: { short: number; long: number };
  /** The claim on the gap-difference scale. */
  test: ClaimTest;
}

/** A deterministic fact the study states: equal parameter counts of the listed methods. */
export interface EqualParamsClaimSpec extends ClaimBase {
  /** Kind tag. */
  kind: 'equal-params';
  /** Methods whose runs must all have the same parameter count. */
  methods: string[];
  /** The parameter count the study prints. */
  seedParams: number;
}

/** Any claim of the study. */
export type ClaimSpec = PairedClaimSpec | GapChangeClaimSpec | EqualParamsClaimSpec;

/** Equivalence margins: the smallest differences that matter, on each scale. */
export const EQUIVALENCE_MARGINS = Object.freeze({
  /** Accuracy: 1 percentage point. */
  accuracy: 0.01,
  /** Losses and times compared as ratios: ±5 % (log scale). */
  logRatio: Math.log(1.05),
  /** Cross-entropy differences: 0.02 nats. */
  crossEntropy: 0.02,
});

const sign = (x: number): 1 | -1 => (x < 0 ? -1 : 1);

/** The claims of the study, in the order the study makes them. */
export function seedClaims(): ClaimSpec[] {
  const c = SEED_FIGURES.cifar10;
  const m = SEED_FIGURES.mnist;
  const r = SEED_FIGURES.regression;
  const acc = (x: number): number => x / 100;
  const gap5 = acc(c.e5.octization.accuracy) - acc(c.e5.standard.accuracy);
  const gap20 = acc(c.e20.octization.accuracy) - acc(c.e20.standard.accuracy);
  const mnistGap = acc(m.octization.accuracy) - acc(m.standard.accuracy);
  const infLog = Math.log(c.e20.octization.inferenceSeconds / c.e20.standard.inferenceSeconds);
  const loss1 = c.e20.octization.lossFirst - c.e20.standard.lossFirst;
  const regLog = Math.log(r.octization.lossLast / r.standard.lossLast);
  const M = EQUIVALENCE_MARGINS;
  return [
    {
      kind: 'paired', id: 'cifar10-accuracy-5', experiment: 'cifar10', epochs: 5, metric: 'testAccuracy', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 after 5 epochs, Octization reaches higher test accuracy than standard quantization.',
      quote: `Accuracy: ${c.e5.standard.accuracy}% (standard) and ${c.e5.octization.accuracy}% (Octization), 5 epochs`,
      seed: { a: acc(c.e5.octization.accuracy), b: acc(c.e5.standard.accuracy) },
      test: { sign: 1, claimedSize: gap5, margin: M.accuracy },
    },
    {
      kind: 'paired', id: 'cifar10-accuracy-20', experiment: 'cifar10', epochs: 20, metric: 'testAccuracy', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 after 20 epochs, Octization reaches substantially higher test accuracy than standard quantization.',
      quote: 'the Octization method achieved substantially higher accuracy, showing an improvement of 18.57 percentage points',
      seed: { a: acc(c.e20.octization.accuracy), b: acc(c.e20.standard.accuracy) },
      test: { sign: 1, claimedSize: gap20, margin: M.accuracy },
    },
    {
      kind: 'gap-change', id: 'cifar10-gap-widens', experiment: 'cifar10', epochsShort: 5, epochsLong: 20, metric: 'testAccuracy', a: 'octization', b: 'standard',
      statement: 'The accuracy gap (Octization − standard) widens from 5 to 20 epochs.',
      quote: 'The performance gap between the two methods widened with more epochs (from about 11 percentage points at 5 epochs to 18.57 at 20 epochs)',
      seed: { short: gap5, long: gap20 },
      test: { sign: 1, claimedSize: gap20 - gap5, margin: M.accuracy },
    },
    {
      kind: 'paired', id: 'cifar10-dynamics-auc', experiment: 'cifar10', epochs: 20, metric: 'trainLossMean', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 (20 epochs), Octization has better learning dynamics: lower training loss throughout training.',
      quote: 'It shows consistently better training dynamics, with lower loss values throughout the training process.',
      seed: null,
      test: { sign: -1, claimedSize: null, margin: M.crossEntropy },
    },
    {
      kind: 'paired', id: 'cifar10-dynamics-epoch1', experiment: 'cifar10', epochs: 20, metric: 'trainLossFirst', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 (20 epochs), the loss of Octization decreases more rapidly: lower training loss after epoch 1.',
      quote: `Epoch [1/20]: Loss: ${c.e20.standard.lossFirst} (standard) and ${c.e20.octization.lossFirst} (Octization)`,
      seed: { a: c.e20.octization.lossFirst, b: c.e20.standard.lossFirst },
      test: { sign: sign(loss1), claimedSize: loss1, margin: M.crossEntropy },
    },
    {
      kind: 'paired', id: 'cifar10-inference-time', experiment: 'cifar10', epochs: 20, metric: 'inferenceSeconds', a: 'octization', b: 'standard', scale: 'log-ratio',
      statement: 'Octization has minimal inference overhead: about 1.5% slower than standard quantization (CIFAR-10, 20 epochs).',
      quote: `Inference Time: ${c.e20.standard.inferenceSeconds}s (standard) and ${c.e20.octization.inferenceSeconds}s (Octization)`,
      seed: { a: c.e20.octization.inferenceSeconds, b: c.e20.standard.inferenceSeconds },
      test: { sign: sign(infLog), claimedSize: infLog, margin: M.logRatio },
    },
    {
      kind: 'equal-params', id: 'cifar10-same-size', experiment: 'cifar10', methods: ['standard', 'octization'], seedParams: c.params,
      statement: 'Both CIFAR-10 models have the same size.',
      quote: `Both models still have the same size (${c.params.toLocaleString('en-US')} parameters).`,
    },
    {
      kind: 'paired', id: 'mnist-accuracy', experiment: 'mnist', epochs: m.epochs, metric: 'testAccuracy', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On MNIST (20 epochs), Octization reaches higher test accuracy than standard quantization.',
      quote: `Test Accuracy: ${m.standard.accuracy}% (standard) and ${m.octization.accuracy}% (Octization)`,
      seed: { a: acc(m.octization.accuracy), b: acc(m.standard.accuracy) },
      test: { sign: 1, claimedSize: mnistGap, margin: M.accuracy },
    },
    {
      kind: 'equal-params', id: 'mnist-same-size', experiment: 'mnist', methods: ['standard', 'octization'], seedParams: m.params,
      statement: 'Both MNIST models have the same size.',
      quote: `Model Size: ${m.params} (both)`,
    },
    {
      kind: 'paired', id: 'regression-final-loss', experiment: 'regression', epochs: r.epochs, metric: 'testLoss', a: 'octization', b: 'standard', scale: 'log-ratio',
      statement: 'On the regression task (50 epochs), Octization ends with a much lower loss (MSE) than standard quantization.',
      quote: `Epoch 50/50: Loss: ${r.standard.lossLast} (standard) and ${r.octization.lossLast} (Octization)`,
      seed: { a: r.octization.lossLast, b: r.standard.lossLast },
      test: { sign: sign(regLog), claimedSize: regLog, margin: M.logRatio },
    },
  ];
}

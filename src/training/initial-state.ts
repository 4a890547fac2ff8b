/**
 * The state of a run at epoch 0: the initial model as its protocol evaluates it, before
 * the first optimizer step. Curves that start here show what happens within epoch 1 (an
 * octized network whose initial codes are mostly zero starts from a collapsed model).
 *
 * The same function serves training (every new run records it) and the backfill of stored
 * runs (`octolab initial-state`), so that both give the same bits on the same engine. It
 * uses a projector of its own on a fresh stochastic-rounding stream of the run's seed: the
 * codes equal those of the run's first projection, and the run's own stream is untouched.
 */
import type { Dataset } from '../data/types';
import type { QuantScheme } from '../quantizers';
import { Rng } from '../random/rng';
import { WeightProjector } from './protocol-hooks';
import type { Protocol } from './protocols';
import { evaluate, probeBatch, probeGradientNorms, weightStats } from './train';
import type { WeightStats } from './train';
import type { ModelTrainer } from './trainer';

/**
 * The model at epoch 0, measured on the test split only (no pass over the training set).
 * `testLoss`/`testAccuracy` and `weights` follow the protocol's definition of its per-epoch
 * test metrics, so that they continue the curves of `epochs`:
 * - `float`: the float initial weights;
 * - `projected` (step and epoch): the initial weights after the first projection, which
 *   is where training starts;
 * - `ptq`: the float initial weights (its epochs evaluate the float model); the quantized
 *   initial model, which is what ptq's final metrics measure, is in `quantizedTest`;
 * - `qat`: the quantized initial weights, which its forward pass uses (training continues
 *   from the float shadow weights).
 */
export interface InitialState {
  /** Test loss of the initial model as the protocol evaluates it. */
  testLoss: number;
  /** Test accuracy of it, or null for regression. */
  testAccuracy: number | null;
  /** Per-tensor magnitudes of the weights evaluated (as each epoch records them). */
  weights: WeightStats[];
  /** Fraction of all weights whose initial quantized value is exactly 0, or null for `float`. */
  zeroCodeFraction: number | null;
  /** `ptq` only: test metrics of the quantized initial model; null for the other protocols. */
  quantizedTest: { loss: number; accuracy: number | null } | null;
}

/** What {@link measureInitialState} needs besides the model and the data. */
export interface InitialStateArgs {
  /** The run's protocol. */
  protocol: Protocol;
  /** The run's scheme (null for `float`). */
  scheme: QuantScheme | null;
  /** The run's seed (its stochastic-rounding stream gives the first projection). */
  seed: number;
  /** Batch size of the evaluation passes (default 1000). */
  evalBatchSize?: number;
}

/** Fraction of zeros over all values. */
function zeroFraction(values: readonly Float32Array[]): number {
  let zeros = 0;
  let total = 0;
  for (const v of values) {
    for (let k = 0; k < v.length; k++) if (v[k] === 0) zeros++;
    total += v.length;
  }
  return zeros / total;
}

/**
 * Measures the {@link InitialState} of `trainer`, which must hold the run's initial float
 * weights. The trainer's weights are the same when it returns (quantized values are
 * written only for the evaluations and the float values written back).
 */
export async function measureInitialState(trainer: ModelTrainer, data: Dataset, args: InitialStateArgs): Promise<InitialState> {
  const { protocol, scheme } = args;
  const evalBatch = args.evalBatchSize ?? 1000;
  const names = trainer.weights.map((w) => w.name);
  const floats = await trainer.readWeights();
  const probe = probeBatch(data);
  if (protocol.kind === 'float') {
    const test = await evaluate(trainer, data, evalBatch);
    const grads = await probeGradientNorms(trainer, probe);
    return { testLoss: test.loss, testAccuracy: test.accuracy, weights: weightStats(names, floats, grads), zeroCodeFraction: null, quantizedTest: null };
  }
  if (scheme === null) throw new Error(`protocol '${protocol.kind}' needs a quantization scheme, got null`);
  const projector = new WeightProjector(trainer.weights, scheme, Rng.stream(args.seed, 'stochastic-rounding'));
  const q = projector.projectArrays(floats);
  const zeroCodes = zeroFraction(q.values);
  let quantizedGrads: number[] = [];
  const evaluateQuantized = async (): Promise<{ loss: number; accuracy: number | null }> => {
    trainer.writeWeights(q.values);
    try {
      const test = await evaluate(trainer, data, evalBatch);
      quantizedGrads = await probeGradientNorms(trainer, probe);
      return test;
    } finally {
      trainer.writeWeights(floats);
    }
  };
  if (protocol.kind === 'ptq') {
    const test = await evaluate(trainer, data, evalBatch);
    const grads = await probeGradientNorms(trainer, probe);
    const quantizedTest = await evaluateQuantized();
    return { testLoss: test.loss, testAccuracy: test.accuracy, weights: weightStats(names, floats, grads), zeroCodeFraction: zeroCodes, quantizedTest };
  }
  const test = await evaluateQuantized();
  return { testLoss: test.loss, testAccuracy: test.accuracy, weights: weightStats(names, q.values, quantizedGrads), zeroCodeFraction: zeroCodes, quantizedTest: null };
}

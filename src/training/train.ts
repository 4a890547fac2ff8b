/**
 * The training loop shared by every experiment and every engine: seeded data order, one
 * optimizer step per batch, the protocol's quantization (as hooks, see protocol-hooks.ts),
 * and per-epoch records of what explains the dynamics (how many codes move, how large the
 * weights are, how many sit at zero). It computes through a {@link ModelTrainer}, so the
 * same code trains on tfjs (wasm, webgpu, cpu) and on libtorch.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types';
import type { QuantScheme } from '../quantizers';
import { Rng } from '../random/rng';
import { CANCEL_CHECK_INTERVAL_MS, TrainingCancelledError, yieldToEventLoop } from './cancel';
import type { TrainCheckpoint } from './checkpoint';
import { DivergedSignal } from './divergence';
import { measureInitialState } from './initial-state';
import type { InitialState } from './initial-state';
import type { UpdateEpochStats } from './mechanism';
import { hooksFor, WeightProjector } from './protocol-hooks';
import type { Protocol } from './protocols';
import { TfjsTrainer, checkWeightValues } from './trainer';
import type { ModelTrainer, OptimizerArgs } from './trainer';

export { makeOptimizer } from './trainer';
export type { OptimizerArgs } from './trainer';
export { divergedWeights } from './divergence';
export { measureInitialState } from './initial-state';
export type { InitialState, InitialStateArgs } from './initial-state';

/** Options for {@link train}. */
export interface TrainArgs {
  /** Number of passes over the training set. */
  epochs: number;
  /** Examples per optimizer step. */
  batchSize: number;
  /** Optimizer and learning rate. */
  optimizer: OptimizerArgs;
  /** How quantization enters training. */
  protocol: Protocol;
  /** The quantization scheme; required unless the protocol is `float`. */
  scheme: QuantScheme | null;
  /** The one seed that drives data order and stochastic rounding (init is done by the caller). */
  seed: number;
  /** Batch size for evaluation passes (default 1000). */
  evalBatchSize?: number;
  /** Called after every epoch with its record. */
  onEpochEnd?: (record: EpochRecord) => void;
  /** Called after every optimizer step with (steps done, total steps). */
  onStep?: (done: number, total: number) => void;
  /**
   * Continue from this checkpoint, taken by {@link TrainArgs.onCheckpoint} of a run with the
   * same arguments on the same backend; the result is identical to a run that never stopped.
   */
  resumeFrom?: TrainCheckpoint;
  /** Called after every completed epoch with a checkpoint the run can be resumed from. */
  onCheckpoint?: (checkpoint: TrainCheckpoint) => void | Promise<void>;
  /** Checked before every optimizer step: once aborted, training stops with a {@link TrainingCancelledError}. */
  signal?: AbortSignal;
}

/** Size and magnitude of one trainable tensor at the end of an epoch. */
export interface WeightStats {
  /** Weight name, e.g. `dense1/kernel`. */
  name: string;
  /** Number of elements. */
  size: number;
  /** Mean absolute value. */
  meanAbs: number;
  /** Fraction of elements exactly equal to 0. */
  zeroFraction: number;
  /**
   * L2 norm of the gradient of the mean loss over the probe batch (the first
   * {@link PROBE_EXAMPLES} training examples) at these weights; absent in records written
   * before it was measured.
   */
  gradNorm?: number;
}

/** Training examples in the fixed probe batch that gradient norms are measured on. */
export const PROBE_EXAMPLES = 1000;

/** The probe batch of `data`: its first {@link PROBE_EXAMPLES} training examples (fewer when it has fewer). */
export function probeBatch(data: Dataset): { x: Float32Array; y: Float32Array; count: number } {
  const count = Math.min(PROBE_EXAMPLES, data.nTrain);
  const batcher = makeBatcher(data.xTrain, data.yTrain, data.inputShape, data);
  const order = identityOrder(count);
  return { x: batcher.x(order, 0, count), y: batcher.y(order, 0, count), count };
}

/** Per-weight gradient norms of `trainer`'s current weights on `probe`. */
export async function probeGradientNorms(trainer: ModelTrainer, probe: { x: Float32Array; y: Float32Array; count: number }): Promise<number[]> {
  return trainer.gradientNorms(probe.x, probe.y, probe.count);
}

/** How the quantization codes moved during one epoch. */
export interface QuantEpochStats {
  /** Mean over the epoch's steps of the fraction of weights whose code changed in that step (null when codes are not computed every step). */
  stepChangeFraction: number | null;
  /** Fraction of weights whose code at the end of this epoch differs from the end of the previous one (from the initial weights for epoch 1). */
  epochChangeFraction: number;
  /** Fraction of all weights whose quantized value is exactly 0. */
  zeroCodeFraction: number;
  /**
   * projected-step only: the optimizer's proposed updates in grid steps, which code changes
   * shrank or grew |code|, and the projection's error (see mechanism.ts). Absent in records
   * written before these statistics existed and for the other protocols.
   */
  updates?: UpdateEpochStats;
}

/** Everything recorded about one epoch. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches (as Keras reports it). */
  trainLoss: number;
  /** Training accuracy over the epoch's batches, or null for regression. */
  trainAccuracy: number | null;
  /** Test loss after the epoch, with the weights the protocol evaluates. */
  testLoss: number;
  /** Test accuracy after the epoch, or null for regression. */
  testAccuracy: number | null;
  /** Wall seconds of the epoch's training steps (projection included). */
  trainSeconds: number;
  /** Wall seconds of the epoch's test evaluation. */
  evalSeconds: number;
  /** Per-tensor magnitudes at the end of the epoch (of the weights evaluated). */
  weights: WeightStats[];
  /** Code dynamics, or null when the protocol does not quantize during training. */
  quant: QuantEpochStats | null;
}

/** Final metrics of a run. */
export interface TrainResult {
  /** One record per epoch. */
  epochs: EpochRecord[];
  /**
   * The model at epoch 0 as the protocol evaluates it (see {@link InitialState}); null
   * when the run was resumed from a checkpoint written before epoch-0 states were kept.
   */
  initial: InitialState | null;
  /** Test loss of the final model, with quantized weights where the protocol quantizes. */
  testLoss: number;
  /** Test accuracy of the final model, or null for regression. */
  testAccuracy: number | null;
  /** For `ptq` and `qat`: the float model's test metrics before the final quantization. */
  floatTest: { loss: number; accuracy: number | null } | null;
  /** Total seconds spent in training steps. */
  trainSeconds: number;
  /** Total seconds spent in per-epoch evaluation. */
  evalSeconds: number;
  /** Number of optimizer steps taken. */
  steps: number;
  /** Final quantization codes per trainable tensor (null for `float`). */
  codes: Int32Array[] | null;
  /**
   * Set when training diverged (a loss or a weight stopped being a finite number, or a
   * weight left the code range of the scheme): training stopped there, `epochs` holds the
   * epochs completed before, and `testLoss`/`testAccuracy` are NaN.
   */
  diverged: TrainDivergence | null;
}

/** Where training diverged. */
export interface TrainDivergence {
  /** 1-based epoch in which it happened. */
  epoch: number;
  /** Optimizer steps taken when it was detected. */
  step: number;
  /** What was not finite. */
  reason: string;
}

/** {@link train} could not continue from `resumeFrom`: the checkpoint does not fit the run. */
export class CheckpointRestoreError extends Error {
  /** Always `'CheckpointRestoreError'`. */
  override name = 'CheckpointRestoreError';

  /** Wraps the reason. */
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Row-major batches of examples and their targets, copied into fresh buffers. */
interface Batcher {
  x(indices: ArrayLike<number>, start: number, count: number): Float32Array;
  y(indices: ArrayLike<number>, start: number, count: number): Float32Array;
}

function makeBatcher(
  xs: Float32Array,
  ys: Float32Array | Int32Array,
  inputShape: number[],
  data: Pick<Dataset, 'task' | 'numClasses'>,
): Batcher {
  const rowSize = inputShape.reduce((a, b) => a * b, 1);
  const classification = data.task === 'classification';
  const width = classification ? data.numClasses : 1;
  return {
    x(indices, start, count) {
      const buf = new Float32Array(count * rowSize);
      for (let i = 0; i < count; i++) {
        const row = indices[start + i];
        buf.set(xs.subarray(row * rowSize, (row + 1) * rowSize), i * rowSize);
      }
      return buf;
    },
    y(indices, start, count) {
      const buf = new Float32Array(count * width);
      for (let i = 0; i < count; i++) {
        const row = indices[start + i];
        if (classification) buf[i * width + ys[row]] = 1;
        else buf[i] = ys[row];
      }
      return buf;
    },
  };
}

/** Sequential order 0..n-1. */
function identityOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** A tfjs model or a trainer: what the loop, evaluation and inference timing accept. */
export type Trainable = tf.LayersModel | ModelTrainer;

/** Whether `m` is a {@link ModelTrainer} (else a tfjs model). */
function isTrainer(m: Trainable): m is ModelTrainer {
  return typeof (m as Partial<ModelTrainer>).step === 'function' && typeof (m as Partial<ModelTrainer>).readWeights === 'function';
}

/** `m` as a trainer, and whether the caller must dispose it (a wrapper made here). */
function asTrainer(m: Trainable, task: Dataset['task']): { trainer: ModelTrainer; wrapped: boolean } {
  return isTrainer(m) ? { trainer: m, wrapped: false } : { trainer: new TfjsTrainer(m, task), wrapped: true };
}

/**
 * Mean loss and accuracy of a model on the test split, in batches of `batchSize`.
 * Accuracy is null for regression.
 */
export async function evaluate(
  model: Trainable,
  data: Dataset,
  batchSize = 1000,
  split: 'test' | 'train' = 'test',
): Promise<{ loss: number; accuracy: number | null }> {
  const { trainer } = asTrainer(model, data.task);
  const xs = split === 'test' ? data.xTest : data.xTrain;
  const ys = split === 'test' ? data.yTest : data.yTrain;
  const n = split === 'test' ? data.nTest : data.nTrain;
  const batcher = makeBatcher(xs, ys, data.inputShape, data);
  const order = identityOrder(n);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const r = await trainer.evaluateBatch(batcher.x(order, start, count), batcher.y(order, start, count), count);
    lossSum += r.lossSum;
    correct += r.correct;
  }
  return { loss: lossSum / n, accuracy: data.task === 'classification' ? correct / n : null };
}

/** Per-tensor size, mean absolute value and fraction of zeros of `values` (named by `names`), with their gradient norms when given. */
export function weightStats(names: readonly string[], values: readonly Float32Array[], gradNorms?: readonly number[]): WeightStats[] {
  if (gradNorms !== undefined && gradNorms.length !== names.length) throw new Error(`weightStats: ${gradNorms.length} gradient norms for ${names.length} tensors`);
  return names.map((name, i) => {
    const a = values[i];
    let abs = 0;
    let zeros = 0;
    for (let k = 0; k < a.length; k++) {
      abs += Math.abs(a[k]);
      if (a[k] === 0) zeros++;
    }
    const stats: WeightStats = { name, size: a.length, meanAbs: abs / a.length, zeroFraction: zeros / a.length };
    if (gradNorms !== undefined) stats.gradNorm = gradNorms[i];
    return stats;
  });
}

/**
 * Trains `model` (already initialised by the caller) on `data` under `args.protocol`.
 * The data order of epoch e is a permutation drawn from the seed's `data-order`
 * stream, so all methods with the same seed see the same batches. What the protocol does
 * around the steps lives in its hooks (protocol-hooks.ts); this loop is the same for all.
 */
export async function train(model: Trainable, data: Dataset, args: TrainArgs): Promise<TrainResult> {
  const { protocol, scheme } = args;
  if (protocol.kind !== 'float' && scheme === null) {
    throw new Error(`protocol '${protocol.kind}' needs a quantization scheme, got null`);
  }
  if (!Number.isInteger(args.epochs) || args.epochs < 1) throw new Error(`epochs must be an integer >= 1, got ${args.epochs}`);
  if (!Number.isInteger(args.batchSize) || args.batchSize < 1) {
    throw new Error(`batchSize must be an integer >= 1, got ${args.batchSize}`);
  }
  const evalBatch = args.evalBatchSize ?? 1000;
  const { trainer, wrapped } = asTrainer(model, data.task);
  try {
    trainer.resetOptimizer(args.optimizer);
    const resume = args.resumeFrom ?? null;
    if (resume !== null) {
      try {
        await restoreTraining(trainer, resume, args, protocol.kind !== 'float');
      } catch (err) {
        throw new CheckpointRestoreError(err);
      }
    }
    const orderRng = resume === null ? Rng.stream(args.seed, 'data-order') : Rng.fromState(resume.dataOrderRng);
    const projector =
      protocol.kind === 'float' || scheme === null
        ? null
        : resume?.projector
          ? WeightProjector.restore(trainer.weights, scheme, resume.projector)
          : new WeightProjector(trainer.weights, scheme, Rng.stream(args.seed, 'stochastic-rounding'));
    if (resume !== null && projector !== null) projector.startFrom(await trainer.readWeights());
    const hooks = hooksFor(protocol, { trainer, projector, evaluate: () => evaluate(trainer, data, evalBatch) });
    const stepsPerEpoch = Math.ceil(data.nTrain / args.batchSize);
    const totalSteps = stepsPerEpoch * args.epochs;
    const batcher = makeBatcher(data.xTrain, data.yTrain, data.inputShape, data);
    const classification = data.task === 'classification';
    const names = trainer.weights.map((w) => w.name);

    const initial =
      resume === null ? await measureInitialState(trainer, data, { protocol, scheme, seed: args.seed, evalBatchSize: evalBatch }) : (resume.initial ?? null);
    const probe = probeBatch(data);
    if (resume === null) await hooks.start();

    const epochs: EpochRecord[] = resume === null ? [] : [...resume.records];
    let steps = resume?.steps ?? 0;
    let trainSeconds = resume?.trainSeconds ?? 0;
    let evalSeconds = resume?.evalSeconds ?? 0;
    let currentEpoch = resume?.epoch ?? 0;
    const divergedAt = (reason: string): TrainResult => ({
      epochs,
      initial,
      testLoss: NaN,
      testAccuracy: NaN,
      floatTest: null,
      trainSeconds,
      evalSeconds,
      steps,
      codes: null,
      diverged: { epoch: currentEpoch, step: steps, reason },
    });
    try {
      let lastYield = performance.now();
      for (let epoch = (resume?.epoch ?? 0) + 1; epoch <= args.epochs; epoch++) {
        currentEpoch = epoch;
        const order = orderRng.permutation(data.nTrain);
        let lossSum = 0;
        let correctSum = 0;
        const t0 = performance.now();
        for (let start = 0; start < data.nTrain; start += args.batchSize) {
          if (args.signal !== undefined && performance.now() - lastYield >= CANCEL_CHECK_INTERVAL_MS) {
            await yieldToEventLoop(); // lets a SIGINT listener abort the signal
            lastYield = performance.now();
          }
          if (args.signal?.aborted === true) {
            throw new TrainingCancelledError({ steps, totalSteps, epochsDone: epochs.length, epochs: args.epochs });
          }
          const count = Math.min(args.batchSize, data.nTrain - start);
          const x = batcher.x(order, start, count);
          const y = batcher.y(order, start, count);
          const applyTo = await hooks.beforeStep();
          const r = await trainer.step(x, y, count, applyTo);
          lossSum += r.loss * count;
          if (classification) correctSum += r.correct;
          if (!Number.isFinite(r.loss)) throw new DivergedSignal(`training loss ${r.loss}`);
          await hooks.afterStep();
          steps++;
          args.onStep?.(steps, totalSteps);
        }
        const end = await hooks.endEpoch();
        const epochTrain = (performance.now() - t0) / 1000;
        const t1 = performance.now();
        const test = await evaluate(trainer, data, evalBatch);
        const epochEval = (performance.now() - t1) / 1000;
        if (!Number.isFinite(test.loss)) throw new DivergedSignal(`test loss ${test.loss}`);
        const gradNorms = await probeGradientNorms(trainer, probe);
        if (end.continueFrom !== null) trainer.writeWeights(end.continueFrom);
        trainSeconds += epochTrain;
        evalSeconds += epochEval;
        const record: EpochRecord = {
          epoch,
          trainLoss: lossSum / data.nTrain,
          trainAccuracy: classification ? correctSum / data.nTrain : null,
          testLoss: test.loss,
          testAccuracy: test.accuracy,
          trainSeconds: epochTrain,
          evalSeconds: epochEval,
          weights: weightStats(names, end.evaluated, gradNorms),
          quant: end.quant,
        };
        epochs.push(record);
        args.onEpochEnd?.(record);
        if (args.onCheckpoint !== undefined) {
          await args.onCheckpoint({
            epoch,
            steps,
            trainSeconds,
            evalSeconds,
            records: [...epochs],
            weights: await trainer.readWeights(),
            optimizer: await trainer.saveOptimizer(),
            dataOrderRng: orderRng.state(),
            projector: projector?.snapshot() ?? null,
            initial,
          });
        }
      }
      currentEpoch = args.epochs;
      const last = epochs[epochs.length - 1];
      const final = await hooks.finalize({ loss: last.testLoss, accuracy: last.testAccuracy });
      if (!Number.isFinite(final.testLoss)) return divergedAt(`final test loss ${final.testLoss}`);
      return { epochs, initial, ...final, trainSeconds, evalSeconds, steps, diverged: null };
    } catch (err) {
      if (!(err instanceof DivergedSignal)) throw err;
      return divergedAt(err.reason);
    }
  } finally {
    if (wrapped) trainer.dispose();
  }
}

/** Checks a checkpoint against the run's arguments and puts its weights and optimizer state back. */
async function restoreTraining(trainer: ModelTrainer, ckpt: TrainCheckpoint, args: TrainArgs, quantizes: boolean): Promise<void> {
  if (!Number.isInteger(ckpt.epoch) || ckpt.epoch < 1 || ckpt.epoch > args.epochs) {
    throw new Error(`checkpoint epoch ${ckpt.epoch} is outside 1..${args.epochs}`);
  }
  if (ckpt.records.length !== ckpt.epoch) throw new Error(`checkpoint has ${ckpt.records.length} epoch records for ${ckpt.epoch} epochs`);
  if ((ckpt.projector !== null) !== quantizes) {
    throw new Error(`checkpoint ${ckpt.projector === null ? 'has no' : 'has'} projector state, protocol '${args.protocol.kind}' ${quantizes ? 'needs' : 'has'} none`);
  }
  checkWeightValues(trainer.weights, ckpt.weights, 'checkpoint');
  trainer.writeWeights(ckpt.weights);
  await trainer.restoreOptimizer(ckpt.optimizer);
}

/** Inference timing of a model over the test split. */
export interface InferenceTiming {
  /** Examples per predict call. */
  batchSize: number;
  /** Number of timed full passes (after one untimed warm-up pass). */
  repeats: number;
  /** Seconds of each timed pass. */
  seconds: number[];
  /** Median seconds of a full pass over the test split. */
  medianSeconds: number;
  /** Test examples per second at the median. */
  samplesPerSecond: number;
}

/** Median of a non-empty list. */
function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Seconds of one inference pass over the whole test split: batches of `batchSize` are
 * built from the test inputs, predicted and read back (so the computation has finished on
 * every backend). The pass {@link measureInference} times; no warm-up.
 */
export async function timeInferencePass(model: Trainable, data: Dataset, batchSize = 1000): Promise<number> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be an integer >= 1, got ${batchSize}`);
  const { trainer } = asTrainer(model, data.task);
  const batcher = makeBatcher(data.xTest, data.yTest, data.inputShape, data);
  const order = identityOrder(data.nTest);
  const t0 = performance.now();
  for (let start = 0; start < data.nTest; start += batchSize) {
    const count = Math.min(batchSize, data.nTest - start);
    await trainer.predict(batcher.x(order, start, count), count); // read back: finished on every backend
  }
  return (performance.now() - t0) / 1000;
}

/**
 * Times inference separately from training: one warm-up pass over the test split,
 * then `repeats` timed passes; reports the median and the throughput.
 */
export async function measureInference(model: Trainable, data: Dataset, repeats = 5, batchSize = 1000): Promise<InferenceTiming> {
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be an integer >= 1, got ${repeats}`);
  const pass = (): Promise<number> => timeInferencePass(model, data, batchSize);
  await pass();
  const seconds: number[] = [];
  for (let r = 0; r < repeats; r++) seconds.push(await pass());
  const med = median(seconds);
  return { batchSize, repeats, seconds, medianSeconds: med, samplesPerSecond: data.nTest / med };
}

/**
 * The training loop shared by every experiment: seeded data order, one optimizer
 * step per batch, the protocol's quantization, and per-epoch records of what
 * explains the dynamics (how many codes move, how large the weights are, how
 * many sit at zero).
 */
import * as tf from '@tensorflow/tfjs';
import { CANCEL_CHECK_INTERVAL_MS, TrainingCancelledError, yieldToEventLoop } from './cancel';
import type { Dataset } from '../data/types';
import { sizeOf } from '../models/models';
import { projectValues } from '../quantizers';
import type { QuantScheme } from '../quantizers';
import { Rng } from '../random/rng';
import type { OptimizerState, ProjectorState, TrainCheckpoint } from './checkpoint';
import { divergedWeights } from './divergence';
import type { Protocol } from './protocols';

export { divergedWeights } from './divergence';

/** Optimizer settings; every method of one comparison uses the same ones. */
export interface OptimizerArgs {
  /** Optimizer family. */
  name: 'adam' | 'sgd';
  /** Learning rate (default used by experiments: Adam 1e-3). */
  learningRate: number;
}

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
}

/** How the quantization codes moved during one epoch. */
export interface QuantEpochStats {
  /** Mean over the epoch's steps of the fraction of weights whose code changed in that step (null when codes are not computed every step). */
  stepChangeFraction: number | null;
  /** Fraction of weights whose code at the end of this epoch differs from the end of the previous one (from the initial weights for epoch 1). */
  epochChangeFraction: number;
  /** Fraction of all weights whose quantized value is exactly 0. */
  zeroCodeFraction: number;
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

/** Thrown inside {@link train} to stop at a divergence; never escapes it. */
class DivergedSignal extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}


/** Builds the tfjs optimizer described by `args`. */
export function makeOptimizer(args: OptimizerArgs): tf.Optimizer {
  if (!(args.learningRate > 0) || !Number.isFinite(args.learningRate)) {
    throw new Error(`optimizer.learningRate must be a positive number, got ${args.learningRate}`);
  }
  switch (args.name) {
    case 'adam':
      return tf.train.adam(args.learningRate);
    case 'sgd':
      return tf.train.sgd(args.learningRate);
    default:
      throw new Error(`unknown optimizer '${String((args as { name: unknown }).name)}' (valid: adam, sgd)`);
  }
}

/** Row-major batch of examples and their targets, copied into reusable buffers. */
interface Batcher {
  x(indices: ArrayLike<number>, start: number, count: number): tf.Tensor;
  y(indices: ArrayLike<number>, start: number, count: number): tf.Tensor;
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
      return tf.tensor(buf, [count, ...inputShape], 'float32');
    },
    y(indices, start, count) {
      const buf = new Float32Array(count * width);
      for (let i = 0; i < count; i++) {
        const row = indices[start + i];
        if (classification) buf[i * width + ys[row]] = 1;
        else buf[i] = ys[row];
      }
      return tf.tensor(buf, [count, width], 'float32');
    },
  };
}

/** Mean loss of predictions: categorical cross-entropy for classification, MSE for regression. */
function lossOf(task: Dataset['task'], yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return task === 'classification'
    ? tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred)) as tf.Scalar
    : tf.mean(tf.square(tf.sub(yPred, yTrue))) as tf.Scalar;
}

/** Number of correct top-1 predictions in a batch (as a scalar tensor). */
function correctOf(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1)), 'float32')) as tf.Scalar;
}

/** Sequential order 0..n-1. */
function identityOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/**
 * Mean loss and accuracy of `model` on the test split, in batches of `batchSize`.
 * Accuracy is null for regression. Asynchronous because results are read with
 * `Tensor.data()`, which every backend supports (GPU backends cannot read synchronously
 * in Node).
 */
export async function evaluate(
  model: tf.LayersModel,
  data: Dataset,
  batchSize = 1000,
  split: 'test' | 'train' = 'test',
): Promise<{ loss: number; accuracy: number | null }> {
  const xs = split === 'test' ? data.xTest : data.xTrain;
  const ys = split === 'test' ? data.yTest : data.yTrain;
  const n = split === 'test' ? data.nTest : data.nTrain;
  const batcher = makeBatcher(xs, ys, data.inputShape, data);
  const order = identityOrder(n);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < n; start += batchSize) {
    const count = Math.min(batchSize, n - start);
    const [loss, corr] = tf.tidy(() => {
      const x = batcher.x(order, start, count);
      const y = batcher.y(order, start, count);
      const pred = model.predict(x) as tf.Tensor;
      return [lossOf(data.task, y, pred), data.task === 'classification' ? correctOf(y, pred) : tf.scalar(0)];
    });
    lossSum += (await readScalar(loss)) * count;
    correct += await readScalar(corr);
  }
  return { loss: lossSum / n, accuracy: data.task === 'classification' ? correct / n : null };
}

/**
 * Projects model weights onto a quantization grid and tracks how codes move.
 * Holds one stochastic-rounding stream for the whole run, so that results are
 * reproducible from the run's seed.
 */
class WeightProjector {
  private readonly prevStepCodes: (Int32Array | null)[];
  private readonly prevEpochCodes: (Int32Array | null)[];
  private stepChanged = 0;
  private stepTotal = 0;
  private stepsTracked = 0;
  lastCodes: Int32Array[] | null = null;

  constructor(
    private readonly vars: tf.LayerVariable[],
    private readonly scheme: QuantScheme,
    private readonly rng: Rng,
  ) {
    this.prevStepCodes = vars.map(() => null);
    this.prevEpochCodes = vars.map(() => null);
  }

  /** State at an epoch boundary (the step counters are zero there). */
  snapshot(): ProjectorState {
    return { rng: this.rng.state(), prevStepCodes: [...this.prevStepCodes], prevEpochCodes: [...this.prevEpochCodes], lastCodes: this.lastCodes };
  }

  /** A projector continuing from {@link WeightProjector.snapshot}'s state. */
  static restore(vars: tf.LayerVariable[], scheme: QuantScheme, state: ProjectorState): WeightProjector {
    const p = new WeightProjector(vars, scheme, Rng.fromState(state.rng));
    const check = (codes: (Int32Array | null)[], field: string): void => {
      if (codes.length !== vars.length) throw new Error(`checkpoint projector.${field} has ${codes.length} tensors, the model has ${vars.length}`);
      codes.forEach((c, i) => {
        if (c !== null && c.length !== sizeOf(vars[i].shape)) {
          throw new Error(`checkpoint projector.${field}[${i}] has ${c.length} codes, ${vars[i].originalName} has ${sizeOf(vars[i].shape)} weights`);
        }
      });
    };
    check(state.prevStepCodes, 'prevStepCodes');
    check(state.prevEpochCodes, 'prevEpochCodes');
    if (state.lastCodes !== null) check(state.lastCodes, 'lastCodes');
    state.prevStepCodes.forEach((c, i) => (p.prevStepCodes[i] = c));
    state.prevEpochCodes.forEach((c, i) => (p.prevEpochCodes[i] = c));
    p.lastCodes = state.lastCodes;
    return p;
  }

  /**
   * Quantized values (float32) and codes of the given float values, tensor by tensor.
   * Weights that diverged (see {@link divergedWeights}) stop training with a DivergedSignal.
   */
  projectArrays(floats: Float32Array[]): { values: Float32Array[]; codes: Int32Array[] } {
    const why = divergedWeights(floats, this.scheme);
    if (why !== null) throw new DivergedSignal(why);
    const values: Float32Array[] = [];
    const codes: Int32Array[] = [];
    floats.forEach((f, i) => {
      const shape = this.vars[i].shape as number[];
      const p = projectValues(f, this.scheme, { shape, rng: this.rng });
      values.push(p.values);
      codes.push(p.codes);
    });
    this.lastCodes = codes;
    return { values, codes };
  }

  /** Counts code changes since the previous tracked step. */
  trackStep(codes: Int32Array[]): void {
    codes.forEach((c, i) => {
      const prev = this.prevStepCodes[i];
      if (prev !== null) {
        let changed = 0;
        for (let k = 0; k < c.length; k++) if (c[k] !== prev[k]) changed++;
        this.stepChanged += changed;
        this.stepTotal += c.length;
      }
      this.prevStepCodes[i] = c;
    });
    this.stepsTracked++;
  }

  /** Records the codes before training starts (epoch 0). */
  baseline(codes: Int32Array[]): void {
    codes.forEach((c, i) => {
      this.prevEpochCodes[i] = c;
      this.prevStepCodes[i] = c;
    });
  }

  /** Closes an epoch: code-change and zero statistics, then resets the step counters. */
  epochStats(codes: Int32Array[], values: Float32Array[]): QuantEpochStats {
    let changed = 0;
    let total = 0;
    let zeros = 0;
    codes.forEach((c, i) => {
      const prev = this.prevEpochCodes[i];
      const v = values[i];
      for (let k = 0; k < c.length; k++) {
        if (prev !== null && c[k] !== prev[k]) changed++;
        if (v[k] === 0) zeros++;
      }
      total += c.length;
      this.prevEpochCodes[i] = c;
    });
    const stepChangeFraction = this.stepTotal > 0 ? this.stepChanged / this.stepTotal : null;
    this.stepChanged = 0;
    this.stepTotal = 0;
    this.stepsTracked = 0;
    return { stepChangeFraction, epochChangeFraction: changed / total, zeroCodeFraction: zeros / total };
  }
}

/** The optimizer's private Adam powers, where it has them. */
function adamPowers(optimizer: tf.Optimizer): { accBeta1: tf.Variable; accBeta2: tf.Variable } | null {
  const o = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  return o.accBeta1 instanceof tf.Variable && o.accBeta2 instanceof tf.Variable ? { accBeta1: o.accBeta1, accBeta2: o.accBeta2 } : null;
}

/** Copies the optimizer's state (iterations, slots, and Adam's powers exactly as float32). */
async function saveOptimizer(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const [iter, ...slots] = await optimizer.getWeights();
  const iterations = await readScalar(iter.tensor);
  const values = await Promise.all(slots.map(async (s) => ((await s.tensor.data()) as Float32Array).slice()));
  const powers = adamPowers(optimizer);
  const accBeta: OptimizerState['accBeta'] =
    powers === null ? null : [(await powers.accBeta1.data())[0], (await powers.accBeta2.data())[0]];
  return { iterations, accBeta, slots: values, slotShapes: slots.map((s) => s.tensor.shape) };
}

/** Puts a saved state back into a fresh optimizer of the same kind. */
async function restoreOptimizer(optimizer: tf.Optimizer, state: OptimizerState): Promise<void> {
  const powers = adamPowers(optimizer);
  if ((powers === null) !== (state.accBeta === null)) {
    throw new Error(`checkpoint optimizer state ${state.accBeta === null ? 'has no' : 'has'} Adam powers, the optimizer ${powers === null ? 'is not' : 'is'} Adam`);
  }
  if (state.slots.length !== state.slotShapes.length) {
    throw new Error(`checkpoint optimizer has ${state.slots.length} slots but ${state.slotShapes.length} slot shapes`);
  }
  const tensors = [
    { name: 'iterations', tensor: tf.scalar(state.iterations, 'int32') },
    ...state.slots.map((s, i) => ({ name: `slot${i}`, tensor: tf.tensor(s, state.slotShapes[i], 'float32') })),
  ];
  await optimizer.setWeights(tensors);
  tf.dispose(tensors.map((t) => t.tensor));
  if (powers !== null && state.accBeta !== null) {
    // setWeights recomputes the powers with pow(); the loop multiplies step by step, so restore the exact values.
    const [b1, b2] = state.accBeta;
    tf.tidy(() => {
      powers.accBeta1.assign(tf.scalar(b1, 'float32'));
      powers.accBeta2.assign(tf.scalar(b2, 'float32'));
    });
  }
}

/** Reads a scalar tensor's value and disposes the tensor. */
async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

/** Copies of the current values of the variables (safe to keep across steps). */
async function readAll(vars: tf.LayerVariable[]): Promise<Float32Array[]> {
  return Promise.all(vars.map(async (v) => ((await v.read().data()) as Float32Array).slice()));
}

/** Writes values into the variables. */
function writeAll(vars: tf.LayerVariable[], values: Float32Array[]): void {
  vars.forEach((v, i) => {
    const t = tf.tensor(values[i], v.shape as number[], 'float32');
    v.write(t);
    t.dispose();
  });
}

function weightStats(vars: tf.LayerVariable[], values: Float32Array[]): WeightStats[] {
  return vars.map((v, i) => {
    const a = values[i];
    let abs = 0;
    let zeros = 0;
    for (let k = 0; k < a.length; k++) {
      abs += Math.abs(a[k]);
      if (a[k] === 0) zeros++;
    }
    return { name: v.originalName, size: a.length, meanAbs: abs / a.length, zeroFraction: zeros / a.length };
  });
}

/**
 * Trains `model` (already initialised by the caller) on `data` under `args.protocol`.
 * The data order of epoch e is a permutation drawn from the seed's `data-order`
 * stream, so all methods with the same seed see the same batches.
 */
export async function train(model: tf.LayersModel, data: Dataset, args: TrainArgs): Promise<TrainResult> {
  const { protocol, scheme } = args;
  if (protocol.kind !== 'float' && scheme === null) {
    throw new Error(`protocol '${protocol.kind}' needs a quantization scheme, got null`);
  }
  if (!Number.isInteger(args.epochs) || args.epochs < 1) throw new Error(`epochs must be an integer >= 1, got ${args.epochs}`);
  if (!Number.isInteger(args.batchSize) || args.batchSize < 1) {
    throw new Error(`batchSize must be an integer >= 1, got ${args.batchSize}`);
  }
  const evalBatch = args.evalBatchSize ?? 1000;
  const optimizer = makeOptimizer(args.optimizer);
  const vars = model.trainableWeights;
  const varList = vars.map((v) => v.read() as tf.Variable);
  const resume = args.resumeFrom ?? null;
  if (resume !== null) {
    try {
      await restoreTraining(model, optimizer, resume, args, protocol.kind !== 'float');
    } catch (err) {
      optimizer.dispose();
      throw new CheckpointRestoreError(err);
    }
  }
  const orderRng = resume === null ? Rng.stream(args.seed, 'data-order') : Rng.fromState(resume.dataOrderRng);
  const projector =
    protocol.kind === 'float' || scheme === null
      ? null
      : resume?.projector
        ? WeightProjector.restore(vars, scheme, resume.projector)
        : new WeightProjector(vars, scheme, Rng.stream(args.seed, 'stochastic-rounding'));
  const stepsPerEpoch = Math.ceil(data.nTrain / args.batchSize);
  const totalSteps = stepsPerEpoch * args.epochs;
  const batcher = makeBatcher(data.xTrain, data.yTrain, data.inputShape, data);
  const classification = data.task === 'classification';

  // Projected training starts from the quantized initial weights.
  if (projector !== null && resume === null) {
    const start = projector.projectArrays(await readAll(vars));
    projector.baseline(start.codes);
    if (protocol.kind === 'projected') writeAll(vars, start.values);
  }

  const epochs: EpochRecord[] = resume === null ? [] : [...resume.records];
  let steps = resume?.steps ?? 0;
  let trainSeconds = resume?.trainSeconds ?? 0;
  let evalSeconds = resume?.evalSeconds ?? 0;
  let currentEpoch = resume?.epoch ?? 0;
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
        optimizer.dispose();
        throw new TrainingCancelledError({ steps, totalSteps, epochsDone: epochs.length, epochs: args.epochs });
      }
      const count = Math.min(args.batchSize, data.nTrain - start);
      const x = batcher.x(order, start, count);
      const y = batcher.y(order, start, count);
      let floats: Float32Array[] | null = null;
      if (protocol.kind === 'qat' && projector !== null) {
        floats = await readAll(vars);
        const q = projector.projectArrays(floats);
        projector.trackStep(q.codes);
        writeAll(vars, q.values);
      }
      let correct: tf.Scalar | null = null;
      const lossFn = (): tf.Scalar => {
        const pred = model.apply(x, { training: true }) as tf.Tensor;
        if (classification) correct = tf.keep(correctOf(y, pred));
        return lossOf(data.task, y, pred);
      };
      let cost: tf.Scalar;
      if (floats !== null) {
        // Straight-through estimator: gradient at the quantized point, applied to the float shadow weights.
        const { value, grads } = tf.variableGrads(lossFn, varList);
        writeAll(vars, floats);
        optimizer.applyGradients(grads);
        tf.dispose(grads);
        cost = value;
      } else {
        cost = optimizer.minimize(lossFn, true, varList) as tf.Scalar;
      }
      const stepLoss = await readScalar(cost);
      lossSum += stepLoss * count;
      if (correct !== null) correctSum += await readScalar(correct);
      x.dispose();
      y.dispose();
      if (!Number.isFinite(stepLoss)) throw new DivergedSignal(`training loss ${stepLoss}`);
      if (protocol.kind === 'projected' && protocol.every === 'step' && projector !== null) {
        const q = projector.projectArrays(await readAll(vars));
        projector.trackStep(q.codes);
        writeAll(vars, q.values);
      }
      steps++;
      args.onStep?.(steps, totalSteps);
    }
    let quant: QuantEpochStats | null = null;
    let evaluated: Float32Array[];
    let floatsAtEnd: Float32Array[] | null = null;
    if (projector !== null && protocol.kind !== 'ptq') {
      const floats = await readAll(vars);
      const q = projector.projectArrays(floats);
      if (protocol.kind === 'qat') floatsAtEnd = floats;
      writeAll(vars, q.values); // projected (both variants) and qat evaluate the quantized weights
      quant = projector.epochStats(q.codes, q.values);
      evaluated = q.values;
    } else {
      evaluated = await readAll(vars);
    }
    const epochTrain = (performance.now() - t0) / 1000;
    const t1 = performance.now();
    const test = await evaluate(model, data, evalBatch);
    const epochEval = (performance.now() - t1) / 1000;
    if (!Number.isFinite(test.loss)) throw new DivergedSignal(`test loss ${test.loss}`);
    if (floatsAtEnd !== null) writeAll(vars, floatsAtEnd); // qat continues from its float shadow weights
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
      weights: weightStats(vars, evaluated),
      quant,
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
        weights: await readAll(model.weights),
        optimizer: await saveOptimizer(optimizer),
        dataOrderRng: orderRng.state(),
        projector: projector?.snapshot() ?? null,
      });
    }
  }
  } catch (err) {
    if (!(err instanceof DivergedSignal)) throw err;
    optimizer.dispose();
    const diverged: TrainDivergence = { epoch: currentEpoch, step: steps, reason: err.reason };
    return { epochs, testLoss: NaN, testAccuracy: NaN, floatTest: null, trainSeconds, evalSeconds, steps, codes: null, diverged };
  }
  optimizer.dispose();

  const last = epochs[epochs.length - 1];
  let floatTest: TrainResult['floatTest'] = null;
  let testLoss = last.testLoss;
  let testAccuracy = last.testAccuracy;
  let codes: Int32Array[] | null = null;
  if (projector !== null) {
    if (protocol.kind === 'ptq' || protocol.kind === 'qat') {
      const floats = await readAll(vars);
      floatTest = protocol.kind === 'ptq' ? { loss: last.testLoss, accuracy: last.testAccuracy } : await evaluate(model, data, evalBatch);
      const why = divergedWeights(floats, scheme);
      if (why !== null) {
        return { epochs, testLoss: NaN, testAccuracy: NaN, floatTest: null, trainSeconds, evalSeconds, steps, codes: null, diverged: { epoch: args.epochs, step: steps, reason: why } };
      }
      const q = projector.projectArrays(floats);
      writeAll(vars, q.values);
      const final = await evaluate(model, data, evalBatch);
      testLoss = final.loss;
      testAccuracy = final.accuracy;
      codes = q.codes;
    } else {
      codes = projector.lastCodes;
    }
  }
  if (!Number.isFinite(testLoss)) {
    return { epochs, testLoss: NaN, testAccuracy: NaN, floatTest: null, trainSeconds, evalSeconds, steps, codes: null, diverged: { epoch: args.epochs, step: steps, reason: `final test loss ${testLoss}` } };
  }
  return { epochs, testLoss, testAccuracy, floatTest, trainSeconds, evalSeconds, steps, codes, diverged: null };
}

/** Checks a checkpoint against the run's arguments and puts its weights and optimizer state back. */
async function restoreTraining(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  ckpt: TrainCheckpoint,
  args: TrainArgs,
  quantizes: boolean,
): Promise<void> {
  if (!Number.isInteger(ckpt.epoch) || ckpt.epoch < 1 || ckpt.epoch > args.epochs) {
    throw new Error(`checkpoint epoch ${ckpt.epoch} is outside 1..${args.epochs}`);
  }
  if (ckpt.records.length !== ckpt.epoch) throw new Error(`checkpoint has ${ckpt.records.length} epoch records for ${ckpt.epoch} epochs`);
  if ((ckpt.projector !== null) !== quantizes) {
    throw new Error(`checkpoint ${ckpt.projector === null ? 'has no' : 'has'} projector state, protocol '${args.protocol.kind}' ${quantizes ? 'needs' : 'has'} none`);
  }
  const vars = model.weights;
  if (ckpt.weights.length !== vars.length) throw new Error(`checkpoint has ${ckpt.weights.length} weight tensors, the model has ${vars.length}`);
  vars.forEach((v, i) => {
    if (ckpt.weights[i].length !== sizeOf(v.shape)) {
      throw new Error(`checkpoint weight ${i} has ${ckpt.weights[i].length} values, ${v.originalName} has ${sizeOf(v.shape)}`);
    }
  });
  writeAll(vars, ckpt.weights);
  await restoreOptimizer(optimizer, ckpt.optimizer);
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
export async function timeInferencePass(model: tf.LayersModel, data: Dataset, batchSize = 1000): Promise<number> {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batch size must be an integer >= 1, got ${batchSize}`);
  const batcher = makeBatcher(data.xTest, data.yTest, data.inputShape, data);
  const order = identityOrder(data.nTest);
  const t0 = performance.now();
  for (let start = 0; start < data.nTest; start += batchSize) {
    const count = Math.min(batchSize, data.nTest - start);
    const out = tf.tidy(() => model.predict(batcher.x(order, start, count)) as tf.Tensor);
    await out.data(); // waits for the computation, on every backend
    out.dispose();
  }
  return (performance.now() - t0) / 1000;
}

/**
 * Times inference separately from training: one warm-up pass over the test split,
 * then `repeats` timed passes; reports the median and the throughput.
 */
export async function measureInference(model: tf.LayersModel, data: Dataset, repeats = 5, batchSize = 1000): Promise<InferenceTiming> {
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error(`repeats must be an integer >= 1, got ${repeats}`);
  const pass = (): Promise<number> => timeInferencePass(model, data, batchSize);
  await pass();
  const seconds: number[] = [];
  for (let r = 0; r < repeats; r++) seconds.push(await pass());
  const med = median(seconds);
  return { batchSize, repeats, seconds, medianSeconds: med, samplesPerSecond: data.nTest / med };
}

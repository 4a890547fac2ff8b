/**
 * The seam between the study and the engine that computes: a {@link ModelTrainer} holds
 * one model and its optimizer and does what the training loop needs (a step on a batch,
 * reading and writing the trainable weights as Float32Arrays, evaluating and predicting).
 * The loop, the protocols, the projection and the checkpoints are written once against it.
 *
 * Implementations: {@link TfjsTrainer} (tfjs-layers and tfjs optimizers, on whichever tfjs
 * backend is active) and `TorchTrainer` (libtorch through the octolab addon, see
 * torch-trainer.ts). A whole optimizer step per call, not one call per tensor op: the MLP's
 * step is about 150 tfjs kernels, whose dispatch alone costs about as long as PyTorch's
 * whole step.
 */
import * as tf from '@tensorflow/tfjs';
import type { Architecture, WeightSpec } from '../models/models';
import { buildModel, sizeOf } from '../models/models';
import type { OptimizerState } from './checkpoint';

/** Optimizer settings; every method of one comparison uses the same ones. */
export interface OptimizerArgs {
  /** Optimizer family. */
  name: 'adam' | 'sgd';
  /** Learning rate (default used by experiments: Adam 1e-3). */
  learningRate: number;
  /**
   * `sgd` only: momentum of the heavy-ball update (tf.train.momentum without Nesterov, which is
   * PyTorch's SGD momentum with dampening 0): accumulation = momentum·accumulation + g,
   * w −= lr·accumulation. Absent (or 0): plain SGD. In [0, 1).
   */
  momentum?: number;
}

/** The optimizer family of `args` as its state is laid out: `adam`, `sgd` or `momentum` (sgd with momentum > 0). */
export function optimizerKind(args: OptimizerArgs): 'adam' | 'sgd' | 'momentum' {
  return args.name === 'adam' ? 'adam' : (args.momentum ?? 0) > 0 ? 'momentum' : 'sgd';
}

/** What a batch is trained or evaluated for (`classification` or `regression`). */
export type { Task } from '../data/types';
import type { Task } from '../data/types';

/** Result of one optimizer step. */
export interface StepResult {
  /** Mean loss over the batch (before the update). */
  loss: number;
  /** Correct top-1 predictions in the batch (0 for regression). */
  correct: number;
}

/** One model and its optimizer on one engine. */
export interface ModelTrainer {
  /** `tfjs` or `torch`. */
  readonly engine: 'tfjs' | 'torch';
  /** Names and shapes of the trainable weights, in storage order. */
  readonly weights: readonly WeightSpec[];
  /** Per-example input shape. */
  readonly inputShape: readonly number[];
  /** Starts a fresh optimizer (zero state) for the next steps. */
  resetOptimizer(args: OptimizerArgs): void;
  /** Copies of the trainable weights (safe to keep across steps). */
  readWeights(): Promise<Float32Array[]>;
  /** Overwrites the trainable weights with `values` (one array per weight, in order). */
  writeWeights(values: readonly Float32Array[]): void;
  /**
   * One optimizer step on a batch of `count` examples (`x` row-major, `y` one-hot or targets).
   * With `applyTo`, the gradient taken at the current weights is applied to those values
   * instead (the straight-through estimator): the weights afterwards are `applyTo` updated.
   */
  step(x: Float32Array, y: Float32Array, count: number, applyTo?: readonly Float32Array[] | null): Promise<StepResult>;
  /** Summed loss and correct predictions over a batch, without training. */
  evaluateBatch(x: Float32Array, y: Float32Array, count: number): Promise<{ lossSum: number; correct: number }>;
  /** Model outputs for a batch (row-major, `count` × outputs). */
  predict(x: Float32Array, count: number): Promise<Float32Array>;
  /**
   * L2 norm of the gradient of the mean loss over a batch, per trainable weight, at the current
   * weights; changes neither the weights nor the optimizer state.
   */
  gradientNorms(x: Float32Array, y: Float32Array, count: number): Promise<number[]>;
  /** The optimizer's state, exactly. */
  saveOptimizer(): Promise<OptimizerState>;
  /** Puts a saved state back into the current optimizer (same kind). */
  restoreOptimizer(state: OptimizerState): Promise<void>;
  /** Frees the model and optimizer. */
  dispose(): void;
}

/** Builds the tfjs optimizer described by `args`. */
export function makeOptimizer(args: OptimizerArgs): tf.Optimizer {
  checkOptimizerArgs(args);
  const kind = optimizerKind(args);
  if (kind === 'adam') return tf.train.adam(args.learningRate);
  return kind === 'momentum' ? tf.train.momentum(args.learningRate, args.momentum ?? 0) : tf.train.sgd(args.learningRate);
}

/** Throws naming the bad field when `args` is not a valid optimizer. */
export function checkOptimizerArgs(args: OptimizerArgs): void {
  if (!(args.learningRate > 0) || !Number.isFinite(args.learningRate)) {
    throw new Error(`optimizer.learningRate must be a positive number, got ${args.learningRate}`);
  }
  if (args.name !== 'adam' && args.name !== 'sgd') {
    throw new Error(`unknown optimizer '${String((args as { name: unknown }).name)}' (valid: adam, sgd)`);
  }
  if (args.momentum !== undefined) {
    if (args.name !== 'sgd') throw new Error(`optimizer.momentum applies to sgd only, got it with ${args.name}`);
    if (!(args.momentum >= 0 && args.momentum < 1)) throw new Error(`optimizer.momentum must be in [0, 1), got ${args.momentum}`);
  }
}

/** Mean loss of predictions: categorical cross-entropy for classification, MSE for regression. */
function lossOf(task: Task, yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return task === 'classification'
    ? (tf.mean(tf.metrics.categoricalCrossentropy(yTrue, yPred)) as tf.Scalar)
    : (tf.mean(tf.square(tf.sub(yPred, yTrue))) as tf.Scalar);
}

/** Number of correct top-1 predictions in a batch (as a scalar tensor). */
function correctOf(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.sum(tf.cast(tf.equal(tf.argMax(yTrue, -1), tf.argMax(yPred, -1)), 'float32')) as tf.Scalar;
}

/** Reads a scalar tensor's value and disposes the tensor. */
async function readScalar(t: tf.Tensor): Promise<number> {
  try {
    return (await t.data())[0];
  } finally {
    t.dispose();
  }
}

/** The optimizer's private Adam powers, where it has them. */
function adamPowers(optimizer: tf.Optimizer): { accBeta1: tf.Variable; accBeta2: tf.Variable } | null {
  const o = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  return o.accBeta1 instanceof tf.Variable && o.accBeta2 instanceof tf.Variable ? { accBeta1: o.accBeta1, accBeta2: o.accBeta2 } : null;
}

/** A tfjs-layers model with a tfjs optimizer, on the active tfjs backend. */
export class TfjsTrainer implements ModelTrainer {
  /** Which implementation this is. */
  readonly engine = 'tfjs' as const;
  /** Names and shapes of the trainable weights, in storage order. */
  readonly weights: readonly WeightSpec[];
  /** Per-example input shape. */
  readonly inputShape: readonly number[];
  private readonly vars: tf.LayerVariable[];
  private readonly varList: tf.Variable[];
  private optimizer: tf.Optimizer | null = null;

  /**
   * Wraps `model` (owned by the caller unless `owned`) for training on `task`.
   * The optimizer starts with {@link resetOptimizer}.
   */
  constructor(
    /** The wrapped tfjs model. */
    readonly model: tf.LayersModel,
    private readonly task: Task,
    private readonly owned = false,
  ) {
    this.vars = model.trainableWeights;
    this.varList = this.vars.map((v) => v.read() as tf.Variable);
    this.weights = this.vars.map((v) => ({ name: v.originalName, shape: v.shape as number[] }));
    this.inputShape = (model.inputs[0].shape.slice(1) as number[]);
  }

  /** A trainer owning a fresh tfjs model of `arch`. */
  static build(arch: Architecture, task: Task): TfjsTrainer {
    return new TfjsTrainer(buildModel({ name: arch.name, inputShape: arch.inputShape }), task, true);
  }

  /** Starts a fresh optimizer (zero state). */
  resetOptimizer(args: OptimizerArgs): void {
    const next = makeOptimizer(args);
    this.optimizer?.dispose();
    this.optimizer = next;
  }

  private opt(): tf.Optimizer {
    if (this.optimizer === null) throw new Error('TfjsTrainer: no optimizer; call resetOptimizer() first');
    return this.optimizer;
  }

  /** Copies of the trainable weights. */
  async readWeights(): Promise<Float32Array[]> {
    return Promise.all(this.vars.map(async (v) => ((await v.read().data()) as Float32Array).slice()));
  }

  /** Overwrites the trainable weights. */
  writeWeights(values: readonly Float32Array[]): void {
    if (values.length !== this.vars.length) throw new Error(`writeWeights: got ${values.length} tensors, the model has ${this.vars.length}`);
    this.vars.forEach((v, i) => {
      const t = tf.tensor(values[i], v.shape as number[], 'float32');
      v.write(t);
      t.dispose();
    });
  }

  private batch(x: Float32Array, y: Float32Array, count: number): [tf.Tensor, tf.Tensor] {
    return [tf.tensor(x, [count, ...this.inputShape], 'float32'), tf.tensor(y, [count, y.length / count], 'float32')];
  }

  /** One optimizer step on a batch (see ModelTrainer.step). */
  async step(x: Float32Array, y: Float32Array, count: number, applyTo?: readonly Float32Array[] | null): Promise<StepResult> {
    const optimizer = this.opt();
    const [xt, yt] = this.batch(x, y, count);
    let correct: tf.Scalar | null = null;
    const classification = this.task === 'classification';
    const lossFn = (): tf.Scalar => {
      const pred = this.model.apply(xt, { training: true }) as tf.Tensor;
      if (classification) correct = tf.keep(correctOf(yt, pred));
      return lossOf(this.task, yt, pred);
    };
    let cost: tf.Scalar;
    if (applyTo != null) {
      // Straight-through estimator: gradient at the current point, applied to the given weights.
      const { value, grads } = tf.variableGrads(lossFn, this.varList);
      this.writeWeights(applyTo);
      optimizer.applyGradients(grads);
      tf.dispose(grads);
      cost = value;
    } else {
      cost = optimizer.minimize(lossFn, true, this.varList) as tf.Scalar;
    }
    const loss = await readScalar(cost);
    const c = correct === null ? 0 : await readScalar(correct);
    xt.dispose();
    yt.dispose();
    return { loss, correct: c };
  }

  /** Per-weight L2 norms of the mean-loss gradient over a batch (see ModelTrainer.gradientNorms). */
  async gradientNorms(x: Float32Array, y: Float32Array, count: number): Promise<number[]> {
    const [xt, yt] = this.batch(x, y, count);
    const norms = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => lossOf(this.task, yt, this.model.apply(xt, { training: true }) as tf.Tensor), this.varList);
      value.dispose();
      return tf.stack(this.varList.map((v) => tf.norm(grads[v.name])));
    });
    xt.dispose();
    yt.dispose();
    try {
      return Array.from(await norms.data());
    } finally {
      norms.dispose();
    }
  }

  /** Summed loss and correct predictions over a batch, without training. */
  async evaluateBatch(x: Float32Array, y: Float32Array, count: number): Promise<{ lossSum: number; correct: number }> {
    const [xt, yt] = this.batch(x, y, count);
    const [loss, corr] = tf.tidy(() => {
      const pred = this.model.predict(xt) as tf.Tensor;
      return [lossOf(this.task, yt, pred), this.task === 'classification' ? correctOf(yt, pred) : tf.scalar(0)];
    });
    xt.dispose();
    yt.dispose();
    return { lossSum: (await readScalar(loss)) * count, correct: await readScalar(corr) };
  }

  /** Outputs of a batch (a copy). */
  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    const out = tf.tidy(() => this.model.predict(tf.tensor(x, [count, ...this.inputShape], 'float32')) as tf.Tensor);
    try {
      return (await out.data()) as Float32Array; // waits for the computation, on every backend
    } finally {
      out.dispose();
    }
  }

  /** The optimizer's state, exactly. */
  async saveOptimizer(): Promise<OptimizerState> {
    const optimizer = this.opt();
    const [iter, ...slots] = await optimizer.getWeights();
    const iterations = await readScalar(iter.tensor);
    const values = await Promise.all(slots.map(async (s) => ((await s.tensor.data()) as Float32Array).slice()));
    const powers = adamPowers(optimizer);
    const accBeta: OptimizerState['accBeta'] =
      powers === null ? null : [(await powers.accBeta1.data())[0], (await powers.accBeta2.data())[0]];
    return { iterations, accBeta, slots: values, slotShapes: slots.map((s) => s.tensor.shape) };
  }

  /** Puts a saved optimizer state back. */
  async restoreOptimizer(state: OptimizerState): Promise<void> {
    const optimizer = this.opt();
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

  /** Frees what the trainer owns. */
  dispose(): void {
    this.optimizer?.dispose();
    this.optimizer = null;
    if (this.owned) this.model.dispose();
  }
}

/** Checks that `values` fit `weights` (count and sizes); throws naming the first misfit. */
export function checkWeightValues(weights: readonly WeightSpec[], values: readonly Float32Array[], what: string): void {
  if (values.length !== weights.length) throw new Error(`${what} has ${values.length} weight tensors, the model has ${weights.length}`);
  weights.forEach((w, i) => {
    if (values[i].length !== sizeOf(w.shape)) throw new Error(`${what} weight ${i} has ${values[i].length} values, ${w.name} has ${sizeOf(w.shape)}`);
  });
}

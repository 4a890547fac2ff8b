/**
 * {@link ModelTrainer} on libtorch: the whole step (forward, loss, backward, optimizer) runs
 * in the addon; the trainable weights and the optimizer slots are zero-copy Float32Array views
 * of libtorch's tensors, in TensorFlow.js layouts, so octolab's seeded initial weights, its
 * projection and its checkpoints read and write them directly.
 */
import type { TorchAddon, TorchNet, TorchStepTimers } from '../engine/torch';
import type { Architecture, WeightSpec } from '../models/models';
import { sizeOf, weightSpecs } from '../models/models';
import type { OptimizerState } from './checkpoint';
import { checkOptimizerArgs, checkWeightValues, optimizerKind } from './trainer';
import type { ModelTrainer, OptimizerArgs, StepResult, Task } from './trainer';

/** A model of an {@link Architecture} trained by libtorch. */
export class TorchTrainer implements ModelTrainer {
  /** Which implementation this is. */
  readonly engine = 'torch' as const;
  /** Names and shapes of the trainable weights, in storage order. */
  readonly weights: readonly WeightSpec[];
  /** Per-example input shape. */
  readonly inputShape: readonly number[];
  private readonly net: TorchNet;
  /** Live views of the parameters (they stay valid: updates are in place). */
  private readonly views: Float32Array[];
  private kind: ReturnType<typeof optimizerKind> | null = null;

  /** Builds `arch` in libtorch for `task`; the weights start at zero (write the seeded init). */
  constructor(
    private readonly addon: TorchAddon,
    arch: Architecture,
    task: Task,
  ) {
    this.weights = weightSpecs(arch);
    this.inputShape = [...arch.inputShape];
    this.net = addon.createNet({ inputShape: arch.inputShape, task, layers: arch.layers });
    this.views = addon.params(this.net);
    checkWeightValues(this.weights, this.views, 'the torch network');
  }

  /** Starts a fresh optimizer (zero state). */
  resetOptimizer(args: OptimizerArgs): void {
    checkOptimizerArgs(args);
    this.addon.resetOptimizer(this.net, args.name, args.learningRate, args.momentum ?? 0);
    this.kind = optimizerKind(args);
  }

  /** Copies of the trainable weights. */
  async readWeights(): Promise<Float32Array[]> {
    return this.views.map((v) => v.slice());
  }

  /** Overwrites the trainable weights. */
  writeWeights(values: readonly Float32Array[]): void {
    checkWeightValues(this.weights, values, 'writeWeights');
    values.forEach((v, i) => this.views[i].set(v));
  }

  private optimizerReady(): ReturnType<typeof optimizerKind> {
    if (this.kind === null) throw new Error('TorchTrainer: no optimizer; call resetOptimizer() first');
    return this.kind;
  }

  /** One optimizer step on a batch (see ModelTrainer.step). */
  async step(x: Float32Array, y: Float32Array, count: number, applyTo?: readonly Float32Array[] | null): Promise<StepResult> {
    this.optimizerReady();
    if (applyTo != null) checkWeightValues(this.weights, applyTo, 'step applyTo');
    const [loss, correct] = this.addon.step(this.net, x, y, count, applyTo ?? null);
    return { loss, correct };
  }

  /** Summed loss and correct predictions over a batch, without training. */
  async evaluateBatch(x: Float32Array, y: Float32Array, count: number): Promise<{ lossSum: number; correct: number }> {
    const [lossSum, correct] = this.addon.evaluate(this.net, x, y, count);
    return { lossSum, correct };
  }

  /** Per-weight L2 norms of the mean-loss gradient over a batch (see ModelTrainer.gradientNorms). */
  async gradientNorms(x: Float32Array, y: Float32Array, count: number): Promise<number[]> {
    return Array.from(this.addon.gradNorms(this.net, x, y, count));
  }

  /** Outputs of a batch (a copy). */
  async predict(x: Float32Array, count: number): Promise<Float32Array> {
    return this.addon.predict(this.net, x, count);
  }

  /** Same layout as the tfjs optimizers' state: Adam's first moments, then second moments; momentum's accumulators. */
  async saveOptimizer(): Promise<OptimizerState> {
    const kind = this.optimizerReady();
    const adam = kind === 'adam';
    const [iterations, b1, b2] = this.addon.optimizerScalars(this.net);
    const slots = this.addon.slots(this.net).map((s) => s.slice());
    const shapes = (adam ? [...this.weights, ...this.weights] : kind === 'momentum' ? this.weights : []).map((w) => [...w.shape]);
    return { iterations, accBeta: adam ? [b1, b2] : null, slots, slotShapes: shapes };
  }

  /** Puts a saved optimizer state back. */
  async restoreOptimizer(state: OptimizerState): Promise<void> {
    const adam = this.optimizerReady() === 'adam';
    if ((state.accBeta === null) === adam) {
      throw new Error(`checkpoint optimizer state ${state.accBeta === null ? 'has no' : 'has'} Adam powers, the optimizer ${adam ? 'is' : 'is not'} Adam`);
    }
    const views = this.addon.slots(this.net);
    if (state.slots.length !== views.length) throw new Error(`checkpoint optimizer has ${state.slots.length} slots, the torch optimizer ${views.length}`);
    views.forEach((v, i) => {
      if (state.slots[i].length !== v.length || sizeOf(state.slotShapes[i]) !== v.length) {
        throw new Error(`checkpoint optimizer slot ${i} has ${state.slots[i].length} values, the torch optimizer ${v.length}`);
      }
      v.set(state.slots[i]);
    });
    const [b1, b2] = state.accBeta ?? [0, 0];
    this.addon.setOptimizerScalars(this.net, state.iterations, b1, b2);
  }

  /** Where the steps since the last call spent their time inside libtorch (then reset). */
  stepTimers(): TorchStepTimers {
    return this.addon.timers(this.net);
  }

  /** Frees what the trainer owns. */
  dispose(): void {
    // The network is freed with its handle by the garbage collector (an external with a finalizer).
  }
}

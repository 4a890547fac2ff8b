/**
 * What each training protocol does around the optimizer steps, as hooks the training loop
 * calls at fixed points: `start` (fresh runs only), `beforeStep`, `afterStep`, `endEpoch`
 * and `finalize`. A protocol is read in one place here; the loop in train.ts is the same for
 * all of them and for every engine. The order in which hooks draw from the stochastic-rounding
 * stream is part of a run's identity (it fixes the codes): do not reorder projections.
 */
import type { WeightSpec } from '../models/models';
import { sizeOf } from '../models/models';
import { projectValues } from '../quantizers';
import type { QuantParams, QuantScheme } from '../quantizers';
import { Rng } from '../random/rng';
import type { ProjectorState } from './checkpoint';
import { DivergedSignal, divergedWeights } from './divergence';
import { UpdateAccumulator, innerSize } from './mechanism';
import type { Protocol } from './protocols';
import type { QuantEpochStats, TrainResult } from './train';
import type { ModelTrainer } from './trainer';

/**
 * Projects model weights onto a quantization grid and tracks how codes move.
 * Holds one stochastic-rounding stream for the whole run, so that results are
 * reproducible from the run's seed.
 */
export class WeightProjector {
  private readonly prevStepCodes: (Int32Array | null)[];
  private readonly prevEpochCodes: (Int32Array | null)[];
  private stepChanged = 0;
  private stepTotal = 0;
  /** The most recent codes computed (null before any projection). */
  lastCodes: Int32Array[] | null = null;
  /** The weights the next step starts from (projected-step), for the update statistics. */
  private stepValues: Float32Array[] | null = null;
  private updates: UpdateAccumulator | null = null;

  constructor(
    private readonly weights: readonly WeightSpec[],
    private readonly scheme: QuantScheme,
    private readonly rng: Rng,
  ) {
    this.prevStepCodes = weights.map(() => null);
    this.prevEpochCodes = weights.map(() => null);
  }

  /** State at an epoch boundary (the step counters are zero there). */
  snapshot(): ProjectorState {
    return { rng: this.rng.state(), prevStepCodes: [...this.prevStepCodes], prevEpochCodes: [...this.prevEpochCodes], lastCodes: this.lastCodes };
  }

  /** A projector continuing from {@link WeightProjector.snapshot}'s state. */
  static restore(weights: readonly WeightSpec[], scheme: QuantScheme, state: ProjectorState): WeightProjector {
    const p = new WeightProjector(weights, scheme, Rng.fromState(state.rng));
    const check = (codes: (Int32Array | null)[], field: string): void => {
      if (codes.length !== weights.length) throw new Error(`checkpoint projector.${field} has ${codes.length} tensors, the model has ${weights.length}`);
      codes.forEach((c, i) => {
        if (c !== null && c.length !== sizeOf(weights[i].shape)) {
          throw new Error(`checkpoint projector.${field}[${i}] has ${c.length} codes, ${weights[i].name} has ${sizeOf(weights[i].shape)} weights`);
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
  projectArrays(floats: Float32Array[]): { values: Float32Array[]; codes: Int32Array[]; params: QuantParams[] } {
    const why = divergedWeights(floats, this.scheme);
    if (why !== null) throw new DivergedSignal(why);
    const values: Float32Array[] = [];
    const codes: Int32Array[] = [];
    const params: QuantParams[] = [];
    floats.forEach((f, i) => {
      const p = projectValues(f, this.scheme, { shape: this.weights[i].shape, rng: this.rng });
      values.push(p.values);
      codes.push(p.codes);
      params.push({ scales: p.scales, zeroPoints: p.zeroPoints, axis: p.axis });
    });
    this.lastCodes = codes;
    return { values, codes, params };
  }

  /** The weights the next step starts from (after the first projection, or a resume). */
  startFrom(values: Float32Array[]): void {
    this.stepValues = values;
  }

  /**
   * Adds one projected step to the epoch's update statistics: `proposed` are the weights the
   * optimizer produced, `q` their projection; the step started from the previous projection.
   * Call before {@link trackStep} (which moves the previous codes on).
   */
  observeStep(proposed: Float32Array[], q: { values: Float32Array[]; codes: Int32Array[]; params: QuantParams[] }): void {
    const before = this.stepValues;
    if (before !== null) {
      this.updates ??= new UpdateAccumulator(this.weights.map((w) => w.name));
      this.updates.observe(
        proposed.map((f, i) => {
          const codesBefore = this.prevStepCodes[i];
          if (codesBefore === null) throw new Error('WeightProjector.observeStep: no codes before the step (call baseline() first)');
          return {
            before: before[i],
            proposed: f,
            projected: q.values[i],
            codesBefore,
            codesAfter: q.codes[i],
            scales: q.params[i].scales,
            inner: innerSize(this.weights[i].shape, q.params[i].axis),
          };
        }),
      );
    }
    this.stepValues = q.values;
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
    const updates = this.updates?.take() ?? null;
    return { stepChangeFraction, epochChangeFraction: changed / total, zeroCodeFraction: zeros / total, ...(updates !== null ? { updates } : {}) };
  }
}

/** What the hooks work with. */
export interface HookContext {
  /** The model being trained. */
  trainer: ModelTrainer;
  /** The projector (null for `float`). */
  projector: WeightProjector | null;
  /** Test-split evaluation of the current weights. */
  evaluate: () => Promise<{ loss: number; accuracy: number | null }>;
}

/** What the end of an epoch leaves for the loop. */
export interface EpochEnd {
  /** Weights the model is evaluated with (already written), for the weight statistics. */
  evaluated: Float32Array[];
  /** Code dynamics, or null when the protocol does not quantize during training. */
  quant: QuantEpochStats | null;
  /** Weights to write back after the evaluation (qat's float shadow weights), else null. */
  continueFrom: Float32Array[] | null;
}

/** The final metrics a protocol reports. */
export type FinalMetrics = Pick<TrainResult, 'testLoss' | 'testAccuracy' | 'floatTest' | 'codes'>;

/** One protocol's behaviour around the steps. */
export interface ProtocolHooks {
  /** Before the first step of a fresh run (not after a resume). */
  start(): Promise<void>;
  /** Before every step; returns the weights the step's gradient is applied to (straight-through), or null. */
  beforeStep(): Promise<Float32Array[] | null>;
  /** After every step. */
  afterStep(): Promise<void>;
  /** After the last step of an epoch, before its evaluation. */
  endEpoch(): Promise<EpochEnd>;
  /** After the last epoch, given its test metrics. */
  finalize(last: { loss: number; accuracy: number | null }): Promise<FinalMetrics>;
}

const nothing = async (): Promise<void> => {};
const noApply = async (): Promise<null> => null;

/** The projector, or an error saying the protocol needs a scheme. */
function need(ctx: HookContext, kind: string): WeightProjector {
  if (ctx.projector === null) throw new Error(`protocol '${kind}' needs a quantization scheme`);
  return ctx.projector;
}

/** Projects the current weights, writes the quantized values and returns the projection. */
async function projectInPlace(ctx: HookContext, p: WeightProjector): Promise<{ floats: Float32Array[]; values: Float32Array[]; codes: Int32Array[]; params: QuantParams[] }> {
  const floats = await ctx.trainer.readWeights();
  const q = p.projectArrays(floats);
  ctx.trainer.writeWeights(q.values);
  return { floats, ...q };
}

/** Records the codes of the initial weights (epoch 0) and returns the projection. */
async function baselineCodes(ctx: HookContext, p: WeightProjector): Promise<{ values: Float32Array[]; codes: Int32Array[] }> {
  const q = p.projectArrays(await ctx.trainer.readWeights());
  p.baseline(q.codes);
  return q;
}

/** Quantizes the trained float weights once and evaluates them (ptq and qat). */
async function finalQuantized(ctx: HookContext, p: WeightProjector, floatTest: { loss: number; accuracy: number | null }): Promise<FinalMetrics> {
  const { codes } = await projectInPlace(ctx, p);
  const final = await ctx.evaluate();
  return { testLoss: final.loss, testAccuracy: final.accuracy, floatTest, codes };
}

/** No quantization. */
function floatHooks(ctx: HookContext): ProtocolHooks {
  return {
    start: nothing,
    beforeStep: noApply,
    afterStep: nothing,
    endEpoch: async () => ({ evaluated: await ctx.trainer.readWeights(), quant: null, continueFrom: null }),
    finalize: async (last) => ({ testLoss: last.loss, testAccuracy: last.accuracy, floatTest: null, codes: null }),
  };
}

/** Projected training: start from the quantized initial weights, project after every step or epoch. */
function projectedHooks(ctx: HookContext, every: 'step' | 'epoch'): ProtocolHooks {
  const p = need(ctx, 'projected');
  return {
    start: async () => {
      const { values } = await baselineCodes(ctx, p);
      ctx.trainer.writeWeights(values);
      p.startFrom(values);
    },
    beforeStep: noApply,
    afterStep:
      every === 'step'
        ? async () => {
            const q = await projectInPlace(ctx, p);
            p.observeStep(q.floats, q);
            p.trackStep(q.codes);
          }
        : nothing,
    endEpoch: async () => {
      const q = await projectInPlace(ctx, p);
      return { evaluated: q.values, quant: p.epochStats(q.codes, q.values), continueFrom: null };
    },
    finalize: async (last) => ({ testLoss: last.loss, testAccuracy: last.accuracy, floatTest: null, codes: p.lastCodes }),
  };
}

/** Post-training quantization: float training, one projection at the end. */
function ptqHooks(ctx: HookContext): ProtocolHooks {
  const p = need(ctx, 'ptq');
  return {
    start: async () => {
      await baselineCodes(ctx, p);
    },
    beforeStep: noApply,
    afterStep: nothing,
    endEpoch: async () => ({ evaluated: await ctx.trainer.readWeights(), quant: null, continueFrom: null }),
    finalize: (last) => finalQuantized(ctx, p, last),
  };
}

/** Quantization-aware training with the straight-through estimator on float shadow weights. */
function qatHooks(ctx: HookContext): ProtocolHooks {
  const p = need(ctx, 'qat');
  return {
    start: async () => {
      await baselineCodes(ctx, p);
    },
    beforeStep: async () => {
      const q = await projectInPlace(ctx, p);
      p.trackStep(q.codes);
      return q.floats;
    },
    afterStep: nothing,
    endEpoch: async () => {
      const q = await projectInPlace(ctx, p);
      return { evaluated: q.values, quant: p.epochStats(q.codes, q.values), continueFrom: q.floats };
    },
    finalize: async () => finalQuantized(ctx, p, await ctx.evaluate()),
  };
}

/** The hooks of `protocol`. */
export function hooksFor(protocol: Protocol, ctx: HookContext): ProtocolHooks {
  switch (protocol.kind) {
    case 'float':
      return floatHooks(ctx);
    case 'projected':
      return projectedHooks(ctx, protocol.every);
    case 'ptq':
      return ptqHooks(ctx);
    case 'qat':
      return qatHooks(ctx);
    default: {
      const never: never = protocol;
      throw new Error(`unknown protocol ${JSON.stringify(never)}`);
    }
  }
}

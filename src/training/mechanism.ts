/**
 * What the optimizer proposes and what the projection keeps, step by step: the evidence for
 * *why* the rounding modes differ. For every projected step and every weight, the proposed
 * update Δ = (weight after the optimizer step) − (projected weight before it) is measured in
 * grid steps, the code change it causes is classified as shrinking or growing |code|, and the
 * projection's error q − f is accumulated. Counts are exact; the quantiles of |Δ|/step come
 * from a histogram of 1/8-octave bins (float32 exponent and 3 mantissa bits), so a quantile is
 * the upper edge of its bin (at most 9 % above the exact value); the maximum is exact.
 */

/** Statistics of the proposed updates and code changes of one weight tensor (or of all) over some steps. */
export interface UpdateStats {
  /** Weight name, or `*` for all weights together. */
  name: string;
  /** Proposals observed: weights × steps. */
  proposals: number;
  /** Proposals that changed the weight's code. */
  codeChanges: number;
  /** Code changes that made |code| smaller (toward zero). */
  shrank: number;
  /** Code changes that made |code| larger (away from zero); codeChanges − shrank − grew kept |code| (a sign flip). */
  grew: number;
  /** Proposals with Δ exactly 0. */
  zeroProposals: number;
  /** Proposals with |Δ| ≥ 0.5 grid step (the least that round-to-nearest can turn into a move). */
  atLeastHalfStep: number;
  /** Proposals with |Δ| ≥ 1 grid step. */
  atLeastOneStep: number;
  /** Quantiles of |Δ| / grid step over all proposals (zeros included); upper bin edges, max exact. */
  stepQuantiles: { q50: number; q90: number; q99: number; max: number };
  /** Mean grid step (value of one code) over the steps, in weight units. */
  gridStep: number;
  /** Error of the projection q − f against the pre-projection weights f, in weight units. */
  quantError: {
    /** Mean of (q − f)². */
    mse: number;
    /** Mean of q − f. */
    mean: number;
    /** Mean of sign(f)·(q − f): negative when the projection pulls weights toward zero. */
    towardZero: number;
  };
}

/** Per-epoch update statistics of projected-step training: all weights together and per tensor. */
export interface UpdateEpochStats {
  /** Steps observed. */
  steps: number;
  /** All weights together (name `*`). */
  all: UpdateStats;
  /** One entry per trainable tensor, in storage order. */
  layers: UpdateStats[];
}

/** One step of one tensor, as {@link UpdateAccumulator.observe} takes it. */
export interface StepObservation {
  /** Weights before the step (the previous projection's values). */
  before: Float32Array;
  /** The optimizer's proposal (weights after the step, before projecting). */
  proposed: Float32Array;
  /** The projection of `proposed`. */
  projected: Float32Array;
  /** Codes before the step. */
  codesBefore: Int32Array;
  /** Codes of the projection. */
  codesAfter: Int32Array;
  /** Grid step per channel (length 1 for per-tensor). */
  scales: ArrayLike<number>;
  /** Elements between consecutive channels' runs along the channel axis (product of the dims after it); 1 when per-tensor. */
  inner: number;
}

const BINS = 1 << 12; // float32 bit pattern >>> 20: sign, exponent and 3 mantissa bits
const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** Upper edge of histogram bin `b`. */
function binUpper(b: number): number {
  scratchBits[0] = (b + 1) << 20;
  return scratch[0];
}

/** Running sums of one tensor (or of all). */
class Sums {
  proposals = 0;
  codeChanges = 0;
  shrank = 0;
  grew = 0;
  zeroProposals = 0;
  half = 0;
  one = 0;
  max = 0;
  stepSum = 0;
  stepCount = 0;
  sse = 0;
  se = 0;
  towardZero = 0;
  readonly hist = new Float64Array(BINS);

  add(o: Sums): void {
    this.proposals += o.proposals;
    this.codeChanges += o.codeChanges;
    this.shrank += o.shrank;
    this.grew += o.grew;
    this.zeroProposals += o.zeroProposals;
    this.half += o.half;
    this.one += o.one;
    this.max = Math.max(this.max, o.max);
    this.stepSum += o.stepSum;
    this.stepCount += o.stepCount;
    this.sse += o.sse;
    this.se += o.se;
    this.towardZero += o.towardZero;
    for (let b = 0; b < BINS; b++) this.hist[b] += o.hist[b];
  }

  /** The q-quantile of |Δ|/step over all proposals (zeros first). */
  quantile(q: number): number {
    if (this.proposals === 0) return NaN;
    const rank = Math.ceil(q * this.proposals);
    let seen = this.zeroProposals;
    if (seen >= rank) return 0;
    for (let b = 0; b < BINS; b++) {
      seen += this.hist[b];
      if (seen >= rank) return Math.min(binUpper(b), this.max);
    }
    return this.max;
  }

  stats(name: string): UpdateStats {
    const n = this.proposals;
    return {
      name,
      proposals: n,
      codeChanges: this.codeChanges,
      shrank: this.shrank,
      grew: this.grew,
      zeroProposals: this.zeroProposals,
      atLeastHalfStep: this.half,
      atLeastOneStep: this.one,
      stepQuantiles: { q50: this.quantile(0.5), q90: this.quantile(0.9), q99: this.quantile(0.99), max: n > 0 ? this.max : NaN },
      gridStep: this.stepCount > 0 ? this.stepSum / this.stepCount : NaN,
      quantError: { mse: n > 0 ? this.sse / n : NaN, mean: n > 0 ? this.se / n : NaN, towardZero: n > 0 ? this.towardZero / n : NaN },
    };
  }
}

/** Adds one step of one tensor to `s` (the hot loop: plain arithmetic only). */
function observeInto(s: Sums, o: StepObservation): void {
  const { before, proposed, projected, codesBefore, codesAfter, scales, inner } = o;
  const n = proposed.length;
  const channels = scales.length;
  let inv = 1 / scales[0];
  let zero = 0;
  let half = 0;
  let one = 0;
  let changed = 0;
  let shrank = 0;
  let grew = 0;
  let max = s.max;
  let sse = 0;
  let se = 0;
  let tz = 0;
  const hist = s.hist;
  for (let k = 0; k < n; k++) {
    if (channels > 1) inv = 1 / scales[Math.floor(k / inner) % channels];
    const f = proposed[k];
    const d = Math.abs(f - before[k]) * inv;
    if (d === 0) zero++;
    else {
      scratch[0] = d;
      hist[scratchBits[0] >>> 20]++;
      if (d >= 0.5) half++;
      if (d >= 1) one++;
      if (d > max) max = d;
    }
    const c = codesAfter[k];
    const p = codesBefore[k];
    if (c !== p) {
      changed++;
      const ac = c < 0 ? -c : c;
      const ap = p < 0 ? -p : p;
      if (ac < ap) shrank++;
      else if (ac > ap) grew++;
    }
    const e = projected[k] - f;
    se += e;
    sse += e * e;
    tz += f > 0 ? e : f < 0 ? -e : 0;
  }
  s.proposals += n;
  s.zeroProposals += zero;
  s.half += half;
  s.one += one;
  s.codeChanges += changed;
  s.shrank += shrank;
  s.grew += grew;
  s.max = max;
  s.sse += sse;
  s.se += se;
  s.towardZero += tz;
  for (let c = 0; c < channels; c++) s.stepSum += scales[c];
  s.stepCount += channels;
}

/** Accumulates {@link UpdateStats} per tensor over the steps of an epoch. */
export class UpdateAccumulator {
  private sums: Sums[];
  private steps = 0;

  /** For tensors named `names`, in storage order. */
  constructor(private readonly names: readonly string[]) {
    this.sums = names.map(() => new Sums());
  }

  /** Adds one step: one observation per tensor, in storage order. */
  observe(tensors: readonly StepObservation[]): void {
    if (tensors.length !== this.names.length) throw new Error(`UpdateAccumulator: got ${tensors.length} tensors, expected ${this.names.length}`);
    tensors.forEach((o, i) => observeInto(this.sums[i], o));
    this.steps++;
  }

  /** The statistics since the last call (null when no step was observed), then starts afresh. */
  take(): UpdateEpochStats | null {
    if (this.steps === 0) return null;
    const all = new Sums();
    this.sums.forEach((s) => all.add(s));
    const out: UpdateEpochStats = { steps: this.steps, all: all.stats('*'), layers: this.sums.map((s, i) => s.stats(this.names[i])) };
    this.sums = this.names.map(() => new Sums());
    this.steps = 0;
    return out;
  }
}

/** Product of the dims after `axis` (1 for per-tensor parameters). */
export function innerSize(shape: readonly number[], axis: number | null): number {
  if (axis === null) return 1;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d];
  return inner;
}

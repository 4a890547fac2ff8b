/**
 * Seeded bootstrap and the bias-corrected and accelerated (BCa) interval
 * (Efron & Tibshirani 1993, §14.3 and eq. 15.36), following the formulas of
 * `scipy.stats.bootstrap(method='BCa')` in scipy 1.10.
 *
 * The interval is computed in two separable steps so that the deterministic
 * part can be checked against a reference computation:
 * {@link bootstrapReplicates} (random, seeded with {@link Rng}) and
 * {@link bcaFromReplicates} (deterministic given the replicates).
 */
import { Rng } from '../random/rng';
import { mean, sortedCopy } from './descriptive';
import { normalCdf, normalQuantile } from './distributions';
import type { Interval } from './ttest';
import { assertInteger, assertOpenUnit, assertSample } from './validate';

/** A statistic of one or more independent samples, e.g. `([a, b]) => mean(a) − mean(b)`. */
export type SamplesStatistic = (samples: readonly (readonly number[])[]) => number;

/** Options of the seeded bootstrap, documented like a layer's `*Args`. */
export interface BootstrapArgs {
  /** Number of bootstrap resamples. Default 10,000. */
  resamples?: number;
  /** Integer seed of the {@link Rng} that draws the resamples. Default 0. */
  seed?: number;
  /** Confidence level of the interval, in (0, 1). Default 0.95. */
  confidence?: number;
}

/** A BCa interval with the quantities that produced it. */
export interface BcaInterval extends Interval {
  /** The statistic on the original data. */
  estimate: number;
  /** Bias correction ẑ₀ = Φ⁻¹(fraction of replicates below the estimate, ties counting half). */
  z0: number;
  /** Acceleration â from the jackknife. */
  acceleration: number;
  /** Adjusted percentile levels (in [0, 1]) of the replicates read off as lower and upper ends. */
  levels: Interval;
  /** Number of bootstrap replicates used. */
  resamples: number;
}

/** Default number of bootstrap resamples. */
export const DEFAULT_BOOTSTRAP_RESAMPLES = 10000;

function assertSamples(samples: readonly (readonly number[])[], minLength: number): void {
  if (!Array.isArray(samples) || samples.length === 0) throw new Error('samples must be a non-empty array of samples');
  samples.forEach((s, j) => assertSample(s, `samples[${j}]`, minLength));
}

/**
 * Bootstrap replicates of `statistic`: each replicate resamples every sample
 * independently with replacement (indices drawn with `rng.int(n_j)`, sample
 * by sample in order) and evaluates the statistic. Reproducible for a given
 * `seed`. The statistic must not keep references to its argument arrays,
 * which are reused between replicates.
 */
export function bootstrapReplicates(
  samples: readonly (readonly number[])[],
  statistic: SamplesStatistic,
  resamples: number = DEFAULT_BOOTSTRAP_RESAMPLES,
  seed = 0,
): Float64Array {
  assertSamples(samples, 1);
  assertInteger(resamples, 'resamples', 1);
  const rng = new Rng(seed);
  const buffers = samples.map((s) => new Array<number>(s.length));
  const out = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let j = 0; j < samples.length; j++) {
      const src = samples[j];
      const buf = buffers[j];
      for (let i = 0; i < src.length; i++) buf[i] = src[rng.int(src.length)];
    }
    const v = statistic(buffers);
    if (!Number.isFinite(v)) throw new Error(`bootstrap statistic returned ${v} on replicate ${b}`);
    out[b] = v;
  }
  return out;
}

/**
 * Percentile of sorted values with numpy's default 'linear' method
 * (index (n − 1)·q, interpolation as numpy's `_lerp`).
 * @param sorted ascending values.
 * @param q level in [0, 1].
 */
export function percentileLinear(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('percentileLinear: no values');
  if (!(q >= 0 && q <= 1)) throw new Error(`percentile level must lie in [0, 1], got ${q}`);
  const v = (n - 1) * q;
  const lo = Math.floor(v);
  const hi = Math.min(lo + 1, n - 1);
  const t = v - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * Jackknife acceleration â of a statistic of one or more samples, as scipy
 * 1.10 computes it: U_ji = (n_j − 1)(mean_i θ_(j,i) − θ_(j,i)) where θ_(j,i)
 * leaves out value i of sample j, and â = Σ_j ΣU³/n_j³ / (6 (Σ_j ΣU²/n_j²)^{3/2}).
 * Returns 0 when every leave-one-out value is the same (scipy gives NaN there).
 * Each sample needs at least 2 values.
 */
export function jackknifeAcceleration(samples: readonly (readonly number[])[], statistic: SamplesStatistic): number {
  assertSamples(samples, 2);
  let num = 0;
  let den = 0;
  for (let j = 0; j < samples.length; j++) {
    const src = samples[j];
    const n = src.length;
    const args = samples.slice();
    const theta = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      args[j] = src.slice(0, i).concat(src.slice(i + 1));
      theta[i] = statistic(args);
      if (!Number.isFinite(theta[i])) throw new Error(`jackknife statistic returned ${theta[i]} leaving out samples[${j}][${i}]`);
    }
    let dot = 0;
    for (let i = 0; i < n; i++) dot += theta[i];
    dot /= n;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      const u = (n - 1) * (dot - theta[i]);
      s2 += u * u;
      s3 += u * u * u;
    }
    num += s3 / n ** 3;
    den += s2 / n ** 2;
  }
  return den === 0 ? 0 : num / (6 * den ** 1.5);
}

/**
 * BCa interval from a given set of bootstrap replicates (deterministic).
 *
 * ẑ₀ = Φ⁻¹(p) with p = (#{θ*_b < θ̂} + #{θ*_b ≤ θ̂}) / (2B); â from
 * {@link jackknifeAcceleration}; levels α₁,₂ = Φ(ẑ₀ + (ẑ₀ + z)/(1 − â(ẑ₀ + z)))
 * for z = Φ⁻¹(α/2), Φ⁻¹(1 − α/2); ends = numpy-linear percentiles of the
 * replicates at α₁, α₂.
 *
 * Degenerate cases, where scipy returns NaN with a warning: if all replicates
 * are equal the interval collapses to that value; if θ̂ lies outside all
 * replicates, p is clamped to [1/(2B), 1 − 1/(2B)]; â = 0 when the jackknife
 * values do not vary.
 */
export function bcaFromReplicates(
  samples: readonly (readonly number[])[],
  statistic: SamplesStatistic,
  replicates: ArrayLike<number>,
  confidence = 0.95,
): BcaInterval {
  assertSamples(samples, 2);
  assertOpenUnit(confidence, 'confidence');
  const B = replicates.length;
  if (B === 0) throw new Error('replicates is empty');
  const sorted = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const v = replicates[b];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`replicates[${b}] must be a finite number, got ${String(v)}`);
    sorted[b] = v;
  }
  sorted.sort();
  const estimate = statistic(samples);
  if (!Number.isFinite(estimate)) throw new Error(`statistic returned ${estimate} on the data`);
  const alpha = (1 - confidence) / 2;
  if (sorted[0] === sorted[B - 1]) {
    const v = sorted[0];
    return { lower: v, upper: v, estimate, z0: 0, acceleration: 0, levels: { lower: alpha, upper: 1 - alpha }, resamples: B };
  }
  let below = 0;
  let atOrBelow = 0;
  for (let b = 0; b < B; b++) {
    if (sorted[b] < estimate) below++;
    if (sorted[b] <= estimate) atOrBelow++;
  }
  const p = Math.min(Math.max((below + atOrBelow) / (2 * B), 1 / (2 * B)), 1 - 1 / (2 * B));
  const z0 = normalQuantile(p);
  const acceleration = jackknifeAcceleration(samples, statistic);
  const level = (z: number): number => {
    const num = z0 + z;
    return normalCdf(z0 + num / (1 - acceleration * num));
  };
  const zAlpha = normalQuantile(alpha);
  const lowerLevel = level(zAlpha);
  const upperLevel = level(-zAlpha);
  // numpy.percentile takes the level in percent and divides by 100; do the same for bitwise agreement.
  const lower = percentileLinear(sorted, (lowerLevel * 100) / 100);
  const upper = percentileLinear(sorted, (upperLevel * 100) / 100);
  return { lower, upper, estimate, z0, acceleration, levels: { lower: lowerLevel, upper: upperLevel }, resamples: B };
}

/**
 * Seeded BCa bootstrap interval for a statistic of one sample (default: the
 * mean). Needs at least 2 values; all-equal values give a zero-width interval.
 */
export function bcaInterval(
  x: readonly number[],
  args: BootstrapArgs = {},
  statistic: (x: readonly number[]) => number = mean,
): BcaInterval {
  assertSample(x, 'x', 2);
  const stat: SamplesStatistic = (s) => statistic(s[0]);
  const reps = bootstrapReplicates([x], stat, args.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES, args.seed ?? 0);
  return bcaFromReplicates([x], stat, reps, args.confidence ?? 0.95);
}

/**
 * Seeded BCa bootstrap interval for a statistic of two independent samples
 * (default: mean(a) − mean(b)), resampling each sample separately; as
 * `scipy.stats.bootstrap((a, b), ..., paired=False, method='BCa')`.
 */
export function bcaIntervalTwoSample(
  a: readonly number[],
  b: readonly number[],
  args: BootstrapArgs = {},
  statistic: (a: readonly number[], b: readonly number[]) => number = (p, q) => mean(p) - mean(q),
): BcaInterval {
  assertSample(a, 'a', 2);
  assertSample(b, 'b', 2);
  const stat: SamplesStatistic = (s) => statistic(s[0], s[1]);
  const reps = bootstrapReplicates([a, b], stat, args.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES, args.seed ?? 0);
  return bcaFromReplicates([a, b], stat, reps, args.confidence ?? 0.95);
}

/** True when the interval lies entirely above or entirely below zero. */
export function ciExcludesZero(ci: Interval): boolean {
  return ci.lower > 0 || ci.upper < 0;
}

/** `numpy.percentile(x, 100·q)` with numpy's default linear method; q in [0, 1]. */
export function percentile(x: readonly number[], q: number): number {
  assertSample(x, 'x');
  return percentileLinear(sortedCopy(x), q);
}

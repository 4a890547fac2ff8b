/**
 * Comparison of two methods run with the same integer seeds. When both
 * methods have exactly the same seeds the comparison is paired (per-seed
 * differences A − B); otherwise it falls back to Welch's unpaired test and
 * says so.
 */
import { deriveSeed } from '../random/rng';
import { bcaInterval, bcaIntervalTwoSample, DEFAULT_BOOTSTRAP_RESAMPLES } from './bootstrap';
import { mean, sd } from './descriptive';
import { Direction, cohensDz, pairedWinRate, probabilityOfImprovement } from './effect';
import { SignFlipArgs, signFlipTest } from './permutation';
import { pairedMde, welchMde } from './power';
import { MethodSummary, summarize } from './summary';
import { Interval, oneSampleTTest, welchTTest } from './ttest';
import { WilcoxonArgs, wilcoxonSignedRank } from './wilcoxon';
import { assertOpenUnit } from './validate';

/** One run's metric: the seed it ran with and the value it reached. */
export interface SeedValue {
  /** Integer seed of the run. */
  seed: number;
  /** Metric value (accuracy, loss, ...). */
  value: number;
}

/** Options of {@link compareMethods}, documented like a layer's `*Args`. */
export interface CompareArgs {
  /**
   * Which way the metric improves. Default 'higher-is-better' (accuracy);
   * use 'lower-is-better' for loss. Affects only `winRate`,
   * `probImprovementAllPairs` (both: probability that A is better) and
   * `favours`; every difference is reported as raw A − B.
   */
  direction?: Direction;
  /** Confidence level of all intervals. Default 0.95. */
  confidence?: number;
  /** Bootstrap resamples for the BCa intervals. Default 10,000. */
  resamples?: number;
  /** Integer seed of the bootstrap and Monte Carlo streams (derived per use). Default 0. */
  seed?: number;
  /** Significance level used for the MDE. Default 0.05. */
  alpha?: number;
  /** Target power used for the MDE. Default 0.8. */
  power?: number;
  /** Sign-flip test options (its seed is derived from `seed`). */
  permutation?: Omit<SignFlipArgs, 'seed'>;
  /** Wilcoxon test options. */
  wilcoxon?: WilcoxonArgs;
}

/**
 * Result of {@link compareMethods}: plain JSON data. Differences are A − B in
 * the metric's units. Fields that need pairing are null for the unpaired design.
 * Degenerate data (all differences equal and non-zero) give t = ±Infinity and
 * dz = ±Infinity, which JSON.stringify writes as null.
 */
export interface Comparison {
  /** 'paired' when the seed sets match, else 'unpaired-welch'. */
  design: 'paired' | 'unpaired-welch';
  /** Why the design is unpaired (names the unmatched seeds); null when paired. */
  warning: string | null;
  /** Direction the metric improves in. */
  direction: Direction;
  /** Confidence level of the intervals. */
  confidence: number;
  /** Paired: number of pairs. Unpaired: nA + nB. */
  n: number;
  /** Runs of method A. */
  nA: number;
  /** Runs of method B. */
  nB: number;
  /** Seeds used as pairs (ascending); empty when unpaired. */
  seeds: number[];
  /** Seeds present only in A and only in B. */
  unmatchedSeeds: { a: number[]; b: number[] };
  /** Summary of method A's values. */
  summaryA: MethodSummary;
  /** Summary of method B's values. */
  summaryB: MethodSummary;
  /** Mean of A − B (paired: mean of the per-seed differences; equals meanA − meanB). */
  meanDiff: number;
  /** Standard deviation of the per-seed differences (null when unpaired). */
  sdDiff: number | null;
  /** Standard error of meanDiff (Welch's when unpaired). */
  seDiff: number;
  /** t statistic (paired t or Welch). */
  tStatistic: number;
  /** Degrees of freedom of the t-test (n − 1, or Welch–Satterthwaite). */
  df: number;
  /** Two-sided p-value of the paired t-test or Welch's test. */
  pT: number;
  /** t interval (paired, or Welch) for meanDiff. */
  tCI: Interval;
  /** BCa bootstrap interval for meanDiff (pairs resampled; two-sample when unpaired). */
  bcaCI: Interval;
  /** Bootstrap resamples behind bcaCI. */
  resamples: number;
  /** Two-sided Wilcoxon signed-rank p-value (null when unpaired). */
  pWilcoxon: number | null;
  /** How the Wilcoxon p-value was computed. */
  wilcoxonMethod: 'exact' | 'approx' | 'all-zero' | null;
  /** Two-sided sign-flip permutation p-value (null when unpaired). */
  pPermutation: number | null;
  /** How the permutation p-value was computed. */
  permutationMethod: 'exact' | 'monte-carlo' | null;
  /** Cohen's d_z = meanDiff / sdDiff (null when unpaired). */
  dz: number | null;
  /** Fraction of seeds on which A beats B, ties half (null when unpaired). */
  winRate: number | null;
  /** rliable's all-pairs probability that A beats B, ties half. */
  probImprovementAllPairs: number;
  /** Minimum detectable |meanDiff| at `alpha`/`power` given the observed spread (paired t or Welch approximation). */
  mde: number;
  /** Significance level behind mde. */
  alpha: number;
  /** Power behind mde. */
  power: number;
  /** Which method the point estimate favours (a description, not a significance claim). */
  favours: 'a' | 'b' | 'neither';
}

function checkRuns(runs: readonly SeedValue[], name: string): Map<number, number> {
  if (!Array.isArray(runs)) throw new Error(`${name} must be an array of {seed, value}`);
  const bySeed = new Map<number, number>();
  runs.forEach((r, i) => {
    if (r === null || typeof r !== 'object') throw new Error(`${name}[${i}] must be an object {seed, value}`);
    if (!Number.isInteger(r.seed)) throw new Error(`${name}[${i}].seed must be an integer, got ${String(r.seed)}`);
    if (typeof r.value !== 'number' || !Number.isFinite(r.value)) {
      throw new Error(`${name}[${i}].value must be a finite number, got ${String(r.value)} (seed ${r.seed})`);
    }
    if (bySeed.has(r.seed)) throw new Error(`${name} has seed ${r.seed} more than once`);
    bySeed.set(r.seed, r.value);
  });
  if (bySeed.size < 2) throw new Error(`${name} needs at least 2 runs, got ${bySeed.size}`);
  return bySeed;
}

/**
 * Compares method A with method B from per-seed results.
 *
 * Paired design (identical seed sets): per-seed differences A − B give the
 * mean difference with t and BCa intervals, the paired t-test, Wilcoxon
 * signed-rank and sign-flip permutation p-values, Cohen's d_z, the paired win
 * rate, rliable's all-pairs probability of improvement and the paired-t MDE.
 *
 * Unpaired fallback (seed sets differ): Welch's t-test and interval, a
 * two-sample BCa interval, the all-pairs probability of improvement and the
 * Welch MDE; `warning` names the unmatched seeds.
 */
export function compareMethods(a: readonly SeedValue[], b: readonly SeedValue[], args: CompareArgs = {}): Comparison {
  const mapA = checkRuns(a, 'a');
  const mapB = checkRuns(b, 'b');
  const direction = args.direction ?? 'higher-is-better';
  const confidence = args.confidence ?? 0.95;
  assertOpenUnit(confidence, 'confidence');
  const resamples = args.resamples ?? DEFAULT_BOOTSTRAP_RESAMPLES;
  const seed = args.seed ?? 0;
  const alpha = args.alpha ?? 0.05;
  const power = args.power ?? 0.8;
  const seedsA = [...mapA.keys()].sort((p, q) => p - q);
  const seedsB = [...mapB.keys()].sort((p, q) => p - q);
  const onlyA = seedsA.filter((s) => !mapB.has(s));
  const onlyB = seedsB.filter((s) => !mapA.has(s));
  const paired = onlyA.length === 0 && onlyB.length === 0;
  const xa = seedsA.map((s) => mapA.get(s) as number);
  const xb = seedsB.map((s) => mapB.get(s) as number);
  const summaryA = summarize(xa, { confidence, resamples, seed: deriveSeed(seed, 'summary-a') });
  const summaryB = summarize(xb, { confidence, resamples, seed: deriveSeed(seed, 'summary-b') });
  const probImprovementAllPairs = probabilityOfImprovement(xa, xb, direction);
  const common = { direction, confidence, nA: xa.length, nB: xb.length, summaryA, summaryB, resamples, probImprovementAllPairs, alpha, power };
  const favoursOf = (diff: number): 'a' | 'b' | 'neither' =>
    diff === 0 ? 'neither' : (diff > 0) === (direction === 'higher-is-better') ? 'a' : 'b';

  if (paired) {
    const d = xa.map((v, i) => v - xb[i]);
    const t = oneSampleTTest(d, 0, confidence);
    const bca = bcaInterval(d, { confidence, resamples, seed: deriveSeed(seed, 'bootstrap-diff') });
    const w = wilcoxonSignedRank(d, args.wilcoxon);
    const perm = signFlipTest(d, { ...args.permutation, seed: deriveSeed(seed, 'sign-flip') });
    const sdDiff = sd(d);
    return {
      design: 'paired',
      warning: null,
      ...common,
      n: d.length,
      seeds: seedsA,
      unmatchedSeeds: { a: [], b: [] },
      meanDiff: t.estimate,
      sdDiff,
      seDiff: t.se,
      tStatistic: t.t,
      df: t.df,
      pT: t.pValue,
      tCI: t.ci,
      bcaCI: { lower: bca.lower, upper: bca.upper },
      pWilcoxon: w.pValue,
      wilcoxonMethod: w.method,
      pPermutation: perm.pValue,
      permutationMethod: perm.method,
      dz: cohensDz(d),
      winRate: pairedWinRate(xa, xb, direction),
      mde: pairedMde(sdDiff, d.length, { alpha, power }),
      favours: favoursOf(t.estimate),
    };
  }
  const welch = welchTTest(xa, xb, confidence);
  const bca = bcaIntervalTwoSample(xa, xb, { confidence, resamples, seed: deriveSeed(seed, 'bootstrap-diff') });
  const warning =
    `seed sets differ (only in A: [${onlyA.join(', ')}]; only in B: [${onlyB.join(', ')}]); ` +
    "runs cannot be paired by seed, so Welch's unpaired test is used and the paired statistics are null";
  return {
    design: 'unpaired-welch',
    warning,
    ...common,
    n: xa.length + xb.length,
    seeds: [],
    unmatchedSeeds: { a: onlyA, b: onlyB },
    meanDiff: mean(xa) - mean(xb),
    sdDiff: null,
    seDiff: welch.se,
    tStatistic: welch.t,
    df: welch.df,
    pT: welch.pValue,
    tCI: welch.ci,
    bcaCI: { lower: bca.lower, upper: bca.upper },
    pWilcoxon: null,
    wilcoxonMethod: null,
    pPermutation: null,
    permutationMethod: null,
    dz: null,
    winRate: null,
    mde: welchMde(sd(xa), xa.length, sd(xb), xb.length, { alpha, power }),
    favours: favoursOf(welch.estimate),
  };
}

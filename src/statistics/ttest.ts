/**
 * Student t intervals and tests: one-sample, paired (on per-seed differences)
 * and Welch's unequal-variance test for unpaired samples.
 *
 * Degenerate samples: when the standard error is 0 (all values, or all
 * differences, equal) the interval collapses to the mean, the t statistic is
 * 0 if the mean equals the null value and ±Infinity otherwise, and the
 * p-value is 1 or 0 accordingly (the limits of the formulas; note that
 * JSON.stringify writes Infinity as null).
 */
import { mean, variance } from './descriptive';
import { tQuantile, tTwoSidedP } from './distributions';
import { assertOpenUnit, assertSameLength, assertSample } from './validate';

/** A closed interval [lower, upper]. */
export interface Interval {
  /** Lower end. */
  lower: number;
  /** Upper end. */
  upper: number;
}

/** Result of a t-test. */
export interface TTestResult {
  /** Sample size (pairs for a paired test; for Welch, nA + nB). */
  n: number;
  /** Estimate: mean (one-sample), mean difference A − B (paired, Welch). */
  estimate: number;
  /** Standard error of the estimate. */
  se: number;
  /** t statistic (estimate − null) / se. */
  t: number;
  /** Degrees of freedom (Welch–Satterthwaite for Welch's test). */
  df: number;
  /** Two-sided p-value. */
  pValue: number;
  /** Confidence interval for the estimate at `confidence`. */
  ci: Interval;
  /** Confidence level of `ci`. */
  confidence: number;
}

/** Per-seed differences a[i] − b[i]; the arrays must be aligned by seed. */
export function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  assertSample(a, 'a');
  assertSample(b, 'b');
  assertSameLength(a, b, 'a', 'b');
  return a.map((v, i) => v - b[i]);
}

function tResult(n: number, estimate: number, se: number, df: number, nullValue: number, confidence: number): TTestResult {
  assertOpenUnit(confidence, 'confidence');
  const shift = estimate - nullValue;
  let t: number;
  let pValue: number;
  if (se === 0) {
    t = shift === 0 ? 0 : shift > 0 ? Infinity : -Infinity;
    pValue = shift === 0 ? 1 : 0;
  } else {
    t = shift / se;
    pValue = tTwoSidedP(t, df);
  }
  const half = se === 0 ? 0 : tQuantile(1 - (1 - confidence) / 2, df) * se;
  return { n, estimate, se, t, df, pValue, ci: { lower: estimate - half, upper: estimate + half }, confidence };
}

/**
 * One-sample t-test of H0: mean = `nullValue` (scipy.stats.ttest_1samp), with
 * the Student t confidence interval mean ± t_{(1+c)/2, n−1} · sd/√n.
 * Needs at least 2 values.
 */
export function oneSampleTTest(x: readonly number[], nullValue = 0, confidence = 0.95): TTestResult {
  assertSample(x, 'x', 2);
  if (!Number.isFinite(nullValue)) throw new Error(`nullValue must be finite, got ${nullValue}`);
  const n = x.length;
  return tResult(n, mean(x), Math.sqrt(variance(x) / n), n - 1, nullValue, confidence);
}

/** Student t confidence interval for the mean (n ≥ 2). */
export function tInterval(x: readonly number[], confidence = 0.95): Interval {
  return oneSampleTTest(x, 0, confidence).ci;
}

/**
 * Paired t-test on the per-seed differences a − b (scipy.stats.ttest_rel):
 * a one-sample test of mean difference 0, with its t interval.
 */
export function pairedTTest(a: readonly number[], b: readonly number[], confidence = 0.95): TTestResult {
  const d = pairedDifferences(a, b);
  if (d.length < 2) throw new Error(`paired t-test needs at least 2 pairs, got ${d.length}`);
  return oneSampleTTest(d, 0, confidence);
}

/** Welch–Satterthwaite degrees of freedom for two samples with variances `va`, `vb`. */
export function welchDf(va: number, na: number, vb: number, nb: number): number {
  const qa = va / na;
  const qb = vb / nb;
  return (qa + qb) ** 2 / ((qa * qa) / (na - 1) + (qb * qb) / (nb - 1));
}

/**
 * Welch's unequal-variance t-test of mean(a) = mean(b)
 * (scipy.stats.ttest_ind(a, b, equal_var=False)) with the Welch interval for
 * mean(a) − mean(b). Each sample needs at least 2 values. When both
 * variances are 0 the df is reported as nA + nB − 2.
 */
export function welchTTest(a: readonly number[], b: readonly number[], confidence = 0.95): TTestResult {
  assertSample(a, 'a', 2);
  assertSample(b, 'b', 2);
  const va = variance(a);
  const vb = variance(b);
  const se = Math.sqrt(va / a.length + vb / b.length);
  const df = se === 0 ? a.length + b.length - 2 : welchDf(va, a.length, vb, b.length);
  return tResult(a.length + b.length, mean(a) - mean(b), se, df, 0, confidence);
}

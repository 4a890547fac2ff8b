/**
 * Descriptive statistics of one sample of per-seed metric values.
 */
import { assertSample } from './validate';

/** Arithmetic mean. Throws on an empty sample or a non-finite value. */
export function mean(x: readonly number[]): number {
  assertSample(x, 'x');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample variance with the n − 1 denominator (two-pass). Needs at least 2 values. */
export function variance(x: readonly number[]): number {
  assertSample(x, 'x', 2);
  const m = mean(x);
  let ss = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - m;
    ss += d * d;
  }
  return ss / (x.length - 1);
}

/** Sample standard deviation (n − 1 denominator). Needs at least 2 values. */
export function sd(x: readonly number[]): number {
  return Math.sqrt(variance(x));
}

/** Standard error of the mean, sd / √n. Needs at least 2 values. */
export function standardError(x: readonly number[]): number {
  return sd(x) / Math.sqrt(x.length);
}

/** Ascending copy of `x` (numeric order). */
export function sortedCopy(x: readonly number[]): number[] {
  return x.slice().sort((p, q) => p - q);
}

/** Median: the middle value, or the mean of the two middle values when n is even (numpy.median). */
export function median(x: readonly number[]): number {
  assertSample(x, 'x');
  const s = sortedCopy(x);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Smallest value. */
export function min(x: readonly number[]): number {
  assertSample(x, 'x');
  let m = x[0];
  for (let i = 1; i < x.length; i++) if (x[i] < m) m = x[i];
  return m;
}

/** Largest value. */
export function max(x: readonly number[]): number {
  assertSample(x, 'x');
  let m = x[0];
  for (let i = 1; i < x.length; i++) if (x[i] > m) m = x[i];
  return m;
}

/**
 * Trimmed mean with `scipy.stats.trim_mean(x, proportion)` semantics: sort,
 * drop `k = floor(proportion · n)` values from each end, average the rest. When
 * n·proportion is not an integer fewer values are trimmed (n = 10, 0.25 → k = 2,
 * the mean of the middle 6 values).
 * @param proportion fraction cut from each end, in [0, 0.5).
 */
export function trimMean(x: readonly number[], proportion: number): number {
  assertSample(x, 'x');
  if (typeof proportion !== 'number' || !(proportion >= 0 && proportion < 0.5)) {
    throw new Error(`proportion must lie in [0, 0.5), got ${String(proportion)}`);
  }
  const k = Math.floor(proportion * x.length);
  const s = sortedCopy(x);
  let total = 0;
  for (let i = k; i < s.length - k; i++) total += s[i];
  return total / (s.length - 2 * k);
}

/**
 * Interquartile mean as rliable defines it: `trim_mean(x, 0.25)`, the mean of
 * the middle 50% after dropping floor(n/4) values from each end.
 */
export function iqm(x: readonly number[]): number {
  return trimMean(x, 0.25);
}

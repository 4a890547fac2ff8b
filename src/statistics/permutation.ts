/**
 * Sign-flip (paired permutation) test on the mean of per-seed differences.
 * Under H0 (differences symmetric about 0) every assignment of signs to the
 * observed differences is equally likely.
 */
import { Rng } from '../random/rng';
import { assertInteger, assertSample } from './validate';

/** Options of {@link signFlipTest}. */
export interface SignFlipArgs {
  /** Enumerate all 2^n sign patterns when n ≤ exactMaxN. Default 16 (65,536 patterns). */
  exactMaxN?: number;
  /** Number of random sign patterns for the Monte Carlo test (n > exactMaxN). Default 20,000. */
  permutations?: number;
  /** Integer seed of the {@link Rng} for the Monte Carlo test. Default 0. */
  seed?: number;
}

/** Result of {@link signFlipTest}. */
export interface SignFlipResult {
  /** Observed mean difference. */
  statistic: number;
  /** Two-sided p-value. */
  pValue: number;
  /** 'exact' (full enumeration) or 'monte-carlo'. */
  method: 'exact' | 'monte-carlo';
  /** Sign patterns whose |mean| is at least the observed |mean| (Monte Carlo: excluding the observed one). */
  count: number;
  /** Sign patterns evaluated (2^n, or the number of random draws). */
  total: number;
}

/**
 * Two-sided sign-flip test of mean(d) = 0, statistic |Σ s_i d_i| over signs s_i = ±1.
 *
 * Exact (n ≤ exactMaxN): p = #{s : |Σ s_i d_i| ≥ |Σ d_i|} / 2^n, the identity
 * pattern included, so p ≥ 2/2^n. Monte Carlo: with N random patterns of
 * which `count` reach the observed value, p = (count + 1)/(N + 1), which
 * counts the observed pattern once and is a valid (never anti-conservative)
 * p-value. Sums equal up to a relative 1e-10 of Σ|d_i| count as reaching the
 * observed value, so that rounding never breaks ties (e.g. d = [1, 2, 3]).
 */
export function signFlipTest(d: readonly number[], args: SignFlipArgs = {}): SignFlipResult {
  assertSample(d, 'd');
  const exactMaxN = args.exactMaxN ?? 16;
  assertInteger(exactMaxN, 'exactMaxN', 0);
  if (exactMaxN > 30) throw new Error(`exactMaxN must be <= 30 (2^n patterns are enumerated), got ${exactMaxN}`);
  const n = d.length;
  let observed = 0;
  let scale = 0;
  for (let i = 0; i < n; i++) {
    observed += d[i];
    scale += Math.abs(d[i]);
  }
  const statistic = observed / n;
  const threshold = Math.abs(observed) - 1e-10 * scale;
  if (n <= exactMaxN) {
    const total = 2 ** n;
    let count = 0;
    for (let mask = 0; mask < total; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (mask >>> i) & 1 ? -d[i] : d[i];
      if (Math.abs(s) >= threshold) count++;
    }
    return { statistic, pValue: count / total, method: 'exact', count, total };
  }
  const permutations = args.permutations ?? 20000;
  assertInteger(permutations, 'permutations', 1);
  const rng = new Rng(args.seed ?? 0);
  let count = 0;
  for (let k = 0; k < permutations; k++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rng.next() < 0.5 ? -d[i] : d[i];
    if (Math.abs(s) >= threshold) count++;
  }
  return { statistic, pValue: (count + 1) / (permutations + 1), method: 'monte-carlo', count, total: permutations };
}

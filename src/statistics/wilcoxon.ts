/**
 * Wilcoxon signed-rank test on per-seed differences, matching
 * `scipy.stats.wilcoxon(d, zero_method='wilcox', correction=False,
 * alternative='two-sided')` of scipy 1.10 except where noted.
 */
import { normalCdf } from './distributions';
import { assertInteger, assertSample } from './validate';

/** Options of {@link wilcoxonSignedRank}. */
export interface WilcoxonArgs {
  /**
   * 'auto' (default): exact null distribution when there are at most
   * `exactMaxN` non-zero differences, no zero differences and no ties among
   * |d|; normal approximation otherwise. 'approx': always the normal
   * approximation.
   */
  method?: 'auto' | 'approx';
  /** Largest number of differences for the exact distribution under 'auto'. Default 50 (as scipy). */
  exactMaxN?: number;
  /** Continuity correction of ±0.5 in the normal approximation. Default false (as scipy). */
  correction?: boolean;
}

/** Result of {@link wilcoxonSignedRank}. */
export interface WilcoxonResult {
  /** T = min(R+, R−), the two-sided statistic scipy reports. */
  statistic: number;
  /** Sum of ranks of the positive differences. */
  rPlus: number;
  /** Sum of ranks of the negative differences. */
  rMinus: number;
  /** Number of non-zero differences that were ranked. */
  n: number;
  /** Number of zero differences discarded (zero_method 'wilcox'). */
  zeros: number;
  /** Whether |d| had ties among the non-zero differences. */
  ties: boolean;
  /** Two-sided p-value. */
  pValue: number;
  /** How the p-value was obtained; 'all-zero' means every difference was 0 and p = 1. */
  method: 'exact' | 'approx' | 'all-zero';
  /** z statistic of the normal approximation (null for the exact method). */
  z: number | null;
}

/** Ranks 1..n of `x` with ties given their average rank (scipy.stats.rankdata 'average'). */
export function averageRanks(x: readonly number[]): number[] {
  const order = x.map((_, i) => i).sort((p, q) => x[p] - x[q]);
  const ranks = new Array<number>(x.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1]] === x[order[i]]) j++;
    const r = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * Exact null distribution of R+ for n untied non-zero differences:
 * probabilities of R+ = 0, 1, ..., n(n+1)/2 (the recursion scipy uses).
 */
export function wilcoxonNullDistribution(n: number): Float64Array {
  assertInteger(n, 'n', 0);
  let c = new Float64Array([1]);
  for (let k = 1; k <= n; k++) {
    const next = new Float64Array((k * (k + 1)) / 2 + 1);
    const m = c.length;
    for (let i = 0; i < m; i++) next[i] = c[i] * 0.5;
    const off = next.length - m;
    for (let i = 0; i < m; i++) next[off + i] += c[i] * 0.5;
    c = next;
  }
  return c;
}

/**
 * Two-sided Wilcoxon signed-rank test of the differences `d` (symmetric about 0).
 *
 * Zero differences are discarded before ranking (zero_method 'wilcox'). The
 * exact p-value is 2·min(P(R+ ≤ r), P(R+ ≥ r)), or 1 when r = floor(n(n+1)/4)
 * (the centre, as scipy). The normal approximation uses mean n(n+1)/4 and variance
 * (n(n+1)(2n+1) − ½Σ t(t²−1))/24 over tie groups of size t.
 *
 * Deviations from scipy 1.10: under 'auto' with ties but no zeros scipy 1.10
 * keeps the exact distribution and truncates the averaged rank sum to an
 * integer; here ties switch to the normal approximation (as later scipy
 * versions do). When every difference is 0 scipy raises; here p = 1 with
 * method 'all-zero'.
 */
export function wilcoxonSignedRank(d: readonly number[], args: WilcoxonArgs = {}): WilcoxonResult {
  assertSample(d, 'd');
  const method = args.method ?? 'auto';
  if (method !== 'auto' && method !== 'approx') throw new Error(`method must be 'auto' or 'approx', got ${String(method)}`);
  const exactMaxN = args.exactMaxN ?? 50;
  assertInteger(exactMaxN, 'exactMaxN', 0);
  const nonzero = d.filter((v) => v !== 0);
  const zeros = d.length - nonzero.length;
  const n = nonzero.length;
  if (n === 0) {
    return { statistic: 0, rPlus: 0, rMinus: 0, n: 0, zeros, ties: false, pValue: 1, method: 'all-zero', z: null };
  }
  const abs = nonzero.map(Math.abs);
  const ranks = averageRanks(abs);
  let rPlus = 0;
  let rMinus = 0;
  for (let i = 0; i < n; i++) {
    if (nonzero[i] > 0) rPlus += ranks[i];
    else rMinus += ranks[i];
  }
  // tie groups of |d| (equal values share one average rank)
  const counts = new Map<number, number>();
  for (const v of abs) counts.set(v, (counts.get(v) ?? 0) + 1);
  let tieTerm = 0;
  counts.forEach((t) => {
    if (t > 1) tieTerm += t * (t * t - 1);
  });
  const ties = tieTerm > 0;
  const statistic = Math.min(rPlus, rMinus);
  // scipy decides on the length before discarding zeros
  const exact = method === 'auto' && d.length <= exactMaxN && zeros === 0 && !ties;
  if (exact) {
    const pmf = wilcoxonNullDistribution(n);
    const r = Math.round(rPlus);
    let pValue: number;
    if (r === Math.floor((pmf.length - 1) / 2)) {
      pValue = 1;
    } else {
      let less = 0;
      for (let i = 0; i <= r; i++) less += pmf[i];
      let greater = 0;
      for (let i = r; i < pmf.length; i++) greater += pmf[i];
      pValue = Math.min(1, 2 * Math.min(less, greater));
    }
    return { statistic, rPlus, rMinus, n, zeros, ties, pValue, method: 'exact', z: null };
  }
  const mn = (n * (n + 1)) / 4;
  const se = Math.sqrt((n * (n + 1) * (2 * n + 1) - 0.5 * tieTerm) / 24);
  const cc = args.correction ? 0.5 * Math.sign(statistic - mn) : 0;
  const z = se === 0 ? 0 : (statistic - mn - cc) / se;
  const pValue = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  return { statistic, rPlus, rMinus, n, zeros, ties, pValue, method: 'approx', z };
}

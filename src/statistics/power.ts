/**
 * Power and minimum detectable effect (MDE) of t-tests, from the noncentral t
 * distribution ({@link tTestPower}).
 */
import { tTestPower } from './distributions';
import { welchDf } from './ttest';
import { assertInteger, assertOpenUnit } from './validate';

/** Options of the MDE functions. */
export interface PowerArgs {
  /** Two-sided significance level. Default 0.05. */
  alpha?: number;
  /** Target power, in (alpha, 1). Default 0.8. */
  power?: number;
}

function assertNonNegative(x: number, name: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new Error(`${name} must be a finite number >= 0, got ${String(x)}`);
}

/**
 * Noncentrality λ ≥ 0 at which a two-sided level-alpha t-test with `df`
 * degrees of freedom has the given power (bracketed Illinois root-finding
 * to about 1e-14 relative).
 */
export function noncentralityForPower(df: number, args: PowerArgs = {}): number {
  const alpha = args.alpha ?? 0.05;
  const power = args.power ?? 0.8;
  assertOpenUnit(alpha, 'alpha');
  assertOpenUnit(power, 'power');
  if (power <= alpha) throw new Error(`power must exceed alpha (${alpha}), got ${power}`);
  const f = (ncp: number): number => tTestPower(ncp, df, alpha) - power;
  let lo = 0;
  let flo = alpha - power;
  let hi = 1;
  let fhi = f(hi);
  while (fhi < 0) {
    lo = hi;
    flo = fhi;
    hi *= 2;
    if (hi > 1e6) throw new Error(`no noncentrality reaches power ${power} at df ${df}`);
    fhi = f(hi);
  }
  // Illinois variant of regula falsi: keeps the bracket, converges superlinearly.
  let side = 0;
  for (let iter = 0; iter < 200 && hi - lo > 1e-14 * hi; iter++) {
    const mid = (lo * fhi - hi * flo) / (fhi - flo);
    const fmid = f(mid);
    if (fmid === 0) return mid;
    if (fmid < 0) {
      lo = mid;
      flo = fmid;
      if (side === -1) fhi /= 2;
      side = -1;
    } else {
      hi = mid;
      fhi = fmid;
      if (side === 1) flo /= 2;
      side = 1;
    }
  }
  return (lo + hi) / 2;
}

/**
 * Power of the two-sided paired t-test with `n` pairs to detect a true mean
 * difference `effect` when the differences have standard deviation `sdDiff`:
 * noncentral t with λ = effect·√n / sdDiff and n − 1 df.
 */
export function pairedTTestPower(effect: number, sdDiff: number, n: number, alpha = 0.05): number {
  if (typeof effect !== 'number' || !Number.isFinite(effect)) throw new Error(`effect must be finite, got ${String(effect)}`);
  assertNonNegative(sdDiff, 'sdDiff');
  assertInteger(n, 'n', 2);
  if (sdDiff === 0) return effect === 0 ? alpha : 1;
  return tTestPower((effect * Math.sqrt(n)) / sdDiff, n - 1, alpha);
}

/**
 * Minimum detectable effect of the two-sided paired t-test with `n` pairs:
 * the smallest |mean difference| detected with the target power (default
 * 0.8 at alpha 0.05), given the standard deviation of the differences,
 * treated as known. Exact noncentral t, not the normal approximation
 * (z_{1−α/2} + z_power)·sd/√n, which understates it for small n.
 */
export function pairedMde(sdDiff: number, n: number, args: PowerArgs = {}): number {
  assertNonNegative(sdDiff, 'sdDiff');
  assertInteger(n, 'n', 2);
  return (noncentralityForPower(n - 1, args) * sdDiff) / Math.sqrt(n);
}

/**
 * Approximate power of Welch's test to detect a difference `effect` in means:
 * noncentral t with λ = effect / √(sdA²/nA + sdB²/nB) and the
 * Welch–Satterthwaite df from the given sds (an approximation: the Welch
 * statistic is not exactly noncentral t).
 */
export function welchPower(effect: number, sdA: number, nA: number, sdB: number, nB: number, alpha = 0.05): number {
  if (typeof effect !== 'number' || !Number.isFinite(effect)) throw new Error(`effect must be finite, got ${String(effect)}`);
  const { se, df } = welchScale(sdA, nA, sdB, nB);
  if (se === 0) return effect === 0 ? alpha : 1;
  return tTestPower(effect / se, df, alpha);
}

/** Minimum detectable difference in means for Welch's test (same approximation as {@link welchPower}). */
export function welchMde(sdA: number, nA: number, sdB: number, nB: number, args: PowerArgs = {}): number {
  const { se, df } = welchScale(sdA, nA, sdB, nB);
  return noncentralityForPower(df, args) * se;
}

function welchScale(sdA: number, nA: number, sdB: number, nB: number): { se: number; df: number } {
  assertNonNegative(sdA, 'sdA');
  assertNonNegative(sdB, 'sdB');
  assertInteger(nA, 'nA', 2);
  assertInteger(nB, 'nB', 2);
  const se = Math.sqrt((sdA * sdA) / nA + (sdB * sdB) / nB);
  const df = se === 0 ? nA + nB - 2 : welchDf(sdA * sdA, nA, sdB * sdB, nB);
  return { se, df };
}

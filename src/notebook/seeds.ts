/**
 * How many seeds an experiment needs: the width of a confidence interval as a
 * function of the number of seeds, and the smallest number of paired seeds that
 * detects a given effect, from a measured standard deviation.
 */
import type { ExperimentAnalysis } from '../reports/analysis';
import { pairedMde, pairedTTestPower, tQuantile } from '../statistics';
import { mainPanels, panelLabel } from './experiment-views';

/** Options of {@link seedsNeeded}. */
export interface SeedsNeededArgs {
  /** Two-sided significance level. Default 0.05. */
  alpha?: number;
  /** Target power. Default 0.8. */
  power?: number;
  /** Largest number of seeds searched. Default 10,000. */
  maxN?: number;
}

/** One measured spread of paired differences (A − B per seed) in a stored experiment. */
export interface MeasuredSpread {
  /** Experiment. */
  experiment: string;
  /** Panel description (epochs, protocol, bits, setting). */
  panel: string;
  /** Epochs of the panel. */
  epochs: number;
  /** Metric compared. */
  metric: string;
  /** Method A. */
  a: string;
  /** Method B. */
  b: string;
  /** Number of pairs. */
  n: number;
  /** Mean of A − B. */
  meanDiff: number;
  /** Standard deviation of A − B across seeds. */
  sdDiff: number;
  /** Standard deviation of A alone across seeds. */
  sdA: number | null;
  /** Standard deviation of B alone across seeds. */
  sdB: number | null;
}

function checkSd(sd: number, fn: string): void {
  if (typeof sd !== 'number' || !Number.isFinite(sd) || sd < 0) throw new Error(`${fn}: sd must be a finite number >= 0, got ${String(sd)}`);
}

/**
 * Half-width of the Student t confidence interval of a mean from `n` values with
 * standard deviation `sd`: t_{(1+confidence)/2, n−1} · sd / √n.
 * @throws Error for n < 2, a negative sd or a confidence outside (0, 1).
 */
export function ciHalfWidth(sd: number, n: number, confidence = 0.95): number {
  checkSd(sd, 'ciHalfWidth');
  if (!Number.isInteger(n) || n < 2) throw new Error(`ciHalfWidth: n must be an integer >= 2, got ${String(n)}`);
  if (!(confidence > 0 && confidence < 1)) throw new Error(`ciHalfWidth: confidence must be in (0, 1), got ${String(confidence)}`);
  return (tQuantile((1 + confidence) / 2, n - 1) * sd) / Math.sqrt(n);
}

/**
 * The smallest number of paired seeds n ≥ 2 at which the two-sided paired t-test
 * detects a true mean difference `effect` with the target power, given the standard
 * deviation of the per-seed differences; null when more than `maxN` are needed.
 * @throws Error for a non-finite or zero effect or a negative sd.
 */
export function seedsNeeded(effect: number, sdDiff: number, args: SeedsNeededArgs = {}): number | null {
  if (typeof effect !== 'number' || !Number.isFinite(effect) || effect === 0) throw new Error(`seedsNeeded: effect must be a finite non-zero number, got ${String(effect)}`);
  checkSd(sdDiff, 'seedsNeeded');
  const alpha = args.alpha ?? 0.05;
  const power = args.power ?? 0.8;
  const maxN = args.maxN ?? 10000;
  if (!Number.isInteger(maxN) || maxN < 2) throw new Error(`seedsNeeded: maxN must be an integer >= 2, got ${String(maxN)}`);
  if (sdDiff === 0) return 2;
  // Power grows with n: find a bracket by doubling, then bisect.
  const ok = (n: number): boolean => pairedTTestPower(Math.abs(effect), sdDiff, n, alpha) >= power;
  let hi = 2;
  while (!ok(hi)) {
    if (hi >= maxN) return null;
    hi = Math.min(maxN, hi * 2);
  }
  let lo = Math.max(2, Math.floor(hi / 2));
  if (ok(lo)) return lo;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Minimum detectable paired effect (80% power, alpha 0.05 unless told) for each n in `ns`. */
export function mdeCurve(sdDiff: number, ns: readonly number[], args: { alpha?: number; power?: number } = {}): { n: number; mde: number }[] {
  return ns.map((n) => ({ n, mde: pairedMde(sdDiff, n, args) }));
}

/**
 * The measured spreads of the primary comparison (A − B on the experiment's primary
 * metric) in every main panel of an analysis (see `mainPanels`) that has a paired result.
 */
export function measuredSpreads(analysis: ExperimentAnalysis, a = 'octization', b = 'standard'): MeasuredSpread[] {
  const out: MeasuredSpread[] = [];
  for (const panel of mainPanels(analysis)) {
    const c = panel.comparisons.find((x) => x.a === a && x.b === b && x.metric === analysis.primaryMetric);
    const r = c?.result ?? null;
    if (r === null || r.design !== 'paired' || r.sdDiff === null) continue;
    out.push({
      experiment: analysis.experiment,
      panel: panelLabel(panel),
      epochs: panel.epochs,
      metric: analysis.primaryMetric,
      a,
      b,
      n: r.n,
      meanDiff: r.meanDiff,
      sdDiff: r.sdDiff,
      sdA: r.summaryA.sd,
      sdB: r.summaryB.sd,
    });
  }
  return out;
}

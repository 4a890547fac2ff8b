/**
 * Bit-width sweep: standard quantization against Octization at every bit width run,
 * paired by seed. Says at which widths the two differ and by how much, with 95% t
 * intervals and Holm-adjusted paired t-tests across the widths. Pure functions of run rows.
 */
import { holmAdjust, mean, median, oneSampleTTest, signFlipTest, tInterval } from '../statistics';
import type { Interval } from '../statistics';
import { chanceLevel, CHANCE_MARGIN } from '../analysis/caveats';
import type { Caveat } from '../analysis/caveats';
import { DEFAULT_RULE, judgeDifference } from '../analysis/verdict';
import type { DifferenceCode, VerdictRule } from '../analysis/verdict';
import { EQUIVALENCE_MARGINS } from '../seed-study/claims';
import type { CurveRow } from './tables';
import { sweepChart } from './charts';
import type { ChartSpec } from './charts';
import { formatInterval, formatNumber, formatP, formatPercent, formatPp } from './format';
import type { RunRow } from './tables';

/** The metric a sweep compares: final test accuracy, or the test MSE of the final quantized model (regression). */
export type SweepMetric = 'testAccuracy' | 'testLoss';

/** Mean of one method at one width, with its 95% t interval (null with fewer than 2 runs). */
export interface SweepCell {
  /** Mean over the paired seeds. */
  mean: number;
  /** 95% t interval of the mean, or null. */
  ci: Interval | null;
}

/** One bit width of the sweep. */
export interface BitRow {
  /** Bit width. */
  bits: number;
  /** Seeds run with both methods at this width (the pairs). */
  n: number;
  /** Standard quantization. */
  standard: SweepCell;
  /** Octization. */
  octization: SweepCell;
  /** Paired gap octization − standard, seed by seed (with the per-seed gaps). */
  gap: SweepCell & { values: number[] };
  /** Two-sided paired t-test p of the gap (null with fewer than 2 pairs). */
  p: number | null;
  /** Holm-adjusted p across the widths with a p-value (null without one). */
  pHolm: number | null;
  /** Two-sided sign-flip permutation p of the gap (null with fewer than 2 pairs). */
  pPermutation: number | null;
  /** Median of the per-seed gaps. */
  medianGap: number;
  /** What the gap shows by the one rule (octization is A), or null with fewer than 2 pairs. */
  code: DifferenceCode | null;
  /** Equivalence margin used: 1 pp of accuracy, or 5 % of standard's mean loss. */
  margin: number;
  /** Caveats: both networks dead (codes nearly all 0, every seed at chance). */
  caveats: Caveat[];
}

/** The sweep of one experiment. */
export interface BitSweep {
  /** Experiment. */
  experiment: string;
  /** Metric compared. */
  metric: SweepMetric;
  /** Protocol of the runs. */
  protocol: string;
  /** Epochs of the runs (the setting with the most widths). */
  epochs: number;
  /** Setting of the runs. */
  setting: string;
  /** One row per bit width, ascending. */
  rows: BitRow[];
}

/** Options of {@link bitSweep}. */
export interface BitSweepArgs {
  /** Metric. Default: `trainLossLast` for regression, else `testAccuracy`. */
  metric?: SweepMetric;
  /** Protocol of the runs compared. Default `projected-step` (the seed's, as far as its numbers tell). */
  protocol?: string;
  /** Per-epoch rows, for the zero-code share of the last epoch (dead-network caveat). */
  curves?: readonly CurveRow[];
  /** The verdict rule. Default {@link DEFAULT_RULE}. */
  rule?: VerdictRule;
}

/** The metric a sweep of `experiment` uses by default. */
export function sweepMetric(experiment: string): SweepMetric {
  return experiment === 'regression' ? 'testLoss' : 'testAccuracy';
}

function cell(x: readonly number[]): SweepCell & { values: number[] } {
  return { mean: mean(x), ci: x.length < 2 ? null : tInterval(x), values: [...x] };
}

/**
 * Standard vs Octization at each bit width of one experiment, on full-data runs of one
 * protocol. The compared (setting, epochs) is the one with the most widths that have
 * at least one pair (ties: more pairs). Returns null when fewer than two widths have pairs.
 */
export function bitSweep(rows: readonly RunRow[], experiment: string, args: BitSweepArgs = {}): BitSweep | null {
  const metric = args.metric ?? sweepMetric(experiment);
  const protocol = args.protocol ?? 'projected-step';
  const mine = rows.filter(
    (r) =>
      r.experiment === experiment &&
      r.protocol === protocol &&
      r.bits !== null &&
      r.limitTrain === null &&
      r.limitTest === null &&
      (r.method === 'standard' || r.method === 'octization') &&
      typeof r[metric] === 'number' &&
      Number.isFinite(r[metric]),
  );
  const groups = new Map<string, RunRow[]>();
  for (const r of mine) {
    const k = `${r.epochs}\u0000${r.setting}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  let best: BitSweep | null = null;
  let bestPairs = 0;
  for (const group of groups.values()) {
    const widths = [...new Set(group.map((r) => r.bits as number))].sort((a, b) => a - b);
    const bitRows = widths.map((bits) => bitRow(group.filter((r) => r.bits === bits), bits, metric, args.curves ?? [])).filter((r): r is BitRow => r !== null);
    if (bitRows.length < 2) continue;
    const pairs = bitRows.reduce((n, r) => n + r.n, 0);
    if (best === null || bitRows.length > best.rows.length || (bitRows.length === best.rows.length && pairs > bestPairs)) {
      best = { experiment, metric, protocol, epochs: group[0].epochs, setting: group[0].setting, rows: bitRows };
      bestPairs = pairs;
    }
  }
  if (best === null) return null;
  const tested = best.rows.filter((r) => r.p !== null);
  const adjusted = holmAdjust(tested.map((r) => r.p as number));
  const rule = args.rule ?? DEFAULT_RULE;
  tested.forEach((r, i) => {
    r.pHolm = adjusted[i];
    const ci = r.gap.ci as Interval;
    const t = oneSampleTTest(r.gap.values);
    r.code = judgeDifference({ estimate: r.gap.mean, ci, se: t.se, df: t.df, n: r.n, p: r.pHolm }, r.margin, rule).code;
  });
  return best;
}

function bitRow(rows: readonly RunRow[], bits: number, metric: SweepMetric, curves: readonly CurveRow[]): BitRow | null {
  const bySeed = (method: string): Map<number, number> => new Map(rows.filter((r) => r.method === method).map((r) => [r.seed, r[metric] as number]));
  const std = bySeed('standard');
  const oct = bySeed('octization');
  const seeds = [...std.keys()].filter((s) => oct.has(s)).sort((a, b) => a - b);
  if (seeds.length === 0) return null;
  const a = seeds.map((s) => oct.get(s) as number);
  const b = seeds.map((s) => std.get(s) as number);
  const gaps = a.map((x, i) => x - b[i]);
  const margin = metric === 'testAccuracy' ? EQUIVALENCE_MARGINS.accuracy : (Math.exp(EQUIVALENCE_MARGINS.logRatio) - 1) * mean(b);
  const caveats: Caveat[] = [];
  const chance = chanceLevel(rows[0].experiment);
  if (metric === 'testAccuracy' && chance !== null && [...a, ...b].every((x) => x <= chance + CHANCE_MARGIN)) {
    const keys = new Set(rows.filter((r) => seeds.includes(r.seed)).map((r) => r.key));
    const last = new Map<string, CurveRow>();
    for (const c of curves) if (keys.has(c.key) && (last.get(c.key)?.epoch ?? -1) < c.epoch) last.set(c.key, c);
    const zero = [...last.values()].map((c) => c.zeroCodeFraction).filter((z): z is number => z !== null);
    caveats.push({ code: 'dead-networks', values: { accuracy: mean([...a, ...b]), zeroShare: zero.length === 0 ? NaN : Math.min(...zero) } });
  }
  return {
    bits,
    n: seeds.length,
    standard: cell(b),
    octization: cell(a),
    gap: cell(gaps),
    p: seeds.length < 2 ? null : oneSampleTTest(gaps).pValue,
    pHolm: null,
    pPermutation: seeds.length < 2 ? null : signFlipTest(gaps, { seed: bits }).pValue,
    medianGap: median(gaps),
    code: null,
    margin,
    caveats,
  };
}

/** The code range of a unit-scale quantizer at `bits`: −(2^b − 1) … 2^b − 1, i.e. b + 1 signed bits. */
export function codeRange(bits: number): { max: number; signedBits: number } {
  return { max: 2 ** bits - 1, signedBits: bits + 1 };
}

/** A value of the sweep's metric: a percentage for accuracy, a number for losses. */
export function formatSweepValue(metric: SweepMetric, x: number | null | undefined): string {
  return metric === 'testAccuracy' ? formatPercent(x) : formatNumber(x, 4);
}

/** A gap of the sweep's metric: percentage points for accuracy, a signed number for losses. */
export function formatSweepGap(metric: SweepMetric, x: number | null | undefined): string {
  if (metric === 'testAccuracy') return formatPp(x);
  if (typeof x !== 'number' || !Number.isFinite(x)) return formatNumber(x);
  return `${x > 0 ? '+' : ''}${formatNumber(x, 4)}`;
}

/**
 * The sweep in a few sentences: the widths and n, the gap at each width with its
 * interval, and what the one rule says at each width (for losses "higher" is worse).
 */
export function bitSweepSummary(s: BitSweep): string {
  const g = (x: number | null | undefined): string => formatSweepGap(s.metric, x);
  const label = s.metric === 'testAccuracy' ? 'test accuracy' : 'test MSE of the quantized model';
  const ns = [...new Set(s.rows.map((r) => r.n))].sort((a, b) => a - b);
  const nText = ns.length === 1 ? `n = ${ns[0]} pairs per width` : `n = ${ns[0]}–${ns[ns.length - 1]} pairs per width`;
  const parts = [
    `Standard vs octization at ${s.rows.map((r) => r.bits).join(', ')} bits (${s.epochs} epochs, ${s.protocol}, ${label}; ${nText}; with the unit scale, "b bits" stores codes −(2^b − 1)…2^b − 1, i.e. b + 1 signed bits).`,
    `Octization − standard: ${s.rows.map((r) => `${r.bits} bits ${g(r.gap.mean)} ${formatInterval(r.gap.ci, g)}`).join('; ')}.`,
  ];
  const better = (r: BitRow): 'octization' | 'standard' | null => {
    if (r.code !== 'a-higher' && r.code !== 'b-higher') return null;
    const octHigher = r.code === 'a-higher';
    return (s.metric === 'testAccuracy') === octHigher ? 'octization' : 'standard';
  };
  const widths = (f: (r: BitRow) => boolean): number[] => s.rows.filter(f).map((r) => r.bits);
  const clauses: string[] = [];
  const oct = widths((r) => better(r) === 'octization');
  const std = widths((r) => better(r) === 'standard');
  const eq = widths((r) => r.code === 'equivalent' && !r.caveats.some((c) => c.code === 'dead-networks'));
  const dead = widths((r) => r.caveats.some((c) => c.code === 'dead-networks'));
  const open = widths((r) => (r.code === 'inconclusive' || r.code === 'too-few-runs' || r.code === null) && !r.caveats.some((c) => c.code === 'dead-networks'));
  if (oct.length > 0) clauses.push(`octization is better at ${oct.join(', ')} bits`);
  if (std.length > 0) clauses.push(`standard is better at ${std.join(', ')} bits`);
  if (eq.length > 0) clauses.push(`the two are equivalent (within the margin) at ${eq.join(', ')} bits`);
  if (dead.length > 0) clauses.push(`at ${dead.join(', ')} bits both networks are dead (every seed at chance), so there is nothing to compare`);
  if (open.length > 0) clauses.push(`nothing is shown at ${open.join(', ')} bits`);
  parts.push(`By the one rule (paired t with Holm across the widths, TOST equivalence, n ≥ ${DEFAULT_RULE.minN}): ${clauses.join('; ')}.`);
  return parts.join(' ');
}

/** Cells of the sweep table for one row (text only; the page escapes them). */
export function bitSweepCells(s: BitSweep, r: BitRow): string[] {
  const v = (x: number | null | undefined): string => formatSweepValue(s.metric, x);
  const g = (x: number | null | undefined): string => formatSweepGap(s.metric, x);
  return [
    `${r.bits} (codes ±${codeRange(r.bits).max})`,
    String(r.n),
    `${v(r.standard.mean)} ${formatInterval(r.standard.ci, v)}`,
    `${v(r.octization.mean)} ${formatInterval(r.octization.ci, v)}`,
    `${g(r.gap.mean)} ${formatInterval(r.gap.ci, g)}`,
    r.p === null ? '–' : formatP(r.p),
    r.pPermutation === null ? '–' : formatP(r.pPermutation),
    r.pHolm === null ? '–' : formatP(r.pHolm),
    r.code === null ? '–' : r.caveats.some((c) => c.code === 'dead-networks') ? 'both dead' : r.code === 'a-higher' ? 'octization higher' : r.code === 'b-higher' ? 'standard higher' : r.code,
  ];
}

/** The sweep as a chart: each method's mean with its 95% t interval against the bit width (losses on a log axis). */
export function bitSweepChart(s: BitSweep, id = 'bits-sweep'): ChartSpec {
  const accuracy = s.metric === 'testAccuracy';
  return sweepChart(
    id,
    `${s.experiment}: ${accuracy ? 'test accuracy' : 'test MSE of the quantized model'} by bit width (mean, 95% t interval)`,
    (['standard', 'octization'] as const).map((method) => ({ method, points: s.rows.map((r) => ({ x: r.bits, mean: r[method].mean, ci: r[method].ci, n: r.n })) })),
    'bits',
    accuracy ? 'test accuracy (%)' : 'test MSE (log scale)',
    accuracy ? 100 : 1,
    !accuracy,
  );
}

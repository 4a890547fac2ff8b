/**
 * Bit-width sweep: standard quantization against Octization at every bit width run,
 * paired by seed. Says at which widths the two differ and by how much, with 95% t
 * intervals and Holm-adjusted paired t-tests across the widths. Pure functions of run rows.
 */
import { holmAdjust, mean, pairedTTest, tInterval } from '../statistics';
import type { Interval } from '../statistics';
import { sweepChart } from './charts';
import type { ChartSpec } from './charts';
import { formatInterval, formatNumber, formatP, formatPercent, formatPp } from './format';
import type { RunRow } from './tables';

/** The metric a sweep compares: final test accuracy, or the last epoch's training loss (regression). */
export type SweepMetric = 'testAccuracy' | 'trainLossLast';

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
  /** Paired gap octization − standard, seed by seed. */
  gap: SweepCell;
  /** Two-sided paired t-test p of the gap (null with fewer than 2 pairs). */
  p: number | null;
  /** Holm-adjusted p across the widths with a p-value (null without one). */
  pHolm: number | null;
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
}

/** The metric a sweep of `experiment` uses by default. */
export function sweepMetric(experiment: string): SweepMetric {
  return experiment === 'regression' ? 'trainLossLast' : 'testAccuracy';
}

function cell(x: readonly number[]): SweepCell {
  return { mean: mean(x), ci: x.length < 2 ? null : tInterval(x) };
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
    const bitRows = widths.map((bits) => bitRow(group.filter((r) => r.bits === bits), bits, metric)).filter((r): r is BitRow => r !== null);
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
  tested.forEach((r, i) => {
    r.pHolm = adjusted[i];
  });
  return best;
}

function bitRow(rows: readonly RunRow[], bits: number, metric: SweepMetric): BitRow | null {
  const bySeed = (method: string): Map<number, number> => new Map(rows.filter((r) => r.method === method).map((r) => [r.seed, r[metric] as number]));
  const std = bySeed('standard');
  const oct = bySeed('octization');
  const seeds = [...std.keys()].filter((s) => oct.has(s)).sort((a, b) => a - b);
  if (seeds.length === 0) return null;
  const a = seeds.map((s) => oct.get(s) as number);
  const b = seeds.map((s) => std.get(s) as number);
  const gaps = a.map((x, i) => x - b[i]);
  return {
    bits,
    n: seeds.length,
    standard: cell(b),
    octization: cell(a),
    gap: cell(gaps),
    p: seeds.length < 2 ? null : pairedTTest(a, b).pValue,
    pHolm: null,
  };
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

/** Whether a row's gap is significant at `alpha` after Holm, and its sign. */
function direction(r: BitRow, alpha: number): 'octization' | 'standard' | null {
  if (r.pHolm === null || !(r.pHolm < alpha) || r.gap.mean === 0) return null;
  return r.gap.mean > 0 ? 'octization' : 'standard';
}

/**
 * The sweep in a few sentences: the widths and n, the gap at each width with its
 * interval, and at which widths each method is ahead after Holm's correction.
 * For losses "ahead" means lower.
 */
export function bitSweepSummary(s: BitSweep, alpha = 0.05): string {
  const g = (x: number | null | undefined): string => formatSweepGap(s.metric, x);
  const label = s.metric === 'testAccuracy' ? 'test accuracy' : 'final-epoch training loss';
  const ns = [...new Set(s.rows.map((r) => r.n))].sort((a, b) => a - b);
  const nText = ns.length === 1 ? `n = ${ns[0]} pairs per width` : `n = ${ns[0]}–${ns[ns.length - 1]} pairs per width`;
  const parts = [
    `Standard vs octization at ${s.rows.map((r) => r.bits).join(', ')} bits (${s.epochs} epochs, ${s.protocol}, ${label}; ${nText}).`,
    `Octization − standard: ${s.rows.map((r) => `${r.bits} bits ${g(r.gap.mean)} ${formatInterval(r.gap.ci, g)}`).join('; ')}.`,
  ];
  const better = s.metric === 'testAccuracy' ? (d: 'octization' | 'standard' | null) => d : (d: 'octization' | 'standard' | null) => (d === null ? null : d === 'octization' ? 'standard' : 'octization');
  const ahead = (m: 'octization' | 'standard'): number[] => s.rows.filter((r) => better(direction(r, alpha)) === m).map((r) => r.bits);
  const oct = ahead('octization');
  const std = ahead('standard');
  const untested = s.rows.filter((r) => r.pHolm === null).map((r) => r.bits);
  const clauses: string[] = [];
  if (oct.length > 0) clauses.push(`octization is ahead at ${oct.join(', ')} bits`);
  if (std.length > 0) clauses.push(`standard is ahead at ${std.join(', ')} bits`);
  const neither = s.rows.filter((r) => r.pHolm !== null && direction(r, alpha) === null).map((r) => r.bits);
  if (neither.length > 0) clauses.push(`no difference is shown at ${neither.join(', ')} bits`);
  if (untested.length > 0) clauses.push(`${untested.join(', ')} bits have fewer than 2 pairs (no test)`);
  parts.push(`After Holm's correction across the widths (paired t, α = ${alpha}): ${clauses.join('; ')}.`);
  return parts.join(' ');
}

/** Cells of the sweep table for one row (text only; the page escapes them). */
export function bitSweepCells(s: BitSweep, r: BitRow): string[] {
  const v = (x: number | null | undefined): string => formatSweepValue(s.metric, x);
  const g = (x: number | null | undefined): string => formatSweepGap(s.metric, x);
  return [
    String(r.bits),
    String(r.n),
    `${v(r.standard.mean)} ${formatInterval(r.standard.ci, v)}`,
    `${v(r.octization.mean)} ${formatInterval(r.octization.ci, v)}`,
    `${g(r.gap.mean)} ${formatInterval(r.gap.ci, g)}`,
    r.p === null ? '–' : formatP(r.p),
    r.pHolm === null ? '–' : formatP(r.pHolm),
  ];
}

/** The sweep as a chart: each method's mean with its 95% t interval against the bit width (losses on a log axis). */
export function bitSweepChart(s: BitSweep, id = 'bits-sweep'): ChartSpec {
  const accuracy = s.metric === 'testAccuracy';
  return sweepChart(
    id,
    `${s.experiment}: ${accuracy ? 'test accuracy' : 'final-epoch training loss'} by bit width (mean, 95% t interval)`,
    (['standard', 'octization'] as const).map((method) => ({ method, points: s.rows.map((r) => ({ x: r.bits, mean: r[method].mean, ci: r[method].ci, n: r.n })) })),
    'bits',
    accuracy ? 'test accuracy (%)' : 'training loss (log scale)',
    accuracy ? 100 : 1,
    !accuracy,
  );
}

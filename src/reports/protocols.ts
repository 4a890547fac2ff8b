/**
 * Protocol sensitivity: the seed study never says how it trained with quantized weights,
 * so standard and octization are run under several protocols. This module says, per
 * protocol, where each method lands, how large the octization − standard gap is, and
 * whether the seed's single-run figures are what one run under that protocol would give
 * (inside the range of the runs measured: an order-statistics interval for one new run,
 * which respects the bounds and the bimodality of the data). Pure functions of run rows.
 */
import { mean, median, sd, tQuantile } from '../statistics';
import type { Interval } from '../statistics';
import { pairOnCommonSeeds } from './analysis';
import { SEED_FIGURES } from '../seed-study/figures';
import { formatFixed, formatInterval, formatNumber, formatPercent, formatPp } from './format';
import type { RunRow } from './tables';

/** The seed's figures that a protocol is compared with, for one experiment. */
export interface ProtocolTarget {
  /** Experiment. */
  experiment: string;
  /** Metric compared with the seed's figures: final test accuracy, or the test MSE of the final quantized model (regression; the seed prints its training loss). */
  metric: 'testAccuracy' | 'testLoss';
  /** Epochs behind the seed's figures. */
  seedEpochs: number;
  /** The seed's figure per method, in the metric's units (accuracy as a fraction). */
  seed: { standard: number; octization: number };
}

/** The targets of the three experiments, from {@link SEED_FIGURES} (CIFAR-10: the 5-epoch figures). */
export const PROTOCOL_TARGETS: Readonly<Record<string, ProtocolTarget>> = Object.freeze({
  regression: {
    experiment: 'regression',
    metric: 'testLoss',
    seedEpochs: SEED_FIGURES.regression.epochs,
    seed: { standard: SEED_FIGURES.regression.standard.lossLast, octization: SEED_FIGURES.regression.octization.lossLast },
  },
  mnist: {
    experiment: 'mnist',
    metric: 'testAccuracy',
    seedEpochs: SEED_FIGURES.mnist.epochs,
    seed: { standard: SEED_FIGURES.mnist.standard.accuracy / 100, octization: SEED_FIGURES.mnist.octization.accuracy / 100 },
  },
  cifar10: {
    experiment: 'cifar10',
    metric: 'testAccuracy',
    seedEpochs: 5,
    seed: { standard: SEED_FIGURES.cifar10.e5.standard.accuracy / 100, octization: SEED_FIGURES.cifar10.e5.octization.accuracy / 100 },
  },
});

/** Mean, spread and the range of one sample, with the seed's figure checked against the range. */
export interface SampleStats {
  /** Values behind the statistics. */
  n: number;
  /** Mean. */
  mean: number;
  /** Sample standard deviation (null with n < 2). */
  sd: number | null;
  /** 95% t interval of the mean (null with n < 2). */
  ci: Interval | null;
  /** Median. */
  median: number;
  /**
   * The range [min, max] of the n values: an interval for one new run by order statistics,
   * which holds it with probability (n − 1)/(n + 1) whatever the distribution (null with n < 2).
   */
  range: Interval | null;
  /** Coverage of {@link range} for one new run: (n − 1)/(n + 1). */
  coverage: number | null;
  /** The seed's figure. */
  seed: number;
  /** Whether the seed's figure lies inside the range (null without one). */
  seedInside: boolean | null;
}

/** One protocol's standing against the seed. */
export interface ProtocolRow {
  /** Protocol. */
  protocol: string;
  /** Seeds run with both methods (the pairs). */
  n: number;
  /** Standard quantization. */
  standard: SampleStats;
  /** Octization. */
  octization: SampleStats;
  /** Paired gap octization − standard, seed by seed. */
  gap: SampleStats;
  /**
   * Distance of the two means from the seed's figures: the sum of absolute differences
   * (accuracy, in fraction units) or of absolute log-ratios (losses).
   */
  distance: number;
  /** All three seed figures (both methods and the gap) inside the ranges of the runs (null if any cannot be checked). */
  consistent: boolean | null;
}

/** The protocol comparison of one experiment. */
export interface ProtocolSensitivity {
  /** The target compared with. */
  target: ProtocolTarget;
  /** Epochs of the runs compared (the setting with the most protocols). */
  epochs: number;
  /** Setting of the runs compared. */
  setting: string;
  /** Bit width compared. */
  bits: number;
  /** One row per protocol, in a fixed order. */
  rows: ProtocolRow[];
  /** Protocols under which the seed's figures are consistent with a single run. */
  consistent: string[];
  /** The protocol whose means are closest to the seed's figures. */
  closest: string;
}

const PROTOCOL_ORDER = ['projected-step', 'projected-epoch', 'ptq', 'qat'];

/** Mean, sd, 95% CI of the mean, median and the range of `x` (an order-statistics interval for one new run), with `seed` checked against the range. */
export function sampleStats(x: readonly number[], seed: number): SampleStats {
  if (x.length === 0) throw new Error('sampleStats: no values');
  const m = mean(x);
  const med = median(x);
  if (x.length < 2) return { n: x.length, mean: m, sd: null, ci: null, median: med, range: null, coverage: null, seed, seedInside: null };
  const s = sd(x);
  const t = tQuantile(0.975, x.length - 1);
  const ci = { lower: m - (t * s) / Math.sqrt(x.length), upper: m + (t * s) / Math.sqrt(x.length) };
  const range = { lower: Math.min(...x), upper: Math.max(...x) };
  return { n: x.length, mean: m, sd: s, ci, median: med, range, coverage: (x.length - 1) / (x.length + 1), seed, seedInside: seed >= range.lower && seed <= range.upper };
}

/**
 * Compares the protocols of one experiment with the seed's figures, on full-data runs
 * at `bits` bits. The compared setting is the (setting, epochs) under which the most
 * protocols have both methods (ties: the seed's epochs, then more pairs). Returns null
 * when fewer than two protocols have both methods anywhere.
 */
export function protocolSensitivity(rows: readonly RunRow[], target: ProtocolTarget, bits = 8): ProtocolSensitivity | null {
  const mine = rows.filter(
    (r) =>
      r.experiment === target.experiment &&
      r.bits === bits &&
      r.limitTrain === null &&
      r.limitTest === null &&
      (r.method === 'standard' || r.method === 'octization') &&
      typeof r[target.metric] === 'number',
  );
  const groups = new Map<string, RunRow[]>();
  for (const r of mine) {
    const k = `${r.epochs}\u0000${r.setting}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  let best: { epochs: number; setting: string; rows: ProtocolRow[]; pairs: number } | null = null;
  for (const group of groups.values()) {
    const protocols = [...new Set(group.map((r) => r.protocol))].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : 1));
    const protocolRows: ProtocolRow[] = [];
    for (const protocol of protocols) {
      const row = protocolRow(group.filter((r) => r.protocol === protocol), protocol, target);
      if (row !== null) protocolRows.push(row);
    }
    if (protocolRows.length < 2) continue;
    const cand = { epochs: group[0].epochs, setting: group[0].setting, rows: protocolRows, pairs: protocolRows.reduce((n, r) => n + r.n, 0) };
    if (best === null || better(cand, best, target.seedEpochs)) best = cand;
  }
  if (best === null) return null;
  const closest = [...best.rows].sort((a, b) => a.distance - b.distance)[0].protocol;
  return {
    target,
    epochs: best.epochs,
    setting: best.setting,
    bits,
    rows: best.rows,
    consistent: best.rows.filter((r) => r.consistent === true).map((r) => r.protocol),
    closest,
  };
}

function rank(protocol: string): number {
  const i = PROTOCOL_ORDER.indexOf(protocol);
  return i === -1 ? PROTOCOL_ORDER.length : i;
}

function better(a: { epochs: number; rows: unknown[]; pairs: number }, b: { epochs: number; rows: unknown[]; pairs: number }, seedEpochs: number): boolean {
  if (a.rows.length !== b.rows.length) return a.rows.length > b.rows.length;
  const aSeed = a.epochs === seedEpochs;
  const bSeed = b.epochs === seedEpochs;
  if (aSeed !== bSeed) return aSeed;
  return a.pairs > b.pairs;
}

function protocolRow(rows: readonly RunRow[], protocol: string, target: ProtocolTarget): ProtocolRow | null {
  const values = (method: string): { seed: number; value: number }[] =>
    rows.filter((r) => r.method === method).map((r) => ({ seed: r.seed, value: r[target.metric] as number }));
  const paired = pairOnCommonSeeds(values('standard'), values('octization'));
  const std = [...paired.a].sort((p, q) => p.seed - q.seed);
  const oct = [...paired.b].sort((p, q) => p.seed - q.seed);
  if (std.length === 0 || std.length !== oct.length || std.some((s, i) => s.seed !== oct[i].seed)) return null;
  const standard = sampleStats(std.map((v) => v.value), target.seed.standard);
  const octization = sampleStats(oct.map((v) => v.value), target.seed.octization);
  const gap = sampleStats(oct.map((v, i) => v.value - std[i].value), target.seed.octization - target.seed.standard);
  const dist = (m: number, s: number): number => (target.metric === 'testAccuracy' ? Math.abs(m - s) : Math.abs(Math.log(m / s)));
  const checks = [standard.seedInside, octization.seedInside, gap.seedInside];
  return {
    protocol,
    n: std.length,
    standard,
    octization,
    gap,
    distance: dist(standard.mean, standard.seed) + dist(octization.mean, octization.seed),
    consistent: checks.some((c) => c === null) ? null : checks.every((c) => c === true),
  };
}

/** Formats a value of the target's metric: a percentage for accuracy, a number for losses. */
export function formatTargetValue(target: ProtocolTarget, x: number | null | undefined): string {
  return target.metric === 'testAccuracy' ? formatPercent(x) : formatNumber(x, 4);
}

/** Formats a gap of the target's metric: percentage points for accuracy, a signed number for losses. */
export function formatTargetGap(target: ProtocolTarget, x: number | null | undefined): string {
  if (target.metric === 'testAccuracy') return formatPp(x);
  if (typeof x !== 'number' || !Number.isFinite(x)) return formatNumber(x);
  return `${x > 0 ? '+' : ''}${formatNumber(x, 4)}`;
}

/** The comparison in a few sentences: which protocol (if any) reproduces the seed, which is closest, how the gap moves. */
export function protocolSummary(s: ProtocolSensitivity): string {
  const t = s.target;
  const v = (x: number): string => formatTargetValue(t, x);
  const g = (x: number): string => formatTargetGap(t, x);
  const label = t.metric === 'testAccuracy' ? 'test accuracy' : "test MSE of the quantized model (the seed's figures are final-epoch training losses)";
  const epochsNote = s.epochs === t.seedEpochs ? `${s.epochs} epochs, as the seed` : `${s.epochs} epochs (the seed's figures are for ${t.seedEpochs})`;
  const parts: string[] = [];
  parts.push(`Protocols compared at ${epochsNote}, ${s.bits} bits, on ${label}; the seed reports ${v(t.seed.standard)} (standard) and ${v(t.seed.octization)} (octization).`);
  if (s.consistent.length > 0) {
    parts.push(`The seed's figures are what a single run gives (inside the range of the measured runs, for both methods and for the gap) under ${s.consistent.join(', ')}.`);
  } else {
    const unknown = s.rows.some((r) => r.consistent === null);
    parts.push(
      `No protocol reproduces the seed's figures: under each one, at least one of them (standard, octization or their gap) falls outside the range of the measured runs${unknown ? ', or too few seeds ran to tell' : ''}.`,
    );
  }
  const ranked = [...s.rows].sort((a, b) => a.distance - b.distance);
  const unit = t.metric === 'testAccuracy' ? (d: number): string => `${formatFixed(d * 100, 2)} pp` : (d: number): string => formatNumber(d, 3);
  const c = ranked[0];
  parts.push(
    `Closest: ${c.protocol} (standard ${v(c.standard.mean)}, octization ${v(c.octization.mean)}, n = ${c.n}); distance to the seed by protocol${t.metric === 'testAccuracy' ? '' : ' (sum of |log(mean / seed)|)'}: ${ranked.map((r) => `${r.protocol} ${unit(r.distance)}`).join(', ')}.`,
  );
  const byGap = [...s.rows].sort((a, b) => a.gap.mean - b.gap.mean);
  const lo = byGap[0];
  const hi = byGap[byGap.length - 1];
  parts.push(
    `The octization − standard gap ranges from ${g(lo.gap.mean)} (${lo.protocol}) to ${g(hi.gap.mean)} (${hi.protocol}); the seed's gap is ${g(t.seed.octization - t.seed.standard)}.`,
  );
  return parts.join(' ');
}

/** Cells of the protocol table for one row (text only; the page escapes them). */
export function protocolCells(s: ProtocolSensitivity, r: ProtocolRow): string[] {
  const t = s.target;
  const v = (x: number): string => formatTargetValue(t, x);
  const g = (x: number): string => formatTargetGap(t, x);
  const inside = (x: boolean | null): string => (x === null ? 'n < 2' : x ? 'yes' : 'no');
  return [
    r.protocol,
    String(r.n),
    `${v(r.standard.mean)} ${formatInterval(r.standard.range, v)}`,
    inside(r.standard.seedInside),
    `${v(r.octization.mean)} ${formatInterval(r.octization.range, v)}`,
    inside(r.octization.seedInside),
    `${g(r.gap.mean)} ${formatInterval(r.gap.ci, g)}`,
    `${formatInterval(r.gap.range, g)}`,
    inside(r.gap.seedInside),
    t.metric === 'testAccuracy' ? `${formatFixed(r.distance * 100, 2)} pp` : formatNumber(r.distance, 3),
  ];
}

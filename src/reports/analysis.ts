/**
 * What one experiment's report shows, computed from run rows: panels of
 * comparable runs (same setting, epochs, protocol and bit width, plus the float
 * baseline of that setting), per-method summaries, per-epoch bands and the
 * paired comparisons with Holm-adjusted p-values across the report.
 * All statistics come from `src/statistics`.
 */
import { stableStringify } from '../experiments/config';
import { compareMethods, holmAdjust, median, summarize, tInterval } from '../statistics';
import { chanceLevel, CHANCE_MARGIN, lossRose } from '../analysis/caveats';
import type { Comparison, Direction, Interval, MethodSummary } from '../statistics';
import type { CurveRow, RunRow } from './tables';

/** Numeric run-level metrics a report summarises and compares. */
export type RunMetric =
  | 'testAccuracy'
  | 'testLoss'
  | 'trainLossFirst'
  | 'trainLossLast'
  | 'trainLossMean'
  | 'trainSeconds'
  | 'trainSamplesPerSecond'
  | 'inferenceSeconds'
  | 'inferenceSamplesPerSecond'
  | 'totalSeconds';

/** How a metric is named, which way it improves and how it is displayed. */
export interface MetricInfo {
  /** Row field. */
  name: RunMetric;
  /** Label for tables and charts. */
  label: string;
  /** Short label for narrow table cells. */
  short: string;
  /** Which way is better. */
  direction: Direction;
  /** `fraction`: shown in % (differences in pp); `plain`: shown as is; `seconds`; `rate` (per second). */
  unit: 'fraction' | 'plain' | 'seconds' | 'rate';
}

/** Every {@link RunMetric} described. */
export const METRICS: Readonly<Record<RunMetric, MetricInfo>> = {
  testAccuracy: { name: 'testAccuracy', label: 'test accuracy', short: 'test accuracy', direction: 'higher-is-better', unit: 'fraction' },
  testLoss: { name: 'testLoss', label: 'test loss', short: 'test loss', direction: 'lower-is-better', unit: 'plain' },
  trainLossFirst: { name: 'trainLossFirst', label: 'training loss, epoch 1', short: 'train loss ep. 1', direction: 'lower-is-better', unit: 'plain' },
  trainLossLast: { name: 'trainLossLast', label: 'training loss, last epoch', short: 'train loss last ep.', direction: 'lower-is-better', unit: 'plain' },
  trainLossMean: { name: 'trainLossMean', label: 'mean training loss over epochs (area under the curve / epochs)', short: 'train loss mean', direction: 'lower-is-better', unit: 'plain' },
  trainSeconds: { name: 'trainSeconds', label: 'training time', short: 'training time', direction: 'lower-is-better', unit: 'seconds' },
  trainSamplesPerSecond: { name: 'trainSamplesPerSecond', label: 'training throughput', short: 'training throughput', direction: 'higher-is-better', unit: 'rate' },
  inferenceSeconds: { name: 'inferenceSeconds', label: 'inference time (median pass over the test split)', short: 'inference time', direction: 'lower-is-better', unit: 'seconds' },
  inferenceSamplesPerSecond: { name: 'inferenceSamplesPerSecond', label: 'inference throughput', short: 'inference throughput', direction: 'higher-is-better', unit: 'rate' },
  totalSeconds: { name: 'totalSeconds', label: 'whole run time', short: 'whole run time', direction: 'lower-is-better', unit: 'seconds' },
};

/** Per-epoch series of a curve. */
export type CurveMetric = 'testAccuracy' | 'testLoss' | 'trainLoss' | 'stepChangeFraction' | 'epochChangeFraction' | 'zeroCodeFraction' | 'meanAbsWeight';

/** One epoch of a band: mean across seeds and its 95% t interval (null with fewer than 2 seeds). */
export interface BandPoint {
  /** 1-based epoch. */
  epoch: number;
  /** Seeds with a value at this epoch. */
  n: number;
  /** Mean across seeds. */
  mean: number;
  /** t interval of the mean, or null when n < 2. */
  ci: Interval | null;
}

/** One method's runs within a panel, summarised. */
export interface Arm {
  /** Method name. */
  method: string;
  /** Protocol of these runs. */
  protocol: string;
  /** Bit width or null (float). */
  bits: number | null;
  /** The recorded scheme (null for float). */
  scheme: Record<string, unknown> | null;
  /** The runs, sorted by seed. */
  runs: RunRow[];
  /** Seeds, ascending. */
  seeds: number[];
  /** Distinct parameter counts among the runs. */
  params: number[];
  /** Summary of each metric that every run has (null when some run lacks it, e.g. accuracy of a regression). */
  summaries: Partial<Record<RunMetric, MethodSummary>>;
  /** Mean of each storage field across runs. */
  storage: Record<string, number>;
  /** Per-epoch bands of each curve metric present in every run. */
  bands: Partial<Record<CurveMetric, BandPoint[]>>;
  /** Runs whose training loss at the last epoch is above the first epoch's (the run diverged). */
  diverged: number;
  /** Runs whose final accuracy is within 5 pp of chance, or null (regression). */
  atChance: number | null;
}

/** Why two arms are compared. */
export type ComparisonKind = 'primary' | 'vs-float' | 'ablation';

/** One comparison A vs B on one metric inside a panel. */
export interface PairComparison {
  /** Why it is made. */
  kind: ComparisonKind;
  /** Method A (differences are A − B). */
  a: string;
  /** Method B. */
  b: string;
  /** Metric compared. */
  metric: RunMetric;
  /** The statistics, or null when an arm has fewer than 2 runs. */
  result: Comparison | null;
  /** Why `result` is null, else null. */
  note: string | null;
  /** Whether this comparison belongs to the report's Holm family (the primary metric). */
  inFamily: boolean;
  /** Holm-adjusted paired-t (or Welch) p-value across the family, or null. */
  pHolm: number | null;
  /** Median of the per-seed differences (paired), or null. */
  medianDiff: number | null;
  /**
   * For ablations: how many seed pairs are bit-identical runs (every recorded loss,
   * accuracy and code statistic equal, epoch by epoch). When all are, the comparison is a
   * checked identity, not a test: it is left out of the Holm family.
   */
  identity: { pairs: number; identical: number } | null;
}

/** Runs that can be compared: one setting, epochs, protocol and bit width, plus that setting's float runs. */
export interface Panel {
  /** Experiment. */
  experiment: string;
  /** Setting (see `settingOf`). */
  setting: string;
  /** Epochs. */
  epochs: number;
  /** Protocol of the quantized arms (`float` when only float runs exist). */
  protocol: string;
  /** Bit width of the quantized arms, or null. */
  bits: number | null;
  /** Arms in display order: float, standard, octization, then the others by name. */
  arms: Arm[];
  /** Comparisons made in this panel. */
  comparisons: PairComparison[];
}

/** The computed content of one experiment's report. */
export interface ExperimentAnalysis {
  /** Experiment name. */
  experiment: string;
  /** Metric of the main comparisons: accuracy for classification, test loss (MSE) for regression. */
  primaryMetric: RunMetric;
  /** Panels ordered by setting, epochs, protocol, bits. */
  panels: Panel[];
  /** The experiment's run rows. */
  runs: RunRow[];
  /** The experiment's per-epoch rows. */
  curves: CurveRow[];
  /** Number of comparisons in the Holm family. */
  familySize: number;
}

/** Options of {@link analyzeExperiment}. */
export interface AnalyzeArgs {
  /** Bootstrap resamples of the BCa intervals. Default 10,000. */
  resamples?: number;
  /** Seed of the bootstrap and permutation streams. Default 0. */
  seed?: number;
  /** Metrics compared outside the Holm family, for the primary pair only. Default test loss (classification), training-loss mean and epoch-1 loss, inference time. */
  secondaryMetrics?: RunMetric[];
}

/** Preferred display order of methods. */
const METHOD_ORDER = ['float', 'standard', 'octization'];

/** Sort key of a method name: float, standard, octization, then alphabetical. */
export function methodRank(method: string): [number, string] {
  const i = METHOD_ORDER.indexOf(method);
  return [i === -1 ? METHOD_ORDER.length : i, method];
}

function compareMethodNames(a: string, b: string): number {
  const [ra, na] = methodRank(a);
  const [rb, nb] = methodRank(b);
  return ra - rb || (na < nb ? -1 : na > nb ? 1 : 0);
}

function metricValues(runs: readonly RunRow[], metric: RunMetric): number[] | null {
  const out: number[] = [];
  for (const r of runs) {
    const v = r[metric];
    if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    out.push(v);
  }
  return out;
}

/**
 * Per-epoch mean and t interval of one curve metric across the given curve rows (one run per
 * seed). Epochs where the metric is not defined (e.g. training loss at epoch 0) are left out;
 * null when it is defined at no epoch.
 */
export function bandOf(rows: readonly CurveRow[], metric: CurveMetric): BandPoint[] | null {
  const byEpoch = new Map<number, number[]>();
  for (const r of rows) {
    const v = r[metric];
    if (v === null) continue;
    const list = byEpoch.get(r.epoch) ?? [];
    list.push(v);
    byEpoch.set(r.epoch, list);
  }
  if (byEpoch.size === 0) return null;
  return [...byEpoch.entries()]
    .sort((p, q) => p[0] - q[0])
    .map(([epoch, values]) => ({
      epoch,
      n: values.length,
      mean: values.reduce((s, v) => s + v, 0) / values.length,
      ci: values.length >= 2 ? tInterval(values) : null,
    }));
}

function makeArm(runs: RunRow[], curves: readonly CurveRow[], args: Required<Pick<AnalyzeArgs, 'resamples' | 'seed'>>): Arm {
  const sorted = [...runs].sort((p, q) => p.seed - q.seed);
  const seen = new Set<number>();
  for (const r of sorted) {
    if (seen.has(r.seed)) {
      throw new Error(`runs of ${r.experiment} ${r.method} (${r.protocol}, ${r.epochs} epochs) have seed ${r.seed} more than once with different configs; the setting '${r.setting}' does not tell them apart`);
    }
    seen.add(r.seed);
  }
  const keys = new Set(sorted.map((r) => r.key));
  const armCurves = curves.filter((c) => keys.has(c.key));
  const summaries: Partial<Record<RunMetric, MethodSummary>> = {};
  for (const m of Object.keys(METRICS) as RunMetric[]) {
    const v = metricValues(sorted, m);
    if (v !== null) summaries[m] = summarize(v, { resamples: args.resamples, seed: args.seed });
  }
  const storageKeys = [...new Set(sorted.flatMap((r) => Object.keys(r.storage)))].sort();
  const storage: Record<string, number> = {};
  for (const k of storageKeys) {
    const vals = sorted.map((r) => r.storage[k]).filter((v): v is number => typeof v === 'number');
    if (vals.length > 0) storage[k] = vals.reduce((s, v) => s + v, 0) / vals.length;
  }
  const bands: Partial<Record<CurveMetric, BandPoint[]>> = {};
  for (const m of ['testAccuracy', 'testLoss', 'trainLoss', 'stepChangeFraction', 'epochChangeFraction', 'zeroCodeFraction', 'meanAbsWeight'] as CurveMetric[]) {
    const b = bandOf(armCurves, m);
    if (b !== null) bands[m] = b;
  }
  const first = sorted[0];
  const chance = chanceLevel(first.experiment);
  return {
    diverged: sorted.filter((r) => lossRose(r.trainLossFirst, r.trainLossLast)).length,
    atChance: chance === null || sorted.some((r) => r.testAccuracy === null) ? null : sorted.filter((r) => (r.testAccuracy as number) <= chance + CHANCE_MARGIN).length,
    method: first.method,
    protocol: first.protocol,
    bits: first.bits,
    scheme: first.scheme,
    runs: sorted,
    seeds: sorted.map((r) => r.seed),
    params: [...new Set(sorted.map((r) => r.params))].sort((p, q) => p - q),
    summaries,
    storage,
    bands,
  };
}

/** The fields in which two schemes differ (keys of either object). */
export function schemeDifferences(a: Record<string, unknown> | null, b: Record<string, unknown> | null): string[] {
  if (a === null || b === null) return a === b ? [] : ['scheme'];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.filter((k) => stableStringify(a[k]) !== stableStringify(b[k]));
}

/**
 * The comparisons made within one panel, as (kind, A, B):
 * octization vs standard (primary); every quantized method vs float; and every
 * other pair of quantized methods whose schemes differ in exactly one field
 * (ablations: e.g. rounding only, or encoding only). In an ablation the base
 * preset (standard or octization) is B.
 */
export function plannedPairs(arms: readonly Pick<Arm, 'method' | 'scheme'>[]): { kind: ComparisonKind; a: string; b: string }[] {
  const by = new Map(arms.map((a) => [a.method, a]));
  const out: { kind: ComparisonKind; a: string; b: string }[] = [];
  if (by.has('octization') && by.has('standard')) out.push({ kind: 'primary', a: 'octization', b: 'standard' });
  if (by.has('float')) {
    for (const a of arms) if (a.method !== 'float') out.push({ kind: 'vs-float', a: a.method, b: 'float' });
  }
  const quantized = arms.filter((a) => a.method !== 'float');
  const base = (m: string): boolean => m === 'standard' || m === 'octization';
  for (let i = 0; i < quantized.length; i++) {
    for (let j = i + 1; j < quantized.length; j++) {
      const p = quantized[i];
      const q = quantized[j];
      if ((p.method === 'octization' && q.method === 'standard') || (p.method === 'standard' && q.method === 'octization')) continue;
      if (schemeDifferences(p.scheme, q.scheme).length !== 1) continue;
      const [a, b] = base(p.method) && !base(q.method) ? [q, p] : !base(p.method) && base(q.method) ? [p, q] : p.method < q.method ? [p, q] : [q, p];
      out.push({ kind: 'ablation', a: a.method, b: b.method });
    }
  }
  return out;
}

/** Fields of a curve row that two bit-identical runs share exactly. */
const IDENTITY_FIELDS = ['trainLoss', 'testLoss', 'testAccuracy', 'stepChangeFraction', 'epochChangeFraction', 'zeroCodeFraction', 'meanAbsWeight'] as const;

/** How many seed pairs of two arms are bit-identical runs: the same final metrics and the same per-epoch records. */
export function identicalPairs(a: Pick<Arm, 'runs'>, b: Pick<Arm, 'runs'>, curves: readonly CurveRow[]): { pairs: number; identical: number } {
  const byKey = new Map<string, CurveRow[]>();
  for (const c of curves) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  const bBySeed = new Map(b.runs.map((r) => [r.seed, r]));
  let pairs = 0;
  let identical = 0;
  for (const ra of a.runs) {
    const rb = bBySeed.get(ra.seed);
    if (rb === undefined) continue;
    pairs++;
    const same = ra.testLoss === rb.testLoss && ra.testAccuracy === rb.testAccuracy && ra.trainLossLast === rb.trainLossLast;
    const ca = (byKey.get(ra.key) ?? []).sort((p, q) => p.epoch - q.epoch);
    const cb = (byKey.get(rb.key) ?? []).sort((p, q) => p.epoch - q.epoch);
    const curvesSame = ca.length === cb.length && ca.every((x, i) => IDENTITY_FIELDS.every((f) => x[f] === cb[i][f]));
    if (same && curvesSame) identical++;
  }
  return { pairs, identical };
}

function compareArms(a: Arm, b: Arm, metric: RunMetric, kind: ComparisonKind, inFamily: boolean, args: Required<Pick<AnalyzeArgs, 'resamples' | 'seed'>>): PairComparison {
  const base = { kind, a: a.method, b: b.method, metric, inFamily, pHolm: null, medianDiff: null, identity: null };
  const va = metricValues(a.runs, metric);
  const vb = metricValues(b.runs, metric);
  if (va === null || vb === null) return { ...base, result: null, note: `${METRICS[metric].label} is not recorded for every run` };
  if (a.runs.length < 2 || b.runs.length < 2) {
    return { ...base, result: null, note: `needs at least 2 runs per method (have ${a.method}: ${a.runs.length}, ${b.method}: ${b.runs.length})` };
  }
  const { a: pa, b: pb, note } = pairOnCommonSeeds(
    a.runs.map((r, i) => ({ seed: r.seed, value: va[i] })),
    b.runs.map((r, i) => ({ seed: r.seed, value: vb[i] })),
  );
  const result = compareMethods(pa, pb, { direction: METRICS[metric].direction, resamples: args.resamples, seed: args.seed });
  const bBy = new Map(pb.map((x) => [x.seed, x.value]));
  const diffs = pa.filter((x) => bBy.has(x.seed)).map((x) => x.value - (bBy.get(x.seed) as number));
  const medianDiff = result.design === 'paired' ? median(diffs) : null;
  return { ...base, result, medianDiff, note: note ?? (result.design === 'paired' ? null : 'seed sets differ: unpaired (Welch)') };
}

/**
 * Keeps only the seeds both lists have when at least 2 are common, so that the
 * comparison stays paired; otherwise returns the lists unchanged (the
 * comparison then falls back to Welch's unpaired test). The note names the
 * seeds left out, or is null when nothing was left out.
 */
export function pairOnCommonSeeds<T extends { seed: number }>(a: readonly T[], b: readonly T[]): { a: T[]; b: T[]; note: string | null } {
  const sa = new Set(a.map((x) => x.seed));
  const sb = new Set(b.map((x) => x.seed));
  const common = [...sa].filter((s) => sb.has(s)).sort((p, q) => p - q);
  if (common.length < 2 || (common.length === sa.size && common.length === sb.size)) return { a: [...a], b: [...b], note: null };
  const onlyA = [...sa].filter((s) => !sb.has(s)).sort((p, q) => p - q);
  const onlyB = [...sb].filter((s) => !sa.has(s)).sort((p, q) => p - q);
  const parts = [onlyA.length > 0 ? `A only: ${onlyA.join(', ')}` : '', onlyB.length > 0 ? `B only: ${onlyB.join(', ')}` : ''].filter((x) => x !== '');
  return {
    a: a.filter((x) => sb.has(x.seed)),
    b: b.filter((x) => sa.has(x.seed)),
    note: `paired on the ${common.length} common seeds; left out (${parts.join('; ')})`,
  };
}

/** The metric of an experiment's main comparisons: accuracy when every run has it, else test loss. */
export function primaryMetricOf(runs: readonly RunRow[]): RunMetric {
  return runs.length > 0 && runs.every((r) => r.testAccuracy !== null) ? 'testAccuracy' : 'testLoss';
}

/**
 * Builds the panels, summaries, bands and comparisons of one experiment from
 * its run and curve rows, and applies Holm's correction across the
 * primary-metric comparisons of the whole report.
 */
export function analyzeExperiment(experiment: string, runs: readonly RunRow[], curves: readonly CurveRow[], options: AnalyzeArgs = {}): ExperimentAnalysis {
  const args = { resamples: options.resamples ?? 10000, seed: options.seed ?? 0 };
  const mine = runs.filter((r) => r.experiment === experiment);
  const myCurves = curves.filter((c) => c.experiment === experiment);
  const primaryMetric = primaryMetricOf(mine);
  const secondary =
    options.secondaryMetrics ??
    ([...(primaryMetric === 'testAccuracy' ? ['testLoss'] : []), 'trainLossFirst', 'trainLossMean', 'inferenceSeconds'] as RunMetric[]);
  const contexts = new Map<string, RunRow[]>();
  for (const r of mine) {
    const k = stableStringify([r.setting, r.epochs]);
    const list = contexts.get(k) ?? [];
    list.push(r);
    contexts.set(k, list);
  }
  const panels: Panel[] = [];
  const contextKeys = [...contexts.keys()].sort((p, q) => {
    const [sp, ep] = JSON.parse(p) as [string, number];
    const [sq, eq] = JSON.parse(q) as [string, number];
    return sp < sq ? -1 : sp > sq ? 1 : ep - eq;
  });
  for (const ck of contextKeys) {
    const ctxRuns = contexts.get(ck) as RunRow[];
    const floatRuns = ctxRuns.filter((r) => r.method === 'float');
    const quantRuns = ctxRuns.filter((r) => r.method !== 'float');
    const combos = new Map<string, { protocol: string; bits: number | null }>();
    for (const r of quantRuns) combos.set(stableStringify([r.protocol, r.bits]), { protocol: r.protocol, bits: r.bits });
    const comboList = [...combos.values()].sort((p, q) => (p.protocol < q.protocol ? -1 : p.protocol > q.protocol ? 1 : (p.bits ?? 0) - (q.bits ?? 0)));
    if (comboList.length === 0) comboList.push({ protocol: 'float', bits: null });
    const floatArm = floatRuns.length > 0 ? makeArm(floatRuns, myCurves, args) : null;
    for (const combo of comboList) {
      const byMethod = new Map<string, RunRow[]>();
      for (const r of quantRuns) {
        if (r.protocol !== combo.protocol || r.bits !== combo.bits) continue;
        const list = byMethod.get(r.method) ?? [];
        list.push(r);
        byMethod.set(r.method, list);
      }
      const arms = [...(floatArm === null ? [] : [floatArm]), ...[...byMethod.values()].map((rs) => makeArm(rs, myCurves, args))].sort((p, q) =>
        compareMethodNames(p.method, q.method),
      );
      const armBy = new Map(arms.map((a) => [a.method, a]));
      const comparisons: PairComparison[] = [];
      for (const pair of plannedPairs(arms)) {
        const A = armBy.get(pair.a) as Arm;
        const B = armBy.get(pair.b) as Arm;
        const identity = pair.kind === 'ablation' ? identicalPairs(A, B, myCurves) : null;
        const isIdentity = identity !== null && identity.pairs > 0 && identity.identical === identity.pairs;
        comparisons.push({ ...compareArms(A, B, primaryMetric, pair.kind, !isIdentity, args), identity });
        if (pair.kind === 'primary') for (const m of secondary) comparisons.push(compareArms(A, B, m, pair.kind, false, args));
      }
      panels.push({ experiment, setting: ctxRuns[0].setting, epochs: ctxRuns[0].epochs, protocol: combo.protocol, bits: combo.bits, arms, comparisons });
    }
  }
  const family = panels.flatMap((p) => p.comparisons).filter((c) => c.inFamily && c.result !== null);
  if (family.length > 0) {
    const adjusted = holmAdjust(family.map((c) => (c.result as Comparison).pT));
    family.forEach((c, i) => {
      c.pHolm = adjusted[i];
    });
  }
  return { experiment, primaryMetric, panels, runs: mine, curves: myCurves, familySize: family.length };
}

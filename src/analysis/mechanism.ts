/**
 * Why the methods differ, and where the answer flips: pure functions from run records to
 * numbers and codes (no prose, no charts). Three parts:
 * - the evidence at one operating point: per method and epoch, how the code changes split
 *   into shrinking and growing |code|, the proposed |Δ| in grid steps, the zero-code share,
 *   per-seed escape epochs;
 * - the boundary: per sweep cell (optimizer, learning rate, bits, init), each method's final
 *   accuracy over seeds and the paired octization − standard gap, against the ratio
 *   lr·(2^b − 1) (Adam's nominal update over the grid step), with the mechanism's prediction
 *   and whether it holds;
 * - the study's causal claims ("feature preservation", "gradient flow") judged on the
 *   recorded projection errors and gradient norms.
 */
import type { RunRecord } from '../experiments/record';
import { median, mean, pairedTTest, signFlipTest } from '../statistics';
import type { Interval } from '../statistics';
import type { UpdateStats } from '../training/mechanism';
import { DEFAULT_RULE, judgeClaim, judgeDifference } from './verdict';
import type { ClaimVerdict, DifferenceCode, VerdictCode, VerdictRule } from './verdict';

/** Accuracy above which a classifier counts as having escaped chance: chance + 5 pp. */
export const ESCAPE_MARGIN = 0.05;

/** Chance accuracy of the study's 10-class tasks. */
export const CHANCE = 0.1;

/** The first epoch (0 = the initial state) whose test accuracy exceeds chance + margin, or null when none does. */
export function escapeEpoch(record: RunRecord, chance = CHANCE, margin = ESCAPE_MARGIN): number | null {
  const m = record.metrics;
  if (m.initial !== undefined && m.initial.testAccuracy !== null && m.initial.testAccuracy > chance + margin) return 0;
  for (const e of m.epochs) if (e.testAccuracy !== null && e.testAccuracy > chance + margin) return e.epoch;
  return null;
}

/** One method's code dynamics in one epoch, over seeds (medians; shares of proposals or of code changes). */
export interface EvidencePoint {
  /** Epoch (0 = initial state: only the zero-code share). */
  epoch: number;
  /** Seeds with statistics for this epoch. */
  n: number;
  /** Median over seeds of the share of code changes that shrank |code| (null without changes). */
  shrinkShare: number | null;
  /** Median share of code changes that grew |code|. */
  growShare: number | null;
  /** Median share of proposals that changed a code. */
  changeShare: number | null;
  /** Median over seeds of the |Δ|/step quantiles of the epoch. */
  q50: number | null;
  /** See {@link q50}. */
  q90: number | null;
  /** See {@link q50}. */
  q99: number | null;
  /** Largest |Δ|/step over seeds. */
  max: number | null;
  /** Median share of proposals with |Δ| ≥ 0.5 step. */
  halfShare: number | null;
  /** Median share of proposals with |Δ| ≥ 1 step. */
  oneShare: number | null;
  /** Median share of all weights whose quantized value is 0 at the end of the epoch. */
  zeroCodeShare: number | null;
  /** Median over seeds of the projection's mean squared error q − f (all weights). */
  quantMse: number | null;
  /** Median over seeds of the mean of sign(f)·(q − f) (negative: pulled toward zero). */
  quantTowardZero: number | null;
}

/** Per-seed values of the evidence, for per-seed views. */
export interface EvidenceSeed {
  /** Seed. */
  seed: number;
  /** Zero-code share per epoch, from epoch 0. */
  zeroCodes: { epoch: number; value: number }[];
  /** Test accuracy per epoch, from epoch 0 where recorded. */
  accuracy: { epoch: number; value: number }[];
  /** First epoch above chance + margin, or null. */
  escape: number | null;
}

/** The evidence of one method at one operating point. */
export interface MethodEvidence {
  /** Method. */
  method: string;
  /** Runs. */
  n: number;
  /** Per epoch (0 first). */
  points: EvidencePoint[];
  /** Per seed. */
  seeds: EvidenceSeed[];
}

const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
const med = (xs: readonly (number | null)[]): number | null => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length === 0 ? null : median(v);
};

/** The all-weights update statistics of an epoch, if recorded. */
function updatesOf(e: RunRecord['metrics']['epochs'][number]): UpdateStats | null {
  return e.quant?.updates?.all ?? null;
}

/** The evidence of each method's runs (one operating point: the records of one cell), methods in the order given. */
export function methodEvidence(records: readonly RunRecord[], methods: readonly string[]): MethodEvidence[] {
  return methods
    .map((method) => {
      const runs = records.filter((r) => r.config.method === method).sort((a, b) => a.config.seed - b.config.seed);
      const epochs = Math.max(0, ...runs.map((r) => r.metrics.epochs.length));
      const points: EvidencePoint[] = [];
      const zero0 = runs.map((r) => r.metrics.initial?.zeroCodeFraction ?? null);
      points.push({
        epoch: 0, n: zero0.filter((z) => z !== null).length, shrinkShare: null, growShare: null, changeShare: null, q50: null, q90: null, q99: null, max: null,
        halfShare: null, oneShare: null, zeroCodeShare: med(zero0), quantMse: null, quantTowardZero: null,
      });
      for (let k = 0; k < epochs; k++) {
        const es = runs.map((r) => r.metrics.epochs[k]).filter((e) => e !== undefined);
        const us = es.map(updatesOf).filter((u): u is UpdateStats => u !== null);
        points.push({
          epoch: k + 1,
          n: us.length,
          shrinkShare: med(us.map((u) => share(u.shrank, u.codeChanges))),
          growShare: med(us.map((u) => share(u.grew, u.codeChanges))),
          changeShare: med(us.map((u) => share(u.codeChanges, u.proposals))),
          q50: med(us.map((u) => u.stepQuantiles.q50)),
          q90: med(us.map((u) => u.stepQuantiles.q90)),
          q99: med(us.map((u) => u.stepQuantiles.q99)),
          max: us.length === 0 ? null : Math.max(...us.map((u) => u.stepQuantiles.max)),
          halfShare: med(us.map((u) => share(u.atLeastHalfStep, u.proposals))),
          oneShare: med(us.map((u) => share(u.atLeastOneStep, u.proposals))),
          zeroCodeShare: med(es.map((e) => e.quant?.zeroCodeFraction ?? null)),
          quantMse: med(us.map((u) => u.quantError.mse)),
          quantTowardZero: med(us.map((u) => u.quantError.towardZero)),
        });
      }
      const seeds = runs.map((r): EvidenceSeed => {
        const init = r.metrics.initial;
        const zeroCodes = [
          ...(init?.zeroCodeFraction != null ? [{ epoch: 0, value: init.zeroCodeFraction }] : []),
          ...r.metrics.epochs.flatMap((e) => (e.quant !== null && e.quant !== undefined ? [{ epoch: e.epoch, value: e.quant.zeroCodeFraction }] : [])),
        ];
        const accuracy = [
          ...(init?.testAccuracy != null ? [{ epoch: 0, value: init.testAccuracy }] : []),
          ...r.metrics.epochs.flatMap((e) => (e.testAccuracy !== null ? [{ epoch: e.epoch, value: e.testAccuracy }] : [])),
        ];
        return { seed: r.config.seed, zeroCodes, accuracy, escape: escapeEpoch(r) };
      });
      return { method, n: runs.length, points, seeds };
    })
    .filter((m) => m.n > 0);
}

/** One layer of one method at the last epoch, medians over seeds. */
export interface LayerEvidence {
  /** Method. */
  method: string;
  /** Weight name. */
  name: string;
  /** Seeds. */
  n: number;
  /** Share of the layer's weights that are exactly 0. */
  zeroShare: number | null;
  /** Mean |w|. */
  meanAbs: number | null;
  /** Gradient norm on the probe batch. */
  gradNorm: number | null;
  /** Share of the last epoch's code changes that shrank |code|. */
  shrinkShare: number | null;
  /** Share of the last epoch's proposals with |Δ| ≥ 0.5 step. */
  halfShare: number | null;
  /** Mean squared projection error q − f over the last epoch. */
  quantMse: number | null;
}

/** Per method and layer, at the last epoch of each run (medians over seeds): the per-layer view of the evidence. */
export function layerEvidence(records: readonly RunRecord[], methods: readonly string[]): LayerEvidence[] {
  return methods.flatMap((method) => {
    const runs = records.filter((r) => r.config.method === method && r.metrics.epochs.length > 0);
    if (runs.length === 0) return [];
    const lasts = runs.map((r) => r.metrics.epochs[r.metrics.epochs.length - 1]);
    return lasts[0].weights.map((w, i): LayerEvidence => {
      const ws = lasts.map((e) => e.weights[i]).filter((x) => x !== undefined && x.name === w.name);
      const ls = lasts.map((e) => e.quant?.updates?.layers[i] ?? null).filter((l): l is UpdateStats => l !== null && l.name === w.name);
      return {
        method,
        name: w.name,
        n: ws.length,
        zeroShare: med(ws.map((x) => x.zeroFraction)),
        meanAbs: med(ws.map((x) => x.meanAbs)),
        gradNorm: med(ws.map((x) => x.gradNorm ?? null)),
        shrinkShare: med(ls.map((l) => share(l.shrank, l.codeChanges))),
        halfShare: med(ls.map((l) => share(l.atLeastHalfStep, l.proposals))),
        quantMse: med(ls.map((l) => l.quantError.mse)),
      };
    });
  });
}

/** Where a sweep cell sits: everything but the method and the seed. */
export interface CellSetting {
  /** Experiment. */
  experiment: string;
  /** Epochs. */
  epochs: number;
  /** Optimizer name. */
  optimizer: 'adam' | 'sgd';
  /** SGD momentum, or null. */
  momentum: number | null;
  /** Learning rate. */
  learningRate: number;
  /** Bit width of the quantized methods. */
  bits: number;
  /** Initialisation. */
  init: string;
  /** Repeat index of the runs, when they are a repeat ({@link preferInstrumented}); absent for first runs. */
  repeat?: number;
}

/** One method's final accuracies in a cell. */
export interface CellArm {
  /** Method. */
  method: string;
  /** Seeds, ascending. */
  seeds: number[];
  /** Final test accuracy per seed (same order). */
  values: number[];
  /** Median. */
  median: number;
  /** Mean. */
  mean: number;
  /** Smallest and largest. */
  range: [number, number];
  /** Runs at most chance + margin. */
  atChance: number;
}

/** What the mechanism predicts for octization against standard in a cell. */
export type MechanismPrediction = 'octization-higher' | 'standard-at-least' | 'no-prediction';

/** The paired octization − standard gap of a cell. */
export interface CellGap {
  /** Seeds with both methods. */
  n: number;
  /** Mean of the per-seed differences (accuracy fraction). */
  mean: number;
  /** 95% t interval, or null for n < 2. */
  ci: Interval | null;
  /** Median of the per-seed differences. */
  medianDiff: number;
  /** Paired t p (null for n < 2). */
  pT: number | null;
  /** Sign-flip permutation p (exact for small n). */
  pPermutation: number;
  /** What the difference shows under the one rule, margin 1 pp. */
  code: DifferenceCode;
}

/** One cell of a sweep. */
export interface SweepCell extends CellSetting {
  /** lr·(2^b − 1): Adam's nominal per-step update in grid steps (for SGD only a scale, not the update). */
  ratio: number;
  /** Methods present (float, standard, octization, stochastic, …). */
  arms: CellArm[];
  /** Octization − standard, paired by seed; null without both. */
  gap: CellGap | null;
  /** Median over standard's seeds of the epoch-1 share of proposals with |Δ| ≥ 0.5 step (null unrecorded). */
  standardHalfShare: number | null;
  /** Median over standard's seeds of the epoch-1 median |Δ|/step. */
  standardQ50: number | null;
  /** The mechanism's prediction (see {@link predictGap}). */
  prediction: MechanismPrediction;
  /** Whether the observed gap agrees with the prediction (null without a prediction or a gap). */
  holds: boolean | null;
}

/** Share of proposals with |Δ| ≥ 0.5 step under which round-to-nearest is taken as frozen. */
export const FROZEN_SHARE = 1e-3;

/**
 * The mechanism's prediction from standard's measured epoch-1 proposals: when fewer than
 * {@link FROZEN_SHARE} of them reach half a grid step, round-to-nearest erases almost every
 * update while truncation turns every update toward zero into a step, so octization is
 * predicted higher; when the median proposal reaches half a step, both roundings move codes
 * both ways and truncation's bias toward zero costs it, so standard is predicted at least as
 * high; between the two, no prediction.
 */
export function predictGap(standardHalfShare: number | null, standardQ50: number | null): MechanismPrediction {
  if (standardHalfShare === null || standardQ50 === null) return 'no-prediction';
  if (standardHalfShare < FROZEN_SHARE) return 'octization-higher';
  if (standardQ50 >= 0.5) return 'standard-at-least';
  return 'no-prediction';
}

/**
 * Whether an observed difference code (octization − standard) agrees with a prediction; null
 * when there is no prediction, too few runs, or an inconclusive difference (the data cannot tell).
 */
export function predictionHolds(prediction: MechanismPrediction, observed: DifferenceCode): boolean | null {
  if (prediction === 'no-prediction' || observed === 'too-few-runs' || observed === 'inconclusive') return null;
  if (prediction === 'octization-higher') return observed === 'a-higher';
  return observed === 'b-higher' || observed === 'equivalent';
}

/** The setting of a record's cell. */
export function cellSetting(r: RunRecord): CellSetting {
  const c = r.config;
  return {
    experiment: c.experiment,
    epochs: c.epochs,
    optimizer: c.optimizer.name,
    momentum: c.optimizer.momentum ?? null,
    learningRate: c.optimizer.learningRate,
    bits: c.scheme?.bits ?? 0,
    init: c.init ?? 'glorot-uniform',
    ...(c.repeat !== undefined ? { repeat: c.repeat } : {}),
  };
}

const settingKey = (s: CellSetting): string => JSON.stringify([s.experiment, s.epochs, s.optimizer, s.momentum, s.learningRate, s.bits, s.init, s.repeat ?? 0]);

/** The repeat index of a run: 0 for a first run. */
export const repeatOf = (r: RunRecord): number => r.config.repeat ?? 0;

/** A run's setting: its config but for method, scheme, protocol, seed and repeat (with the bit width when `withBits`). */
function runSetting(r: RunRecord, withBits: boolean): string {
  const c = r.config;
  return JSON.stringify([c.experiment, c.epochs, c.batchSize, c.optimizer, c.init ?? null, c.data, c.engine ?? null, withBits ? (c.scheme?.bits ?? null) : null]);
}

/** Whether every projected-step run of `runs` recorded its epoch-1 update statistics (float runs have none to record). */
export function isInstrumented(runs: readonly RunRecord[]): boolean {
  return runs.every((r) => r.config.protocol !== 'projected-step' || (r.metrics.epochs[0] !== undefined && updatesOf(r.metrics.epochs[0]) !== null));
}

/**
 * Keeps one set of runs per setting (the same config but for method, bits, seed and repeat, so
 * that a setting's float runs go with its quantized ones):
 * the first runs, unless they lack update statistics and a repeat (lowest index first) has
 * them on every quantized run and holds at least as many runs — a repeat made to add the
 * instrumentation its first runs predate. One comparison thus never mixes a first run with a
 * repeat, and a partial repeat does not displace complete first runs.
 */
export function preferInstrumented(records: readonly RunRecord[]): RunRecord[] {
  const bySetting = new Map<string, Map<number, RunRecord[]>>();
  for (const r of records) {
    const k = runSetting(r, false);
    const sets = bySetting.get(k) ?? new Map<number, RunRecord[]>();
    const set = sets.get(repeatOf(r)) ?? [];
    set.push(r);
    sets.set(repeatOf(r), set);
    bySetting.set(k, sets);
  }
  const keep = new Set<RunRecord>();
  for (const sets of bySetting.values()) {
    const first = sets.get(0) ?? [];
    let chosen = first;
    if (first.length === 0 || !isInstrumented(first)) {
      const repeats = [...sets.keys()].filter((k) => k > 0).sort((a, b) => a - b);
      const r = repeats.find((k) => {
        const set = sets.get(k) ?? [];
        return set.length >= first.length && set.some((x) => x.config.protocol === 'projected-step') && isInstrumented(set);
      });
      if (r !== undefined) chosen = sets.get(r) ?? first;
      else if (first.length === 0) chosen = sets.get(repeats[0]) ?? [];
    }
    for (const x of chosen) keep.add(x);
  }
  return records.filter((r) => keep.has(r));
}

/** One method of a setting run twice: its first runs against a repeat, paired by seed. */
export interface RepeatAgreement {
  /** Where: the setting of the runs (its `repeat` absent). */
  setting: CellSetting;
  /** Method. */
  method: string;
  /** Repeat index compared with the first runs. */
  repeat: number;
  /** Seeds run both times. */
  n: number;
  /** Median final test accuracy of the first runs over those seeds. */
  firstMedian: number;
  /** Median final test accuracy of the repeat over those seeds. */
  repeatMedian: number;
  /** Largest |repeat − first| final test accuracy over the seeds. */
  maxAbsDiff: number;
  /** Seeds whose final test accuracy is identical to the last bit. */
  identical: number;
  /** Seeds whose initial weights have the same SHA-256 both times (the seed fixes them). */
  sameInitialWeights: number;
  /** Seeds at chance (at most chance + margin) in the first runs and in the repeat. */
  atChance: [number, number];
  /** The CPU signatures of the first runs and of the repeat (distinct values, `unrecorded` where absent). */
  cpus: [string[], string[]];
}

/**
 * First runs against their repeats, per setting and method, by final test accuracy (`records`
 * of one engine; runs without an accuracy are left out). Only methods with both are listed.
 */
export function repeatAgreements(records: readonly RunRecord[], chance = CHANCE, margin = ESCAPE_MARGIN): RepeatAgreement[] {
  const groups = new Map<string, RunRecord[]>();
  for (const r of records) {
    const k = JSON.stringify([runSetting(r, true), r.config.method, r.config.protocol]);
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  const out: RepeatAgreement[] = [];
  const cpuOf = (r: RunRecord): string => r.environment?.engine?.host?.cpuSignature ?? 'unrecorded';
  for (const runs of groups.values()) {
    const first = new Map(runs.filter((r) => repeatOf(r) === 0).map((r) => [r.config.seed, r]));
    for (const k of [...new Set(runs.map(repeatOf))].filter((x) => x > 0).sort((a, b) => a - b)) {
      const pairs = runs
        .filter((r) => repeatOf(r) === k && first.has(r.config.seed))
        .map((r) => [first.get(r.config.seed) as RunRecord, r] as const)
        .filter(([f, x]) => f.metrics.testAccuracy !== null && x.metrics.testAccuracy !== null);
      if (pairs.length === 0) continue;
      const a = pairs.map(([f]) => f.metrics.testAccuracy as number);
      const b = pairs.map(([, x]) => x.metrics.testAccuracy as number);
      const { repeat: _repeat, ...setting } = cellSetting(runs[0]);
      out.push({
        setting,
        method: runs[0].config.method,
        repeat: k,
        n: pairs.length,
        firstMedian: median(a),
        repeatMedian: median(b),
        maxAbsDiff: Math.max(...a.map((v, i) => Math.abs(b[i] - v))),
        identical: a.filter((v, i) => v === b[i]).length,
        sameInitialWeights: pairs.filter(([f, x]) => f.metrics.initialWeightsSha256 === x.metrics.initialWeightsSha256).length,
        atChance: [a.filter((v) => v <= chance + margin).length, b.filter((v) => v <= chance + margin).length],
        cpus: [[...new Set(pairs.map(([f]) => cpuOf(f)))].sort(), [...new Set(pairs.map(([, x]) => cpuOf(x)))].sort()],
      });
    }
  }
  const rank = (m: string): number => {
    const i = REPEAT_ORDER.indexOf(m);
    return i < 0 ? REPEAT_ORDER.length : i;
  };
  return out.sort((a, b) => rank(a.method) - rank(b.method) || (a.method < b.method ? -1 : a.method > b.method ? 1 : 0));
}

/** The order repeats are listed in: float, then the study's methods, then the rest by name. */
const REPEAT_ORDER: readonly string[] = ['float', 'standard', 'octization', 'stochastic'];

/** The paired gap A − B of two arms (margin in accuracy fraction). */
export function pairedGap(a: CellArm, b: CellArm, margin = 0.01, rule: VerdictRule = DEFAULT_RULE): CellGap | null {
  const seeds = a.seeds.filter((s) => b.seeds.includes(s));
  if (seeds.length === 0) return null;
  const va = seeds.map((s) => a.values[a.seeds.indexOf(s)]);
  const vb = seeds.map((s) => b.values[b.seeds.indexOf(s)]);
  const d = va.map((v, i) => v - vb[i]);
  const perm = signFlipTest(d);
  if (seeds.length < 2) return { n: 1, mean: d[0], ci: null, medianDiff: d[0], pT: null, pPermutation: perm.pValue, code: 'too-few-runs' };
  const t = pairedTTest(va, vb);
  const exact = d.every((x) => x === d[0]);
  const code = exact ? (d[0] > 0 ? 'a-higher' : d[0] < 0 ? 'b-higher' : 'equivalent') : judgeDifference({ estimate: t.estimate, ci: t.ci, se: t.se, df: t.df, n: seeds.length, p: t.pValue }, margin, rule).code;
  return { n: seeds.length, mean: t.estimate, ci: exact ? { lower: d[0], upper: d[0] } : t.ci, medianDiff: median(d), pT: exact ? null : t.pValue, pPermutation: perm.pValue, code: seeds.length < rule.minN ? 'too-few-runs' : code };
}

function armOf(method: string, runs: readonly RunRecord[]): CellArm {
  const sorted = [...runs].sort((a, b) => a.config.seed - b.config.seed);
  const values = sorted.map((r) => r.metrics.testAccuracy ?? NaN);
  return {
    method,
    seeds: sorted.map((r) => r.config.seed),
    values,
    median: median(values),
    mean: mean(values),
    range: [Math.min(...values), Math.max(...values)],
    atChance: values.filter((v) => v <= CHANCE + ESCAPE_MARGIN).length,
  };
}

/**
 * The sweep cells of `records` (projected-step quantized runs and float runs; float runs
 * join every bit width of their learning rate), sorted by experiment, optimizer, bits and
 * learning rate. Records must come from one engine.
 */
export function sweepCells(records: readonly RunRecord[], methods: readonly string[] = ['float', 'standard', 'octization', 'stochastic']): SweepCell[] {
  const engines = new Set(records.map((r) => r.config.engine ?? 'tfjs'));
  if (engines.size > 1) throw new Error(`sweepCells: records of ${[...engines].join(' and ')} in one comparison; compare engines apart`);
  const quantized = records.filter((r) => r.config.method !== 'float' && r.config.protocol === 'projected-step' && methods.includes(r.config.method));
  const floats = records.filter((r) => r.config.method === 'float' && methods.includes('float'));
  const groups = new Map<string, { setting: CellSetting; runs: RunRecord[] }>();
  for (const r of quantized) {
    const s = cellSetting(r);
    const k = settingKey(s);
    const g = groups.get(k) ?? { setting: s, runs: [] };
    g.runs.push(r);
    groups.set(k, g);
  }
  const cells: SweepCell[] = [];
  for (const { setting, runs } of groups.values()) {
    const floatRuns = floats.filter((f) => settingKey({ ...cellSetting(f), bits: setting.bits }) === settingKey(setting));
    const arms = methods
      .map((m) => (m === 'float' ? floatRuns : runs.filter((r) => r.config.method === m)))
      .map((rs, i) => (rs.length === 0 ? null : armOf(methods[i], rs)))
      .filter((a): a is CellArm => a !== null);
    const oct = arms.find((a) => a.method === 'octization');
    const std = arms.find((a) => a.method === 'standard');
    const gap = oct !== undefined && std !== undefined ? pairedGap(oct, std) : null;
    const stdRuns = runs.filter((r) => r.config.method === 'standard');
    const first = stdRuns.map((r) => (r.metrics.epochs[0] === undefined ? null : updatesOf(r.metrics.epochs[0])));
    const standardHalfShare = med(first.map((u) => (u === null ? null : share(u.atLeastHalfStep, u.proposals))));
    const standardQ50 = med(first.map((u) => (u === null ? null : u.stepQuantiles.q50)));
    const prediction = predictGap(standardHalfShare, standardQ50);
    cells.push({
      ...setting,
      ratio: setting.learningRate * (2 ** setting.bits - 1),
      arms,
      gap,
      standardHalfShare,
      standardQ50,
      prediction,
      holds: gap === null ? null : predictionHolds(prediction, gap.code),
    });
  }
  const order = (c: SweepCell): (string | number)[] => [c.experiment, c.epochs, c.init, c.optimizer, c.bits, c.learningRate];
  return cells.sort((a, b) => {
    const x = order(a);
    const y = order(b);
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
}

/** The study's causal explanations that the records can test. */
export type CausalClaimId = 'feature-preservation' | 'gradient-flow';

/** A causal claim judged on recorded statistics: octization against standard, paired by seed, as a mean log-ratio. */
export interface CausalClaim {
  /** Which claim. */
  id: CausalClaimId;
  /** Pairs. */
  n: number;
  /** Per-seed medians of the measure for octization and standard. */
  octization: number;
  /** See {@link octization}. */
  standard: number;
  /** Mean over seeds of log(octization / standard). */
  logRatio: number;
  /** 95% t interval of the mean log-ratio. */
  ci: Interval;
  /** Whether the measure favours octization as the study says, under the one rule (margin: a ratio of 1.1). */
  verdict: ClaimVerdict;
  /** The outcome to be explained: octization − standard final test accuracy, paired by seed, margin 1 pp (null without both arms). */
  outcome: DifferenceCode | null;
  /**
   * The claim as an explanation: `nothing-to-explain` where octization is not shown more
   * accurate at this point (a measure cannot explain an advantage that is absent), else the
   * measure's verdict code.
   */
  explanation: VerdictCode | 'nothing-to-explain';
}

/**
 * Judges "better preservation of feature information" as octization's projection error being
 * smaller (the mean over the run's epochs of the all-weights MSE of q − f), and "more
 * effective gradient flow" as octization's gradient norm at the first layer being larger
 * (at the last epoch, on the probe batch), and each as an explanation of the cell's outcome.
 * Records: one cell, both methods, paired by seed.
 */
export function causalClaims(records: readonly RunRecord[], rule: VerdictRule = DEFAULT_RULE): CausalClaim[] {
  const measures: { id: CausalClaimId; sign: 1 | -1; of: (r: RunRecord) => number | null }[] = [
    {
      id: 'feature-preservation',
      sign: -1,
      of: (r) => {
        const v = r.metrics.epochs.map((e) => updatesOf(e)?.quantError.mse ?? null).filter((x): x is number => x !== null);
        return v.length === 0 ? null : mean(v);
      },
    },
    {
      id: 'gradient-flow',
      sign: 1,
      of: (r) => r.metrics.epochs[r.metrics.epochs.length - 1]?.weights[0]?.gradNorm ?? null,
    },
  ];
  const accuracy = (method: string): RunRecord[] => records.filter((r) => r.config.method === method && r.metrics.testAccuracy !== null);
  const [octRuns, stdRuns] = [accuracy('octization'), accuracy('standard')];
  const outcome = octRuns.length === 0 || stdRuns.length === 0 ? null : (pairedGap(armOf('octization', octRuns), armOf('standard', stdRuns), 0.01, rule)?.code ?? null);
  const out: CausalClaim[] = [];
  for (const m of measures) {
    const by = (method: string): Map<number, number> =>
      new Map(records.filter((r) => r.config.method === method).flatMap((r) => {
        const v = m.of(r);
        return v === null || !(v > 0) ? [] : [[r.config.seed, v] as [number, number]];
      }));
    const oct = by('octization');
    const std = by('standard');
    const seeds = [...oct.keys()].filter((s) => std.has(s)).sort((a, b) => a - b);
    if (seeds.length < 2) continue;
    const a = seeds.map((s) => Math.log(oct.get(s) as number));
    const b = seeds.map((s) => Math.log(std.get(s) as number));
    const t = pairedTTest(a, b);
    const verdict = judgeClaim({ sign: m.sign, claimedSize: null, margin: Math.log(1.1) }, { estimate: t.estimate, ci: t.ci, se: t.se, df: t.df, n: seeds.length, p: t.pValue }, rule);
    out.push({
      id: m.id,
      n: seeds.length,
      octization: median(seeds.map((s) => oct.get(s) as number)),
      standard: median(seeds.map((s) => std.get(s) as number)),
      logRatio: t.estimate,
      ci: t.ci,
      verdict,
      outcome,
      explanation: outcome === 'a-higher' ? verdict.code : 'nothing-to-explain',
    });
  }
  return out;
}

/** How many cells carry a prediction, and in how many it holds. */
export function predictionTally(cells: readonly SweepCell[]): { predicted: number; holds: number; fails: number; undecided: number } {
  const predicted = cells.filter((c) => c.prediction !== 'no-prediction' && c.gap !== null && c.gap.code !== 'too-few-runs');
  const holds = predicted.filter((c) => c.holds === true).length;
  const fails = predicted.filter((c) => c.holds === false).length;
  return { predicted: predicted.length, holds, fails, undecided: predicted.length - holds - fails };
}

/**
 * The study's claims checked against run rows: per claim the absolute values of
 * each arm (and of float in the same setting), the paired estimate with its t and
 * BCa intervals, the permutation p and the median difference beside the paired t,
 * Holm's correction within a named family, the verdict code of the one rule
 * ({@link judgeClaim}) and caveat codes. Deterministic statements (parameter
 * counts) are checked facts, not verdicts. Numbers and codes only: the words are
 * the views' business.
 */
import { compareMethods, holmAdjust, median } from '../statistics';
import type { Comparison, Interval } from '../statistics';
import { pairOnCommonSeeds } from '../reports/analysis';
import type { RunRow } from '../reports/tables';
import { seedClaims } from '../seed-study/claims';
import type { ClaimMetric, ClaimSpec, EqualParamsClaimSpec, GapChangeClaimSpec, PairedClaimSpec } from '../seed-study/claims';
import { SEED_FIGURES } from '../seed-study/figures';
import { armCaveats, CHANCE_MARGIN, chanceLevel } from './caveats';
import type { Caveat } from './caveats';
import { DEFAULT_RULE, judgeClaim } from './verdict';
import type { ClaimVerdict, VerdictCode, VerdictRule } from './verdict';
import { armMedianSeconds, timingSets } from './inference-timing';
import type { InferenceTimingRecord } from '../timing/interleaved';

/** One arm's absolute values on the claim's metric (over the seeds used). */
export interface ArmValues {
  /** Method. */
  method: string;
  /** Epochs of these runs. */
  epochs: number;
  /** Runs. */
  n: number;
  /** Mean. */
  mean: number;
  /** Median. */
  median: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Runs whose final accuracy is within {@link CHANCE_MARGIN} of chance, or null for non-accuracy metrics. */
  atChance: number | null;
}

/** Why a claim has no verdict from data. */
export interface MissingRuns {
  /** `not-in-plan`: the study plan has no such runs; `awaiting-runs`: planned but not (all) stored; `plan-too-small`: all stored, fewer seeds than the rule's n. */
  kind: 'not-in-plan' | 'awaiting-runs' | 'plan-too-small';
  /** Planned runs still missing (count), 0 otherwise. */
  runs: number;
  /** Free text naming the runs (from the study plan). */
  detail: string;
}

/** A statistical claim checked against runs. */
export interface ClaimResult {
  /** Claim id. */
  id: string;
  /** Experiment. */
  experiment: string;
  /** The claim. */
  statement: string;
  /** The study's words or printed lines. */
  quote: string;
  /** Metric compared. */
  metric: ClaimMetric;
  /** Scale of the estimate. */
  scale: 'difference' | 'log-ratio' | 'gap-change';
  /** The study's own figures for A and B (paired claims) or gaps (gap change), or null. */
  seed: { a: number; b: number } | { short: number; long: number } | null;
  /** The study's size of the effect on the estimate's scale, or null. */
  claimedSize: number | null;
  /** Method A (estimate A − B). */
  a: string;
  /** Method B. */
  b: string;
  /** Protocol of the quantized runs. */
  protocol: string;
  /** Bit width. */
  bits: number;
  /** Setting of the runs used, or null without runs. */
  setting: string | null;
  /** Absolute values of A, B (and float in the same setting and epochs, when run). */
  arms: ArmValues[];
  /** Estimate (difference, mean log-ratio, or change of the gap), or null. */
  estimate: number | null;
  /** Median of the per-seed differences (paired), or null. */
  medianDiff: number | null;
  /** 95% t interval, or null. */
  ci: Interval | null;
  /** 95% BCa interval, or null. */
  bca: Interval | null;
  /** Pairs, or the smaller group when unpaired. */
  n: number;
  /** Design of the comparison, or null. */
  design: 'paired' | 'unpaired-welch' | null;
  /** Two-sided paired t (or Welch) p, or null. */
  p: number | null;
  /** Two-sided sign-flip permutation p, or null. */
  pPermutation: number | null;
  /** Holm-adjusted p within {@link family}, or null. */
  pHolm: number | null;
  /** Name of the Holm family: `claims/<protocol>`. */
  family: string;
  /** Minimum detectable effect at α and 80 % power, or null. */
  mde: number | null;
  /** The rule's verdict, or null when there is no evidence. */
  judgement: ClaimVerdict | null;
  /** The verdict code (from {@link judgement}, or `awaiting-runs` / `not-in-plan`). */
  verdict: VerdictCode;
  /** Caveats the verdict shows. */
  caveats: Caveat[];
  /** Why there is no verdict from data, or null. */
  missing: MissingRuns | null;
  /** Pairing remarks (seeds left out, reduced data). */
  notes: string[];
}

/** A deterministic statement of the study, checked in every run: not statistical evidence. */
export interface CheckedFact {
  /** Claim id. */
  id: string;
  /** Experiment. */
  experiment: string;
  /** The statement. */
  statement: string;
  /** The study's words. */
  quote: string;
  /** Protocol of the runs checked. */
  protocol: string;
  /** Runs checked. */
  n: number;
  /** Whether the statement holds in every run (null without runs). */
  holds: boolean | null;
  /** Distinct measured values (parameter counts). */
  measured: number[];
  /** The study's value. */
  study: number;
  /** Caveats (e.g. the study's count differs from the model's). */
  caveats: Caveat[];
}

/** Claims and facts of one protocol. */
export interface ClaimsByProtocol {
  /** Protocol of the runs the verdicts use. */
  protocol: string;
  /** Statistical claims. */
  claims: ClaimResult[];
  /** Checked facts. */
  facts: CheckedFact[];
}

/** Options of {@link evaluateClaims}. */
export interface EvaluateClaimsArgs {
  /** Claims to check. Default {@link seedClaims}(). */
  specs?: readonly ClaimSpec[];
  /** Protocol of the quantized runs used. Default `projected-step`. */
  protocol?: string;
  /** Bit width used. Default 8 (the seed's). */
  bits?: number;
  /** The rule. Default {@link DEFAULT_RULE}. */
  rule?: VerdictRule;
  /** Bootstrap resamples of the BCa intervals. Default 10,000. */
  resamples?: number;
  /** Seed of the bootstrap and permutation streams. Default 0. */
  seed?: number;
  /**
   * Interleaved inference timings (`octolab time-inference`). When an experiment has them,
   * its inference-time claims are judged on them (both arms timed in one process, in a
   * balanced order) instead of on each training run's own timing.
   */
  inferenceTiming?: readonly InferenceTimingRecord[];
}

interface Selection {
  setting: string;
  byMethod: Map<string, RunRow[]>;
  reduced: boolean;
}

/**
 * Picks the setting used for a claim among those with runs of every method asked
 * for: full data first, then the most seeds common to all methods, then the name.
 */
export function chooseSetting(runs: readonly RunRow[], methods: readonly string[]): Selection | null {
  const settings = new Map<string, Map<string, RunRow[]>>();
  for (const r of runs) {
    if (!methods.includes(r.method)) continue;
    const s = settings.get(r.setting) ?? new Map<string, RunRow[]>();
    s.set(r.method, [...(s.get(r.method) ?? []), r]);
    settings.set(r.setting, s);
  }
  const candidates: (Selection & { common: number })[] = [];
  for (const [setting, byMethod] of settings) {
    if (!methods.every((m) => (byMethod.get(m)?.length ?? 0) > 0)) continue;
    const seedSets = methods.map((m) => new Set((byMethod.get(m) as RunRow[]).map((r) => r.seed)));
    const common = [...seedSets[0]].filter((s) => seedSets.every((set) => set.has(s))).length;
    const any = byMethod.get(methods[0]) as RunRow[];
    candidates.push({ setting, byMethod, reduced: any.some((r) => r.limitTrain !== null || r.limitTest !== null), common });
  }
  candidates.sort((p, q) => Number(p.reduced) - Number(q.reduced) || q.common - p.common || (p.setting < q.setting ? -1 : p.setting > q.setting ? 1 : 0));
  return candidates[0] ?? null;
}

function metricValue(r: RunRow, metric: ClaimMetric): number {
  const v = r[metric];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`run ${r.key}: ${metric} is ${String(v)}, a claim needs a finite number`);
  return v;
}

type SV = { seed: number; value: number };

function valuesFor(rows: readonly RunRow[], metric: ClaimMetric, logScale: boolean): SV[] {
  return rows.map((r) => {
    const v = metricValue(r, metric);
    if (logScale && !(v > 0)) throw new Error(`run ${r.key}: ${metric} = ${v} must be > 0 for a ratio`);
    return { seed: r.seed, value: logScale ? Math.log(v) : v };
  });
}

/** Absolute values of one arm on `metric` (raw scale), counting runs at chance for accuracy. */
export function armValues(rows: readonly RunRow[], metric: ClaimMetric, experiment: string): ArmValues {
  if (rows.length === 0) throw new Error('armValues: no runs');
  const v = rows.map((r) => metricValue(r, metric));
  const chance = chanceLevel(experiment);
  return {
    method: rows[0].method,
    epochs: rows[0].epochs,
    n: v.length,
    mean: v.reduce((s, x) => s + x, 0) / v.length,
    median: median(v),
    min: Math.min(...v),
    max: Math.max(...v),
    atChance: metric === 'testAccuracy' && chance !== null ? v.filter((x) => x <= chance + CHANCE_MARGIN).length : null,
  };
}

function floatArm(rows: readonly RunRow[], spec: PairedClaimSpec | GapChangeClaimSpec, setting: string, epochs: number): ArmValues | null {
  const f = rows.filter((r) => r.experiment === spec.experiment && r.method === 'float' && r.setting === setting && r.epochs === epochs);
  return f.length === 0 ? null : armValues(f, spec.metric, spec.experiment);
}

interface Pending {
  result: ClaimResult;
  spec: PairedClaimSpec | GapChangeClaimSpec;
  comparison: Comparison | null;
}

function emptyResult(spec: PairedClaimSpec | GapChangeClaimSpec, protocol: string, bits: number): ClaimResult {
  return {
    id: spec.id,
    experiment: spec.experiment,
    statement: spec.statement,
    quote: spec.quote,
    metric: spec.metric,
    scale: spec.kind === 'gap-change' ? 'gap-change' : spec.scale,
    seed: spec.seed,
    claimedSize: spec.test.claimedSize,
    a: spec.a,
    b: spec.b,
    protocol,
    bits,
    setting: null,
    arms: [],
    estimate: null,
    medianDiff: null,
    ci: null,
    bca: null,
    n: 0,
    design: null,
    p: null,
    pPermutation: null,
    pHolm: null,
    family: `claims/${protocol}`,
    mde: null,
    judgement: null,
    verdict: 'awaiting-runs',
    caveats: [],
    missing: { kind: 'awaiting-runs', runs: 0, detail: `no ${spec.experiment} runs of ${spec.a} and ${spec.b} (${protocol}, ${bits} bits) yet` },
    notes: [],
  };
}

function statistical(spec: PairedClaimSpec | GapChangeClaimSpec, base: ClaimResult, a: SV[], b: SV[], resamples: number, seed: number): Pending {
  const n = Math.min(a.length, b.length);
  if (n < 2) return { spec, comparison: null, result: { ...base, n, missing: { kind: 'awaiting-runs', runs: 0, detail: `n = ${n}: an interval needs at least 2 runs per side` } } };
  const comparison = compareMethods(a, b, { direction: 'higher-is-better', resamples, seed });
  const notes = comparison.warning === null ? base.notes : [...base.notes, comparison.warning];
  const bBy = new Map(b.map((x) => [x.seed, x.value]));
  const diffs = a.filter((x) => bBy.has(x.seed)).map((x) => x.value - (bBy.get(x.seed) as number));
  return {
    spec,
    comparison,
    result: {
      ...base,
      estimate: comparison.meanDiff,
      medianDiff: comparison.design === 'paired' ? median(diffs) : null,
      ci: comparison.tCI,
      bca: comparison.bcaCI,
      n: comparison.design === 'paired' ? comparison.n : n,
      design: comparison.design,
      p: comparison.pT,
      pPermutation: comparison.pPermutation,
      mde: comparison.mde,
      missing: null,
      notes,
    },
  };
}

function pairUp(a: SV[], b: SV[], notes: string[], what: string): [SV[], SV[]] {
  const r = pairOnCommonSeeds(a, b);
  if (r.note !== null) notes.push(`${what}: ${r.note}`);
  return [r.a, r.b];
}

function evaluatePaired(spec: PairedClaimSpec, rows: readonly RunRow[], protocol: string, bits: number, resamples: number, seed: number, timing: readonly InferenceTimingRecord[]): Pending {
  if (spec.metric === 'inferenceSeconds' && spec.scale === 'log-ratio') {
    const timed = timingRecordsFor(timing, spec.experiment, spec.a, spec.b, protocol);
    if (timed !== null && timed.length >= 2) return evaluateTimedInference(spec, timed, rows, protocol, bits, resamples, seed);
  }
  const base = emptyResult(spec, protocol, bits);
  const mine = rows.filter((r) => r.experiment === spec.experiment && r.method !== 'float' && r.protocol === protocol && r.bits === bits && r.epochs === spec.epochs);
  const sel = chooseSetting(mine, [spec.a, spec.b]);
  if (sel === null) return { spec, comparison: null, result: base };
  const notes: string[] = sel.reduced ? ['runs on reduced data (see the setting)'] : [];
  const log = spec.scale === 'log-ratio';
  const [a, b] = pairUp(valuesFor(sel.byMethod.get(spec.a) as RunRow[], spec.metric, log), valuesFor(sel.byMethod.get(spec.b) as RunRow[], spec.metric, log), notes, `${spec.epochs} epochs`);
  const seedsUsed = new Set(a.map((x) => x.seed));
  const used = (m: string): RunRow[] => (sel.byMethod.get(m) as RunRow[]).filter((r) => seedsUsed.has(r.seed));
  const fl = floatArm(rows, spec, sel.setting, spec.epochs);
  const arms = [armValues(used(spec.a), spec.metric, spec.experiment), armValues(used(spec.b), spec.metric, spec.experiment), ...(fl === null ? [] : [fl])];
  const caveats = [...armCaveats(arms, spec.metric), ...claimSpecificCaveats(spec, rows, protocol, bits)];
  return statistical(spec, { ...base, setting: sel.setting, arms, caveats, notes }, a, b, resamples, seed);
}

function evaluateGapChange(spec: GapChangeClaimSpec, rows: readonly RunRow[], protocol: string, bits: number, resamples: number, seed: number): Pending {
  const base = emptyResult(spec, protocol, bits);
  const mine = rows.filter((r) => r.experiment === spec.experiment && r.method !== 'float' && r.protocol === protocol && r.bits === bits && (r.epochs === spec.epochsShort || r.epochs === spec.epochsLong));
  const tagged = mine.map((r) => ({ ...r, method: `${r.method}@${r.epochs}` }));
  const methods = [spec.epochsShort, spec.epochsLong].flatMap((e) => [`${spec.a}@${e}`, `${spec.b}@${e}`]);
  const sel = chooseSetting(tagged, methods);
  if (sel === null) return { spec, comparison: null, result: base };
  const notes: string[] = sel.reduced ? ['runs on reduced data (see the setting)'] : [];
  const gaps = (epochs: number): SV[] => {
    const [a, b] = pairUp(
      valuesFor(sel.byMethod.get(`${spec.a}@${epochs}`) as RunRow[], spec.metric, false),
      valuesFor(sel.byMethod.get(`${spec.b}@${epochs}`) as RunRow[], spec.metric, false),
      notes,
      `${epochs} epochs`,
    );
    const bBy = new Map(b.map((x) => [x.seed, x.value]));
    return a.filter((x) => bBy.has(x.seed)).map((x) => ({ seed: x.seed, value: x.value - (bBy.get(x.seed) as number) }));
  };
  const [long, short] = pairUp(gaps(spec.epochsLong), gaps(spec.epochsShort), notes, 'across epoch settings');
  const arms: ArmValues[] = [];
  for (const e of [spec.epochsShort, spec.epochsLong]) {
    for (const m of [spec.a, spec.b]) {
      const rs = (sel.byMethod.get(`${m}@${e}`) as RunRow[]).map((r) => ({ ...r, method: m }));
      arms.push(armValues(rs, spec.metric, spec.experiment));
    }
  }
  const caveats = armCaveats(arms, spec.metric);
  return statistical(spec, { ...base, setting: sel.setting, arms, caveats, notes }, long, short, resamples, seed);
}

/**
 * The interleaved timings an inference-time claim is judged on: of the sets (same args but
 * the seed) that timed both arms on `experiment` with weights of `protocol`'s runs, the
 * one with the most seeds on one backend (engines are never mixed), or null.
 */
export function timingRecordsFor(records: readonly InferenceTimingRecord[], experiment: string, a: string, b: string, protocol = 'projected-step'): InferenceTimingRecord[] | null {
  const mine = records.filter((r) => r.args.experiment === experiment && r.args.protocol === protocol && r.args.methods.includes(a) && r.args.methods.includes(b));
  const groups: InferenceTimingRecord[][] = [];
  for (const set of timingSets(mine).values()) {
    const byBackend = new Map<string, InferenceTimingRecord[]>();
    for (const r of set) byBackend.set(r.environment.engine.backend, [...(byBackend.get(r.environment.engine.backend) ?? []), r]);
    groups.push(...byBackend.values());
  }
  groups.sort((p, q) => q.length - p.length);
  return groups[0] ?? null;
}

function timedArm(records: readonly InferenceTimingRecord[], method: string, epochs: number): ArmValues {
  const v = records.map((r) => armMedianSeconds(r, method));
  return { method, epochs, n: v.length, mean: v.reduce((x, y) => x + y, 0) / v.length, median: median(v), min: Math.min(...v), max: Math.max(...v), atChance: null };
}

/** An inference-time claim judged on interleaved timings: log of each seed's median pass per arm, paired by seed. */
function evaluateTimedInference(spec: PairedClaimSpec, timing: readonly InferenceTimingRecord[], rows: readonly RunRow[], protocol: string, bits: number, resamples: number, seed: number): Pending {
  const base = emptyResult(spec, protocol, bits);
  const first = timing[0];
  const sorted = [...timing].sort((x, y) => x.args.seed - y.args.seed);
  const sv = (m: string): SV[] => sorted.map((r) => ({ seed: r.args.seed, value: Math.log(armMedianSeconds(r, m)) }));
  const methods = first.args.methods.filter((m) => m === spec.a || m === spec.b || m === 'float');
  const arms = [spec.a, spec.b, ...methods.filter((m) => m === 'float')].map((m) => timedArm(sorted, m, spec.epochs));
  const sources = [...new Set(sorted.flatMap((r) => r.arms.map((x) => x.weights.kind)))].sort();
  const setting = `interleaved timing: ${sorted.length} seeds × ${first.args.repeats} passes per arm (${first.args.warmup} warm-up discarded), ${first.nTest} test examples per pass, batch ${first.args.evalBatchSize}, ${first.environment.engine.backend}; weights: ${sources.join(' and ')}`;
  const notes = [
    'both arms timed in one process, alternating in a balanced seeded order; the training runs\' own inference timings are not used (each was taken in its own process at its own moment)',
  ];
  const loads = sorted.flatMap((r) => [r.environment.loadavg.start[0], r.environment.loadavg.end[0]]);
  const timed: Caveat = {
    code: 'timed-interleaved',
    method: first.environment.engine.backend,
    values: { n: sorted.length, repeats: first.args.repeats, warmup: first.args.warmup, initial: sources.includes('initial') ? 1 : 0, loadMin: Math.min(...loads), loadMax: Math.max(...loads) },
  };
  const caveats = [timed, ...claimSpecificCaveats(spec, rows, protocol, bits)];
  return statistical(spec, { ...base, setting, arms, caveats, notes }, sv(spec.a), sv(spec.b), resamples, seed);
}

/** Caveats that belong to one claim: the inference-time claim's measurement problems. */
function claimSpecificCaveats(spec: PairedClaimSpec, rows: readonly RunRow[], protocol: string, bits: number): Caveat[] {
  if (spec.metric !== 'inferenceSeconds' || spec.experiment !== 'cifar10') return [];
  const c = SEED_FIGURES.cifar10;
  const out: Caveat[] = [
    {
      code: 'study-times-training',
      values: { standard: c.e20.standard.inferenceSeconds / c.e5.standard.inferenceSeconds, octization: c.e20.octization.inferenceSeconds / c.e5.octization.inferenceSeconds, epochsShort: 5, epochsLong: 20 },
    },
    { code: 'same-float-graph', values: {} },
  ];
  const medianOf = (epochs: number): number | null => {
    const v = rows.filter((r) => r.experiment === spec.experiment && r.method === spec.b && r.protocol === protocol && r.bits === bits && r.epochs === epochs).map((r) => r.inferenceSeconds);
    return v.length === 0 ? null : median(v);
  };
  const short = medianOf(5);
  const long = medianOf(20);
  if (short !== null && long !== null) out.push({ code: 'environment-dominates', method: spec.b, values: { epochsShort: 5, epochsLong: 20, medianShort: short, medianLong: long } });
  return out;
}

/** The fact check of an equal-parameter-count statement. */
export function checkEqualParams(spec: EqualParamsClaimSpec, rows: readonly RunRow[], protocol: string, bits: number): CheckedFact {
  const mine = rows.filter((r) => r.experiment === spec.experiment && spec.methods.includes(r.method) && r.protocol === protocol && r.bits === bits);
  const measured = [...new Set(mine.map((r) => r.params))].sort((a, b) => a - b);
  const caveats: Caveat[] = [];
  if (measured.length === 1 && measured[0] !== spec.seedParams) caveats.push({ code: 'study-count-mismatch', values: { study: spec.seedParams, measured: measured[0], difference: spec.seedParams - measured[0] } });
  return {
    id: spec.id,
    experiment: spec.experiment,
    statement: spec.statement,
    quote: spec.quote,
    protocol,
    n: mine.length,
    holds: mine.length === 0 ? null : measured.length === 1,
    measured,
    study: spec.seedParams,
    caveats,
  };
}

/**
 * Checks every statistical claim under one protocol and bit width: picks the runs,
 * estimates with t and BCa intervals (paired by seed), Holm-adjusts within the
 * family `claims/<protocol>` and applies the rule. Equal-parameter statements are
 * returned as checked facts.
 */
export function evaluateClaims(rows: readonly RunRow[], options: EvaluateClaimsArgs = {}): { claims: ClaimResult[]; facts: CheckedFact[] } {
  const specs = options.specs ?? seedClaims();
  const protocol = options.protocol ?? 'projected-step';
  const bits = options.bits ?? 8;
  const rule = options.rule ?? DEFAULT_RULE;
  const resamples = options.resamples ?? 10000;
  const seed = options.seed ?? 0;
  const ids = new Set<string>();
  for (const s of specs) {
    if (ids.has(s.id)) throw new Error(`claim id '${s.id}' appears more than once`);
    ids.add(s.id);
  }
  const pending: Pending[] = [];
  const facts: CheckedFact[] = [];
  for (const s of specs) {
    if (s.kind === 'equal-params') facts.push(checkEqualParams(s, rows, protocol, bits));
    else if (s.kind === 'paired') pending.push(evaluatePaired(s, rows, protocol, bits, resamples, seed, options.inferenceTiming ?? []));
    else pending.push(evaluateGapChange(s, rows, protocol, bits, resamples, seed));
  }
  const tested = pending.filter((p) => p.comparison !== null);
  const adjusted = tested.length === 0 ? [] : holmAdjust(tested.map((p) => (p.comparison as Comparison).pT));
  tested.forEach((p, i) => {
    p.result.pHolm = adjusted[i];
  });
  const claims = pending.map((p) => {
    if (p.comparison === null) return p.result;
    const r = p.result;
    const c = p.comparison;
    const judgement = judgeClaim(p.spec.test, { estimate: c.meanDiff, ci: c.tCI, se: c.seDiff, df: c.df, n: r.n, p: r.pHolm as number }, rule);
    return { ...r, judgement, verdict: judgement.code };
  });
  return { claims, facts };
}

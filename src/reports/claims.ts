/**
 * The seed study's claims, each checked against measured runs: the seed's
 * number, our estimate with its 95% interval and n, and a verdict by a stated
 * rule. Pure functions of run rows; the statistics come from `src/statistics`.
 */
import { compareMethods, holmAdjust } from '../statistics';
import type { Comparison, Interval } from '../statistics';
import { METRICS, pairOnCommonSeeds } from './analysis';
import type { RunMetric } from './analysis';
import { formatBytes, formatInterval, formatNumber, formatP, formatPp, isFiniteNumber } from './format';
import type { RunRow } from './tables';

/** The four outcomes of a claim check. */
export type Verdict = 'supported' | 'not supported' | 'inconclusive' | 'no results yet';

/** Parameters of the verdict rule (see {@link describeRule}). */
export interface VerdictRule {
  /** Level of the two-sided tests and of the Holm correction. Default 0.05. */
  alpha: number;
  /** Fewest paired runs (or runs per method when unpaired) for any verdict but inconclusive. Default 10. */
  minN: number;
  /** "Well below the claimed size": the whole interval lies below this fraction of the claimed effect. Default 0.5. */
  sizeFraction: number;
  /** For claims of an approximate size ("about X"): the whole interval beyond this multiple of X also contradicts them. Default 2. */
  aboutFactor: number;
}

/** The default rule: alpha 0.05, n ≥ 10, half the claimed size, twice an "about" size. */
export const DEFAULT_RULE: Readonly<VerdictRule> = Object.freeze({ alpha: 0.05, minN: 10, sizeFraction: 0.5, aboutFactor: 2 });

/** What a claim asserts about the estimate (on the estimate's own scale). */
export interface ClaimTest {
  /** Sign of the claimed effect: +1 (estimate > 0) or −1 (estimate < 0). */
  sign: 1 | -1;
  /** Size of the claimed effect with its sign, or null when the seed states only a direction. */
  claimedSize: number | null;
  /** `at-least`: a larger effect still agrees; `about`: an effect far larger also contradicts the claim. */
  sizeKind: 'at-least' | 'about';
  /** Half-width of a region of practical equivalence around 0, or null for none. */
  rope: number | null;
}

/** The measured evidence for one statistical claim. */
export interface ClaimEvidence {
  /** Point estimate. */
  estimate: number;
  /** 95% t interval of the estimate. */
  ci: Interval;
  /** Pairs (paired) or the smaller group size (unpaired). */
  n: number;
  /** Holm-adjusted p-value across the claims table, or null when not available. */
  pHolm: number | null;
}

/** A verdict with the reason, in words. */
export interface Judgement {
  /** The verdict. */
  verdict: Verdict;
  /** Why, citing the rule's numbers. */
  reason: string;
}

/**
 * Applies the verdict rule to one claim:
 * 1. no evidence → `no results yet` (with `missing` as the reason);
 * 2. n below `minN` → `inconclusive`;
 * 3. interval entirely on the side opposite to the claim → `not supported`;
 * 4. a claimed size, and the interval entirely below `sizeFraction` of it → `not supported`;
 * 5. an "about" size, and the interval entirely beyond `aboutFactor` times it → `not supported`;
 * 6. a region of practical equivalence that holds the whole interval → `not supported`;
 * 7. interval entirely on the claimed side and Holm-adjusted p < alpha → `supported` (the reason
 *    adds when the study's own size lies outside the interval: direction reproduced, size not);
 * 8. otherwise `inconclusive`.
 */
export function judgeClaim(test: ClaimTest, evidence: ClaimEvidence | null, rule: VerdictRule = DEFAULT_RULE, missing = 'no runs'): Judgement {
  if (test.sign !== 1 && test.sign !== -1) throw new Error(`claim test sign must be +1 or -1, got ${String(test.sign)}`);
  if (test.claimedSize !== null && (!Number.isFinite(test.claimedSize) || Math.sign(test.claimedSize) !== test.sign)) {
    throw new Error(`claim test claimedSize must be finite with the claim's sign (${test.sign}), got ${String(test.claimedSize)}`);
  }
  if (evidence === null) return { verdict: 'no results yet', reason: missing };
  const { estimate, ci, n } = evidence;
  if (![estimate, ci.lower, ci.upper].every(Number.isFinite) || ci.lower > ci.upper) {
    throw new Error(`claim evidence must have a finite estimate and interval with lower <= upper, got ${estimate} [${ci.lower}, ${ci.upper}]`);
  }
  if (n < rule.minN) return { verdict: 'inconclusive', reason: `n = ${n} is below ${rule.minN}: too few runs for a verdict` };
  // Orient the interval so that the claimed direction is positive.
  const near = test.sign === 1 ? ci.lower : -ci.upper;
  const far = test.sign === 1 ? ci.upper : -ci.lower;
  if (far < 0) return { verdict: 'not supported', reason: 'the 95% interval lies entirely on the side opposite to the claim' };
  if (test.claimedSize !== null) {
    const size = Math.abs(test.claimedSize);
    if (far < rule.sizeFraction * size) {
      return { verdict: 'not supported', reason: `the 95% interval lies entirely below ${rule.sizeFraction} × the claimed size` };
    }
    if (test.sizeKind === 'about' && near > rule.aboutFactor * size) {
      return { verdict: 'not supported', reason: `the 95% interval lies entirely above ${rule.aboutFactor} × the claimed size` };
    }
  }
  if (test.rope !== null && -test.rope <= Math.min(near, far) && Math.max(near, far) <= test.rope) {
    return { verdict: 'not supported', reason: `the 95% interval lies inside the region of practical equivalence ±${test.rope}` };
  }
  if (near > 0) {
    if (evidence.pHolm !== null && evidence.pHolm < rule.alpha) {
      const size = test.claimedSize === null ? null : Math.abs(test.claimedSize);
      const sizeMissed = size !== null && (size < near || size > far);
      return {
        verdict: 'supported',
        reason:
          `the 95% interval excludes 0 on the claimed side and the Holm-adjusted p < ${rule.alpha}` +
          (sizeMissed ? `; the study's own size lies outside the interval: the direction is reproduced, the size is not` : ''),
      };
    }
    return { verdict: 'inconclusive', reason: `the 95% interval excludes 0 but the Holm-adjusted p is not below ${rule.alpha}` };
  }
  return { verdict: 'inconclusive', reason: 'the 95% interval includes 0' };
}

/** The verdict rule in words, with its numbers. */
export function describeRule(rule: VerdictRule = DEFAULT_RULE): string {
  const pct = (x: number): string => `${formatNumber(x * 100, 3)}%`;
  return (
    `A claim is supported when at least ${rule.minN} runs per method (paired by seed) back it, the ${pct(1 - rule.alpha)} ` +
    `t interval of the estimate excludes 0 on the claimed side, the Holm-adjusted p-value (Holm across the statistical claims ` +
    `of the table) is below ${rule.alpha}, and, where the study states a size, the interval reaches ${rule.sizeFraction} × that size. ` +
    `It is not supported when the interval lies entirely on the opposite side, or entirely below ${rule.sizeFraction} × the ` +
    `claimed size, or (for "about" sizes) entirely above ${rule.aboutFactor} × it, or inside a stated region of practical ` +
    `equivalence. Otherwise it is inconclusive, and always when n < ${rule.minN}. Claims without runs, or with n < ${rule.minN}, name the ` +
    `runs of the study plan still missing, the compute they need and the command that runs them; no verdict is guessed. Parameter counts are deterministic: that claim is checked by equality in every run.`
  );
}

/** The numbers the seed study reports (as printed in its text). */
export const SEED_FIGURES = Object.freeze({
  cifar10: {
    params: 282250,
    e5: {
      standard: { accuracy: 29.14, inferenceSeconds: 53.67, lossFirst: 2.2742, lossLast: 2.1364 },
      octization: { accuracy: 40.4, inferenceSeconds: 54.19, lossFirst: 2.1202, lossLast: 1.704 },
    },
    e20: {
      standard: { accuracy: 33.32, inferenceSeconds: 214.58, lossFirst: 2.2671, lossLast: 1.9121 },
      octization: { accuracy: 51.89, inferenceSeconds: 217.92, lossFirst: 2.1327, lossLast: 1.3204 },
    },
  },
  mnist: {
    params: 101870,
    epochs: 20,
    standard: { accuracy: 96.73, testLoss: 0.2253, inferenceSeconds: 27.97 },
    octization: { accuracy: 96.93, testLoss: 0.1858, inferenceSeconds: 27.99 },
  },
  regression: {
    epochs: 50,
    standard: { lossFirst: 382.4389, lossLast: 156.692 },
    octization: { lossFirst: 98.0795, lossLast: 42.9256 },
  },
});

/** Fields common to every claim specification. */
interface ClaimBase {
  /** Stable identifier, e.g. `cifar10-accuracy-5`. */
  id: string;
  /** Experiment whose runs are used. */
  experiment: string;
  /** The claim in words. */
  statement: string;
  /** What the seed reports, in words and numbers. */
  seedText: string;
}

/** A paired comparison of method A with method B on one run metric. */
export interface PairedClaimSpec extends ClaimBase {
  /** Kind tag. */
  kind: 'paired';
  /** Epochs of the runs. */
  epochs: number;
  /** Metric compared. */
  metric: RunMetric;
  /** Method A (estimate is A − B, or log(A / B)). */
  a: string;
  /** Method B. */
  b: string;
  /** `difference`: A − B in the metric's units; `log-ratio`: mean of log(A / B), shown as a % change. */
  scale: 'difference' | 'log-ratio';
  /** The claim on the estimate's scale. */
  test: ClaimTest;
}

/** The change of the paired gap A − B between two epoch settings (long − short). */
export interface GapChangeClaimSpec extends ClaimBase {
  /** Kind tag. */
  kind: 'gap-change';
  /** Epochs of the shorter setting. */
  epochsShort: number;
  /** Epochs of the longer setting. */
  epochsLong: number;
  /** Metric of the gap. */
  metric: RunMetric;
  /** Method A. */
  a: string;
  /** Method B. */
  b: string;
  /** The claim on the gap-difference scale. */
  test: ClaimTest;
}

/** Equal parameter counts for the listed methods (deterministic). */
export interface EqualParamsClaimSpec extends ClaimBase {
  /** Kind tag. */
  kind: 'equal-params';
  /** Methods whose runs must all have the same parameter count. */
  methods: string[];
  /** The parameter count the seed reports, or null. */
  seedParams: number | null;
}

/** Any claim specification. */
export type ClaimSpec = PairedClaimSpec | GapChangeClaimSpec | EqualParamsClaimSpec;

const pp = (x: number): number => Math.round(x * 100) / 100;

/** The claims of the seed study that octolab checks, with the seed's numbers (derived values computed from {@link SEED_FIGURES}). */
export function seedClaims(): ClaimSpec[] {
  const c = SEED_FIGURES.cifar10;
  const m = SEED_FIGURES.mnist;
  const r = SEED_FIGURES.regression;
  const gap5 = c.e5.octization.accuracy - c.e5.standard.accuracy;
  const gap20 = c.e20.octization.accuracy - c.e20.standard.accuracy;
  const mnistGap = m.octization.accuracy - m.standard.accuracy;
  const infRatio = c.e20.octization.inferenceSeconds / c.e20.standard.inferenceSeconds;
  const loss1 = c.e20.octization.lossFirst - c.e20.standard.lossFirst;
  const regRatio = r.octization.lossLast / r.standard.lossLast;
  const sign = (x: number): 1 | -1 => (x < 0 ? -1 : 1);
  return [
    {
      kind: 'paired', id: 'cifar10-accuracy-5', experiment: 'cifar10', epochs: 5, metric: 'testAccuracy', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 after 5 epochs, Octization reaches higher test accuracy than standard quantization.',
      seedText: `${c.e5.octization.accuracy.toFixed(2)}% vs ${c.e5.standard.accuracy.toFixed(2)}%: +${pp(gap5).toFixed(2)} pp`,
      test: { sign: 1, claimedSize: gap5 / 100, sizeKind: 'at-least', rope: null },
    },
    {
      kind: 'paired', id: 'cifar10-accuracy-20', experiment: 'cifar10', epochs: 20, metric: 'testAccuracy', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 after 20 epochs, Octization reaches substantially higher test accuracy than standard quantization.',
      seedText: `${c.e20.octization.accuracy.toFixed(2)}% vs ${c.e20.standard.accuracy.toFixed(2)}%: +${pp(gap20).toFixed(2)} pp`,
      test: { sign: 1, claimedSize: gap20 / 100, sizeKind: 'at-least', rope: null },
    },
    {
      kind: 'gap-change', id: 'cifar10-gap-widens', experiment: 'cifar10', epochsShort: 5, epochsLong: 20, metric: 'testAccuracy', a: 'octization', b: 'standard',
      statement: 'The accuracy gap (Octization − standard) widens from 5 to 20 epochs.',
      seedText: `+${pp(gap5).toFixed(2)} pp → +${pp(gap20).toFixed(2)} pp: widens by ${pp(gap20 - gap5).toFixed(2)} pp`,
      test: { sign: 1, claimedSize: (gap20 - gap5) / 100, sizeKind: 'at-least', rope: null },
    },
    {
      kind: 'paired', id: 'cifar10-dynamics-auc', experiment: 'cifar10', epochs: 20, metric: 'trainLossMean', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 (20 epochs), Octization has better learning dynamics: lower training loss throughout training.',
      seedText: `no summary number; first → last epoch loss ${c.e20.octization.lossFirst} → ${c.e20.octization.lossLast} (Octization) vs ${c.e20.standard.lossFirst} → ${c.e20.standard.lossLast} (standard)`,
      test: { sign: -1, claimedSize: null, sizeKind: 'at-least', rope: null },
    },
    {
      kind: 'paired', id: 'cifar10-dynamics-epoch1', experiment: 'cifar10', epochs: 20, metric: 'trainLossFirst', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On CIFAR-10 (20 epochs), the loss of Octization decreases more rapidly: lower training loss after epoch 1.',
      seedText: `${c.e20.octization.lossFirst} vs ${c.e20.standard.lossFirst}: ${formatNumber(loss1, 4)}`,
      test: { sign: sign(loss1), claimedSize: loss1, sizeKind: 'at-least', rope: null },
    },
    {
      kind: 'paired', id: 'cifar10-inference-time', experiment: 'cifar10', epochs: 20, metric: 'inferenceSeconds', a: 'octization', b: 'standard', scale: 'log-ratio',
      statement: 'Octization has minimal inference overhead: about 1.5% slower than standard quantization (CIFAR-10, 20 epochs).',
      seedText: `${c.e20.octization.inferenceSeconds} s vs ${c.e20.standard.inferenceSeconds} s: ${formatRatio(infRatio)}`,
      test: { sign: sign(Math.log(infRatio)), claimedSize: Math.log(infRatio), sizeKind: 'about', rope: null },
    },
    {
      kind: 'equal-params', id: 'cifar10-same-size', experiment: 'cifar10', methods: ['standard', 'octization'], seedParams: c.params,
      statement: 'Both CIFAR-10 models have the same size.',
      seedText: `${formatNumber(c.params)} parameters each`,
    },
    {
      kind: 'paired', id: 'mnist-accuracy', experiment: 'mnist', epochs: m.epochs, metric: 'testAccuracy', a: 'octization', b: 'standard', scale: 'difference',
      statement: 'On MNIST (20 epochs), Octization reaches higher test accuracy than standard quantization.',
      seedText: `${m.octization.accuracy.toFixed(2)}% vs ${m.standard.accuracy.toFixed(2)}%: +${pp(mnistGap).toFixed(2)} pp`,
      test: { sign: 1, claimedSize: mnistGap / 100, sizeKind: 'at-least', rope: null },
    },
    {
      kind: 'equal-params', id: 'mnist-same-size', experiment: 'mnist', methods: ['standard', 'octization'], seedParams: m.params,
      statement: 'Both MNIST models have the same size.',
      seedText: `${formatNumber(m.params)} parameters each`,
    },
    {
      kind: 'paired', id: 'regression-final-loss', experiment: 'regression', epochs: r.epochs, metric: 'trainLossLast', a: 'octization', b: 'standard', scale: 'log-ratio',
      statement: 'On the regression task (50 epochs), Octization ends with a much lower loss (MSE) than standard quantization.',
      seedText: `final-epoch training loss ${r.octization.lossLast} vs ${r.standard.lossLast}: ${formatRatio(regRatio)}`,
      test: { sign: sign(Math.log(regRatio)), claimedSize: Math.log(regRatio), sizeKind: 'at-least', rope: null },
    },
  ];
}

/** A ratio as a signed percent change: 1.0156 → "+1.56%", 0.274 → "−72.6%". */
export function formatRatio(ratio: number): string {
  if (!isFiniteNumber(ratio)) return '–';
  const pct = (ratio - 1) * 100;
  const text = formatNumber(pct, 3);
  return `${pct > 0 ? '+' : ''}${text}%`;
}

/** `= 0.012` for a plain p-value, `< 0.0001` when the formatted value is already a bound. */
function pText(formatted: string): string {
  return /^[<>]/.test(formatted) ? formatted : `= ${formatted}`;
}

/** A claim checked against runs. */
export interface ClaimResult {
  /** Claim id. */
  id: string;
  /** Experiment. */
  experiment: string;
  /** The claim. */
  statement: string;
  /** What the seed reports. */
  seedText: string;
  /** Which quantity was measured, in words. */
  measure: string;
  /** Protocol of the runs used. */
  protocol: string;
  /** Bit width of the runs used. */
  bits: number;
  /** Setting of the runs used, or null. */
  setting: string | null;
  /** Estimate on the test scale (difference, mean log-ratio, or parameter count), or null. */
  estimate: number | null;
  /** 95% t interval on the test scale, or null. */
  ci: Interval | null;
  /** 95% BCa interval on the test scale, or null. */
  bca: Interval | null;
  /** Pairs, runs per method (unpaired: the smaller), or runs checked (deterministic). */
  n: number;
  /** `paired`, `unpaired-welch`, `deterministic`, or null without results. */
  design: 'paired' | 'unpaired-welch' | 'deterministic' | null;
  /** Raw two-sided p-value (paired t or Welch), or null. */
  p: number | null;
  /** Holm-adjusted p across the statistical claims of the table, or null. */
  pHolm: number | null;
  /** Estimate formatted for display (pp, % change or plain). */
  estimateText: string;
  /** Interval formatted for display. */
  ciText: string;
  /** Verdict. */
  verdict: Verdict;
  /** Reason for the verdict. */
  reason: string;
  /** Further remarks (dropped seeds, reduced data, storage differences...). */
  notes: string[];
}

/** Options of {@link evaluateClaims}. */
export interface EvaluateClaimsArgs {
  /** Claims to check. Default {@link seedClaims}(). */
  specs?: ClaimSpec[];
  /** Protocol of the quantized runs used. Default `projected-step`. */
  protocol?: string;
  /** Bit width used. Default 8 (the seed's). */
  bits?: number;
  /** Verdict rule. Default {@link DEFAULT_RULE}. */
  rule?: VerdictRule;
  /** Bootstrap resamples of the BCa intervals. Default 10,000. */
  resamples?: number;
  /** Seed of the bootstrap streams. Default 0. */
  seed?: number;
}

interface Selection {
  setting: string;
  byMethod: Map<string, RunRow[]>;
  reduced: boolean;
}

/**
 * Picks the setting used for a claim among those that have runs of every
 * method asked for: settings on all data first, then the one with the most
 * seeds common to all methods, then the setting text.
 */
export function chooseSetting(runs: readonly RunRow[], methods: readonly string[]): Selection | null {
  const settings = new Map<string, Map<string, RunRow[]>>();
  for (const r of runs) {
    if (!methods.includes(r.method)) continue;
    const s = settings.get(r.setting) ?? new Map<string, RunRow[]>();
    const list = s.get(r.method) ?? [];
    list.push(r);
    s.set(r.method, list);
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

function missingText(spec: ClaimSpec, runs: readonly RunRow[], protocol: string, bits: number, epochs: number[]): string {
  const parts: string[] = [];
  const methods = spec.kind === 'equal-params' ? spec.methods : [spec.a, spec.b];
  for (const e of epochs.length === 0 ? [null] : epochs) {
    const absent = methods.filter((m) => !runs.some((r) => r.method === m && (e === null || r.epochs === e)));
    if (absent.length > 0) parts.push(`${absent.join(' and ')}${e === null ? '' : ` at ${e} epochs`}`);
  }
  const what = parts.length > 0 ? parts.join('; ') : 'runs of both methods in one common setting';
  return `no results yet: missing ${spec.experiment} runs (${protocol}, ${bits} bits) of ${what}`;
}

function metricValue(r: RunRow, metric: RunMetric): number {
  const v = r[metric];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new Error(`run ${r.key}: ${METRICS[metric].label} (${metric}) is ${String(v)}, a claim needs a finite number`);
  }
  return v;
}

function valuesFor(rows: readonly RunRow[], metric: RunMetric, scale: 'difference' | 'log-ratio'): { seed: number; value: number }[] {
  return rows.map((r) => {
    const v = metricValue(r, metric);
    if (scale === 'log-ratio' && !(v > 0)) throw new Error(`run ${r.key}: ${metric} = ${v} must be > 0 for a ratio`);
    return { seed: r.seed, value: scale === 'log-ratio' ? Math.log(v) : v };
  });
}

/** Restricts two seed-indexed lists to their common seeds when at least 2 are common; notes what was left out. */
function pairUp<T extends { seed: number }>(a: T[], b: T[], notes: string[], what: string): [T[], T[]] {
  const r = pairOnCommonSeeds(a, b);
  if (r.note !== null) notes.push(`${what}: ${r.note}`);
  return [r.a, r.b];
}

function displayFor(spec: PairedClaimSpec | GapChangeClaimSpec): { f: (x: number) => string; measure: string } {
  const unit = METRICS[spec.metric].unit;
  const label = METRICS[spec.metric].label;
  if (spec.kind === 'paired' && spec.scale === 'log-ratio') {
    return { f: (x) => formatRatio(Math.exp(x)), measure: `${label}: ${spec.a} / ${spec.b}, geometric mean of per-seed ratios` };
  }
  const f = unit === 'fraction' ? (x: number) => formatPp(x) : (x: number) => formatNumber(x, 4);
  if (spec.kind === 'gap-change') {
    return { f, measure: `${label}: (${spec.a} − ${spec.b}) at ${spec.epochsLong} epochs minus (${spec.a} − ${spec.b}) at ${spec.epochsShort} epochs` };
  }
  return { f, measure: `${label}: ${spec.a} − ${spec.b}` };
}

interface Pending {
  result: ClaimResult;
  spec: ClaimSpec;
  comparison: Comparison | null;
  smallestGroup: number;
}

function evaluateOne(spec: ClaimSpec, rows: readonly RunRow[], protocol: string, bits: number, resamples: number, seed: number): Pending {
  const mine = rows.filter((r) => r.experiment === spec.experiment && r.method !== 'float' && r.protocol === protocol && r.bits === bits);
  const base = {
    id: spec.id,
    experiment: spec.experiment,
    statement: spec.statement,
    seedText: spec.seedText,
    protocol,
    bits,
    estimate: null,
    ci: null,
    bca: null,
    n: 0,
    design: null,
    p: null,
    pHolm: null,
    estimateText: '–',
    ciText: '–',
    notes: [] as string[],
  };
  if (spec.kind === 'equal-params') {
    const sel = chooseSetting(mine, spec.methods);
    const measure = `parameter count of every ${spec.methods.join(' and ')} run`;
    if (sel === null) {
      return { spec, comparison: null, smallestGroup: 0, result: { ...base, measure, setting: null, verdict: 'no results yet', reason: missingText(spec, mine, protocol, bits, []) } };
    }
    const all = spec.methods.flatMap((m) => sel.byMethod.get(m) as RunRow[]);
    const params = [...new Set(all.map((r) => r.params))].sort((a, b) => a - b);
    const notes: string[] = [];
    if (spec.seedParams !== null && params.length === 1 && params[0] !== spec.seedParams) {
      notes.push(`the seed reports ${formatNumber(spec.seedParams)} parameters; the model octolab builds has ${formatNumber(params[0])} (difference ${formatNumber(params[0] - spec.seedParams)})`);
    }
    notes.push(storageNote(spec.methods.map((m) => ({ method: m, rows: sel.byMethod.get(m) as RunRow[] }))));
    if (sel.reduced) notes.push('runs on reduced data (see the setting)');
    const equal = params.length === 1;
    return {
      spec,
      comparison: null,
      smallestGroup: all.length,
      result: {
        ...base,
        measure,
        setting: sel.setting,
        estimate: equal ? params[0] : null,
        n: all.length,
        design: 'deterministic',
        estimateText: equal ? `${formatNumber(params[0])} parameters` : `differs: ${params.map((p) => formatNumber(p)).join(' vs ')}`,
        verdict: equal ? 'supported' : 'not supported',
        reason: equal ? `all ${all.length} runs of these methods have the same parameter count` : 'the parameter counts differ between runs',
        notes,
      },
    };
  }
  const { f, measure } = displayFor(spec);
  if (spec.kind === 'paired') {
    const atEpochs = mine.filter((r) => r.epochs === spec.epochs);
    const sel = chooseSetting(atEpochs, [spec.a, spec.b]);
    if (sel === null) {
      return { spec, comparison: null, smallestGroup: 0, result: { ...base, measure, setting: null, verdict: 'no results yet', reason: missingText(spec, mine, protocol, bits, [spec.epochs]) } };
    }
    const notes: string[] = [];
    if (sel.reduced) notes.push('runs on reduced data (see the setting)');
    const [a, b] = pairUp(
      valuesFor(sel.byMethod.get(spec.a) as RunRow[], spec.metric, spec.scale),
      valuesFor(sel.byMethod.get(spec.b) as RunRow[], spec.metric, spec.scale),
      notes,
      `${spec.epochs} epochs`,
    );
    return finishStatistical(spec, base, measure, sel.setting, a, b, f, notes, resamples, seed);
  }
  // gap-change: per-seed gaps at each epoch setting, in one common setting.
  const both = mine.filter((r) => r.epochs === spec.epochsShort || r.epochs === spec.epochsLong);
  const tagged = both.map((r) => ({ ...r, method: `${r.method}@${r.epochs}` }));
  const methods = [`${spec.a}@${spec.epochsShort}`, `${spec.b}@${spec.epochsShort}`, `${spec.a}@${spec.epochsLong}`, `${spec.b}@${spec.epochsLong}`];
  const sel = chooseSetting(tagged, methods);
  if (sel === null) {
    return { spec, comparison: null, smallestGroup: 0, result: { ...base, measure, setting: null, verdict: 'no results yet', reason: missingText(spec, mine, protocol, bits, [spec.epochsShort, spec.epochsLong]) } };
  }
  const notes: string[] = [];
  if (sel.reduced) notes.push('runs on reduced data (see the setting)');
  const gaps = (epochs: number): { seed: number; value: number }[] => {
    const [a, b] = pairUp(
      valuesFor(sel.byMethod.get(`${spec.a}@${epochs}`) as RunRow[], spec.metric, 'difference'),
      valuesFor(sel.byMethod.get(`${spec.b}@${epochs}`) as RunRow[], spec.metric, 'difference'),
      notes,
      `${epochs} epochs`,
    );
    const bBy = new Map(b.map((x) => [x.seed, x.value]));
    return a.filter((x) => bBy.has(x.seed)).map((x) => ({ seed: x.seed, value: x.value - (bBy.get(x.seed) as number) }));
  };
  const [long, short] = pairUp(gaps(spec.epochsLong), gaps(spec.epochsShort), notes, 'across epoch settings');
  const pending = finishStatistical(spec, base, measure, sel.setting, long, short, f, notes, resamples, seed);
  if (pending.comparison !== null) {
    pending.result.notes.push(
      pending.comparison.design === 'paired'
        ? `paired across epoch settings: the same seeds ran at ${spec.epochsShort} and ${spec.epochsLong} epochs (same initial weights and data order)`
        : `unpaired across epoch settings (Welch): the seeds at ${spec.epochsShort} and ${spec.epochsLong} epochs differ`,
    );
  }
  return pending;
}

function finishStatistical(
  spec: PairedClaimSpec | GapChangeClaimSpec,
  base: Omit<ClaimResult, 'measure' | 'setting' | 'verdict' | 'reason'>,
  measure: string,
  setting: string,
  a: { seed: number; value: number }[],
  b: { seed: number; value: number }[],
  f: (x: number) => string,
  notes: string[],
  resamples: number,
  seed: number,
): Pending {
  const smallestGroup = Math.min(a.length, b.length);
  if (smallestGroup < 2) {
    return {
      spec,
      comparison: null,
      smallestGroup,
      result: { ...base, measure, setting, n: smallestGroup, verdict: 'inconclusive', reason: `n = ${smallestGroup}: at least 2 runs per side are needed for an interval`, notes },
    };
  }
  const direction = METRICS[spec.metric].direction;
  const comparison = compareMethods(a, b, { direction, resamples, seed });
  if (comparison.warning !== null) notes.push(comparison.warning);
  const n = comparison.design === 'paired' ? comparison.n : smallestGroup;
  return {
    spec,
    comparison,
    smallestGroup,
    result: {
      ...base,
      measure,
      setting,
      estimate: comparison.meanDiff,
      ci: comparison.tCI,
      bca: comparison.bcaCI,
      n,
      design: comparison.design,
      p: comparison.pT,
      estimateText: f(comparison.meanDiff),
      ciText: formatInterval(comparison.tCI, f),
      verdict: 'inconclusive',
      reason: '',
      notes,
    },
  };
}

/** The storage of the given methods' runs by serialisation, in one sentence. */
export function storageNote(groups: { method: string; rows: readonly RunRow[] }[]): string {
  const parts: string[] = [];
  for (const g of groups) {
    const mean = (k: string): number | null => {
      const v = g.rows.map((r) => r.storage[k]).filter(isFiniteNumber);
      return v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length;
    };
    const items: string[] = [];
    const add = (label: string, k: string): void => {
      const v = mean(k);
      if (v !== null) items.push(`${label} ${formatBytes(v)}`);
    };
    add('float32', 'float32Bytes');
    const bitsField = mean('packedBits');
    add(bitsField === null ? 'packed' : `packed ${formatNumber(bitsField)}-bit`, 'packedBytes');
    add('int array', 'intArrayBytes');
    add('octal strings', 'octalTextBytes');
    add('its own encoding gzipped', 'gzip.encoding');
    if (items.length > 0) parts.push(`${g.method}: ${items.join(', ')}`);
  }
  return parts.length === 0
    ? 'no storage sizes recorded'
    : `equal parameter counts do not mean equal storage; bytes by encoding (mean over runs): ${parts.join('; ')}`;
}

/**
 * Checks every claim against the runs: selects the runs (experiment, epochs,
 * protocol, bit width, one common setting), estimates with 95% t and BCa
 * intervals (paired by seed where the seeds match), applies Holm's correction
 * across the statistical claims that have results, and judges each claim by
 * `rule`.
 */
export function evaluateClaims(rows: readonly RunRow[], options: EvaluateClaimsArgs = {}): ClaimResult[] {
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
  const pending = specs.map((s) => evaluateOne(s, rows, protocol, bits, resamples, seed));
  const tested = pending.filter((p) => p.comparison !== null);
  if (tested.length > 0) {
    const adjusted = holmAdjust(tested.map((p) => (p.comparison as Comparison).pT));
    tested.forEach((p, i) => {
      p.result.pHolm = adjusted[i];
    });
  }
  return pending.map((p) => {
    if (p.spec.kind === 'equal-params' || p.result.verdict === 'no results yet' || p.comparison === null) return p.result;
    const r = p.result;
    const j = judgeClaim(p.spec.test, { estimate: r.estimate as number, ci: r.ci as Interval, n: r.n, pHolm: r.pHolm }, rule);
    return { ...r, verdict: j.verdict, reason: `${j.reason} (p ${pText(formatP(r.p))}, Holm ${pText(formatP(r.pHolm))})` };
  });
}

/**
 * The claims as the reader sees them: the verdict rule in words, one reason per
 * verdict code, one sentence per caveat, and the claims and checked-facts tables of
 * the view model. Everything here is words and layout over the codes and numbers of
 * `src/analysis/claims`.
 */
import type { Caveat } from '../analysis/caveats';
import { BELOW_FLOAT_MARGIN, CHANCE_MARGIN } from '../analysis/caveats';
import type { CheckedFact, ClaimResult } from '../analysis/claims';
import type { VerdictRule } from '../analysis/verdict';
import { DEFAULT_RULE, VERDICT_CODES } from '../analysis/verdict';
import { formatNumber, formatP, formatPercent } from '../reports/format';
import { cell, cellText, CODE_LABELS } from './table';
import type { Unit, ViewCell, ViewTable } from './table';

/** Unit of a claim metric's raw values. */
export function valueUnit(c: Pick<ClaimResult, 'metric'>): Unit {
  return c.metric === 'testAccuracy' ? 'percent' : c.metric === 'inferenceSeconds' ? 'seconds' : 'number';
}

/** Unit of a claim's estimate. */
export function estimateUnit(c: Pick<ClaimResult, 'metric' | 'scale'>): Unit {
  if (c.scale === 'log-ratio') return 'change';
  return c.metric === 'testAccuracy' ? 'pp' : 'signed';
}

const show = (x: number | null, unit: Unit): string => cellText(cell(x, unit));

/** The rule in words, with its numbers: stated once per page. */
export function describeRule(rule: VerdictRule = DEFAULT_RULE): string {
  return (
    `One rule for every table (claims, bit widths, protocols). With fewer than ${rule.minN} pairs of runs nothing is concluded (inconclusive). ` +
    `A difference is "equivalent (no effect)" when the two one-sided tests (TOST, each at ${rule.alpha}) place it inside the stated margin ` +
    `(1 pp of accuracy, ±5 % for ratios of losses and times, 0.02 for cross-entropy). Its direction is shown when the 95 % t interval excludes 0 ` +
    `and the Holm-adjusted p-value (paired t, Holm within the named family) is below ${rule.alpha}. A claim is then "contradicted" ` +
    `when the direction shown is the opposite one; "supported" when it is the claimed one and the study's own size lies inside the interval; ` +
    `"not reproduced" when the study's size lies outside the interval (smaller or larger, stated), also when the direction is not shown ` +
    `but the interval excludes the study's size; otherwise "inconclusive", with the minimum detectable effect (80 % power). The sign-flip permutation p ` +
    `and the median of the per-seed differences are shown beside every paired t because the arms are bounded and often bimodal. ` +
    `Parameter counts are deterministic: they are checked facts, not statistical support, and are not counted in the tally.`
  );
}

/** One caveat in words. */
export function caveatText(c: Caveat): string {
  const v = c.values;
  switch (c.code) {
    case 'arm-at-chance':
      return `${c.method} is at chance (within ${formatNumber(CHANCE_MARGIN * 100)} pp of 10 %) in ${v.k} of ${v.n} seeds${v.epochs === undefined ? '' : ` at ${v.epochs} epochs`}`;
    case 'below-float':
      return `${c.method} (${formatPercent(v.mean)}) is more than ${formatNumber(BELOW_FLOAT_MARGIN * 100)} pp below float (${formatPercent(v.float)})`;
    case 'study-count-mismatch':
      return `the study prints ${formatNumber(v.study)} parameters; the model it describes has ${formatNumber(v.measured)}: the study's count is off by ${formatNumber(v.difference)}`;
    case 'study-times-training':
      return `the study's "inference times" grow ${v.standard.toFixed(3)}× (standard) and ${v.octization.toFixed(3)}× (Octization) from ${v.epochsShort} to ${v.epochsLong} epochs: they time training, not inference`;
    case 'same-float-graph':
      return 'both arms run the same float32 graph on dequantized weights: the true difference in inference time is zero by construction';
    case 'environment-dominates':
      return `the environment dominates the measurement: the same ${c.method} configuration's median inference pass takes ${formatNumber(v.medianShort, 3)} s in the ${v.epochsShort}-epoch runs and ${formatNumber(v.medianLong, 3)} s in the ${v.epochsLong}-epoch runs`;
    case 'dead-networks':
      return `${formatNumber(v.zeroShare * 100, 3)} % of codes are 0 and every seed scores ${formatPercent(v.accuracy)}: both networks are dead, so "no difference" compares two dead networks`;
    case 'timed-interleaved':
      return `timed by octolab time-inference: both arms in one process, alternating in a balanced order, ${v.n} seeds × ${v.repeats} passes per arm (${v.warmup} warm-up discarded) on ${c.method}${v.initial > 0 ? `, on each seed's initial weights projected by each arm` : ''}, load average ${formatNumber(v.loadMin, 2)}–${formatNumber(v.loadMax, 2)}; the training runs' own timings are not used`;
    case 'diverged':
      return `${c.method} diverges: its training loss rises from epoch 1 to the last epoch in ${v.k} of ${v.n} seeds`;
    default:
      return String(c.code);
  }
}

/** The reason of a claim's verdict, from its codes and numbers. */
export function claimReason(c: ClaimResult, rule: VerdictRule = DEFAULT_RULE): string {
  const eu = estimateUnit(c);
  if (c.missing !== null) return c.missing.detail;
  const j = c.judgement;
  if (j === null) return 'no evidence';
  const ci = c.ci === null ? '' : `[${show(c.ci.lower, eu)}, ${show(c.ci.upper, eu)}]`;
  const size = c.claimedSize === null ? null : show(c.claimedSize, eu);
  switch (j.code) {
    case 'contradicted':
      return `the 95% interval ${ci} lies entirely on the side opposite to the claim (Holm p ${formatP(c.pHolm)})`;
    case 'equivalent':
      return `equivalent within ±${show(j.difference.margin, eu === 'signed' ? 'number' : eu).replace(/^\+/, '')} (TOST p ${formatP(j.difference.pEquivalence)}): no effect of the size that matters`;
    case 'not-reproduced':
      return j.direction === 'claimed'
        ? `the direction is reproduced, the size is not: the study's ${size} lies outside the interval ${ci}; the measured effect is ${j.size}`
        : `the study's ${size} lies outside the interval ${ci}; the measured effect is smaller and its direction is not shown`;
    case 'supported':
      return `the interval ${ci} is on the claimed side, holds the study's ${size ?? 'direction'}, and the Holm p ${formatP(c.pHolm)} < ${rule.alpha}`;
    case 'inconclusive':
      return c.n < rule.minN
        ? `n = ${c.n} is below ${rule.minN}`
        : `the interval ${ci} includes 0${size === null ? '' : ` and the study's ${size}`}; with n = ${c.n} the smallest effect detectable at 80 % power is ${show(c.mde, eu).replace(/^\+/, '')}`;
    default:
      return '';
  }
}

/** Options of {@link claimsView}. */
export interface ClaimsViewArgs {
  /** Table id. */
  id: string;
  /** Caption. */
  title: string;
  /** Verdict rule (for the reasons). */
  rule?: VerdictRule;
  /** Href of each experiment's page, to link the experiment cell. */
  experimentHref?: (experiment: string) => string;
}

function armMean(c: ClaimResult, method: string, which: 'first' | 'last' = 'last'): number | null {
  const arms = c.arms.filter((a) => a.method === method);
  const a = which === 'first' ? arms[0] : arms[arms.length - 1];
  return a === undefined ? null : a.mean;
}

function studyValue(c: ClaimResult, side: 'a' | 'b'): number | null {
  if (c.seed === null || !('a' in c.seed)) return null;
  return c.seed[side];
}

/** The claims table: absolute values of both arms and float beside the estimate, the tests, the verdict, its reason and caveats. */
export function claimsView(claims: readonly ClaimResult[], args: ClaimsViewArgs): ViewTable {
  const rule = args.rule ?? DEFAULT_RULE;
  const rows: ViewCell[][] = claims.map((c) => {
    const vu = c.scale === 'gap-change' ? 'percent' : valueUnit(c);
    const eu = estimateUnit(c);
    const mdeCell = c.mde === null ? null : c.mde;
    return [
      cell(c.experiment, 'text', args.experimentHref?.(c.experiment)),
      cell(c.statement),
      cell(c.protocol),
      cell(studyValue(c, 'a'), vu),
      cell(studyValue(c, 'b'), vu),
      cell(c.claimedSize, eu),
      cell(armMean(c, c.a), vu),
      cell(armMean(c, c.b), vu),
      cell(armMean(c, 'float'), vu),
      cell(c.estimate, eu),
      cell(c.ci?.lower ?? null, eu),
      cell(c.ci?.upper ?? null, eu),
      cell(c.medianDiff, eu),
      cell(c.n === 0 ? null : c.n, 'count'),
      cell(c.p, 'p'),
      cell(c.pPermutation, 'p'),
      cell(c.pHolm, 'p'),
      cell(c.family),
      cell(mdeCell, eu === 'signed' ? 'number' : eu),
      cell(c.verdict, 'code'),
      cell(claimReason(c, rule)),
      cell(c.caveats.length === 0 ? null : c.caveats.map(caveatText).join('; ')),
      cell(c.id),
    ];
  });
  return {
    id: args.id,
    title: args.title,
    columns: [
      { key: 'experiment', label: 'experiment' },
      { key: 'claim', label: 'claim' },
      { key: 'protocol', label: 'protocol' },
      { key: 'studyA', label: 'study: Octization', title: "the study's figure for method A (Octization)" },
      { key: 'studyB', label: 'study: standard', title: "the study's figure for method B (standard)" },
      { key: 'studyEffect', label: 'study: effect', title: "the study's effect on the estimate's scale" },
      { key: 'meanA', label: 'measured: Octization', title: 'mean over the seeds used (for the gap change: the longer setting)' },
      { key: 'meanB', label: 'measured: standard' },
      { key: 'meanFloat', label: 'float', title: 'float baseline in the same setting and epochs, when run' },
      { key: 'estimate', label: 'estimate A − B', title: 'mean of the per-seed differences (or % change from the mean log-ratio)' },
      { key: 'ciLower', label: '95% CI low' },
      { key: 'ciUpper', label: '95% CI high' },
      { key: 'medianDiff', label: 'median diff.', title: 'median of the per-seed differences' },
      { key: 'n', label: 'n', title: 'pairs of runs' },
      { key: 'p', label: 'p (t)', title: 'two-sided paired t (Welch when unpaired)' },
      { key: 'pPermutation', label: 'p (perm.)', title: 'two-sided sign-flip permutation test' },
      { key: 'pHolm', label: 'p Holm', title: 'paired-t p, Holm-adjusted within the family named next' },
      { key: 'family', label: 'Holm family' },
      { key: 'mde', label: 'MDE', title: 'minimum detectable effect at alpha 0.05 and 80 % power' },
      { key: 'verdict', label: 'verdict' },
      { key: 'reason', label: 'why' },
      { key: 'caveats', label: 'caveats' },
      { key: 'id', label: 'id' },
    ],
    rows,
  };
}

/** The checked facts table (deterministic statements, not counted as support). */
export function factsView(facts: readonly CheckedFact[], args: { id: string; title: string }): ViewTable {
  return {
    id: args.id,
    title: args.title,
    columns: [
      { key: 'experiment', label: 'experiment' },
      { key: 'statement', label: 'statement of the study' },
      { key: 'study', label: 'study', align: 'right' },
      { key: 'measured', label: 'measured', align: 'right' },
      { key: 'runs', label: 'runs checked' },
      { key: 'result', label: 'result' },
      { key: 'caveats', label: 'caveats' },
      { key: 'id', label: 'id' },
    ],
    rows: facts.map((f) => [
      cell(f.experiment),
      cell(f.statement),
      cell(f.study, 'count'),
      cell(f.measured.length === 0 ? null : f.measured.map((m) => formatNumber(m)).join(' / ')),
      cell(f.n, 'count'),
      cell(f.holds === null ? 'awaiting-runs' : f.holds ? 'holds' : 'fails', 'code'),
      cell(f.caveats.length === 0 ? null : f.caveats.map(caveatText).join('; ')),
      cell(f.id),
    ]),
  };
}

/** The tally of verdict codes, in {@link VERDICT_CODES} order, codes with no claim left out: "3 contradicted, 2 not reproduced". */
export function verdictTally(claims: readonly Pick<ClaimResult, 'verdict'>[]): string {
  const counts = new Map<string, number>();
  for (const c of claims) counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
  return VERDICT_CODES.filter((v) => counts.has(v))
    .map((v) => `${counts.get(v)} ${CODE_LABELS[v]}`)
    .join(', ');
}

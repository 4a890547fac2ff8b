/**
 * The cross-engine comparison: the same study arms run on a tfjs engine (wasm) and on
 * libtorch, compared statistically (projected training amplifies float differences, so
 * engines are not compared bit for bit). Per arm: torch − wasm of the final metric with its
 * 95 % interval, paired by seed (both engines start from the same seeded weights and see the
 * same batches); per claim of the study: the verdict on each engine and whether they agree.
 * Pure: records in, plain numbers and codes out.
 */
import { engineOf } from '../experiments/config';
import type { RunConfig } from '../experiments/config';
import type { RunRecord } from '../experiments/record';
import { evaluateClaims } from '../analysis/claims';
import type { EvaluateClaimsArgs } from '../analysis/claims';
import type { VerdictCode } from '../analysis/verdict';
import { runRow } from '../reports/tables';
import { compareMethods } from '../statistics';
import { CHANCE_MARGIN, chanceLevel } from '../analysis/caveats';

/** One arm (every config field but the seed and the engine) measured on both engines. */
export interface EngineArmComparison {
  /** Experiment. */
  experiment: string;
  /** Method (`float` or a preset). */
  method: string;
  /** Protocol. */
  protocol: string;
  /** Bit width, or null for float. */
  bits: number | null;
  /** Epochs. */
  epochs: number;
  /** Metric compared: `testAccuracy` (classification) or `testLoss` (regression). */
  metric: 'testAccuracy' | 'testLoss';
  /** Runs on torch. */
  nTorch: number;
  /** Runs on the tfjs engine. */
  nWasm: number;
  /** Seeds on both engines (the pairs), ascending. */
  seeds: number[];
  /** Mean of the metric on torch (over its runs). */
  meanTorch: number;
  /** Mean of the metric on the tfjs engine (over its runs). */
  meanWasm: number;
  /** Mean torch − wasm (paired over the common seeds where there are at least 2, else Welch). */
  diff: number | null;
  /** 95 % t interval of `diff` (null with fewer than 2 runs per engine). */
  ci: [number, number] | null;
  /** `paired`, `unpaired-welch`, or null when not comparable. */
  design: 'paired' | 'unpaired-welch' | null;
  /** Two-sided p-value of the difference (paired t or Welch), or null. */
  p: number | null;
  /** Whether the interval holds 0 (null without an interval). */
  ciHoldsZero: boolean | null;
  /** Median of the metric on torch. */
  medianTorch: number;
  /** Median of the metric on the tfjs engine. */
  medianWasm: number;
  /** Median of the per-seed differences torch − wasm (null when unpaired). */
  medianDiff: number | null;
  /** Two-sided sign-flip permutation p of the paired differences (null when unpaired). */
  pPermutation: number | null;
  /** Classification: runs at chance (accuracy ≤ chance + margin) on torch; null for regression. */
  atChanceTorch: number | null;
  /** See {@link atChanceTorch}, on the tfjs engine. */
  atChanceWasm: number | null;
  /** Seeds whose final metric is bit-identical on both engines. */
  identicalSeeds: number;
  /** The metric of each common seed on both engines, by seed. */
  pairs: { seed: number; torch: number; wasm: number }[];
}

/** How a claim's verdicts on the two engines relate. */
export type VerdictAgreement = 'same' | 'different' | 'not-comparable';

/** One claim of the study judged on each engine's runs. */
export interface ClaimAgreement {
  /** Claim id (see reports/claims.ts). */
  id: string;
  /** Experiment of the claim. */
  experiment: string;
  /** Verdict code from the torch runs. */
  torch: VerdictCode;
  /** Verdict code from the tfjs (wasm) runs. */
  wasm: VerdictCode;
  /** Estimates on each engine (null without results). */
  estimateTorch: number | null;
  /** See {@link estimateTorch}. */
  estimateWasm: number | null;
  /** `same`, `different`, or `not-comparable` when either engine has no results for it. */
  agreement: VerdictAgreement;
  /** Metric of the claim. */
  metric: string;
  /** Scale of the estimates: a difference of the metric, a log-ratio, or a change of a gap. */
  scale: 'difference' | 'log-ratio' | 'gap-change';
}

/** The whole comparison. */
export interface EngineComparison {
  /** Arms with runs on both engines, in a stable order (experiment, epochs, method, protocol, bits). */
  arms: EngineArmComparison[];
  /** The study's claims on both engines. */
  claims: ClaimAgreement[];
  /** Arms with torch runs but no tfjs runs (labels), to say what could not be compared. */
  torchOnly: string[];
}

/** Options of {@link compareEngines}. */
export interface CompareEnginesArgs {
  /**
   * Judge the claims on each engine with only the runs of the compared arms and the seeds
   * both engines have (default true), so that a verdict difference is not a difference of n.
   */
  commonSeedsOnly?: boolean;
  /** Passed to the claims evaluation (bootstrap resamples, rule...). */
  claims?: EvaluateClaimsArgs;
}

/** The identity of a run without its seed and engine. */
function armIdOf(c: RunConfig): string {
  const { seed: _seed, engine: _engine, ...rest } = c;
  return stable(rest);
}

function stable(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stable(x)}`).join(',')}}`;
}

function label(c: RunConfig): string {
  return `${c.experiment} ${c.method} ${c.protocol}${c.scheme === null ? '' : ` ${c.scheme.bits}b`} e${c.epochs}`;
}

function metricOf(r: RunRecord): { metric: 'testAccuracy' | 'testLoss'; value: number } {
  return r.metrics.testAccuracy !== null ? { metric: 'testAccuracy', value: r.metrics.testAccuracy } : { metric: 'testLoss', value: r.metrics.testLoss };
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs at chance (accuracy at most chance + the margin), or null for a loss metric or an experiment without a chance level. */
function atChance(experiment: string, xs: readonly { metric: string; value: number }[]): number | null {
  const chance = chanceLevel(experiment);
  if (chance === null || xs.some((x) => x.metric !== 'testAccuracy')) return null;
  return xs.filter((x) => x.value <= chance + CHANCE_MARGIN).length;
}

/**
 * Compares the runs of `records` by engine: torch records (config.engine `torch`) against the
 * tfjs ones (no engine field: the committed wasm runs).
 *
 * @throws Error naming the record whose stored engine contradicts its config (a torch config
 *   recorded on another backend, or the reverse): such a record must never be compared
 */
export function compareEngines(records: readonly RunRecord[], args: CompareEnginesArgs = {}): EngineComparison {
  const byArm = new Map<string, { config: RunConfig; torch: RunRecord[]; wasm: RunRecord[] }>();
  for (const r of records) {
    const family = engineOf(r.config);
    const backend = r.environment?.engine?.backend;
    if ((family === 'torch') !== (backend === 'torch')) {
      throw new Error(`run ${r.key}: config engine '${family}' but recorded on backend '${String(backend)}'`);
    }
    const id = armIdOf(r.config);
    const arm = byArm.get(id) ?? { config: r.config, torch: [], wasm: [] };
    (family === 'torch' ? arm.torch : arm.wasm).push(r);
    byArm.set(id, arm);
  }
  const arms: EngineArmComparison[] = [];
  const torchOnly: string[] = [];
  const keepTorch: RunRecord[] = [];
  const keepWasm: RunRecord[] = [];
  const commonOnly = args.commonSeedsOnly ?? true;
  for (const arm of byArm.values()) {
    if (arm.torch.length === 0) continue;
    if (arm.wasm.length === 0) {
      torchOnly.push(label(arm.config));
      continue;
    }
    const t = arm.torch.map((r) => ({ seed: r.config.seed, ...metricOf(r) }));
    const w = arm.wasm.map((r) => ({ seed: r.config.seed, ...metricOf(r) }));
    const wasmSeeds = new Set(w.map((x) => x.seed));
    const seeds = [...new Set(t.map((x) => x.seed))].filter((s) => wasmSeeds.has(s)).sort((a, b) => a - b);
    const common = (xs: typeof t): typeof t => xs.filter((x) => seeds.includes(x.seed));
    const [ta, wa] = seeds.length >= 2 ? [common(t), common(w)] : [t, w];
    let diff: number | null = null;
    let ci: [number, number] | null = null;
    let design: EngineArmComparison['design'] = null;
    let p: number | null = null;
    let pPermutation: number | null = null;
    if (ta.length >= 2 && wa.length >= 2) {
      const cmp = compareMethods(ta, wa, { direction: t[0].metric === 'testLoss' ? 'lower-is-better' : 'higher-is-better', resamples: 200 });
      diff = cmp.meanDiff;
      ci = [cmp.tCI.lower, cmp.tCI.upper];
      design = cmp.design;
      p = cmp.pT;
      pPermutation = cmp.pPermutation;
    }
    const wasmBySeed = new Map(w.map((x) => [x.seed, x.value]));
    const pairDiffs = design === 'paired' ? seeds.map((sd) => (t.find((x) => x.seed === sd) as { value: number }).value - (wasmBySeed.get(sd) as number)) : [];
    const c = arm.config;
    arms.push({
      experiment: c.experiment,
      method: c.method,
      protocol: c.protocol,
      bits: c.scheme === null ? null : c.scheme.bits,
      epochs: c.epochs,
      metric: t[0].metric,
      nTorch: t.length,
      nWasm: w.length,
      seeds,
      meanTorch: mean(t.map((x) => x.value)),
      meanWasm: mean(w.map((x) => x.value)),
      diff,
      ci,
      design,
      p,
      ciHoldsZero: ci === null ? null : ci[0] <= 0 && ci[1] >= 0,
      medianTorch: median(t.map((x) => x.value)),
      medianWasm: median(w.map((x) => x.value)),
      medianDiff: pairDiffs.length === 0 ? null : median(pairDiffs),
      pPermutation,
      atChanceTorch: atChance(c.experiment, t),
      atChanceWasm: atChance(c.experiment, w),
      identicalSeeds: seeds.filter((sd) => t.find((x) => x.seed === sd)?.value === wasmBySeed.get(sd)).length,
      pairs: seeds.map((sd) => ({ seed: sd, torch: (t.find((x) => x.seed === sd) as { value: number }).value, wasm: wasmBySeed.get(sd) as number })),
    });
    const keep = (rs: RunRecord[]): RunRecord[] => (commonOnly && seeds.length >= 2 ? rs.filter((r) => seeds.includes(r.config.seed)) : rs);
    keepTorch.push(...keep(arm.torch));
    keepWasm.push(...keep(arm.wasm));
  }
  arms.sort((a, b) => stable([a.experiment, a.epochs, a.method, a.protocol, a.bits]).localeCompare(stable([b.experiment, b.epochs, b.method, b.protocol, b.bits])));
  const claimsOf = (rs: RunRecord[]) => (rs.length === 0 ? [] : evaluateClaims(rs.map(runRow), args.claims).claims);
  const ct = claimsOf(keepTorch);
  const cw = claimsOf(keepWasm);
  const wasmById = new Map(cw.map((c) => [c.id, c]));
  const claims: ClaimAgreement[] = ct.map((c) => {
    const w = wasmById.get(c.id);
    const wv: VerdictCode = w?.verdict ?? 'awaiting-runs';
    const noData = (v: VerdictCode): boolean => v === 'awaiting-runs' || v === 'not-in-plan';
    const comparable = !noData(c.verdict) && !noData(wv);
    return {
      id: c.id,
      experiment: c.experiment,
      torch: c.verdict,
      wasm: wv,
      estimateTorch: c.estimate,
      estimateWasm: w?.estimate ?? null,
      agreement: comparable ? (c.verdict === wv ? 'same' : 'different') : 'not-comparable',
      metric: c.metric,
      scale: c.scale,
    };
  });
  return { arms, claims, torchOnly: torchOnly.sort() };
}

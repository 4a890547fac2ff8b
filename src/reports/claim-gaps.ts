/**
 * What a claim still waits for. A claim without a verdict (no runs, or fewer than
 * the rule's n) names the planned runs of the study that it lacks, the step that
 * runs them and the compute they need, so a report never leaves a gap unexplained.
 */
import type { RunConfig } from '../experiments/config';
import type { StepProgress, StudyStep } from '../experiments/study';
import { describeMissing, estimateSeconds, stepConfigs } from '../experiments/study';
import type { ClaimResult, MissingRuns } from '../analysis/claims';
import type { VerdictRule } from '../analysis/verdict';
import type { ClaimSpec } from '../seed-study/claims';

/** The epoch settings a claim needs runs at; null when any will do (parameter counts). */
export function claimEpochs(spec: ClaimSpec): number[] | null {
  if (spec.kind === 'paired') return [spec.epochs];
  if (spec.kind === 'gap-change') return [spec.epochsShort, spec.epochsLong];
  return null;
}

/** The methods a claim compares. */
function claimMethods(spec: ClaimSpec): string[] {
  return spec.kind === 'equal-params' ? spec.methods : [spec.a, spec.b];
}

/** Whether a planned run would count towards a claim checked at `protocol` and `bits`. */
export function runServesClaim(spec: ClaimSpec, protocol: string, bits: number, c: RunConfig): boolean {
  const epochs = claimEpochs(spec);
  return (
    c.experiment === spec.experiment &&
    claimMethods(spec).includes(c.method) &&
    c.protocol === protocol &&
    c.scheme?.bits === bits &&
    (epochs === null || epochs.includes(c.epochs))
  );
}

/** Whether a claim still lacks runs for a verdict: no results, or fewer pairs than the rule asks. */
export function awaitsRuns(c: ClaimResult, rule: VerdictRule): boolean {
  return c.missing !== null || c.n < rule.minN;
}

/** Options of {@link explainMissingRuns}. */
export interface ExplainMissingRunsArgs {
  /** The claim specifications the results were checked against (matched by id). */
  specs: readonly ClaimSpec[];
  /** The study plan (what runs a claim could ever get). */
  plan: readonly StudyStep[];
  /** Progress of the plan's steps against the stored runs (their missing runs). */
  progress: readonly StepProgress[];
  /** Median seconds per training epoch of each experiment's stored runs (for the estimate). */
  perEpoch: ReadonlyMap<string, number>;
  /** Verdict rule (its `minN`). */
  rule: VerdictRule;
}

/** `about 1.4 core-hours`, or `an unknown number of core-hours` without an estimate. */
function coreHoursText(seconds: number | null): string {
  return seconds === null ? 'an unknown number of core-hours' : `about ${(seconds / 3600).toFixed(1)} core-hours`;
}

/**
 * Why a claim waits, in one sentence: the planned runs it lacks (by arm and seed
 * range), the step(s) that run them and their estimated compute; when the plan holds
 * no more runs for it, how many seeds the plan gives that setting; when the plan has
 * no runs for one of its epoch settings, that it is not planned.
 */
export function missingRuns(spec: ClaimSpec, protocol: string, bits: number, args: Omit<ExplainMissingRunsArgs, 'specs'>): MissingRuns {
  const serves = (c: RunConfig): boolean => runServesClaim(spec, protocol, bits, c);
  const planned = args.plan.map((step) => ({ step, configs: stepConfigs(step).filter(serves) })).filter((x) => x.configs.length > 0);
  const needed = claimEpochs(spec);
  const unplanned = (needed ?? []).filter((e) => !planned.some((x) => x.configs.some((c) => c.epochs === e)));
  if (planned.length === 0 || unplanned.length > 0) {
    const at = unplanned.length > 0 ? ` at ${unplanned.join(' and ')} epochs` : '';
    return { kind: 'not-in-plan', runs: 0, detail: `not in the study plan: it has no ${spec.experiment} ${protocol} ${bits}-bit runs${at}, so this claim gets no verdict under ${protocol}` };
  }
  const missing = new Map<string, { config: RunConfig; step: string }>();
  for (const p of args.progress) {
    for (const c of p.missing.filter(serves)) {
      const key = `${c.method}|${c.epochs}|${c.seed}`;
      if (!missing.has(key)) missing.set(key, { config: c, step: p.step });
    }
  }
  if (missing.size === 0) {
    const seeds = new Set(planned.flatMap((x) => x.configs.map((c) => c.seed)));
    const steps = planned.map((x) => `${x.step.name} (${x.step.purpose})`).join('; ');
    return { kind: 'plan-too-small', runs: 0, detail: `every planned run is stored: the study plan gives this setting ${seeds.size} seed${seeds.size === 1 ? '' : 's'}, fewer than the ${args.rule.minN} a verdict needs (${steps})` };
  }
  const configs = [...missing.values()].map((m) => m.config);
  const steps = [...new Set([...missing.values()].map((m) => m.step))];
  const seconds = estimateSeconds(configs, args.perEpoch);
  const runs = `${configs.length} run${configs.length === 1 ? '' : 's'}`;
  return {
    kind: 'awaiting-runs',
    runs: configs.length,
    detail:
      `still missing: ${describeMissing(configs)} (${runs}). ` +
      `Why: they need ${coreHoursText(seconds)} of CPU training (estimate), not spent yet; ` +
      `\`octolab study --steps ${steps.join(',')}\` runs them`,
  };
}

/**
 * Marks every claim that awaits runs (see {@link awaitsRuns}) with the planned runs it
 * lacks, why, and how to run them ({@link MissingRuns}); a claim whose runs the plan
 * does not hold becomes `not-in-plan`. Other claims are returned unchanged.
 * @throws Error when a claim has no specification among `specs`
 */
export function explainMissingRuns(claims: readonly ClaimResult[], args: ExplainMissingRunsArgs): ClaimResult[] {
  return claims.map((c) => {
    if (!awaitsRuns(c, args.rule)) return c;
    const spec = args.specs.find((s) => s.id === c.id);
    if (spec === undefined) throw new Error(`claim '${c.id}' has no specification`);
    const missing = missingRuns(spec, c.protocol, c.bits, args);
    // With n below the rule's floor the data decide nothing: the claim waits (or is not planned).
    const verdict = missing.kind === 'not-in-plan' ? 'not-in-plan' : c.missing !== null || missing.kind === 'awaiting-runs' ? 'awaiting-runs' : c.verdict;
    return { ...c, verdict, missing: c.missing === null && missing.kind === 'plan-too-small' ? null : missing, notes: missing.kind === 'plan-too-small' ? [...c.notes, missing.detail] : c.notes };
  });
}

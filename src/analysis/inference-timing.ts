/**
 * Interleaved inference timings turned into numbers and codes: per seed the median
 * seconds per pass of each arm and the within-seed ratio A / B; across seeds the paired
 * log-ratio log(A / B) with its median, mean, 95% t and BCa intervals, the sign-flip
 * permutation p, and the one verdict rule's code with the equivalence test (TOST)
 * against the study's log-ratio margin. No prose, no charts, no file system.
 */
import { compareMethods, median } from '../statistics';
import type { Interval } from '../statistics';
import { EQUIVALENCE_MARGINS, seedClaims } from '../seed-study/claims';
import type { InferenceTimingRecord, WeightSource } from '../timing/interleaved';
import { timingSetKey } from '../timing/interleaved';
import { DEFAULT_RULE, judgeClaim, judgeDifference } from './verdict';
import type { ClaimTest, ClaimVerdict, DifferenceVerdict, VerdictRule } from './verdict';

/** One seed's timing. */
export interface SeedInferenceTiming {
  /** Seed. */
  seed: number;
  /** Median seconds of one full test-set pass, per arm (timed passes only). */
  medianSeconds: Record<string, number>;
  /** Within-seed ratio medianSeconds[a] / medianSeconds[b]. */
  ratio: number;
  /** log(ratio). */
  logRatio: number;
  /** 1-minute load average before the first and after the last pass. */
  load: { start: number; end: number };
}

/** Options of {@link analyzeInferenceTiming}. */
export interface InferenceTimingAnalysisArgs {
  /** Arm A of the ratio A / B (default `octization`). */
  a?: string;
  /** Arm B (default `standard`). */
  b?: string;
  /** Equivalence margin on the log-ratio scale (default {@link EQUIVALENCE_MARGINS}.logRatio, ±5 %). */
  margin?: number;
  /** The verdict rule (default {@link DEFAULT_RULE}). */
  rule?: VerdictRule;
  /** A claim of the study on log(A / B), judged with {@link judgeClaim} (its own margin) when given; see {@link timingClaimTest}. */
  claim?: ClaimTest;
  /** Bootstrap resamples of the BCa interval (default 10,000). */
  resamples?: number;
  /** Seed of the bootstrap and Monte Carlo streams (default 0). */
  seed?: number;
}

/** What the timings of one set (one args but the seed) show. */
export interface InferenceTimingAnalysis {
  /** Experiment. */
  experiment: string;
  /** {@link timingSetKey} of the records. */
  set: string;
  /** Arm A. */
  a: string;
  /** Arm B. */
  b: string;
  /** Every arm timed. */
  methods: string[];
  /** Seeds (pairs). */
  n: number;
  /** Timed passes per arm and seed. */
  repeats: number;
  /** Test examples per pass. */
  nTest: number;
  /** Examples per predict call. */
  evalBatchSize: number;
  /** Backends the records ran on (`tf.getBackend()`), sorted. */
  backends: string[];
  /** How many arm weights came from each source (checkpoint or initial). */
  weightSources: Record<WeightSource['kind'], number>;
  /** Per seed, ascending. */
  seeds: SeedInferenceTiming[];
  /** The paired log-ratio log(A / B) across seeds. */
  logRatio: {
    /** Median of the per-seed log-ratios. */
    median: number;
    /** Mean of the per-seed log-ratios. */
    mean: number;
    /** 95% t interval of the mean. */
    ci: Interval;
    /** 95% BCa bootstrap interval of the mean. */
    bca: Interval;
    /** Standard error of the mean. */
    se: number;
    /** Degrees of freedom. */
    df: number;
    /** Two-sided paired t p. */
    pT: number;
    /** Two-sided sign-flip permutation p. */
    pPermutation: number;
    /** Whether the permutation p is exact or Monte Carlo. */
    permutationMethod: 'exact' | 'monte-carlo';
    /** Minimum detectable |mean| (α 0.05, power 0.8). */
    mde: number;
  };
  /** The same on the ratio scale: exp of the log-ratio figures. */
  ratio: { median: number; mean: number; ci: Interval };
  /** The verdict rule applied to log(A / B) with the equivalence margin. */
  verdict: DifferenceVerdict;
  /** The claim's verdict, when a claim was given; else null. */
  claim: ClaimVerdict | null;
}

/**
 * The test of the study's inference-time claim on `experiment` (A / B as a log-ratio, with
 * A and B), or null when the study makes none there.
 */
export function timingClaimTest(experiment: string): { id: string; a: string; b: string; test: ClaimTest } | null {
  for (const c of seedClaims()) {
    if (c.kind === 'paired' && c.metric === 'inferenceSeconds' && c.experiment === experiment) return { id: c.id, a: c.a, b: c.b, test: c.test };
  }
  return null;
}

/**
 * Splits timing records into sets (same args but the seed, {@link timingSetKey}), in the
 * order each set first appears: a results file may hold several (e.g. other repeats).
 */
export function timingSets(records: readonly InferenceTimingRecord[]): Map<string, InferenceTimingRecord[]> {
  const out = new Map<string, InferenceTimingRecord[]>();
  for (const r of records) {
    const k = timingSetKey(r.args);
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  return out;
}

/** Median seconds of one arm's timed passes in a record. */
export function armMedianSeconds(record: InferenceTimingRecord, method: string): number {
  const s = record.passes.filter((p) => p.method === method).map((p) => p.seconds);
  if (s.length === 0) throw new Error(`timing record ${record.key} (seed ${record.args.seed}) has no timed pass of '${method}'`);
  return median(s);
}

/**
 * Analyses timing records of one set (same args but the seed; see {@link timingSetKey}).
 * Throws naming the problem when records of different sets are mixed, a seed repeats,
 * an arm is missing, or fewer than 2 seeds are given.
 */
export function analyzeInferenceTiming(records: readonly InferenceTimingRecord[], args: InferenceTimingAnalysisArgs = {}): InferenceTimingAnalysis {
  const a = args.a ?? 'octization';
  const b = args.b ?? 'standard';
  if (a === b) throw new Error(`arms a and b must differ, both are '${a}'`);
  if (records.length < 2) throw new Error(`timing analysis needs records of at least 2 seeds, got ${records.length}`);
  const set = timingSetKey(records[0].args);
  const seen = new Set<number>();
  for (const r of records) {
    const s = timingSetKey(r.args);
    if (s !== set) throw new Error(`timing records of different args are mixed: set ${set} (seed ${records[0].args.seed}) and set ${s} (seed ${r.args.seed}); analyse one set at a time`);
    if (seen.has(r.args.seed)) throw new Error(`seed ${r.args.seed} appears in more than one timing record of set ${set}`);
    seen.add(r.args.seed);
  }
  const first = records[0].args;
  for (const m of [a, b]) if (!first.methods.includes(m)) throw new Error(`arm '${m}' was not timed (arms: ${first.methods.join(', ')})`);
  const sorted = [...records].sort((x, y) => x.args.seed - y.args.seed);
  const seeds: SeedInferenceTiming[] = sorted.map((r) => {
    const medianSeconds: Record<string, number> = {};
    for (const m of first.methods) medianSeconds[m] = armMedianSeconds(r, m);
    const ratio = medianSeconds[a] / medianSeconds[b];
    return { seed: r.args.seed, medianSeconds, ratio, logRatio: Math.log(ratio), load: { start: r.environment.loadavg.start[0], end: r.environment.loadavg.end[0] } };
  });
  const c = compareMethods(
    seeds.map((s) => ({ seed: s.seed, value: Math.log(s.medianSeconds[a]) })),
    seeds.map((s) => ({ seed: s.seed, value: Math.log(s.medianSeconds[b]) })),
    { resamples: args.resamples, seed: args.seed },
  );
  const margin = args.margin ?? EQUIVALENCE_MARGINS.logRatio;
  const rule = args.rule ?? DEFAULT_RULE;
  const evidence = { estimate: c.meanDiff, ci: c.tCI, se: c.seDiff, df: c.df, n: c.n, p: c.pT };
  const med = median(seeds.map((s) => s.logRatio));
  const weightSources: Record<WeightSource['kind'], number> = { checkpoint: 0, initial: 0 };
  for (const r of records) for (const arm of r.arms) weightSources[arm.weights.kind]++;
  return {
    experiment: first.experiment,
    set,
    a,
    b,
    methods: [...first.methods],
    n: c.n,
    repeats: first.repeats,
    nTest: records[0].nTest,
    evalBatchSize: first.evalBatchSize,
    backends: [...new Set(records.map((r) => r.environment.engine.backend))].sort(),
    weightSources,
    seeds,
    logRatio: {
      median: med,
      mean: c.meanDiff,
      ci: c.tCI,
      bca: c.bcaCI,
      se: c.seDiff,
      df: c.df,
      pT: c.pT,
      pPermutation: c.pPermutation as number,
      permutationMethod: c.permutationMethod as 'exact' | 'monte-carlo',
      mde: c.mde,
    },
    ratio: { median: Math.exp(med), mean: Math.exp(c.meanDiff), ci: { lower: Math.exp(c.tCI.lower), upper: Math.exp(c.tCI.upper) } },
    verdict: judgeDifference(evidence, margin, rule),
    claim: args.claim === undefined ? null : judgeClaim(args.claim, evidence, rule),
  };
}

/**
 * One method's per-seed metric values summarised in a JSON-serialisable object.
 */
import { bcaInterval, BootstrapArgs } from './bootstrap';
import { iqm, max, mean, median, min, sd } from './descriptive';
import { Interval, tInterval } from './ttest';
import { assertOpenUnit, assertSample } from './validate';

/** Summary of one method across seeds. Fields that need 2 values are null when n = 1. */
export interface MethodSummary {
  /** Number of seeds. */
  n: number;
  /** Mean. */
  mean: number;
  /** Standard deviation (n − 1 denominator). */
  sd: number | null;
  /** Standard error of the mean. */
  se: number | null;
  /** Median. */
  median: number;
  /** Interquartile mean (rliable; scipy trim_mean(x, 0.25)). */
  iqm: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /** Confidence level of the intervals. */
  confidence: number;
  /** Student t interval for the mean. */
  tCI: Interval | null;
  /** Seeded BCa bootstrap interval for the mean (zero width when all values are equal). */
  bcaCI: Interval | null;
  /** Bootstrap resamples behind `bcaCI`. */
  resamples: number;
}

/**
 * Summarises one method's per-seed values: n, mean, sd, se, median, IQM,
 * min, max, and 95% (or `args.confidence`) Student t and BCa intervals for the
 * mean. The bootstrap is reproducible for `args.seed`.
 */
export function summarize(x: readonly number[], args: BootstrapArgs = {}): MethodSummary {
  assertSample(x, 'x');
  const confidence = args.confidence ?? 0.95;
  assertOpenUnit(confidence, 'confidence');
  const n = x.length;
  const two = n >= 2;
  const s = two ? sd(x) : null;
  const bca = two ? bcaInterval(x, { ...args, confidence }) : null;
  return {
    n,
    mean: mean(x),
    sd: s,
    se: s === null ? null : s / Math.sqrt(n),
    median: median(x),
    iqm: iqm(x),
    min: min(x),
    max: max(x),
    confidence,
    tCI: two ? tInterval(x, confidence) : null,
    bcaCI: bca === null ? null : { lower: bca.lower, upper: bca.upper },
    resamples: bca === null ? 0 : bca.resamples,
  };
}

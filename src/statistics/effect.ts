/**
 * Effect sizes for comparing method A with method B across seeds.
 */
import { mean, sd } from './descriptive';
import { assertSameLength, assertSample } from './validate';

/**
 * Which way a metric improves: 'higher-is-better' (accuracy) or
 * 'lower-is-better' (loss, error, time).
 */
export type Direction = 'higher-is-better' | 'lower-is-better';

function assertDirection(direction: Direction): void {
  if (direction !== 'higher-is-better' && direction !== 'lower-is-better') {
    throw new Error(`direction must be 'higher-is-better' or 'lower-is-better', got ${String(direction)}`);
  }
}

/**
 * Cohen's d_z for paired data: mean(d) / sd(d) of the differences d (n ≥ 2).
 * Signed like the differences. When sd(d) = 0: 0 if mean(d) = 0, else ±Infinity.
 */
export function cohensDz(d: readonly number[]): number {
  assertSample(d, 'd', 2);
  const m = mean(d);
  const s = sd(d);
  if (s === 0) return m === 0 ? 0 : m > 0 ? Infinity : -Infinity;
  return m / s;
}

/** 1 if `x` is better than `y`, 0.5 if equal, 0 if worse. */
function score(x: number, y: number, direction: Direction): number {
  if (x === y) return 0.5;
  return (direction === 'higher-is-better' ? x > y : x < y) ? 1 : 0;
}

/**
 * Paired win rate: the fraction of seeds on which A is better than B, ties
 * counting half. `a[i]` and `b[i]` must come from the same seed.
 * Example: a = [1, 2, 3], b = [1, 1, 4], higher is better → (0.5 + 1 + 0)/3.
 */
export function pairedWinRate(a: readonly number[], b: readonly number[], direction: Direction = 'higher-is-better'): number {
  assertSample(a, 'a');
  assertSample(b, 'b');
  assertSameLength(a, b, 'a', 'b');
  assertDirection(direction);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += score(a[i], b[i], direction);
  return s / a.length;
}

/**
 * Probability of improvement as rliable defines it (a Mann–Whitney U / (nA·nB)):
 * the average over all pairs (i, j) of [A_i better than B_j] + ½[A_i = B_j].
 * Needs no pairing by seed; the samples may differ in size.
 */
export function probabilityOfImprovement(a: readonly number[], b: readonly number[], direction: Direction = 'higher-is-better'): number {
  assertSample(a, 'a');
  assertSample(b, 'b');
  assertDirection(direction);
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) s += score(a[i], b[j], direction);
  return s / (a.length * b.length);
}

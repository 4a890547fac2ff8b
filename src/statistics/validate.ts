/**
 * Input checks shared by the statistics functions. Every check throws an Error
 * whose message names the offending argument and value, so that bad data never
 * turns into a silent wrong number.
 */

/**
 * Throws unless `x` is an array of at least `minLength` finite numbers.
 * @param x the sample to check.
 * @param name the argument name used in error messages.
 * @param minLength the smallest accepted length (default 1).
 */
export function assertSample(x: readonly number[], name: string, minLength = 1): void {
  if (!Array.isArray(x)) throw new Error(`${name} must be an array of numbers, got ${typeof x}`);
  if (x.length === 0) throw new Error(`${name} is empty: at least ${minLength} value(s) needed`);
  if (x.length < minLength) {
    throw new Error(`${name} has ${x.length} value(s): at least ${minLength} needed`);
  }
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`${name}[${i}] must be a finite number, got ${String(v)}`);
    }
  }
}

/** Throws unless `a` and `b` have the same length (they are paired element by element). */
export function assertSameLength(a: readonly number[], b: readonly number[], nameA: string, nameB: string): void {
  if (a.length !== b.length) {
    throw new Error(`${nameA} and ${nameB} must have the same length for a paired analysis, got ${a.length} and ${b.length}`);
  }
}

/** Throws unless `p` lies strictly between 0 and 1. */
export function assertOpenUnit(p: number, name: string): void {
  if (typeof p !== 'number' || !(p > 0 && p < 1)) throw new Error(`${name} must lie strictly between 0 and 1, got ${String(p)}`);
}

/** Throws unless `k` is an integer of at least `min`. */
export function assertInteger(k: number, name: string, min: number): void {
  if (!Number.isInteger(k) || k < min) throw new Error(`${name} must be an integer >= ${min}, got ${String(k)}`);
}

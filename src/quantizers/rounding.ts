/**
 * Rounding of real numbers to integers, one function per mode.
 *
 * All functions take a float64 number and return an integer-valued number; they
 * are exact (no intermediate rounding) for every finite input.
 */

/**
 * Rounds to the nearest integer, ties to the even neighbour (IEEE 754
 * `roundTiesToEven`, numpy's `np.round`/`np.rint`): 0.5 → 0, 1.5 → 2, 2.5 → 2, −2.5 → −2.
 */
export function roundHalfEven(x: number): number {
  // Math.round rounds ties toward +∞; r − x is exact here, so a tie is detected exactly.
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Rounds to the nearest integer, ties away from zero (C `round`): 0.5 → 1, −2.5 → −3. */
export function roundHalfAway(x: number): number {
  const a = Math.abs(x);
  const f = Math.floor(a);
  const r = a - f >= 0.5 ? f + 1 : f;
  return x < 0 ? -r : r;
}

/** Rounds toward zero (Python `int(x)`, C truncation): 1.9 → 1, −1.9 → −1. */
export function roundTowardZero(x: number): number {
  return Math.trunc(x);
}

/** Rounds toward −∞: 1.9 → 1, −1.1 → −2. */
export function roundFloor(x: number): number {
  return Math.floor(x);
}

/**
 * Stochastic rounding with the uniform draw `u` in [0, 1): rounds up with
 * probability equal to the fractional part (`floor(x) + (u < x − floor(x))`), so the
 * expected result is `x` itself. Integers are returned unchanged for every `u`.
 */
export function roundStochastic(x: number, u: number): number {
  const f = Math.floor(x);
  return u < x - f ? f + 1 : f;
}

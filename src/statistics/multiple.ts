/**
 * Multiple-comparison corrections.
 */

/**
 * Holm's step-down adjusted p-values, returned in the input order: with the
 * p-values sorted ascending p_(1) ≤ … ≤ p_(m), the adjusted value is
 * max_{j ≤ i} min(1, (m − j + 1)·p_(j)). Monotone in the sorted order and capped
 * at 1. Example: [0.01, 0.04, 0.03] → [0.03, 0.06, 0.06].
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  if (!Array.isArray(pValues) || pValues.length === 0) throw new Error('pValues is empty: at least 1 p-value needed');
  pValues.forEach((p, i) => {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new Error(`pValues[${i}] must lie in [0, 1], got ${String(p)}`);
  });
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j] || i - j);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach((idx, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[idx]));
    out[idx] = running;
  });
  return out;
}

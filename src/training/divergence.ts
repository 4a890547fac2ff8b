/** Divergence of training: weights that are no longer numbers a model or a code can hold. */
import type { QuantScheme } from '../quantizers/scheme';

/**
 * Why these weights cannot be trained on or quantized any more, or null: a value that
 * is not finite, or (unit scale) one whose code would not fit in int32.
 */
export function divergedWeights(arrays: readonly Float32Array[], scheme: Pick<QuantScheme, 'scale' | 'bits'> | null): string | null {
  const limit = scheme !== null && scheme.scale === 'unit' ? (2 ** 31 - 1) / (2 ** scheme.bits - 1) : Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v)) return `weight ${v}`;
      if (Math.abs(v) >= limit) return `weight ${v} beyond the range of ${scheme?.bits}-bit codes`;
    }
  }
  return null;
}

/** Thrown inside `train` (and by the projector) to stop at a divergence; `train` turns it into its result, it never escapes. */
export class DivergedSignal extends Error {
  /** What was not finite, e.g. `training loss NaN`. */
  readonly reason: string;

  /** Wraps what was not finite. */
  constructor(reason: string) {
    super(reason);
    this.reason = reason;
  }
}

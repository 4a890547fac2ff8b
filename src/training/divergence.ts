/** Divergence of training: weights that are no longer numbers a model or a code can hold. */
import type { QuantScheme } from '../quantizers/scheme';

/**
 * Why these weights cannot be trained on or quantized any more, or null: a value that
 * is not finite, or (unit scale) one whose code would not fit in int32.
 */
export function divergedWeights(arrays: readonly Float32Array[], scheme: Pick<QuantScheme, 'scale' | 'bits'> | null): string | null {
  const limit = scheme !== null && scheme.scale === 'unit' ? (2 ** 31 - 1) / (2 ** scheme.bits - 1) : Infinity;
  for (const a of arrays) {
    const i = firstOutside(a, limit);
    if (i >= 0) return Number.isFinite(a[i]) ? `weight ${a[i]} beyond the range of ${scheme?.bits}-bit codes` : `weight ${a[i]}`;
  }
  return null;
}

/**
 * Index of the first value that is not finite or whose magnitude reaches `limit`, else −1.
 * Kept free of string building: a template literal inside this loop stops V8 from
 * optimising it (about 100× slower, measured on 101,770 weights).
 */
function firstOutside(a: Float32Array, limit: number): number {
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]) < limit)) return i;
  }
  return -1;
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

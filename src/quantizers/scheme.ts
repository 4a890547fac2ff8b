/**
 * The quantization scheme: one typed, validated description of how float
 * weights become integer codes (bit width, scale, granularity, rounding) and how
 * the codes are written down (encoding).
 */

/**
 * How the real step between neighbouring codes is chosen.
 * - `'unit'`: the seed's scale. Step `1/(2^b − 1)`, code = round(w · (2^b − 1)); no
 *   clipping, no zero point, nothing calibrated (values beyond ±1 give codes beyond ±(2^b − 1)).
 * - `'absmax'`: symmetric, calibrated. Step `max|w| / (2^(b−1) − 1)`; codes clipped to
 *   the signed range [−(2^(b−1) − 1), 2^(b−1) − 1].
 * - `'minmax'`: affine, calibrated, as tfjs-converter's weight quantization. The range
 *   [min(w, 0), max(w, 0)] is split into 2^b − 1 steps and the zero point is rounded to
 *   an integer code so that 0.0 is exactly representable; codes are unsigned in [0, 2^b − 1].
 */
export type ScaleKind = 'unit' | 'absmax' | 'minmax';

/**
 * How a real code value is turned into an integer.
 * - `'half-even'`: nearest, ties to even (numpy `np.round`; the seed's standard quantization).
 * - `'half-away'`: nearest, ties away from zero.
 * - `'toward-zero'`: truncation (Python `int()`; the seed's Octization).
 * - `'floor'`: toward −∞.
 * - `'stochastic'`: up with probability equal to the fractional part; needs a seeded `Rng`.
 */
export type RoundingMode = 'half-even' | 'half-away' | 'toward-zero' | 'floor' | 'stochastic';

/**
 * How codes are written down. Encodings never change numbers.
 * - `'int'`: packed into the smallest standard typed array that holds the codes.
 * - `'octal'`: one Python `oct()` string per code (`'0o277'`, `'-0o177'`), the seed's Octization.
 */
export type CodeEncoding = 'int' | 'octal';

/**
 * One set of parameters for the whole tensor (`'per-tensor'`), or one per slice
 * along `axis` (negative counts from the end; `-1` is the output-channel axis of
 * tfjs Dense and Conv2D kernels). Per-channel parameters apply to tensors of rank
 * ≥ 2 only: rank-0 and rank-1 tensors (biases) always get one set, since one scale per
 * element would store every value losslessly. With the `'unit'` scale there is nothing to
 * calibrate, so the granularity has no effect.
 */
export type Granularity = 'per-tensor' | { readonly axis: number };

/** A complete, validated quantization scheme (see {@link validateScheme}). */
export interface QuantScheme {
  /** Bit width b, an integer from 2 to 16. */
  readonly bits: number;
  /** How the step is chosen (see {@link ScaleKind}). */
  readonly scale: ScaleKind;
  /** One parameter set per tensor or per channel (see {@link Granularity}). */
  readonly granularity: Granularity;
  /** How real code values become integers (see {@link RoundingMode}). */
  readonly rounding: RoundingMode;
  /** How codes are written down (see {@link CodeEncoding}). */
  readonly encoding: CodeEncoding;
}

/** Arguments of {@link makeScheme}: every field optional, defaults as documented. */
export interface QuantSchemeArgs {
  /** Bit width, integer 2..16. Default 8. */
  bits?: number;
  /** Default `'unit'`. */
  scale?: ScaleKind;
  /** Default `'per-tensor'`. */
  granularity?: Granularity;
  /** Default `'half-even'`. */
  rounding?: RoundingMode;
  /** Default `'int'`. */
  encoding?: CodeEncoding;
}

/** Smallest supported bit width. */
export const MIN_BITS = 2;
/** Largest supported bit width. */
export const MAX_BITS = 16;
/** Every scale kind, in documentation order. */
export const SCALE_KINDS: readonly ScaleKind[] = ['unit', 'absmax', 'minmax'];
/** Every rounding mode, in documentation order. */
export const ROUNDING_MODES: readonly RoundingMode[] = ['half-even', 'half-away', 'toward-zero', 'floor', 'stochastic'];
/** Every code encoding. */
export const CODE_ENCODINGS: readonly CodeEncoding[] = ['int', 'octal'];

const SCHEME_FIELDS = ['bits', 'scale', 'granularity', 'rounding', 'encoding'] as const;

/**
 * Checks a bit width: an integer from 2 to 16.
 * @param where names the caller in the error message.
 * @throws Error naming the value otherwise.
 */
export function checkBits(bits: unknown, where = 'bits'): number {
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < MIN_BITS || bits > MAX_BITS) {
    throw new Error(`${where} must be an integer from ${MIN_BITS} to ${MAX_BITS}, got ${describe(bits)}`);
  }
  return bits;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  try {
    return JSON.stringify(v);
  } catch {
    return typeof v;
  }
}

function checkEnum<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`quantization scheme: unknown ${field} ${describe(value)} (expected one of ${allowed.join(', ')})`);
  }
  return value as T;
}

function checkGranularity(value: unknown): Granularity {
  if (value === 'per-tensor') return value;
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const extra = keys.filter((k) => k !== 'axis');
    if (extra.length > 0) throw new Error(`quantization scheme: unknown granularity field '${extra[0]}' (expected { axis: integer })`);
    const axis = (value as { axis?: unknown }).axis;
    if (typeof axis !== 'number' || !Number.isInteger(axis)) {
      throw new Error(`quantization scheme: granularity axis must be an integer, got ${describe(axis)}`);
    }
    return { axis };
  }
  throw new Error(`quantization scheme: unknown granularity ${describe(value)} (expected 'per-tensor' or { axis: integer })`);
}

/**
 * Validates a complete scheme: an object with exactly the fields `bits`, `scale`,
 * `granularity`, `rounding`, `encoding`, each with an allowed value.
 * @returns the same object, typed.
 * @throws Error naming the offending field and value.
 */
export function validateScheme(scheme: unknown): QuantScheme {
  if (typeof scheme !== 'object' || scheme === null || Array.isArray(scheme)) {
    throw new Error(`quantization scheme must be an object, got ${describe(scheme)}`);
  }
  for (const key of Object.keys(scheme)) {
    if (!(SCHEME_FIELDS as readonly string[]).includes(key)) {
      throw new Error(`quantization scheme: unknown field '${key}' (expected ${SCHEME_FIELDS.join(', ')})`);
    }
  }
  const s = scheme as Record<string, unknown>;
  for (const key of SCHEME_FIELDS) {
    if (s[key] === undefined) throw new Error(`quantization scheme: missing field '${key}'`);
  }
  checkBits(s.bits, 'quantization scheme: bits');
  checkEnum('scale', s.scale, SCALE_KINDS);
  checkEnum('rounding', s.rounding, ROUNDING_MODES);
  checkEnum('encoding', s.encoding, CODE_ENCODINGS);
  checkGranularity(s.granularity);
  return scheme as QuantScheme;
}

/**
 * Builds a frozen, validated scheme from partial arguments; defaults:
 * 8 bits, `'unit'` scale, `'per-tensor'`, `'half-even'`, `'int'` (the seed's standard quantization).
 * @throws Error on unknown fields or values.
 */
export function makeScheme(args: QuantSchemeArgs = {}): QuantScheme {
  if (typeof args !== 'object' || args === null) throw new Error(`makeScheme: expected an object, got ${describe(args)}`);
  for (const key of Object.keys(args)) {
    if (!(SCHEME_FIELDS as readonly string[]).includes(key)) {
      throw new Error(`quantization scheme: unknown field '${key}' (expected ${SCHEME_FIELDS.join(', ')})`);
    }
  }
  const granularity = checkGranularity(args.granularity ?? 'per-tensor');
  const scheme: QuantScheme = {
    bits: args.bits ?? 8,
    scale: args.scale ?? 'unit',
    granularity: typeof granularity === 'string' ? granularity : Object.freeze({ axis: granularity.axis }),
    rounding: args.rounding ?? 'half-even',
    encoding: args.encoding ?? 'int',
  };
  validateScheme(scheme);
  return Object.freeze(scheme);
}

/** A copy of `scheme` at another bit width (validated, frozen). */
export function withBits(scheme: QuantScheme, bits: number): QuantScheme {
  validateScheme(scheme);
  checkBits(bits, 'withBits: bits');
  return makeScheme({ ...scheme, bits });
}

/**
 * The integer code range a scheme can produce: `[−(2^(b−1) − 1), 2^(b−1) − 1]` for `'absmax'`,
 * `[0, 2^b − 1]` for `'minmax'`, and `null` for `'unit'` (no clipping: any int32).
 */
export function codeBounds(scheme: QuantScheme): { min: number; max: number } | null {
  const b = scheme.bits;
  if (scheme.scale === 'absmax') return { min: -(2 ** (b - 1) - 1), max: 2 ** (b - 1) - 1 };
  if (scheme.scale === 'minmax') return { min: 0, max: 2 ** b - 1 };
  return null;
}

/** One-line human description, e.g. `"8 bits, scale unit, rounding half-even, encoding int, per-tensor"`. */
export function describeScheme(scheme: QuantScheme): string {
  const g = typeof scheme.granularity === 'string' ? scheme.granularity : `per-channel (axis ${scheme.granularity.axis})`;
  return `${scheme.bits} bits, scale ${scheme.scale}, rounding ${scheme.rounding}, encoding ${scheme.encoding}, ${g}`;
}
